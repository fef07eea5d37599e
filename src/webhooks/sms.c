/*
 * sms.c — POST /twilio/sms (an incoming SMS or WhatsApp message) and
 * POST /twilio/message-status (delivery status of one we sent).
 *
 * Every incoming message is stored, once (Twilio's retries carry the same
 * MessageSid, and a retry gets the same answer). Reserved keywords change
 * the sender's opt-out state; with FEATURE_SMS_NOTES anything else is an SMS
 * note (guide 004): answered with its number and queued for its job, which
 * seals it as an encrypted memo (or analyses it); IDEAS answers the ideas
 * of the sender's last note (sms_notes.c).
 *
 * On SMS, Twilio's own opt-out handling confirms STOP and blocks any reply
 * to an opted-out number (error 21610), so hotline answers STOP with an
 * empty <Response/>; WhatsApp has no such handling, so there hotline
 * confirms it itself.
 */
#include "webhooks/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#include "core/log.h"
#include "core/phrase.h"
#include "twilio/twiml.h"
#include "webhooks/sms_keywords.h"
#include "webhooks/sms_notes.h"
#include "core/banned.h"

#define WHATSAPP_PREFIX "whatsapp:"

static const char *strip_channel(const char *address)
{
    size_t n = strlen(WHATSAPP_PREFIX);

    return strncmp(address, WHATSAPP_PREFIX, n) == 0 ? address + n : address;
}

/* MediaUrl0..N with their content types, as a JSON array (NULL when none). */
static const char *media_json(struct app_request *r, long long count)
{
    json_t *list = json_array();
    const char *copy = NULL;
    char *text;
    long long i;

    for (i = 0; i < count && i < 10; i++) {
        char url_key[32], type_key[32];
        snprintf(url_key, sizeof(url_key), "MediaUrl%lld", i);
        snprintf(type_key, sizeof(type_key), "MediaContentType%lld", i);
        if (form_get(&r->form, url_key))
            json_array_append_new(list, json_pack("{s:s, s:s?}", "url", form_get(&r->form, url_key),
                                                  "content_type", form_get(&r->form, type_key)));
    }
    if (json_array_size(list) && (text = json_dumps(list, JSON_COMPACT))) {
        copy = arena_strdup(r->req->arena, text);
        free(text);
    }
    json_decref(list);
    return copy;
}

static void reply(struct app_request *r, const char *text)
{
    struct twiml *doc = twiml_new(r->req->arena, TWIML_MESSAGING);

    if (text)
        twiml_message(doc, text);
    app_twiml(r, doc);
}

/* Apply a keyword; returns the reply text (NULL: answer with no message). */
static const char *apply_keyword(struct app_request *r, enum sms_keyword kw, const char *word,
                                 const char *phone, int whatsapp, struct hl_err *err)
{
    const char *business = r->app->cfg->business_name;
    struct arena *a = r->req->arena;

    if (kw == SMS_KEYWORD_OPT_OUT) {
        if (store_optout_set(r->app->store, phone, word, err) != HL_OK)
            return NULL;
        log_info("opted out", LOG_S("phone", phone), LOG_S("keyword", word));
        return whatsapp ? arena_printf(a,
                                       "You have been unsubscribed from %s and will receive no "
                                       "more messages. Reply START to resubscribe.",
                                       business)
                        : NULL;
    }
    if (kw == SMS_KEYWORD_OPT_IN) {
        if (store_optout_clear(r->app->store, phone, err) != HL_OK)
            return NULL;
        log_info("opted in", LOG_S("phone", phone), LOG_S("keyword", word));
        return arena_printf(a,
                            "You have been resubscribed to messages from %s. Reply HELP for "
                            "help, STOP to unsubscribe.",
                            business);
    }
    if (!r->app->cfg->sms_notes)
        return arena_printf(a,
                            "%s: Reply STOP to unsubscribe, START to resubscribe. Msg&data "
                            "rates may apply.",
                            business);
    return arena_printf(a,
                        "%s: send us a note and we will save it. Reply IDEAS for the ideas in "
                        "your last note, STOP to unsubscribe, START to resubscribe. Msg&data "
                        "rates may apply.",
                        business);
}

static int store_incoming(struct app_request *r, struct store_message *msg, long long *id,
                          struct hl_err *err)
{
    int inserted = 0;
    int rc = store_message_add(r->app->store, msg, id, &inserted, err);

    if (rc == HL_OK)
        log_info("message received", LOG_S("message_sid", msg->sid), LOG_S("channel", msg->channel),
                 LOG_S("from", msg->from_number), LOG_I("id", *id), LOG_I("repeat", !inserted));
    return rc;
}

