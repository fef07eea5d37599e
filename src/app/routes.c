/*
 * routes.c — the route table and the dispatcher the HTTP edge calls.
 *
 * Routes are data: one row per path (aliases from the guides are rows of
 * their own pointing at the same function). A row marked ROUTE_TWILIO is a
 * webhook: its body must be a form (or JSON with bodySHA256) and its
 * X-Twilio-Signature must verify before anything else happens — a missing
 * header gets 400 and a wrong one 403, as Twilio's express middleware
 * answers, and nothing is stored.
 *
 * A verified webhook is not handled at once: it is batched (http_batch), and
 * at the end of the edge's round app_handle_batch() runs every webhook of
 * the round as a store task, in one transaction (group commit, see
 * store_run_tasks). Its response is sent only once that transaction is
 * committed, so nothing Twilio hears "200" for can be lost; if the commit
 * fails the answer becomes 503 and Twilio retries.
 */
#include "app/app.h"

#include "api/api.h"

#include <string.h>

#include "core/log.h"
#include "http/router.h"
#include "jobs/jobs.h"
#include "media/media.h"
#include "ops/ops.h"
#include "sim/sim.h"
#include "twilio/signature.h"
#include "web/dashboard.h"
#include "web/session.h"
#include "web/memo_page.h"
#include "web/page.h"
#include "webhooks/webhooks.h"
#include "core/banned.h"

enum route_flags {
    ROUTE_TWILIO = 1 << 0, /* a Twilio webhook: signature-checked form POST, run as a store task */
    ROUTE_ANSWER_ANYWAY = 1 << 1, /* a caller is waiting: keep the TwiML even if storing failed */
    ROUTE_API = 1 << 2,           /* hotline's JSON API: a bearer key from API_KEYS */
    ROUTE_SEND = 1 << 3,          /* an API send: rate-limited per key */
    ROUTE_QUEUES_JOB = 1 << 4,    /* may queue background work: wake the job workers */
    ROUTE_SESSION = 1 << 5,       /* the dashboard: a live session cookie (401 JSON otherwise) */
    ROUTE_CSRF = 1 << 6,          /* a dashboard state change: same origin and the CSRF token */
};

struct route {
    unsigned methods;
    const char *pattern;
    unsigned flags;
    void (*fn)(struct app_request *r);
};

