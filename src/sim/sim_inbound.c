/*
 * sim_inbound.c — POST /sim/Messages.json: a person texts the business.
 *
 * What a phone network and Twilio would do with an SMS or WhatsApp message
 * to the business's number: the emulator stores it as an inbound message,
 * applies carrier opt-out keywords (SMS only: Twilio's opt-out handling
 * does not cover WhatsApp), POSTs hotline the signed webhook Twilio sends
 * for an incoming message
 * (https://www.twilio.com/docs/messaging/guides/webhook-request), and
 * answers with hotline's answer: its HTTP status and TwiML, and the text of
 * every <Message> reply, which the emulator also "sends" (an outbound-reply
 * message) unless the person has opted out.
 *
 * Waiting for hotline must not hold an HTTP thread — hotline may be this
 * very server — so the request is parked with http_defer() and the webhook
 * goes out on the sender thread, which fills the answer and resumes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/phone.h"
#include "sim/sim_json.h"
#include "sim/sim_messages.h"
#include "sim/sim_rest.h"
#include "sim/sim_sender.h"
#include "sim/sim_text.h"
#include "core/banned.h"

enum { INBOUND_TIMEOUT_MS = 8000 }; /* below `hotline serve`'s 10 s shutdown grace */

struct inbound {
    struct sim_req r; /* its req, res and arena stay valid until http_resume */
    struct http_pending *pending;
    char sid[SIM_SID_SIZE];
    char *person, *business; /* From and To, with "whatsapp:" for WhatsApp */
    char *url;
    struct sim_params params;
};

static void inbound_free(struct inbound *in)
{
    free(in->person);
    free(in->business);
    free(in->url);
    sim_params_release(&in->params);
    free(in);
}

/* ---- the webhook Twilio sends ------------------------------------------------------------- */

static const char *country_of(const char *address)
{
    const char *n = phone_strip_whatsapp(address, NULL);

    if (strncmp(n, "+1", 2) == 0)
        return "US";
    return strncmp(n, "+44", 3) == 0 ? "GB" : "";
}

static void add_place(struct sim_params *p, const char *side, const char *address)
{
    static const char *const parts[] = {"City", "State", "Zip"};
    char name[32];
    size_t i;

    snprintf(name, sizeof(name), "%sCountry", side);
    sim_params_add(p, name, country_of(address));
    for (i = 0; i < HL_ARRAY_LEN(parts); i++) {
        snprintf(name, sizeof(name), "%s%s", side, parts[i]);
        sim_params_add(p, name, "");
    }
}

static void webhook_params(const struct sim *sim, const struct sim_message *m, int whatsapp,
                           struct sim_params *p)
{
    char segments[16];

    snprintf(segments, sizeof(segments), "%ld", m->num_segments);
    sim_params_add(p, "AccountSid", sim->account.sid);
    sim_params_add(p, "ApiVersion", SIM_API_VERSION);
    sim_params_add(p, "Body", m->body);
    sim_params_add(p, "From", m->from);
    sim_params_add(p, "MessageSid", m->sid);
    sim_params_add(p, "NumMedia", "0");
    sim_params_add(p, "NumSegments", segments);
    sim_params_add(p, "SmsMessageSid", m->sid);
    sim_params_add(p, "SmsSid", m->sid);
    sim_params_add(p, "SmsStatus", "received");
    sim_params_add(p, "To", m->to);
    if (whatsapp) {
        sim_params_add(p, "MessageType", "text");
        sim_params_add(p, "ProfileName", "Emulator");
        sim_params_add(p, "ReferralNumMedia", "0");
        sim_params_add(p, "WaId", phone_strip_whatsapp(m->from, NULL) + 1);
    } else {
        add_place(p, "From", m->from);
        add_place(p, "To", m->to);
    }
}

/* ---- hotline's answer ----------------------------------------------------------------------- */

static json_t *string_or_null(const char *s, size_t len)
{
    json_t *v;

    if (!s)
        return json_null();
    v = json_stringn(s, len);
    return v ? v : json_string("(not UTF-8)");
}

