/*
 * api_common.c — the API's shared pieces: JSON bodies, list parameters,
 * masked numbers, the sender pool hand-off and how send failures answer.
 */
#include "api/api_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mask.h"
#include "core/phone.h"
#include "core/workpool.h"
#include "core/banned.h"

enum { API_LIST_DEFAULT = 50, API_LIST_MAX = 1000 };

json_t *api_body_object(struct app_request *r)
{
    json_error_t jerr;
    json_t *doc;

    if (!http_content_type_is(r->req, "application/json")) {
        app_json_error(r->res, r->req->arena, 415, "unsupported_media_type",
                       "Send the body as application/json.");
        return NULL;
    }
    doc = json_loadb(r->req->body, r->req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc || !json_is_object(doc)) {
        app_json_error(r->res, r->req->arena, 400, "invalid_json",
                       doc ? "The body must be a JSON object."
                           : arena_printf(r->req->arena, "The body is not valid JSON: %s.",
                                          jerr.text));
        json_decref(doc);
        return NULL;
    }
    return doc;
}

void api_field_error(struct app_request *r, const char *name, const char *what)
{
    app_json(r->res, r->req->arena, 400,
             json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field", "field", name,
                       "message", arena_printf(r->req->arena, "%s: %s", name, what)));
}

int api_string(struct app_request *r, json_t *obj, const char *name, const char **out)
{
    json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (!v || json_is_null(v))
        return HL_OK;
    if (!json_is_string(v)) {
        api_field_error(r, name, "must be a string");
        return HL_EINVAL;
    }
    *out = json_string_value(v);
    return HL_OK;
}

int api_metadata(struct app_request *r, json_t *obj, const char **out)
{
    json_t *v = json_object_get(obj, "metadata");
    char *text;

    *out = NULL;
    if (!v || json_is_null(v))
        return HL_OK;
    if (!json_is_object(v)) {
        api_field_error(r, "metadata", "must be a JSON object");
        return HL_EINVAL;
    }
    text = json_dumps(v, JSON_COMPACT);
    *out = text ? arena_strdup(r->req->arena, text) : NULL;
    free(text);
    return HL_OK;
}

/* A whole number from lo to hi, from a query parameter. */
static int parse_count(const char *s, long long lo, long long hi, long long *out)
{
    char *end;

    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *out >= lo && *out <= hi;
}

/*
 * A number in a query string: "?phoneNumber=+1555..." written without
 * percent-encoding decodes its "+" to a space, so a leading space is a "+".
 */
static const char *query_phone(struct arena *a, const char *v)
{
    if (v[0] == ' ')
        return arena_printf(a, "+%s", v + 1);
    return v;
}

/* A whole number ("+1415...": q->phone) or the last digits of one ("0123": q->phone_suffix). */
static int read_phone_filter(struct arena *a, const char *v, struct store_list *q)
{
    size_t digits = strspn(v, "0123456789");

    if (v[digits] == '\0' && digits >= 3 && digits <= 15) {
        q->phone_suffix = v;
        return HL_OK;
    }
    q->phone = query_phone(a, v);
    return phone_is_e164(q->phone) ? HL_OK : HL_EINVAL;
}

int api_list_query(struct app_request *r, struct store_list *q)
{
    struct form query = {NULL, 0};
    struct hl_err err = {0};
    const char *phone, *limit, *before;
    long long n;

    q->phone = NULL;
    q->phone_suffix = NULL;
    q->before_id = STORE_NONE;
    q->limit = API_LIST_DEFAULT;
    if (form_decode(&query, r->req->query, r->req->query_len, r->req->arena, &err) != HL_OK) {
        app_json_error(r->res, r->req->arena, 400, "invalid_query", err.msg);
        return HL_EINVAL;
    }
    phone = form_get(&query, "phoneNumber");
    limit = form_get(&query, "limit");
    before = form_get(&query, "before");
    if (phone && *phone && read_phone_filter(r->req->arena, phone, q) != HL_OK) {
        api_field_error(r, "phoneNumber",
                    "must be an E.164 number such as +14155551234, or its last 3 to 15 digits");
        return HL_EINVAL;
    }
    if (limit && *limit && !parse_count(limit, 1, API_LIST_MAX, &n)) {
        api_field_error(r, "limit", "must be a whole number from 1 to 1000");
        return HL_EINVAL;
    }
    q->limit = limit && *limit ? (int)n : q->limit;
    if (before && *before && !parse_count(before, 1, (long long)1 << 62, &q->before_id)) {
        api_field_error(r, "before", "must be the next_before value of a previous page");
        return HL_EINVAL;
    }
    return HL_OK;
}

