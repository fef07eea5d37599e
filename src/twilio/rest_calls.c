/*
 * rest_calls.c — the Calls and Messages resources: parameters checked the
 * way Twilio would refuse them, then encoded as the form Twilio expects.
 *
 * Parameter names, values and limits are Twilio's:
 *   https://www.twilio.com/docs/voice/api/call-resource
 *   https://www.twilio.com/docs/messaging/api/message-resource
 * List parameters repeat their key once per value, in a fixed order
 * (StatusCallbackEvent=initiated&StatusCallbackEvent=ringing...), which is
 * how the SDKs send them. An empty string counts as "not given".
 */
#include <stdio.h>
#include <string.h>

#include "twilio/rest_internal.h"
#include "core/banned.h"

/* A form body under construction; the first failure sticks. */
struct body {
    struct buf b;
    int rc;
};

static const char *const call_events[] = {"initiated", "ringing", "answered", "completed"};
static const char *const recording_events[] = {"in-progress", "completed", "absent"};

static int given(const char *s)
{
    return s && *s;
}

static void put(struct body *f, const char *key, const char *value)
{
    if (f->rc == HL_OK && given(value))
        f->rc = rest_form_add(&f->b, key, value);
}

/* One key=name pair for each bit set in bits, in table order. */
static void put_events(struct body *f, const char *key, unsigned bits, const char *const *names,
                       size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (bits & (1u << i))
            put(f, key, names[i]);
}

static int body_done(struct body *f, struct hl_err *err)
{
    if (f->rc != HL_OK)
        return hl_err_set(err, HL_EINVAL, "parameters: longer than %d bytes once encoded",
                          REST_FORM_MAX);
    return HL_OK;
}