static const struct route routes[] = {
    {HTTP_GET | HTTP_HEAD, "/health", 0, ops_health},
    {HTTP_GET | HTTP_HEAD, "/twilio/config", 0, ops_config},
    {HTTP_GET | HTTP_HEAD, "/twilio/test", 0, ops_test},

    {HTTP_POST, "/twilio/voice", ROUTE_TWILIO | ROUTE_ANSWER_ANYWAY, webhook_voice},
    {HTTP_POST, "/api/twilio/voice", ROUTE_TWILIO | ROUTE_ANSWER_ANYWAY, webhook_voice},
    {HTTP_POST, "/twilio/voice/incoming", ROUTE_TWILIO | ROUTE_ANSWER_ANYWAY, webhook_voice},

    {HTTP_POST, "/twilio/flow/{step}", ROUTE_TWILIO | ROUTE_ANSWER_ANYWAY | ROUTE_QUEUES_JOB,
     webhook_flow_step},
    {HTTP_POST, "/twilio/gather", ROUTE_TWILIO | ROUTE_ANSWER_ANYWAY | ROUTE_QUEUES_JOB,
     webhook_flow_step},

    {HTTP_POST, "/twilio/status", ROUTE_TWILIO, webhook_call_status},
    {HTTP_POST, "/api/twilio/status", ROUTE_TWILIO, webhook_call_status},
    {HTTP_POST, "/twilio/voice/status", ROUTE_TWILIO, webhook_call_status},

    {HTTP_POST, "/twilio/recording", ROUTE_TWILIO | ROUTE_QUEUES_JOB, webhook_recording},
    {HTTP_POST, "/twilio/voicemail", ROUTE_TWILIO | ROUTE_QUEUES_JOB, webhook_recording},
    {HTTP_POST, "/twilio/recording/{CallSid}", ROUTE_TWILIO | ROUTE_QUEUES_JOB, webhook_recording},
    {HTTP_POST, "/api/twilio/recording", ROUTE_TWILIO | ROUTE_QUEUES_JOB, webhook_recording},
    {HTTP_POST, "/api/twilio/recording/{CallSid}", ROUTE_TWILIO | ROUTE_QUEUES_JOB, webhook_recording},

    {HTTP_POST, "/twilio/recording-status", ROUTE_TWILIO, webhook_recording_status},
    {HTTP_POST, "/api/twilio/recording-status", ROUTE_TWILIO, webhook_recording_status},

    {HTTP_POST, "/twilio/sms", ROUTE_TWILIO | ROUTE_QUEUES_JOB, webhook_sms},
    {HTTP_POST, "/api/twilio/sms", ROUTE_TWILIO | ROUTE_QUEUES_JOB, webhook_sms},

    {HTTP_POST, "/twilio/message-status", ROUTE_TWILIO, webhook_message_status},

    {HTTP_POST, "/api/calls", ROUTE_API | ROUTE_SEND, api_calls_create},
    {HTTP_POST, "/api/calls/outbound", ROUTE_API | ROUTE_SEND, api_calls_create},
    {HTTP_POST, "/api/twilio/make-call", ROUTE_API | ROUTE_SEND, api_calls_create},
    {HTTP_GET | HTTP_HEAD, "/api/calls", ROUTE_API, api_calls_list},
    {HTTP_GET | HTTP_HEAD, "/api/twilio/calls", ROUTE_API, api_calls_list},
    {HTTP_GET | HTTP_HEAD, "/api/calls/{sid}", ROUTE_API, api_call_get},
    {HTTP_POST, "/api/calls/{sid}/say", ROUTE_API | ROUTE_SEND, api_call_say},
    {HTTP_POST, "/api/tts", ROUTE_API, api_tts_create},
    {HTTP_GET | HTTP_HEAD, "/api/bookings", ROUTE_API, api_bookings_list},
    {HTTP_GET | HTTP_HEAD, "/api/memos", ROUTE_API, api_memos_list},
    {HTTP_GET | HTTP_HEAD, "/api/memos/{id}", ROUTE_API, api_memo_get},
    {HTTP_DELETE, "/api/memos/{id}", ROUTE_API, api_memo_delete},
    {HTTP_DELETE, "/api/contacts/{phone}", ROUTE_API, api_contact_erase},
    {HTTP_GET | HTTP_HEAD, "/media/{id}", 0, media_serve},
    {HTTP_GET | HTTP_HEAD, "/assets/{name}", 0, web_assets_serve},
    /* The memo page. Fixed paths under /voice/ (the dashboard's) must come before these rows:
     * the first row that matches wins, and "/voice/{id}" matches any one segment. */
    {HTTP_GET | HTTP_HEAD, "/voice/login", 0, web_dashboard_redirect},
    {HTTP_GET | HTTP_HEAD, "/voice/logout", 0, web_dashboard_redirect},
    {HTTP_GET | HTTP_HEAD, "/voice/{id}", 0, web_memo_page},
    {HTTP_GET | HTTP_HEAD, "/voice/{id}/memo.json", 0, web_memo_json},
    {HTTP_GET | HTTP_HEAD, "/voice/{id}/audio", 0, web_memo_audio},
    {HTTP_GET | HTTP_HEAD, "/voice/{id}/meta", 0, web_memo_meta},

    {HTTP_POST, "/api/messages", ROUTE_API | ROUTE_SEND, api_messages_create},
    {HTTP_POST, "/api/twilio/send-sms", ROUTE_API | ROUTE_SEND, api_messages_create},
    {HTTP_GET | HTTP_HEAD, "/api/messages", ROUTE_API, api_messages_list},
    {HTTP_GET | HTTP_HEAD, "/api/twilio/sms", ROUTE_API, api_messages_list},

    /* The dashboard (docs/web.md): its lists are the API's answers, behind the session. */
    {HTTP_GET | HTTP_HEAD, "/voice", 0, web_dashboard_page},
    {HTTP_POST, "/voice/login", 0, web_login},
    {HTTP_POST, "/voice/logout", ROUTE_SESSION | ROUTE_CSRF, web_logout},
    {HTTP_GET | HTTP_HEAD, "/voice/api/session", ROUTE_SESSION, web_session_info},
    {HTTP_GET | HTTP_HEAD, "/voice/api/calls", ROUTE_SESSION, api_calls_list},
    {HTTP_GET | HTTP_HEAD, "/voice/api/calls/{sid}", ROUTE_SESSION, api_call_get},
    {HTTP_GET | HTTP_HEAD, "/voice/api/messages", ROUTE_SESSION, api_messages_list},
    {HTTP_GET | HTTP_HEAD, "/voice/api/bookings", ROUTE_SESSION, api_bookings_list},
    {HTTP_GET | HTTP_HEAD, "/voice/api/memos", ROUTE_SESSION, web_dash_memos},
    {HTTP_GET | HTTP_HEAD, "/voice/api/optouts", ROUTE_SESSION, web_dash_optouts},
    {HTTP_GET | HTTP_HEAD, "/voice/api/stats", ROUTE_SESSION, web_dash_stats},
    {HTTP_GET | HTTP_HEAD, "/voice/api/health", ROUTE_SESSION, web_dash_health},
};

