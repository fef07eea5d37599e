/*
 * sim_calls.c — the Calls resource: create, list, fetch and update, and the
 * call's status changes with their status callbacks.
 *
 * A call created here stays "queued": placing it (ringing, answered, TwiML)
 * is the call driver's job, which reads it with sim_call_info() and moves it
 * with sim_call_set_status(). An update with Status=canceled or completed
 * ends a call that has not been answered as "canceled" ("The call was
 * canceled via the REST API while queued or ringing"), and completed ends an
 * answered one as "completed"; canceled leaves an answered call alone
 * (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/phone.h"
#include "sim/sim_driver.h"
#include "sim/sim_json.h"
#include "sim/sim_page.h"
#include "sim/sim_rest.h"
#include "sim/sim_sender.h"
#include "sim/sim_text.h"
#include "core/banned.h"

static const char *const final_statuses[] = {"completed", "busy", "failed", "no-answer",
                                             "canceled"};

static int is_final(const char *status)
{
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(final_statuses); i++)
        if (strcmp(status, final_statuses[i]) == 0)
            return 1;
    return 0;
}

/* The static copy of a status name, or NULL when it is not one. */
static const char *status_name(const char *status)
{
    static const char *const others[] = {"queued", "ringing", "in-progress", "initiated"};
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(others); i++)
        if (strcmp(status, others[i]) == 0)
            return others[i];
    for (i = 0; i < HL_ARRAY_LEN(final_statuses); i++)
        if (strcmp(status, final_statuses[i]) == 0)
            return final_statuses[i];
    return NULL;
}

/* Twilio's Call resource, with what the driver knows: the direction and the error that ended it. */
static json_t *call_json(const struct sim *sim, const struct sim_call *c)
{
    json_t *doc = sim_json_call(sim, c);

    if (doc) {
        json_object_set_new(doc, "direction", json_string(c->direction));
        json_object_set_new(doc, "error_code",
                            c->error_code ? json_integer(c->error_code) : json_null());
    }
    return doc;
}

/* ---- status callbacks -------------------------------------------------------------------- */

/* The StatusCallbackEvent a status belongs to. */
static const char *event_of(const char *status)
{
    if (strcmp(status, "initiated") == 0 || strcmp(status, "ringing") == 0)
        return status;
    return strcmp(status, "in-progress") == 0 ? "answered" : "completed";
}

/* Has the call asked for this event? With no StatusCallbackEvent, only "completed". */
static int subscribed(const struct sim_call *c, const char *event)
{
    size_t i, n = strlen(event), seen = 0;

    for (i = 0; i < c->params.count; i++) {
        const char *v = c->params.items[i].value, *p;
        if (strcmp(c->params.items[i].name, "StatusCallbackEvent") != 0)
            continue;
        seen++;
        for (p = strstr(v, event); p; p = strstr(p + 1, event)) /* "initiated ringing" too */
            if ((p == v || p[-1] == ' ' || p[-1] == ',') &&
                (p[n] == '\0' || p[n] == ' ' || p[n] == ','))
                return 1;
    }
    return !seen && strcmp(event, "completed") == 0;
}

/* The parameters Twilio sends with a call status callback. */
static void callback_params(struct sim *sim, struct sim_call *c, const char *status,
                            struct sim_params *p)
{
    char date[SIM_DATE_SIZE], num[32];

    sim_date_format(date, sim_now());
    sim_params_add(p, "AccountSid", sim->account.sid);
    sim_params_add(p, "ApiVersion", SIM_API_VERSION);
    sim_params_add(p, "CallSid", c->sid);
    sim_params_add(p, "CallStatus", status);
    sim_params_add(p, "CallbackSource", "call-progress-events");
    sim_params_add(p, "Called", c->to);
    sim_params_add(p, "Caller", c->from);
    sim_params_add(p, "Direction", c->direction);
    sim_params_add(p, "From", c->from);
    snprintf(num, sizeof(num), "%ld", c->sequence++);
    sim_params_add(p, "SequenceNumber", num);
    sim_params_add(p, "Timestamp", date);
    sim_params_add(p, "To", c->to);
    if (is_final(status)) {
        snprintf(num, sizeof(num), "%ld", c->duration > 0 ? c->duration : 0);
        sim_params_add(p, "CallDuration", num);
        if (c->error_code) {
            snprintf(num, sizeof(num), "%d", c->error_code);
            sim_params_add(p, "ErrorCode", num);
        }
    }
}