static int check_method(const char *method, const char *name, struct hl_err *err)
{
    if (given(method) && strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        return hl_err_set(err, HL_EINVAL, "%s: must be GET or POST", name);
    return HL_OK;
}

/* Exactly one of Url and Twiml (or, for an update, at most one). */
static int check_instructions(const char *url, const char *twiml, int required, struct hl_err *err)
{
    if (given(url) && given(twiml))
        return hl_err_set(err, HL_EINVAL, "Url and Twiml: give only one");
    if (required && !given(url) && !given(twiml))
        return hl_err_set(err, HL_EINVAL, "Url or Twiml: one is required");
    return HL_OK;
}

/* The answer of a Calls request into out (left untouched unless HL_OK). */
static int call_exchange(struct rest_client *c, const char *method, const char *resource,
                         const char *form, struct rest_call *out, struct rest_reply *reply,
                         struct hl_err *err)
{
    struct rest_xfer x;
    struct rest_call call;
    int rc = rest_api(c, method, resource, form, &x, reply, err);

    if (rc == HL_OK && rest_parse_call(buf_str(&x.body), x.body.len, &call) != HL_OK)
        rc = rest_bad_answer(x.status, err);
    if (rc == HL_OK && out)
        *out = call;
    rest_xfer_release(&x);
    return rc;
}

/* ---- Create a call ------------------------------------------------------------------------ */

static int check_call_options(const struct rest_call_params *p, struct hl_err *err)
{
    const char *amd = p->machine_detection;

    if (p->status_callback_events & ~0xfu)
        return hl_err_set(err, HL_EINVAL, "StatusCallbackEvent: unknown event");
    if (p->recording_status_callback_events & ~0x7u)
        return hl_err_set(err, HL_EINVAL, "RecordingStatusCallbackEvent: unknown event");
    if (p->record != 0 && p->record != 1)
        return hl_err_set(err, HL_EINVAL, "Record: must be 0 or 1");
    if (p->timeout_s < 0 || p->timeout_s > 600)
        return hl_err_set(err, HL_EINVAL, "Timeout: must be 1 to 600 seconds");
    if (given(amd) && strcmp(amd, "Enable") != 0 && strcmp(amd, "DetectMessageEnd") != 0)
        return hl_err_set(err, HL_EINVAL, "MachineDetection: must be Enable or DetectMessageEnd");
    return HL_OK;
}

static int check_call_params(const struct rest_call_params *p, struct hl_err *err)
{
    int rc;

    if (!p)
        return hl_err_set(err, HL_EINVAL, "call parameters: required");
    if (!given(p->to))
        return hl_err_set(err, HL_EINVAL, "To: required");
    if (!given(p->from))
        return hl_err_set(err, HL_EINVAL, "From: required");
    if ((rc = check_instructions(p->url, p->twiml, 1, err)) != HL_OK ||
        (rc = check_method(p->method, "Method", err)) != HL_OK ||
        (rc = check_method(p->status_callback_method, "StatusCallbackMethod", err)) != HL_OK)
        return rc;
    return check_call_options(p, err);
}

static void call_form(const struct rest_call_params *p, struct body *f)
{
    char timeout[16];

    put(f, "To", p->to);
    put(f, "From", p->from);
    put(f, "Url", p->url);
    put(f, "Twiml", p->twiml);
    put(f, "Method", p->method);
    put(f, "StatusCallback", p->status_callback);
    put_events(f, "StatusCallbackEvent", p->status_callback_events, call_events,
               HL_ARRAY_LEN(call_events));
    put(f, "StatusCallbackMethod", p->status_callback_method);
    put(f, "Record", p->record ? "true" : NULL);
    put(f, "RecordingStatusCallback", p->recording_status_callback);
    put_events(f, "RecordingStatusCallbackEvent", p->recording_status_callback_events,
               recording_events, HL_ARRAY_LEN(recording_events));
    snprintf(timeout, sizeof(timeout), "%d", p->timeout_s);
    put(f, "Timeout", p->timeout_s ? timeout : NULL);
    put(f, "MachineDetection", p->machine_detection);
}

int rest_call_create(struct rest_client *c, const struct rest_call_params *p, struct rest_call *out,
                     struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    struct body f = {BUF_INIT(REST_FORM_MAX), HL_OK};
    int rc;

    reply = rest_reply_start(reply, &scratch);
    if ((rc = check_call_params(p, err)) == HL_OK) {
        call_form(p, &f);
        rc = body_done(&f, err);
    }
    if (rc == HL_OK)
        rc = call_exchange(c, "POST", "Calls.json", buf_str(&f.b), out, reply, err);
    buf_release(&f.b);
    return rest_finish(c, rc, err);
}

/* ---- Update and fetch a call -------------------------------------------------------------- */

static int check_call_sid(const char *sid, char *resource, size_t size, struct hl_err *err)
{
    if (!rest_sid_valid(sid, "CA"))
        return hl_err_set(err, HL_EINVAL, "CallSid: must be CA followed by 32 hex digits");
    snprintf(resource, size, "Calls/%s.json", sid);
    return HL_OK;
}

static int check_call_update(const struct rest_call_update *u, struct hl_err *err)
{
    int rc;

    if (!u)
        return hl_err_set(err, HL_EINVAL, "call update: required");
    if (!given(u->url) && !given(u->twiml) && !given(u->status))
        return hl_err_set(err, HL_EINVAL, "Url, Twiml or Status: one is required");
    if ((rc = check_instructions(u->url, u->twiml, 0, err)) != HL_OK ||
        (rc = check_method(u->method, "Method", err)) != HL_OK)
        return rc;
    if (given(u->status) && strcmp(u->status, "completed") != 0 &&
        strcmp(u->status, "canceled") != 0)
        return hl_err_set(err, HL_EINVAL, "Status: must be completed or canceled");
    return HL_OK;
}

int rest_call_update(struct rest_client *c, const char *call_sid, const struct rest_call_update *u,
                     struct rest_call *out, struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    struct body f = {BUF_INIT(REST_FORM_MAX), HL_OK};
    char resource[64];
    int rc;

    reply = rest_reply_start(reply, &scratch);
    if ((rc = check_call_sid(call_sid, resource, sizeof(resource), err)) == HL_OK &&
        (rc = check_call_update(u, err)) == HL_OK) {
        put(&f, "Url", u->url);
        put(&f, "Twiml", u->twiml);
        put(&f, "Method", u->method);
        put(&f, "Status", u->status);
        rc = body_done(&f, err);
    }
    if (rc == HL_OK)
        rc = call_exchange(c, "POST", resource, buf_str(&f.b), out, reply, err);
    buf_release(&f.b);
    return rest_finish(c, rc, err);
}

int rest_call_fetch(struct rest_client *c, const char *call_sid, struct rest_call *out,
                    struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    char resource[64];
    int rc;

    reply = rest_reply_start(reply, &scratch);
    if ((rc = check_call_sid(call_sid, resource, sizeof(resource), err)) == HL_OK)
        rc = call_exchange(c, "GET", resource, NULL, out, reply, err);
    return rest_finish(c, rc, err);
}

/* ---- Send a message ----------------------------------------------------------------------- */

static int check_media(const struct rest_message_params *p, struct hl_err *err)
{
    size_t i;

    if (p->media_count > REST_MAX_MEDIA)
        return hl_err_set(err, HL_EINVAL, "MediaUrl: at most %d, got %zu", REST_MAX_MEDIA,
                          p->media_count);
    if (p->media_count && !p->media_urls)
        return hl_err_set(err, HL_EINVAL, "MediaUrl: list missing");
    for (i = 0; i < p->media_count; i++)
        if (!given(p->media_urls[i]))
            return hl_err_set(err, HL_EINVAL, "MediaUrl: entry %zu is empty", i + 1);
    return HL_OK;
}

static int check_body(const char *body, struct hl_err *err)
{
    long chars = given(body) ? rest_utf8_chars(body, strlen(body)) : 0;

    if (chars < 0)
        return hl_err_set(err, HL_EINVAL, "Body: not valid UTF-8");
    if (chars > REST_MAX_BODY_CHARS)
        return hl_err_set(err, HL_EINVAL, "Body: %ld characters, at most %d", chars,
                          REST_MAX_BODY_CHARS);
    return HL_OK;
}

static int check_message_params(const struct rest_message_params *p, struct hl_err *err)
{
    int rc;

    if (!p)
        return hl_err_set(err, HL_EINVAL, "message parameters: required");
    if (!given(p->to))
        return hl_err_set(err, HL_EINVAL, "To: required");
    if (!given(p->from) && !given(p->messaging_service_sid))
        return hl_err_set(err, HL_EINVAL, "From or MessagingServiceSid: one is required");
    if (given(p->messaging_service_sid) && !rest_sid_valid(p->messaging_service_sid, "MG"))
        return hl_err_set(err, HL_EINVAL,
                          "MessagingServiceSid: must be MG followed by 32 hex digits");
    if ((rc = check_media(p, err)) != HL_OK || (rc = check_body(p->body, err)) != HL_OK)
        return rc;
    if (!given(p->body) && p->media_count == 0)
        return hl_err_set(err, HL_EINVAL, "Body or MediaUrl: one is required");
    return HL_OK;
}

static void message_form(const struct rest_message_params *p, struct body *f)
{
    size_t i;

    put(f, "To", p->to);
    put(f, "From", p->from);
    put(f, "MessagingServiceSid", p->messaging_service_sid);
    put(f, "Body", p->body);
    for (i = 0; i < p->media_count; i++)
        put(f, "MediaUrl", p->media_urls[i]);
    put(f, "StatusCallback", p->status_callback);
}

static int message_exchange(struct rest_client *c, const char *form, struct rest_message *out,
                            struct rest_reply *reply, struct hl_err *err)
{
    struct rest_xfer x;
    struct rest_message msg;
    int rc = rest_api(c, "POST", "Messages.json", form, &x, reply, err);

    if (rc == HL_OK && rest_parse_message(buf_str(&x.body), x.body.len, &msg) != HL_OK)
        rc = rest_bad_answer(x.status, err);
    if (rc == HL_OK && out)
        *out = msg;
    rest_xfer_release(&x);
    return rc;
}

int rest_message_create(struct rest_client *c, const struct rest_message_params *p,
                        struct rest_message *out, struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    struct body f = {BUF_INIT(REST_FORM_MAX), HL_OK};
    int rc;

    reply = rest_reply_start(reply, &scratch);
    if ((rc = check_message_params(p, err)) == HL_OK) {
        message_form(p, &f);
        rc = body_done(&f, err);
    }
    if (rc == HL_OK)
        rc = message_exchange(c, buf_str(&f.b), out, reply, err);
    buf_release(&f.b);
    return rest_finish(c, rc, err);
}
