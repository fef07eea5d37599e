/*
 * outbound.c — outbound calls and messages: validation, the opt-out check,
 * the row before the REST request and the outcome after it.
 */
#include "outbound/outbound.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/phone.h"
#include "core/testhold.h"
#include "flows/flow.h"
#include "twilio/rest.h"
#include "twilio/twiml.h"
#include "core/banned.h"

enum { URL_MAX = 2048 };

int outbound_flow_known(const struct outbound *o, const char *name)
{
    size_t i;

    if (o->flows)
        return flows_get(o->flows, name) != NULL;
    for (i = 0; name && flow_builtin_names[i]; i++)
        if (strcmp(name, flow_builtin_names[i]) == 0)
            return 1;
    return 0;
}

/* An error about one request field: out->field names it. */
static int bad_field(struct outbound_result *out, const char *field, struct hl_err *err,
                     const char *what)
{
    out->field = field;
    return hl_err_set(err, HL_EINVAL, "%s: %s", field, what);
}

/* Characters (UTF-8 code points) in s, as Twilio counts a body's length. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* The number must be E.164 and must not have opted out. */
static int check_recipient(const struct outbound *o, const char *to, struct outbound_result *out,
                           struct hl_err *err)
{
    int opted_out = 0, rc;

    if (!to || !*to)
        return bad_field(out, "to", err, "required");
    if (!phone_is_e164(to))
        return bad_field(out, "to", err, "must be an E.164 number such as +14155551234");
    snprintf(out->to, sizeof(out->to), "%s", to);
    if ((rc = store_optout_check(o->store, to, &opted_out, err)) != HL_OK)
        return rc;
    if (opted_out)
        return hl_err_set(err, HL_EREFUSED, "the number opted out; it is never called or "
                                            "messaged again");
    return HL_OK;
}

/* The configured sender, or the emulator's; HL_ECONFIG in a real account without one. */
static int sender(const struct outbound *o, int whatsapp, struct outbound_result *out,
                  struct hl_err *err)
{
    const char *num = whatsapp && o->cfg->twilio_whatsapp_number ? o->cfg->twilio_whatsapp_number
                                                                 : o->cfg->twilio_phone_number;

    if (!num && config_emulator_mode(o->cfg))
        num = OUTBOUND_EMULATOR_NUMBER;
    if (!num)
        return hl_err_set(err, HL_ECONFIG, "%s is not set: Twilio needs a number to send from",
                          whatsapp ? "TWILIO_WHATSAPP_NUMBER" : "TWILIO_PHONE_NUMBER");
    snprintf(out->from, sizeof(out->from), "%s", phone_strip_whatsapp(num, NULL));
    return HL_OK;
}

/* The result of a REST request as a stored outcome and a result for the caller. */
static void settle(int rc, const char *sid, const char *status, const struct rest_reply *reply,
                   const struct hl_err *err, struct outbound_result *out,
                   struct store_outcome *outcome, char code[16])
{
    out->twilio_code = reply->twilio_code;
    out->twilio_status = reply->http_status;
    code[0] = '\0';
    if (reply->twilio_code)
        snprintf(code, 16, "%d", reply->twilio_code);
    outcome->sid = rc == HL_OK && sid[0] ? sid : NULL;
    outcome->status = rc == HL_OK ? status : rc == HL_EUNKNOWN ? STORE_STATUS_UNKNOWN : "failed";
    outcome->error_code = code[0] ? code : NULL;
    outcome->error_message = rc == HL_OK ? NULL : err->msg;
    snprintf(out->status, sizeof(out->status), "%s", outcome->status);
    if (outcome->sid)
        snprintf(out->sid, sizeof(out->sid), "%s", sid);
}

/* Twilio's own opt-out (21610) is an opt-out here too, so no API path tries again. */
static int note_twilio_optout(const struct outbound *o, int rc, const struct outbound_result *out,
                              struct hl_err *err)
{
    struct hl_err ignored = {0};

    if (rc != HL_EREMOTE || out->twilio_code != 21610)
        return rc;
    store_optout_set(o->store, out->to, "twilio:21610", &ignored);
    return hl_err_set(err, HL_EREFUSED, "the recipient unsubscribed (Twilio error 21610)");
}

/* ---- Calls ---------------------------------------------------------------------------- */

static int check_call(const struct outbound *o, const struct outbound_call_request *rq,
                      struct outbound_result *out, struct hl_err *err)
{
    int rc = check_recipient(o, rq->to, out, err);

    if (rc != HL_OK)
        return rc;
    if (rq->message && rq->flow)
        return bad_field(out, "message", err, "give message or flow, not both");
    if (rq->message && (!*rq->message || utf8_chars(rq->message) > 4096))
        return bad_field(out, "message", err, "must be 1 to 4096 characters");
    if (rq->flow && !outbound_flow_known(o, rq->flow))
        return bad_field(out, "flow", err,
                         "no such flow (built in: ivr-tts, receptionist, record-analyze, "
                         "outbound-consent, voicemail)");
    return sender(o, 0, out, err);
}