/* What to send after a status change; the caller pushes it once the lock is released. */
struct call_callback {
    char *url;
    int use_get;
    struct sim_params params;
};

static void callback_prepare(struct sim *sim, struct sim_call *c, const char *status,
                             struct call_callback *cb)
{
    const char *url = sim_params_get(&c->params, "StatusCallback");
    const char *method = sim_params_get(&c->params, "StatusCallbackMethod");

    memset(cb, 0, sizeof(*cb));
    if (!url || !*url || !subscribed(c, event_of(status)))
        return;
    cb->url = hl_strdup(url);
    cb->use_get = method && strcasecmp(method, "GET") == 0;
    callback_params(sim, c, status, &cb->params);
}

static void callback_send_then(struct sim *sim, struct call_callback *cb,
                               void (*done)(struct sim *, void *, const struct sim_result *),
                               void *ctx)
{
    struct sim_job_spec spec = {0};

    if (!cb->url && !done)
        return;
    spec.done = done; /* without a URL the job only runs done, on the sender thread */
    spec.ctx = ctx;
    spec.url = cb->url;
    spec.use_get = cb->use_get;
    spec.params = &cb->params;
    sim_sender_push(sim->sender, &spec);
    free(cb->url);
    sim_params_release(&cb->params);
}

static void callback_send(struct sim *sim, struct call_callback *cb)
{
    callback_send_then(sim, cb, NULL, NULL);
}

/* Move c to status (a static name) with sim->lock held; cb gets the callback to send. */
static void call_move(struct sim *sim, struct sim_call *c, const char *status, long duration,
                      struct call_callback *cb)
{
    time_t now = sim_now();

    if (strcmp(status, "initiated") != 0) {
        c->status = status;
        c->updated = now;
    }
    if (strcmp(status, "in-progress") == 0)
        c->started = now;
    if (is_final(status)) {
        c->ended = now;
        c->duration = strcmp(status, "completed") == 0 && duration > 0 ? duration : 0;
        if (!c->started && c->duration > 0)
            c->started = now - c->duration;
    }
    callback_prepare(sim, c, status, cb);
}

/* ---- create -------------------------------------------------------------------------------- */

/* Twilio's limit on inline TwiML (error 32018), and the emulator's on what a call keeps. */
#define SIM_TWIML_MAX_CHARS 4000
#define SIM_CALL_PARAMS_MAX 16384

static int valid_url(const char *url)
{
    return strlen(url) <= 4096 &&
           (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0);
}

static size_t form_bytes(const struct form *f)
{
    size_t i, n = 0;

    for (i = 0; i < f->count; i++)
        n += f->fields[i].name_len + f->fields[i].value_len;
    return n;
}

/* Limits that apply to a create and an update alike; answers and returns 0 when one is passed. */
static int within_limits(struct sim_req *r)
{
    const char *twiml = sim_form(r, "Twiml");

    if (twiml && sim_utf8_chars(twiml) > SIM_TWIML_MAX_CHARS)
        sim_error(r, 400, 32018, "Twiml size exceeded maximum allowed value of 4000 characters");
    else if (form_bytes(&r->form) > SIM_CALL_PARAMS_MAX)
        sim_error(r, 400, 20001, "The parameters of a call may have at most 16384 bytes.");
    else
        return 1;
    return 0;
}