json_t *api_number(const char *number)
{
    char masked[MASK_PHONE_MAX];

    if (!number)
        return json_null();
    mask_phone(number, masked);
    return json_string(masked);
}

json_t *api_stored_json(const char *text)
{
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

    return v ? v : json_null();
}

json_t *api_str(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;

    return v ? v : json_null();
}

json_t *api_int(long long v)
{
    return v == STORE_NONE ? json_null() : json_integer(v);
}

void api_page_add(struct api_page *p, long long id, json_t *item)
{
    json_array_append_new(p->items, item);
    p->last_id = id;
    p->count++;
}

void api_answer_page(struct app_request *r, const char *key, struct api_page *p, int limit)
{
    app_json(r->res, r->req->arena, 200,
             json_pack("{s:o,s:o}", key, p->items,
                       "next_before", p->count == limit ? json_integer(p->last_id) : json_null()));
}

void api_answer_store_error(struct app_request *r, const struct hl_err *err)
{
    log_error("storage failed", LOG_S("route", r->res->log_route), LOG_S("reason", err->msg));
    app_json_error(r->res, r->req->arena, 503, "unavailable", "Storage is unavailable; try again.");
}

/* ---- Sends ---------------------------------------------------------------------------- */

static void send_run(void *ctx)
{
    struct api_send *s = ctx;

    s->run(s);
    json_decref(s->body);
    http_resume(s->pending);
}

static void send_start(void *ctx, struct http_pending *pending)
{
    struct api_send *s = ctx;

    if (!pending) { /* the server is stopping: the edge answered 503 itself */
        json_decref(s->body);
        return;
    }
    s->pending = pending;
    if (workpool_submit(s->r.app->senders, send_run, s) == HL_OK)
        return;
    http_add_header(s->r.res, "Retry-After", "1");
    app_json_error(s->r.res, s->r.req->arena, 503, "busy",
                   "Too many sends are waiting for Twilio; try again shortly.");
    json_decref(s->body);
    http_resume(pending);
}

struct api_send *api_work_begin(struct app_request *r, void (*run)(struct api_send *s))
{
    struct api_send *s = arena_zalloc(r->req->arena, sizeof(*s));

    if (!s) {
        app_json_error(r->res, r->req->arena, 413, "too_large", "Request too large.");
        return NULL;
    }
    s->r = *r;
    s->run = run;
    return s;
}

struct api_send *api_send_begin(struct app_request *r, void (*run)(struct api_send *s))
{
    json_t *body = api_body_object(r);
    struct api_send *s;

    if (!body)
        return NULL;
    if (!(s = api_work_begin(r, run))) {
        json_decref(body);
        return NULL;
    }
    s->body = body;
    return s;
}

void api_send_abort(struct api_send *s)
{
    json_decref(s->body);
    s->body = NULL;
}

void api_defer_send(struct api_send *s)
{
    http_defer(s->r.res, send_start, s);
}

void api_send_failed(struct app_request *r, int rc, const struct outbound_result *out,
                     const struct hl_err *err)
{
    struct arena *a = r->req->arena;

    switch (rc) {
    case HL_EINVAL:
        if (out->field) {
            api_field_error(r, out->field, strchr(err->msg, ':') ? strchr(err->msg, ':') + 2 : err->msg);
            return;
        }
        app_json_error(r->res, a, 400, "invalid_request", err->msg);
        return;
    case HL_EREFUSED:
        app_json_error(r->res, a, 409, "opted_out", err->msg);
        return;
    case HL_ECONFIG:
        app_json_error(r->res, a, 500, "not_configured", err->msg);
        return;
    case HL_EREMOTE:
        app_json(r->res, a, out->twilio_status >= 400 && out->twilio_status < 500 ? 422 : 502,
                 json_pack("{s:{s:s,s:s,s:i,s:i}}", "error", "code", "twilio_error", "message",
                           err->msg, "twilio_code", out->twilio_code, "twilio_status",
                           out->twilio_status));
        return;
    case HL_EUNKNOWN:
        app_json_error(r->res, a, 504, "outcome_unknown",
                       arena_printf(a, "%s It was stored as \"unknown\" and not repeated.",
                                    err->msg));
        return;
    case HL_EUNREACHABLE:
        http_add_header(r->res, "Retry-After", "5");
        app_json_error(r->res, a, 503, "twilio_unreachable", err->msg);
        return;
    default:
        log_error("send failed", LOG_S("reason", err->msg));
        app_json_error(r->res, a, 503, "unavailable", "Storage is unavailable; try again.");
    }
}