/* <Response><Say>message</Say></Response> for a call that only speaks. */
static const char *say_twiml(const struct outbound *o, const char *message, struct arena *a,
                             struct buf *xml, struct hl_err *err)
{
    struct twiml *doc = twiml_new(a, TWIML_VOICE);

    twiml_say(doc, twiml_root(doc), message, o->cfg->say_voice, NULL);
    twiml_hangup(doc);
    return twiml_render(doc, xml, err) == HL_OK ? buf_str(xml) : NULL;
}

static void call_params(const struct outbound *o, const struct outbound_call_request *rq,
                        const struct outbound_result *out, char urls[3][URL_MAX],
                        struct rest_call_params *p)
{
    const char *base = o->cfg->public_base_url;

    snprintf(urls[0], URL_MAX, "%s/twilio/voice?flow=%s", base,
             rq->flow ? rq->flow : "outbound-consent");
    snprintf(urls[1], URL_MAX, "%s/twilio/status", base);
    snprintf(urls[2], URL_MAX, "%s/twilio/recording-status", base);
    p->to = out->to;
    p->from = out->from;
    p->url = rq->message ? NULL : urls[0];
    p->method = "POST";
    p->status_callback = urls[1];
    p->status_callback_method = "POST";
    p->status_callback_events =
        REST_CALL_INITIATED | REST_CALL_RINGING | REST_CALL_ANSWERED | REST_CALL_COMPLETED;
    p->record = rq->record;
    if (rq->record) {
        p->recording_status_callback = urls[2];
        p->recording_status_callback_events = REST_REC_COMPLETED | REST_REC_ABSENT;
    }
}

static int store_call_row(const struct outbound *o, const struct outbound_call_request *rq,
                          struct outbound_result *out, struct hl_err *err)
{
    struct store_call c = STORE_CALL_INIT;

    c.direction = "outbound-api";
    c.from_number = out->from;
    c.to_number = out->to;
    c.flow = rq->message ? NULL : rq->flow ? rq->flow : "outbound-consent";
    c.user_id = rq->user_id;
    c.metadata_json = rq->metadata_json;
    return store_call_outbound_begin(o->store, &c, out->local_sid, err);
}

/* Ask Twilio, then store what it said (the row is there whatever happens). */
static int place_call(const struct outbound *o, const struct rest_call_params *p,
                      struct outbound_result *out, struct hl_err *err)
{
    struct rest_call call = {0};
    struct rest_reply reply = {0};
    struct store_outcome outcome;
    struct hl_err store_err = {0};
    char code[16];
    int rc = rest_call_create(o->rest, p, &call, &reply, err);

    settle(rc, call.sid, call.status, &reply, err, out, &outcome, code);
    if (store_call_outbound_end(o->store, out->local_sid, &outcome, &store_err) != HL_OK)
        log_error("outbound call outcome not stored", LOG_S("call_sid", out->local_sid),
                  LOG_S("twilio_sid", out->sid), LOG_S("reason", store_err.msg));
    log_info("outbound call", LOG_S("call_sid", out->sid[0] ? out->sid : out->local_sid),
             LOG_S("to", out->to), LOG_S("status", out->status), LOG_I("twilio_code", out->twilio_code));
    return note_twilio_optout(o, rc, out, err);
}

int outbound_call(const struct outbound *o, const struct outbound_call_request *rq,
                  struct outbound_result *out, struct hl_err *err)
{
    struct rest_call_params p = {0};
    char urls[3][URL_MAX];
    struct arena a;
    struct buf xml = BUF_INIT(TWIML_MAX_SIZE);
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = check_call(o, rq, out, err)) != HL_OK)
        return rc;
    call_params(o, rq, out, urls, &p);
    arena_init(&a, 1 << 20);
    if (rq->message && !(p.twiml = say_twiml(o, rq->message, &a, &xml, err)))
        rc = bad_field(out, "message", err, "cannot be spoken (TwiML too large)");
    if (rc == HL_OK && (rc = store_call_row(o, rq, out, err)) == HL_OK)
        rc = place_call(o, &p, out, err);
    buf_release(&xml);
    arena_release(&a);
    return rc;
}

/* ---- Messages ------------------------------------------------------------------------- */

static int check_media(const struct outbound_message_request *rq, struct outbound_result *out,
                       struct hl_err *err)
{
    size_t i;

    if (rq->media_count > REST_MAX_MEDIA)
        return bad_field(out, "mediaUrl", err, "at most 10 media URLs");
    for (i = 0; i < rq->media_count; i++) {
        const char *u = rq->media_urls[i];
        if (!u || (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
            strlen(u) >= URL_MAX)
            return bad_field(out, "mediaUrl", err, "must be http:// or https:// URLs");
    }
    return HL_OK;
}

static int check_message(const struct outbound *o, const struct outbound_message_request *rq,
                         struct outbound_result *out, struct hl_err *err)
{
    int rc = check_recipient(o, rq->to, out, err);