/* "GET, HEAD" for the Allow header of a 405. */
static const char *allowed_methods(unsigned methods, struct arena *a)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
    char list[64] = "";
    size_t i, n = 0;

    for (i = 0; i < HL_ARRAY_LEN(names); i++)
        if (methods & (1u << i))
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", names[i]);
    return arena_strdup(a, list);
}

/* The body must be a form (or JSON, signed with bodySHA256); decode the form. */
static int read_webhook_body(struct app_request *r, int *is_json)
{
    struct http_request *req = r->req;
    struct hl_err err = {0};

    *is_json = http_content_type_is(req, "application/json");
    if (!*is_json && !http_content_type_is(req, "application/x-www-form-urlencoded")) {
        http_respond_text(r->res, 415,
                          "Twilio webhooks must be application/x-www-form-urlencoded.\n");
        return HL_EINVAL;
    }
    if (!*is_json && form_decode(&r->form, req->body, req->body_len, req->arena, &err) != HL_OK) {
        http_respond_text(r->res, err.code == HL_ETOOLARGE ? 413 : 400,
                          arena_printf(req->arena, "Malformed form body: %s.\n", err.msg));
        return HL_EINVAL;
    }
    return HL_OK;
}

/* Answer a signature check that failed: 400 missing, 403 wrong, 500 unverifiable. */
static void refuse_webhook(struct app_request *r, int rc, const struct hl_err *err)
{
    if (rc == HL_EINVAL)
        http_respond_text(r->res, 400, "Missing X-Twilio-Signature header.\n");
    else if (rc == HL_EBADSIG)
        http_respond_text(r->res, 403, "Twilio signature does not match.\n");
    else
        http_respond_text(r->res, 500, "Cannot verify Twilio signatures.\n");
    log_warn("webhook refused", LOG_S("reason", err->msg), LOG_S("route", r->res->log_route),
             LOG_I("status", r->res->status));
}

/* Nothing in a webhook is trusted, or stored, before its signature verifies. */
static int check_twilio_request(struct app_request *r)
{
    struct http_request *req = r->req;
    struct hl_err err = {0};
    int is_json, rc;
    struct sig_request sig = {r->app->cfg->public_base_url,
                              req->target,
                              req->target_len,
                              &r->form,
                              req->body,
                              req->body_len,
                              http_header(req, "X-Twilio-Signature")};

    if (read_webhook_body(r, &is_json) != HL_OK)
        return HL_EINVAL;
    if (is_json)
        sig.params = NULL;
    rc = sig_validate(r->app->auth_token, &sig, req->arena, &err);
    if (rc != HL_OK) {
        refuse_webhook(r, rc, &err);
        return rc;
    }
    if (is_json) { /* signed, but every webhook hotline serves today takes a form */
        http_respond_text(r->res, 415,
                          "This webhook takes application/x-www-form-urlencoded, not JSON.\n");
        return HL_EINVAL;
    }
    return HL_OK;
}