static int fill_message(struct app_request *r, struct store_message *msg)
{
    const char *sid = form_get(&r->form, "MessageSid");
    const char *from;

    msg->sid = sid ? sid : app_require(r, "SmsSid");
    if (!msg->sid || !(from = app_require(r, "From")))
        return HL_EINVAL;
    msg->num_media = webhook_int_param(&r->form, "NumMedia");
    if (msg->num_media == WEBHOOK_BAD_INT) {
        http_respond_text(r->res, 400, "NumMedia must be a whole number.\n");
        return HL_EINVAL;
    }
    msg->account_sid = form_get(&r->form, "AccountSid");
    msg->direction = "inbound";
    msg->channel =
        strncmp(from, WHATSAPP_PREFIX, strlen(WHATSAPP_PREFIX)) == 0 ? "whatsapp" : "sms";
    msg->from_number = strip_channel(from);
    msg->to_number = form_get(&r->form, "To") ? strip_channel(form_get(&r->form, "To")) : NULL;
    msg->body = form_get(&r->form, "Body");
    msg->media_json = media_json(r, msg->num_media);
    msg->status = "received";
    r->res->log_message_sid = msg->sid;
    return HL_OK;
}

static void storage_failed(struct app_request *r, const char *what, struct hl_err *err)
{
    log_error(what, LOG_S("message_sid", r->res->log_message_sid), LOG_S("reason", err->msg));
    http_respond_text(r->res, 503, "Storage unavailable; Twilio will retry.\n");
}

/*
 * An opt-out phrase of two words or more ("remove me", "do not call") in a
 * message's sentence: the phrase, else NULL. Single words opt out only as
 * the whole body (the carrier keywords above), so a note saying "stop by
 * tomorrow" stays a note.
 */
static const char *optout_phrase(struct app_request *r, const char *body)
{
    char *lower = body ? arena_strdup(r->req->arena, body) : NULL, *p;
    char *phrase = arena_alloc(r->req->arena, 128);

    if (!lower || !phrase)
        return NULL;
    for (p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return phrase_find(r->app->cfg->optout_phrases, lower, 2, phrase, 128);
}

/* The reply to a stored message; NULL for no message, err set when the store failed. */
static const char *answer_for(struct app_request *r, const struct store_message *msg, long long id,
                              struct hl_err *err)
{
    const char *word;
    enum sms_keyword kw = sms_keyword_classify(msg->body, &word);
    int opted_out = 0;

    int notes = r->app->cfg->sms_notes;

    if (kw == SMS_KEYWORD_NONE && (word = optout_phrase(r, msg->body)) != NULL)
        kw = SMS_KEYWORD_OPT_OUT;
    if (kw == SMS_KEYWORD_IDEAS && !notes)
        kw = SMS_KEYWORD_NONE;
    if (kw != SMS_KEYWORD_NONE && kw != SMS_KEYWORD_IDEAS)
        return apply_keyword(r, kw, word, msg->from_number, strcmp(msg->channel, "whatsapp") == 0,
                             err);
    /* A note is kept (and sealed for the owner) even from a sender who opted out. */
    if (kw == SMS_KEYWORD_NONE && notes && sms_note_received(r, id, msg->from_number, err) != HL_OK)
        return NULL;
    if (store_optout_check(r->app->store, msg->from_number, &opted_out, err) != HL_OK || opted_out)
        return NULL;
    if (kw == SMS_KEYWORD_IDEAS)
        return sms_ideas_answer(r, msg->from_number, err);
    return notes ? arena_printf(r->req->arena, "Thanks! Your note has been saved (ID: %lld)", id)
                 : NULL;
}

void webhook_sms(struct app_request *r)
{
    struct store_message msg = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    const char *text;
    long long id = 0;

    if (fill_message(r, &msg) != HL_OK)
        return;
    if (store_incoming(r, &msg, &id, &err) != HL_OK) {
        storage_failed(r, "message not stored", &err);
        return;
    }
    text = answer_for(r, &msg, id, &err);
    if (err.code) {
        storage_failed(r, "message not handled", &err);
        return;
    }
    reply(r, text);
}

void webhook_message_status(struct app_request *r)
{
    struct hl_err err = {0};
    const char *sid = form_get(&r->form, "MessageSid");
    const char *status;

    if (!sid && !(sid = app_require(r, "SmsSid")))
        return;
    r->res->log_message_sid = sid;
    if (!(status = form_get(&r->form, "MessageStatus")) && !(status = app_require(r, "SmsStatus")))
        return;
    if (store_message_status(r->app->store, sid, status, form_get(&r->form, "ErrorCode"), &err) !=
        HL_OK) {
        storage_failed(r, "message status not stored", &err);
        return;
    }
    log_info("message_status", LOG_S("message_sid", sid), LOG_S("message_status", status),
             LOG_S("error_code", form_get(&r->form, "ErrorCode")));
    webhook_empty_answer(r);
}
