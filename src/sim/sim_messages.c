/*
 * sim_messages.c — the Messages resource: create (with Twilio's checks and
 * its opt-out rule), list, fetch and delete, and the delivery of an
 * outbound message: sent, then delivered, each with its signed status
 * callback (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
 */
#include "sim/sim_messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/phone.h"
#include "sim/sim_json.h"
#include "sim/sim_page.h"
#include "sim/sim_rest.h"
#include "sim/sim_sender.h"
#include "sim/sim_text.h"
#include "core/banned.h"

static int is_whatsapp(const char *address)
{
    int prefixed = 0;

    phone_strip_whatsapp(address, &prefixed);
    return prefixed;
}

struct sim_message *sim_message_new(const char *to, const char *from, const char *body,
                                    const char *direction, const char *status)
{
    struct sim_message *m = hl_calloc(1, sizeof(*m));

    if (sim_sid_new(m->sid, "SM") != HL_OK) {
        free(m);
        return NULL;
    }
    m->row.key = m->sid;
    m->to = to ? hl_strdup(to) : NULL;
    m->from = from ? hl_strdup(from) : NULL;
    m->body = hl_strdup(body ? body : "");
    m->direction = direction;
    m->status = status;
    m->num_segments = is_whatsapp(to ? to : "") ? 1 : sim_sms_segments(m->body);
    m->created = m->updated = sim_now();
    return m;
}

void sim_message_discard(struct sim_message *m)
{
    free(m->to);
    free(m->from);
    free(m->body);
    free(m->messaging_service_sid);
    free(m->status_callback);
    free(m);
}

/* ---- delivery ------------------------------------------------------------------------------ */

/* "+1555555XXXX": Twilio shows the channel address with its last digits hidden. */
static void masked_address(char *out, size_t size, const char *address)
{
    const char *number = phone_strip_whatsapp(address, NULL);
    size_t n = strlen(number);

    snprintf(out, size, "%.*sXXXX", (int)(n > 4 ? n - 4 : 0), number);
}