/* A verified webhook, batched until the end of the edge's round. */
struct webhook_task {
    struct app_request r;
    const struct route *route;
    struct store_task task;
};

static void webhook_task_run(void *ctx)
{
    struct webhook_task *t = ctx;

    t->route->fn(&t->r);
}

static void webhook_task_done(void *ctx, int rc, const struct hl_err *err)
{
    struct webhook_task *t = ctx;

    if (rc != HL_OK) {
        log_error("webhook not committed", LOG_S("route", t->route->pattern),
                  LOG_S("reason", err->msg));
        if (!(t->route->flags & ROUTE_ANSWER_ANYWAY) || !t->r.res->status)
            http_respond_text(t->r.res, 503, "Storage unavailable; Twilio will retry.\n");
    } else if (t->route->flags & ROUTE_QUEUES_JOB) {
        jobs_notify(t->r.app->jobs);
    }
}

void app_handle_batch(void *ctx, void **items, size_t n)
{
    struct app *app = ctx;
    struct store_task *list = NULL;
    size_t i;

    for (i = n; i-- > 0;) { /* in the order they arrived */
        struct webhook_task *t = items[i];
        t->task.next = list;
        list = &t->task;
    }
    store_run_tasks(app->store, list);
}

/* Batch a verified webhook for the end of the round; HL_ETOOLARGE if the arena is full. */
static int defer_webhook(struct app_request *r, const struct route *route)
{
    struct webhook_task *t = arena_zalloc(r->req->arena, sizeof(*t));

    if (!t)
        return HL_ETOOLARGE;
    t->r = *r;
    t->route = route;
    t->task.run = webhook_task_run;
    t->task.done = webhook_task_done;
    t->task.ctx = t;
    http_batch(r->res, t);
    return HL_OK;
}

/* The API's key check and, for sends, its rate limit; 0 when already answered. */
static int admit_api_request(struct app_request *r, const struct route *route)
{
    int key = api_authorize(r);

    if (key < 0)
        return 0;
    return !(route->flags & ROUTE_SEND) || api_allow_send(r, key);
}

static void dispatch(struct app_request *r, const struct route *route)
{
    r->res->log_route = route->pattern;
    if ((route->flags & ROUTE_API) && !admit_api_request(r, route))
        return;
    if ((route->flags & ROUTE_SESSION) && !web_session_require(r))
        return;
    if ((route->flags & ROUTE_CSRF) && !web_session_csrf_ok(r))
        return;
    if (!(route->flags & ROUTE_TWILIO)) {
        route->fn(r);
        return;
    }
    if (check_twilio_request(r) != HL_OK)
        return;
    if (defer_webhook(r, route) != HL_OK)
        http_respond_text(r->res, 413, "Request too large.\n");
}

void app_handle(void *ctx, struct http_request *req, struct http_response *res)
{
    struct app_request r = {ctx, req, res, {NULL, 0}};
    unsigned method = req->method, allowed = 0;
    size_t i;

    if (r.app->sim && sim_handle(r.app->sim, req, res))
        return;

    for (i = 0; i < HL_ARRAY_LEN(routes); i++) {
        enum router_result m = router_match(routes[i].pattern, req);
        if (m == ROUTER_BAD_ESCAPE || m == ROUTER_TOO_LARGE) {
            http_respond_text(res, m == ROUTER_BAD_ESCAPE ? 400 : 413,
                              m == ROUTER_BAD_ESCAPE ? "Malformed percent-escape in the path.\n"
                                                     : "Path too large.\n");
            return;
        }
        if (m == ROUTER_NO_MATCH)
            continue;
        if (routes[i].methods & method) {
            dispatch(&r, &routes[i]);
            return;
        }
        allowed |= routes[i].methods;
    }
    if (allowed) {
        http_respond_text(res, 405, "Method not allowed.\n");
        http_add_header(res, "Allow", allowed_methods(allowed, req->arena));
        return;
    }
    http_respond_text(res, 404, "Not found.\n");
}
