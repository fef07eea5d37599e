/*
 * sim_driver_call.c — one call's life in the driver: ringing and answered,
 * requesting the voice URL as Twilio does, following actions and redirects,
 * and its end with a status and a duration.
 *
 * Twilio's voice webhook (https://www.twilio.com/docs/voice/twiml#request-parameters)
 * carries CallSid, AccountSid, From, To, CallStatus, ApiVersion, Direction,
 * Caller, Called and the From/To/Caller/Called City, State, Zip and Country
 * fields; CallStatus is "ringing" on an incoming call's first request and
 * "in-progress" on an outbound-api call's and on every later one. A URL
 * that does not answer, or answers with an error, is 11200; an answer that
 * is not XML is 12300. The caller then hears "an application error has
 * occurred" and the call ends (completed, with the error code).
 */
#include "sim/sim_driver_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/banned.h"

enum { VOICE_TIMEOUT_MS = 10000, DOCUMENT_ARENA_LIMIT = 4 << 20 };

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sim_drive_free(struct sim_drive *d)
{
    free(d->from);
    free(d->to);
    free(d->doc_url);
    free(d->next_url);
    sim_params_release(&d->next_params);
    sim_script_release(&d->script);
    free(d);
}

/* ---- URLs and steps ------------------------------------------------------------------------ */

/* The length of "scheme://host[:port]" at the start of url, 0 when it is not absolute. */
static size_t origin_len(const char *url)
{
    const char *p;

    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return 0;
    p = strstr(url, "://") + 3;
    return (size_t)(p - url) + strcspn(p, "/?#");
}

char *sim_drive_resolve(const struct sim_drive *d, const char *url)
{
    const char *base = d->doc_url ? d->doc_url : d->sim->webhook_base;
    struct buf out = BUF_INIT(16384);
    size_t n, origin = origin_len(base);
    char *s;

    if (origin_len(url) || !origin)
        return hl_strdup(url);
    if (url[0] == '/') {
        buf_addf(&out, "%.*s%s", (int)origin, base, url);
    } else {
        n = strcspn(base, "?#");
        while (n > origin && base[n - 1] != '/')
            n--;
        buf_addf(&out, "%.*s%s%s", (int)n, base, n == origin ? "/" : "", url);
    }
    s = buf_detach(&out, NULL);
    buf_release(&out);
    return s ? s : hl_strdup(url);
}

enum sim_step sim_drive_goto(struct sim_drive *d, const char *url, const char *method,
                             struct sim_params *extra)
{
    char *next = sim_drive_resolve(d, url);

    free(d->next_url);
    d->next_url = next;
    d->next_get = method && strcasecmp(method, "GET") == 0;
    sim_params_release(&d->next_params);
    if (extra) {
        d->next_params = *extra;
        extra->items = NULL;
        extra->count = 0;
    }
    return SIM_STEP_GOTO;
}

enum sim_step sim_drive_fail(struct sim_drive *d, int code, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (!d->error_code)
        d->error_code = code;
    if (code)
        sim_drive_line(d, "twilio", "error %d: %s", code, why);
    else
        sim_drive_line(d, "twilio", "%s", why);
    log_warn("emulator call ended with an error", LOG_S("call_sid", d->sid), LOG_I("code", code));
    return SIM_STEP_END;
}

int sim_drive_over(struct sim_drive *d)
{
    struct sim_call *c;
    int live;

    if (sim_drive_stopping(d))
        return 1;
    pthread_mutex_lock(&d->sim->lock);
    c = sim_call_find(d->sim, d->sid);
    live = c && (strcmp(c->status, "in-progress") == 0 || strcmp(c->status, "ringing") == 0 ||
                 strcmp(c->status, "queued") == 0);
    pthread_mutex_unlock(&d->sim->lock);
    if (!live)
        sim_drive_line(d, "twilio", "the call was ended through the REST API");
    else if (mono_ns() > d->deadline_ns)
        sim_drive_fail(d, 0, "the call ran for more than %d s: the emulator ends it",
                       SIM_DRIVER_MAX_SECONDS);
    else if (d->time_limit_ms && d->sim_ms >= d->time_limit_ms)
        sim_drive_line(d, "twilio", "the call reached its TimeLimit");
    else
        return 0;
    return 1;
}

/* ---- the voice webhook ----------------------------------------------------------------------- */