static int is_xml(const char *content_type)
{
    return content_type && (strstr(content_type, "xml") != NULL);
}

/* Send one <Message> reply from the business to the person (unless opted out). */
static json_t *send_reply(struct inbound *in, const char *text)
{
    struct sim *sim = in->r.sim;
    struct sim_message *m =
        sim_message_new(in->person, in->business, text, "outbound-reply", "queued");
    char sid[SIM_SID_SIZE];
    int blocked;

    if (!m)
        return json_pack("{s:s?, s:n}", "body", text, "sid");
    memcpy(sid, m->sid, sizeof(sid));
    pthread_mutex_lock(&sim->lock);
    blocked = sim_optout_check(sim, in->person, in->business);
    if (!blocked)
        sim_table_add(&sim->messages, &m->row);
    pthread_mutex_unlock(&sim->lock);
    if (blocked) {
        sim_message_discard(m);
        return json_pack("{s:o, s:n, s:i, s:s}", "body", string_or_null(text, strlen(text)), "sid",
                         "error_code", 21610, "error_message",
                         "Attempt to send to unsubscribed recipient");
    }
    sim_message_dispatch(sim, sid);
    return json_pack("{s:o, s:s}", "body", string_or_null(text, strlen(text)), "sid", sid);
}

static json_t *replies_of(struct inbound *in, const struct sim_result *res)
{
    json_t *list = json_array();
    const char **texts;
    size_t i;

    if (res->http_status < 200 || res->http_status > 299 || !is_xml(res->content_type))
        return list;
    texts = sim_twiml_messages(res->body, res->body_len, in->r.req->arena);
    for (i = 0; texts && texts[i]; i++)
        json_array_append_new(list, send_reply(in, texts[i]));
    return list;
}

static json_t *webhook_json(const struct inbound *in, const struct sim_result *res)
{
    return json_pack(
        "{s:s, s:o, s:o, s:o, s:o}", "url", in->url, "status",
        res->http_status ? json_integer(res->http_status) : json_null(), "content_type",
        string_or_null(res->content_type, res->content_type ? strlen(res->content_type) : 0),
        "body", string_or_null(res->http_status ? res->body : NULL, res->body_len), "error",
        string_or_null(res->error, res->error ? strlen(res->error) : 0));
}

static json_t *message_json(struct inbound *in)
{
    struct sim_message *m;
    json_t *doc;

    pthread_mutex_lock(&in->r.sim->lock);
    m = sim_message_find(in->r.sim, in->sid);
    doc = m ? sim_json_message(in->r.sim, m) : json_null();
    pthread_mutex_unlock(&in->r.sim->lock);
    return doc;
}

/* On the sender thread: hotline has answered (or not); answer the parked request. */
static void inbound_done(struct sim *sim, void *ctx, const struct sim_result *res)
{
    struct inbound *in = ctx;

    (void)sim;
    if (res->aborted) {
        sim_error(&in->r, 503, 20503, "The emulator is stopping; the message was not delivered.");
    } else {
        if (res->http_status < 200 || res->http_status > 299)
            log_warn("emulator: hotline did not take an incoming message",
                     LOG_S("message_sid", in->sid), LOG_I("status", res->http_status),
                     LOG_S("reason", res->error));
        sim_json(&in->r, 201,
                 json_pack("{s:o, s:o, s:o}", "message", message_json(in), "webhook",
                           webhook_json(in, res), "replies", replies_of(in, res)));
    }
    http_resume(in->pending);
    inbound_free(in);
}

/* On the HTTP thread, once the edge has parked the connection. */
static void inbound_start(void *ctx, struct http_pending *pending)
{
    struct inbound *in = ctx;
    struct sim_job_spec spec = {0};

    if (!pending) { /* the server is stopping: the edge answered 503 itself */
        inbound_free(in);
        return;
    }
    in->pending = pending;
    spec.url = in->url;
    spec.params = &in->params;
    spec.max_attempts = 1;
    spec.timeout_ms = INBOUND_TIMEOUT_MS;
    spec.urgent = 1;
    spec.done = inbound_done;
    spec.ctx = in;
    sim_sender_push(in->r.sim->sender, &spec);
}