/* Twilio's checks, in its order; answers and returns 0 on the first that fails. */
static int create_valid(struct sim_req *r, const char *to, const char *from)
{
    const char *url = sim_form(r, "Url"), *twiml = sim_form(r, "Twiml");
    struct arena *a = r->req->arena;

    if (!to || !*to)
        sim_error(r, 400, 21201, "No 'To' number is specified");
    else if (!from || !*from)
        sim_error(r, 400, 21213, "No 'From' number is specified");
    else if ((!url || !*url) && (!twiml || !*twiml) && !sim_form(r, "ApplicationSid"))
        sim_error(r, 400, 21205, "Url parameter is required. Please provide a Url or Twiml.");
    else if (!phone_is_e164(to))
        sim_error(r, 400, 21211, arena_printf(a, "Invalid 'To' Phone Number: %s", to));
    else if (!phone_is_e164(from))
        sim_error(r, 400, 21212, arena_printf(a, "Invalid 'From' Phone Number: %s", from));
    else if (url && *url && !valid_url(url))
        sim_error(r, 400, 21205, arena_printf(a, "Url is not a valid URL: %s", url));
    else
        return within_limits(r);
    return 0;
}

static struct sim_call *call_alloc(const char *to, const char *from, const char *direction)
{
    struct sim_call *c = hl_calloc(1, sizeof(*c));

    if (sim_sid_new(c->sid, "CA") != HL_OK) {
        free(c);
        return NULL;
    }
    c->row.key = c->sid;
    c->to = hl_strdup(to);
    c->from = hl_strdup(from);
    c->status = "queued";
    c->created = c->updated = sim_now();
    c->duration = -1;
    c->direction = strcmp(direction, "inbound") == 0 ? "inbound" : "outbound-api";
    return c;
}

static struct sim_call *call_new(struct sim_req *r, const char *to, const char *from)
{
    struct sim_call *c = call_alloc(to, from, "outbound-api");

    if (c)
        sim_params_from_form(&c->params, &r->form);
    return c;
}

json_t *sim_call_add(struct sim *sim, const char *to, const char *from, const char *direction,
                     struct sim_params *params, char sid[SIM_SID_SIZE])
{
    struct sim_call *c = call_alloc(to, from, direction);
    json_t *doc;

    if (!c)
        return NULL;
    c->params = *params;
    params->items = NULL;
    params->count = 0;
    memcpy(sid, c->sid, SIM_SID_SIZE);
    pthread_mutex_lock(&sim->lock);
    sim_table_add(&sim->calls, &c->row);
    doc = call_json(sim, c);
    pthread_mutex_unlock(&sim->lock);
    return doc;
}

void sim_calls_create(struct sim_req *r)
{
    const char *to = sim_form(r, "To"), *from = sim_form(r, "From");
    struct sim *sim = r->sim;
    struct sim_call *c;
    char sid[SIM_SID_SIZE];
    json_t *doc;

    if (!create_valid(r, to, from))
        return;
    if (!(c = call_new(r, to, from))) {
        sim_error(r, 500, 20500, "Internal Server Error");
        return;
    }
    memcpy(sid, c->sid, sizeof(sid));
    pthread_mutex_lock(&sim->lock);
    sim_table_add(&sim->calls, &c->row);
    doc = call_json(sim, c);
    pthread_mutex_unlock(&sim->lock);
    r->res->log_call_sid = arena_strdup(r->req->arena, sid);
    sim_json(r, 201, doc);
    if (sim->call_created)
        sim->call_created(sim->call_created_ctx, sid);
    else if (sim->driver && (sim_form(r, "Url") || sim_form(r, "Twiml")) &&
             sim_driver_place(sim->driver, sid, "outbound-api", NULL) != HL_OK)
        sim_call_set_status(sim, sid, "failed", 0, NULL);
}

/* ---- list, fetch --------------------------------------------------------------------------- */

static int call_matches(const struct sim_req *r, const struct sim_row *row)
{
    const struct sim_call *c = (const struct sim_call *)row;
    const char *to = form_get(&r->query, "To"), *from = form_get(&r->query, "From");
    const char *status = form_get(&r->query, "Status");

    return (!to || strcmp(to, c->to) == 0) && (!from || strcmp(from, c->from) == 0) &&
           (!status || strcmp(status, c->status) == 0);
}