    if (rc != HL_OK)
        return rc;
    if ((!rq->body || !*rq->body) && rq->media_count == 0)
        return bad_field(out, "body", err, "required (or give mediaUrl)");
    if (rq->body && utf8_chars(rq->body) > REST_MAX_BODY_CHARS)
        return bad_field(out, "body", err, "longer than 1600 characters");
    if ((rc = check_media(rq, out, err)) != HL_OK)
        return rc;
    return sender(o, rq->whatsapp, out, err);
}

/* [{"url": ...}, ...] for the row, or NULL without media. */
static char *media_json(const struct outbound_message_request *rq)
{
    json_t *list;
    char *text;
    size_t i;

    if (rq->media_count == 0)
        return NULL;
    list = json_array();
    for (i = 0; i < rq->media_count; i++)
        json_array_append_new(list, json_pack("{s:s}", "url", rq->media_urls[i]));
    text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return text;
}

static int store_message_row(const struct outbound *o, const struct outbound_message_request *rq,
                             struct outbound_result *out, struct hl_err *err)
{
    struct store_message m = STORE_MESSAGE_INIT;
    char *media = media_json(rq);
    int inserted = 0, rc;

    m.direction = "outbound-api";
    m.channel = rq->whatsapp ? "whatsapp" : "sms";
    m.from_number = out->from;
    m.to_number = out->to;
    m.body = rq->stored_body ? rq->stored_body : rq->body ? rq->body : "";
    m.media_json = media;
    m.num_media = (long long)rq->media_count;
    m.status = STORE_STATUS_REQUESTING;
    m.user_id = rq->user_id;
    m.metadata_json = rq->metadata_json;
    m.job_id = rq->job_id > 0 ? rq->job_id : STORE_NONE;
    m.job_stage = rq->job_stage;
    rc = store_message_add(o->store, &m, &out->message_id, &inserted, err);
    free(media);
    return rc;
}

static int send_message(const struct outbound *o, const struct outbound_message_request *rq,
                        struct outbound_result *out, struct hl_err *err)
{
    char to[80], from[80], callback[URL_MAX], code[16];
    struct rest_message_params p = {0};
    struct rest_message msg = {0};
    struct rest_reply reply = {0};
    struct store_outcome outcome;
    struct hl_err store_err = {0};
    int rc;

    snprintf(to, sizeof(to), "%s%s", rq->whatsapp ? PHONE_WHATSAPP_PREFIX : "", out->to);
    snprintf(from, sizeof(from), "%s%s", rq->whatsapp ? PHONE_WHATSAPP_PREFIX : "", out->from);
    snprintf(callback, sizeof(callback), "%s/twilio/message-status", o->cfg->public_base_url);
    p.to = to;
    p.from = from;
    p.body = rq->body;
    p.media_urls = rq->media_urls;
    p.media_count = rq->media_count;
    p.status_callback = callback;
    rc = rest_message_create(o->rest, &p, &msg, &reply, err);
    if (rc == HL_OK && rq->job_id > 0)
        test_hold(rq->job_stage, "sent"); /* the crash test: sent, outcome not yet stored */
    settle(rc, msg.sid, msg.status, &reply, err, out, &outcome, code);
    if (store_message_outbound_end(o->store, out->message_id, &outcome, &store_err) != HL_OK)
        log_error("outbound message outcome not stored", LOG_I("message_id", out->message_id),
                  LOG_S("message_sid", out->sid), LOG_S("reason", store_err.msg));
    log_info("outbound message", LOG_S("message_sid", out->sid), LOG_I("message_id", out->message_id),
             LOG_S("to", out->to), LOG_S("status", out->status), LOG_I("twilio_code", out->twilio_code));
    return note_twilio_optout(o, rc, out, err);
}

/* A job stage's message: HL_OK when it went out before; else *row is the row to send (0: new). */
static int sent_before(const struct outbound *o, const struct outbound_message_request *rq,
                       struct outbound_result *out, long long *row, struct hl_err *err)
{
    struct outbound_result before;
    int rc;

    *row = 0;
    if (rq->job_id <= 0 || !rq->job_stage)
        return HL_ENOTFOUND;
    rc = outbound_message_recover(o, rq->job_id, rq->job_stage, rq->body, &before, err);
    if (rc == HL_OK)
        *out = before;
    else if (rc == HL_ENOTFOUND)
        *row = before.message_id;
    return rc;
}

int outbound_message(const struct outbound *o, const struct outbound_message_request *rq,
                     struct outbound_result *out, struct hl_err *err)
{
    long long row = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = check_message(o, rq, out, err)) != HL_OK)
        return rc;
    if ((rc = sent_before(o, rq, out, &row, err)) != HL_ENOTFOUND)
        return rc;
    if (err)
        memset(err, 0, sizeof(*err));
    if (row)
        out->message_id = row;
    else if ((rc = store_message_row(o, rq, out, err)) != HL_OK)
        return rc;
    return send_message(o, rq, out, err);
}