/* The parameters of a message status callback, as Twilio sends them. */
static void status_params(const struct sim *sim, const struct sim_message *m, struct sim_params *p)
{
    char when[64], masked[40];
    time_t now = sim_now();
    struct tm tm;

    sim_params_add(p, "AccountSid", sim->account.sid);
    sim_params_add(p, "ApiVersion", SIM_API_VERSION);
    sim_params_add(p, "From", m->from);
    sim_params_add(p, "MessageSid", m->sid);
    sim_params_add(p, "MessageStatus", m->status);
    sim_params_add(p, "MessagingServiceSid", m->messaging_service_sid);
    sim_params_add(p, "SmsSid", m->sid);
    sim_params_add(p, "SmsStatus", m->status);
    sim_params_add(p, "To", m->to);
    if (is_whatsapp(m->to)) {
        masked_address(masked, sizeof(masked), m->to);
        sim_params_add(p, "ChannelInstallSid", sim->channel_install_sid);
        sim_params_add(p, "ChannelPrefix", "whatsapp");
        sim_params_add(p, "ChannelToAddress", masked);
        sim_params_add(p, "StructuredMessage", "false");
    } else if (strcmp(m->status, "delivered") == 0 && gmtime_r(&now, &tm)) {
        snprintf(when, sizeof(when), "%02d%02d%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min); /* YYMMDDhhmm, as carriers write it */
        sim_params_add(p, "RawDlrDoneDate", when);
    }
}

struct delivery {
    char sid[SIM_SID_SIZE];
    int step; /* 0: becomes sent; 1: becomes delivered */
};

static void delivery_step(struct sim *sim, void *ctx, const struct sim_result *result);

/* Move the message one status on; *url and params get its callback (url NULL: none). */
static int advance(struct sim *sim, struct delivery *d, char **url, struct sim_params *params)
{
    struct sim_message *m;

    *url = NULL;
    pthread_mutex_lock(&sim->lock);
    m = sim_message_find(sim, d->sid);
    if (m) {
        m->status = d->step == 0 ? "sent" : "delivered";
        m->updated = sim_now();
        if (d->step == 0) {
            m->sent = m->updated;
            if (!m->from) { /* a Messaging Service picks its sender, then counts segments */
                m->from = hl_strdup(SIM_DEFAULT_NUMBER);
                m->num_segments = is_whatsapp(m->to) ? 1 : sim_sms_segments(m->body);
            }
        }
        if (m->status_callback) {
            *url = hl_strdup(m->status_callback);
            status_params(sim, m, params);
        }
    }
    pthread_mutex_unlock(&sim->lock);
    return m != NULL;
}

static void delivery_push(struct sim *sim, struct delivery *d)
{
    struct sim_params params = SIM_PARAMS_INIT;
    struct sim_job_spec spec = {0};
    char *url;

    if (!advance(sim, d, &url, &params)) { /* deleted, or forgotten past the cap */
        free(d);
        return;
    }
    d->step++;
    spec.url = url;
    spec.params = &params;
    spec.done = delivery_step;
    spec.ctx = d;
    sim_sender_push(sim->sender, &spec);
    free(url);
    sim_params_release(&params);
}

/* Runs on the sender thread once the previous callback (if any) is through. */
static void delivery_step(struct sim *sim, void *ctx, const struct sim_result *result)
{
    struct delivery *d = ctx;

    if (result->aborted || d->step > 1) {
        free(d);
        return;
    }
    delivery_push(sim, d);
}

void sim_message_dispatch(struct sim *sim, const char *sid)
{
    struct delivery *d = hl_calloc(1, sizeof(*d));
    struct sim_job_spec spec = {0};

    memcpy(d->sid, sid, SIM_SID_SIZE);
    spec.done = delivery_step; /* no URL: runs on the sender thread, off this one */
    spec.ctx = d;
    sim_sender_push(sim->sender, &spec);
}

/* ---- create -------------------------------------------------------------------------------- */

static long media_count(const struct sim_req *r)
{
    long n = 0;
    size_t i;

    for (i = 0; i < r->form.count; i++)
        if (strcmp(r->form.fields[i].name, "MediaUrl") == 0 && r->form.fields[i].value_len)
            n++;
    return n;
}

/* Absent, empty, or an http(s) URL of a sane length. */
static int valid_callback(const char *url)
{
    return !url || !*url ||
           (strlen(url) <= 4096 &&
            (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0));
}

static int valid_address(const char *address)
{
    return phone_is_e164(phone_strip_whatsapp(address, NULL));
}

/* Twilio's checks for a new message, in its order; answers and returns 0 on the first failure. */
static int create_valid(struct sim_req *r, const char *to, const char *from, const char *service,
                        const char *body)
{
    struct arena *a = r->req->arena;

    if (!to || !*to)
        sim_error(r, 400, 21604, "A 'To' phone number is required.");
    else if ((!from || !*from) && (!service || !*service))
        sim_error(r, 400, 21603, "A 'From' phone number is required.");
    else if ((!body || !*body) && !media_count(r) && !sim_form(r, "ContentSid"))
        sim_error(r, 400, 21602, "Message body is required.");
    else if (!valid_address(to))
        sim_error(r, 400, 21211,
                  arena_printf(a, "The 'To' number %s is not a valid phone number.", to));
    else if (service && *service && !sim_sid_valid(service, "MG"))
        sim_error(r, 400, 21701,
                  arena_printf(a, "The Messaging Service Sid %s is invalid.", service));
    else if (from && *from && is_whatsapp(from) != is_whatsapp(to))
        sim_error(r, 400, 21910,
                  "Invalid From and To pair. From and To should be of the same channel");
    else if (body && sim_utf8_chars(body) > SIM_BODY_MAX_CHARS)
        sim_error(r, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    else if (!valid_callback(sim_form(r, "StatusCallback")))
        sim_error(r, 400, 21609,
                  arena_printf(a, "The StatusCallback URL %s is not a valid URL.",
                               sim_form(r, "StatusCallback")));
    else
        return 1;
    return 0;
}

static struct sim_message *message_from_request(struct sim_req *r, const char *to, const char *from,
                                                const char *service)
{
    int with_service = !(from && *from);
    struct sim_message *m = sim_message_new(to, with_service ? NULL : from, sim_form(r, "Body"),
                                            "outbound-api", with_service ? "accepted" : "queued");
    const char *callback = sim_form(r, "StatusCallback");

    if (!m)
        return NULL;
    if (service && *service)
        m->messaging_service_sid = hl_strdup(service);
    if (callback && *callback)
        m->status_callback = hl_strdup(callback);
    m->num_media = media_count(r);
    if (with_service) /* "num_segments will always be 0 in Twilio's response" with a service */
        m->num_segments = 0;
    return m;
}

void sim_messages_create(struct sim_req *r)
{
    const char *to = sim_form(r, "To"), *from = sim_form(r, "From");
    const char *service = sim_form(r, "MessagingServiceSid");
    struct sim *sim = r->sim;
    struct sim_message *m;
    char sid[SIM_SID_SIZE];
    json_t *doc = NULL;

    if (!create_valid(r, to, from, service, sim_form(r, "Body")))
        return;
    if (!(m = message_from_request(r, to, from, service))) {
        sim_error(r, 500, 20500, "Internal Server Error");
        return;
    }
    memcpy(sid, m->sid, sizeof(sid));
    pthread_mutex_lock(&sim->lock);
    if (!sim_optout_check(sim, to, m->from ? m->from : SIM_DEFAULT_NUMBER)) {
        sim_table_add(&sim->messages, &m->row);
        doc = sim_json_message(sim, m);
    }
    pthread_mutex_unlock(&sim->lock);
    if (!doc) {
        sim_message_discard(m);
        sim_error(r, 400, 21610, "Attempt to send to unsubscribed recipient");
        return;
    }
    r->res->log_message_sid = arena_strdup(r->req->arena, sid);
    sim_json(r, 201, doc);
    sim_message_dispatch(sim, sid);
}

/* ---- list, fetch, delete ------------------------------------------------------------------- */

static int message_matches(const struct sim_req *r, const struct sim_row *row)
{
    const struct sim_message *m = (const struct sim_message *)row;
    const char *to = form_get(&r->query, "To"), *from = form_get(&r->query, "From");

    return (!to || (m->to && strcmp(to, m->to) == 0)) &&
           (!from || (m->from && strcmp(from, m->from) == 0));
}

static json_t *message_render(const struct sim_req *r, const struct sim_row *row)
{
    return sim_json_message(r->sim, (const struct sim_message *)row);
}

void sim_messages_list(struct sim_req *r)
{
    struct sim_list list = {
        "messages", &r->sim->messages, {"To", "From", NULL, NULL}, message_matches, message_render};

    sim_list_respond(r, &list);
}

void sim_message_fetch(struct sim_req *r)
{
    struct sim_message *m;
    json_t *doc = NULL;

    pthread_mutex_lock(&r->sim->lock);
    if ((m = sim_message_find(r->sim, r->sid)))
        doc = sim_json_message(r->sim, m);
    pthread_mutex_unlock(&r->sim->lock);
    if (!doc)
        sim_not_found(r);
    else
        sim_json(r, 200, doc);
}

/* Twilio deletes a message only once its delivery is over. */
static int delivery_over(const struct sim_message *m)
{
    static const char *const final[] = {"delivered", "undelivered", "failed",
                                        "received",  "canceled",    "read"};
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(final); i++)
        if (strcmp(m->status, final[i]) == 0)
            return 1;
    return 0;
}

void sim_message_delete(struct sim_req *r)
{
    struct sim_message *m;
    int found, busy = 0;

    pthread_mutex_lock(&r->sim->lock);
    m = sim_message_find(r->sim, r->sid);
    found = m != NULL;
    if (m && !(busy = !delivery_over(m)))
        sim_table_delete(&r->sim->messages, &m->row);
    pthread_mutex_unlock(&r->sim->lock);
    if (!found)
        sim_not_found(r);
    else if (busy)
        sim_error(r, 409, 20009, "Cannot delete message because delivery has not been completed.");
    else
        http_respond(r->res, 204, "application/json", "", 0);
}