static json_t *call_render(const struct sim_req *r, const struct sim_row *row)
{
    return call_json(r->sim, (const struct sim_call *)row);
}

void sim_calls_list(struct sim_req *r)
{
    struct sim_list list = {
        "calls", &r->sim->calls, {"To", "From", "Status", NULL}, call_matches, call_render};

    sim_list_respond(r, &list);
}

void sim_call_fetch(struct sim_req *r)
{
    struct sim_call *c;
    json_t *doc = NULL;

    pthread_mutex_lock(&r->sim->lock);
    if ((c = sim_call_find(r->sim, r->sid)))
        doc = call_json(r->sim, c);
    pthread_mutex_unlock(&r->sim->lock);
    if (!doc)
        sim_not_found(r);
    else
        sim_json(r, 200, doc);
}

/* ---- update -------------------------------------------------------------------------------- */

/* New instructions, methods and callbacks replace the old ones. */
static void apply_update_params(struct sim_call *c, const struct sim_req *r)
{
    static const char *const kept[] = {"Method",      "StatusCallback", "StatusCallbackMethod",
                                       "FallbackUrl", "FallbackMethod", "TimeLimit"};
    const char *url = sim_form(r, "Url"), *twiml = sim_form(r, "Twiml");
    size_t i;

    if (url && *url) {
        sim_params_set(&c->params, "Url", url);
        sim_params_set(&c->params, "Twiml", NULL);
        c->redirects++;
    } else if (twiml && *twiml) {
        sim_params_set(&c->params, "Twiml", twiml);
        sim_params_set(&c->params, "Url", NULL);
    }
    for (i = 0; i < HL_ARRAY_LEN(kept); i++)
        if (sim_form(r, kept[i]))
            sim_params_set(&c->params, kept[i], sim_form(r, kept[i]));
}

/* The status an update's Status=... moves c to, or NULL for no change. */
static const char *status_after(const struct sim_call *c, const char *wanted)
{
    int answered = strcmp(c->status, "in-progress") == 0;

    if (!wanted || is_final(c->status))
        return NULL;
    if (strcmp(wanted, "canceled") == 0)
        return answered ? NULL : "canceled";
    return answered ? "completed" : "canceled";
}

static int update_valid(struct sim_req *r, const char *status, int *redirect)
{
    const char *url = sim_form(r, "Url"), *twiml = sim_form(r, "Twiml");

    *redirect = (url && *url) || (twiml && *twiml);
    if (status && strcmp(status, "canceled") != 0 && strcmp(status, "completed") != 0) {
        sim_error(r, 400, 20001,
                  arena_printf(r->req->arena, "Status must be 'canceled' or 'completed', not '%s'",
                               status));
        return 0;
    }
    if (url && *url && !valid_url(url)) {
        sim_error(r, 400, 21205, arena_printf(r->req->arena, "Url is not a valid URL: %s", url));
        return 0;
    }
    return within_limits(r);
}

void sim_call_update(struct sim_req *r)
{
    const char *status = sim_form(r, "Status"), *next;
    struct call_callback cb = {0};
    struct sim_call *c;
    json_t *doc = NULL;
    int redirect, ended = 0;

    if (!update_valid(r, status, &redirect))
        return;
    pthread_mutex_lock(&r->sim->lock);
    if ((c = sim_call_find(r->sim, r->sid)) && !(ended = redirect && is_final(c->status))) {
        apply_update_params(c, r);
        c->updated = sim_now();
        if ((next = status_after(c, status)))
            call_move(r->sim, c, next, 0, &cb);
        doc = call_json(r->sim, c);
    }
    pthread_mutex_unlock(&r->sim->lock);
    callback_send(r->sim, &cb);
    if (ended)
        sim_error(r, 400, 21220, "Call is not in-progress. Cannot redirect.");
    else if (!doc)
        sim_not_found(r);
    else
        sim_json(r, 200, doc);
}

/* ---- for the call driver ------------------------------------------------------------------- */