static const char *country_of(const char *number)
{
    if (strncmp(number, "+1", 2) == 0)
        return "US";
    return strncmp(number, "+44", 3) == 0 ? "GB" : "";
}

static void add_place(struct sim_params *p, const char *side, const char *number)
{
    static const char *const parts[] = {"City", "State", "Zip"};
    char name[32];
    size_t i;

    snprintf(name, sizeof(name), "%sCountry", side);
    sim_params_add(p, name, country_of(number));
    for (i = 0; i < HL_ARRAY_LEN(parts); i++) {
        snprintf(name, sizeof(name), "%s%s", side, parts[i]);
        sim_params_add(p, name, "");
    }
}

static void voice_params(struct sim_drive *d, struct sim_params *p)
{
    sim_params_add(p, "AccountSid", d->sim->account.sid);
    sim_params_add(p, "ApiVersion", SIM_API_VERSION);
    sim_params_add(p, "CallSid", d->sid);
    sim_params_add(p, "CallStatus", d->answered ? "in-progress" : "ringing");
    sim_params_add(p, "Called", d->to);
    add_place(p, "Called", d->to);
    sim_params_add(p, "Caller", d->from);
    add_place(p, "Caller", d->from);
    sim_params_add(p, "Direction", d->direction);
    sim_params_add(p, "From", d->from);
    add_place(p, "From", d->from);
    sim_params_add(p, "To", d->to);
    add_place(p, "To", d->to);
}

static void set_status(struct sim_drive *d, const char *status, long duration)
{
    struct hl_err err = {0};

    if (sim_drive_status(d, status, duration, &err) != HL_OK)
        log_debug("emulator call status not changed", LOG_S("call_sid", d->sid),
                  LOG_S("reason", err.msg));
}

static void answer(struct sim_drive *d)
{
    if (d->answered)
        return;
    d->answered = 1;
    set_status(d, "in-progress", 0);
    sim_drive_line(d, "twilio", "call answered");
}

static int is_xml(const char *content_type)
{
    return content_type && strstr(content_type, "xml") != NULL;
}

/* Parse and execute one document (body of len bytes). */
static enum sim_step run_document(struct sim_drive *d, const char *body, size_t len)
{
    struct sim_twiml_error perr;
    struct sim_twiml_node *root;
    struct arena a;
    enum sim_step step;

    arena_init(&a, DOCUMENT_ARENA_LIMIT);
    root = sim_twiml_parse(body, len, &a, &perr);
    answer(d);
    if (!root)
        step = sim_drive_fail(d, perr.code, "%s: %s",
                              perr.code == SIM_ERR_PARSE ? "Document parse failure"
                                                         : "Schema validation warning",
                              perr.msg);
    else
        step = sim_drive_execute(d, root);
    arena_release(&a);
    return step;
}

static enum sim_step check_answer(struct sim_drive *d, const struct sim_answer *ans)
{
    if (!ans->status)
        return sim_drive_fail(d, SIM_ERR_HTTP_RETRIEVAL, "no answer from %s: %s", d->doc_url,
                              ans->error ? ans->error : "timeout");
    if (ans->status < 200 || ans->status > 299)
        return sim_drive_fail(d, SIM_ERR_HTTP_RETRIEVAL, "%s answered HTTP %ld", d->doc_url,
                              ans->status);
    if (!is_xml(ans->content_type))
        return sim_drive_fail(d, SIM_ERR_CONTENT_TYPE, "%s answered Content-Type %s, not XML",
                              d->doc_url, ans->content_type ? ans->content_type : "(none)");
    return run_document(d, ans->body, ans->body_len);
}

enum sim_step sim_drive_redirected(struct sim_drive *d)
{
    char *url, *method;
    enum sim_step step = SIM_STEP_NEXT;

    if (sim_call_take_redirect(d->sim, d->sid, &d->redirects_seen, &url, &method)) {
        sim_drive_line(d, "twilio", "call redirected by a REST update to %s", url);
        step = sim_drive_goto(d, url, method ? method : "POST", NULL);
    }
    free(url);
    free(method);
    return step;
}

/* Request d->next_url and execute what comes back. */
static enum sim_step fetch_and_run(struct sim_drive *d)
{
    struct sim_params p = SIM_PARAMS_INIT;
    struct sim_answer ans;
    enum sim_step step = SIM_STEP_END;
    size_t i;