/* ---- the request ---------------------------------------------------------------------------- */

static int inbound_valid(struct sim_req *r, const char *from, const char *to, const char *body,
                         const char *channel)
{
    struct arena *a = r->req->arena;

    if (!from || !*from)
        sim_error(r, 400, 21603, "A 'From' phone number is required.");
    else if (!body || !*body)
        sim_error(r, 400, 21602, "Message body is required.");
    else if (channel && *channel && strcmp(channel, "whatsapp") != 0 && strcmp(channel, "sms"))
        sim_error(r, 400, 20001, "Channel must be 'sms' or 'whatsapp'.");
    else if (!phone_is_e164(phone_strip_whatsapp(from, NULL)))
        sim_error(r, 400, 21212,
                  arena_printf(a, "The 'From' number %s is not a valid phone number.", from));
    else if (!phone_is_e164(phone_strip_whatsapp(to, NULL)))
        sim_error(r, 400, 21211,
                  arena_printf(a, "The 'To' number %s is not a valid phone number.", to));
    else if (sim_utf8_chars(body) > SIM_BODY_MAX_CHARS)
        sim_error(r, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    else
        return 1;
    return 0;
}

static char *address(const char *given, int whatsapp)
{
    const char *number = phone_strip_whatsapp(given, NULL);
    size_t n = strlen(number) + sizeof(PHONE_WHATSAPP_PREFIX);
    char *out = hl_malloc(n);

    snprintf(out, n, "%s%s", whatsapp ? PHONE_WHATSAPP_PREFIX : "", number);
    return out;
}

/* Store the message and apply STOP/START (SMS only); fills in->params with the webhook's. */
static int inbound_store(struct inbound *in, int whatsapp)
{
    struct sim *sim = in->r.sim;
    struct sim_message *m =
        sim_message_new(in->business, in->person, sim_form(&in->r, "Body"), "inbound", "received");
    enum sim_keyword kw = whatsapp ? SIM_KEYWORD_NONE : sim_keyword_of(sim_form(&in->r, "Body"));

    if (!m)
        return HL_EIO;
    memcpy(in->sid, m->sid, SIM_SID_SIZE);
    webhook_params(sim, m, whatsapp, &in->params);
    pthread_mutex_lock(&sim->lock);
    sim_table_add(&sim->messages, &m->row);
    if (kw != SIM_KEYWORD_NONE)
        sim_optout_set(sim, in->person, in->business, kw == SIM_KEYWORD_STOP);
    pthread_mutex_unlock(&sim->lock);
    return HL_OK;
}

void sim_inbound_message(struct sim_req *r)
{
    const char *from = sim_form(r, "From"), *to = sim_form(r, "To");
    const char *channel = sim_form(r, "Channel");
    int whatsapp;
    struct inbound *in;

    if (!to || !*to)
        to = SIM_DEFAULT_NUMBER;
    if (!inbound_valid(r, from, to, sim_form(r, "Body"), channel))
        return;
    whatsapp = (channel && strcmp(channel, "whatsapp") == 0) ||
               strncmp(from, PHONE_WHATSAPP_PREFIX, strlen(PHONE_WHATSAPP_PREFIX)) == 0;
    in = hl_calloc(1, sizeof(*in));
    in->r = *r;
    in->person = address(from, whatsapp);
    in->business = address(to, whatsapp);
    in->url = hl_malloc(strlen(r->sim->webhook_base) + sizeof("/twilio/sms"));
    memcpy(in->url, r->sim->webhook_base, strlen(r->sim->webhook_base));
    memcpy(in->url + strlen(r->sim->webhook_base), "/twilio/sms", sizeof("/twilio/sms"));
    if (inbound_store(in, whatsapp) != HL_OK) {
        inbound_free(in);
        sim_error(r, 500, 20500, "Internal Server Error");
        return;
    }
    r->res->log_message_sid = arena_strdup(r->req->arena, in->sid);
    http_defer(r->res, inbound_start, in);
}