int sim_call_take_redirect(struct sim *sim, const char *call_sid, unsigned *seen, char **url,
                           char **method)
{
    struct sim_call *c;
    int taken = 0;

    *url = *method = NULL;
    pthread_mutex_lock(&sim->lock);
    c = sim_call_find(sim, call_sid);
    if (c && c->redirects != *seen) {
        const char *u = sim_params_get(&c->params, "Url");
        const char *m = sim_params_get(&c->params, "Method");
        *seen = c->redirects;
        *url = u ? hl_strdup(u) : NULL;
        *method = m ? hl_strdup(m) : NULL;
        taken = *url != NULL;
    }
    pthread_mutex_unlock(&sim->lock);
    return taken;
}

int sim_call_info(struct sim *sim, const char *call_sid, struct sim_call_info *info,
                  struct hl_err *err)
{
    struct sim_call *c;
    size_t i;

    memset(info, 0, sizeof(*info));
    pthread_mutex_lock(&sim->lock);
    if (!(c = sim_call_find(sim, call_sid))) {
        pthread_mutex_unlock(&sim->lock);
        return hl_err_set(err, HL_ENOTFOUND, "no call %s in the emulator", call_sid);
    }
    memcpy(info->sid, c->sid, sizeof(info->sid));
    info->to = hl_strdup(c->to);
    info->from = hl_strdup(c->from);
    info->status = hl_strdup(c->status);
    info->duration = c->duration;
    info->params.count = c->params.count;
    info->params.names = hl_calloc(c->params.count + 1, sizeof(char *));
    info->params.values = hl_calloc(c->params.count + 1, sizeof(char *));
    for (i = 0; i < c->params.count; i++) {
        info->params.names[i] = hl_strdup(c->params.items[i].name);
        info->params.values[i] = hl_strdup(c->params.items[i].value);
    }
    pthread_mutex_unlock(&sim->lock);
    return HL_OK;
}

const char *sim_call_param(const struct sim_call_info *info, const char *name)
{
    size_t i;

    for (i = 0; i < info->params.count; i++)
        if (strcmp(info->params.names[i], name) == 0)
            return info->params.values[i];
    return NULL;
}

void sim_call_info_release(struct sim_call_info *info)
{
    size_t i;

    for (i = 0; i < info->params.count; i++) {
        free(info->params.names[i]);
        free(info->params.values[i]);
    }
    free(info->params.names);
    free(info->params.values);
    free(info->to);
    free(info->from);
    free(info->status);
    memset(info, 0, sizeof(*info));
}

void sim_call_set_error(struct sim *sim, const char *call_sid, int code)
{
    struct sim_call *c;

    pthread_mutex_lock(&sim->lock);
    if ((c = sim_call_find(sim, call_sid)))
        c->error_code = code;
    pthread_mutex_unlock(&sim->lock);
}

int sim_call_set_status(struct sim *sim, const char *call_sid, const char *status, long duration_s,
                        struct hl_err *err)
{
    return sim_call_set_status_then(sim, call_sid, status, duration_s, NULL, NULL, err);
}

int sim_call_set_status_then(struct sim *sim, const char *call_sid, const char *status,
                             long duration_s,
                             void (*done)(struct sim *, void *, const struct sim_result *),
                             void *ctx, struct hl_err *err)
{
    const char *name = status ? status_name(status) : NULL;
    struct call_callback cb = {0};
    struct sim_call *c;
    int rc = HL_OK;

    if (!name || strcmp(name, "queued") == 0)
        return hl_err_set(err, HL_EINVAL, "\"%s\" is not a status a call can move to",
                          status ? status : "(null)");
    pthread_mutex_lock(&sim->lock);
    if (!(c = sim_call_find(sim, call_sid)))
        rc = hl_err_set(err, HL_ENOTFOUND, "no call %s in the emulator", call_sid);
    else if (is_final(c->status))
        rc = hl_err_set(err, HL_EINVAL, "call %s has already ended (%s)", call_sid, c->status);
    else
        call_move(sim, c, name, duration_s, &cb);
    pthread_mutex_unlock(&sim->lock);
    if (rc == HL_OK)
        callback_send_then(sim, &cb, done, ctx);
    return rc;
}