    if (++d->documents > SIM_DRIVER_MAX_DOCUMENTS)
        return sim_drive_fail(d, 0, "more than %d TwiML documents in one call: the emulator "
                                    "ends it", SIM_DRIVER_MAX_DOCUMENTS);
    voice_params(d, &p);
    for (i = 0; i < d->next_params.count; i++)
        sim_params_add(&p, d->next_params.items[i].name, d->next_params.items[i].value);
    sim_params_release(&d->next_params);
    free(d->doc_url);
    d->doc_url = d->next_url;
    d->next_url = NULL;
    sim_drive_request(d, d->doc_url, d->next_get, &p, VOICE_TIMEOUT_MS, &ans);
    /* Twilio requests a hung-up caller's action too, but nobody is left to hear the answer */
    if (!ans.aborted && !d->hung_up) {
        answer(d); /* even an error is answered: "an application error has occurred" */
        step = check_answer(d, &ans);
    }
    sim_answer_release(&ans);
    return step;
}

/* ---- the whole call ------------------------------------------------------------------------ */

static void finish(struct sim_drive *d)
{
    long seconds = (d->sim_ms + 999) / 1000;
    const char *status = d->end_status ? d->end_status : "completed";

    if (d->error_code)
        sim_call_set_error(d->sim, d->sid, d->error_code);
    if (strcmp(status, "completed") != 0)
        seconds = 0;
    set_status(d, status, seconds);
    if (strcmp(status, "completed") == 0)
        sim_drive_line(d, "twilio", "call completed (%ld s)", seconds);
    else
        sim_drive_line(d, "twilio", "call ended: %s", status);
    pthread_mutex_lock(&d->drv->lock);
    d->t->done = 1;
    d->t->error_code = d->error_code;
    pthread_mutex_unlock(&d->drv->lock);
}

/* Read the call; 0 when it is gone. *twiml gets its inline TwiML (heap), or next_url its Url. */
static int load_call(struct sim_drive *d, char **twiml)
{
    struct sim_call_info info;
    const char *url, *limit, *inline_twiml;

    if (sim_call_info(d->sim, d->sid, &info, NULL) != HL_OK)
        return 0;
    d->from = hl_strdup(info.from);
    d->to = hl_strdup(info.to);
    url = sim_call_param(&info, "Url");
    inline_twiml = sim_call_param(&info, "Twiml");
    *twiml = inline_twiml && *inline_twiml ? hl_strdup(inline_twiml) : NULL;
    if (url && *url && !*twiml)
        sim_drive_goto(d, url, sim_call_param(&info, "Method"), NULL);
    {
        char *u, *m; /* updates made before the call started are already in Url */
        sim_call_take_redirect(d->sim, d->sid, &d->redirects_seen, &u, &m);
        free(u);
        free(m);
    }
    limit = sim_call_param(&info, "TimeLimit");
    d->time_limit_ms = limit ? strtol(limit, NULL, 10) * 1000 : 0;
    sim_call_info_release(&info);
    return 1;
}

static void mark_done(struct sim_drive *d)
{
    pthread_mutex_lock(&d->drv->lock);
    d->t->done = 1;
    pthread_mutex_unlock(&d->drv->lock);
}

void sim_drive_run(struct sim_drive *d)
{
    enum sim_step step = SIM_STEP_END;
    char *twiml = NULL;

    d->deadline_ns = mono_ns() + (uint64_t)SIM_DRIVER_MAX_SECONDS * 1000000000u;
    if (!load_call(d, &twiml)) {
        sim_drive_line(d, "twilio", "the call is no longer in the emulator");
        mark_done(d);
        return;
    }
    sim_drive_line(d, "twilio", "%s call from %s to %s", d->direction, d->from, d->to);
    set_status(d, "initiated", 0);
    set_status(d, "ringing", 0);
    if (strcmp(d->direction, "inbound") != 0)
        answer(d);
    if (twiml)
        step = run_document(d, twiml, strlen(twiml));
    else if (d->next_url)
        step = SIM_STEP_GOTO;
    while (step == SIM_STEP_GOTO && !sim_drive_over(d))
        step = fetch_and_run(d);
    free(twiml);
    if (sim_drive_stopping(d))
        mark_done(d);
    else
        finish(d);
}
