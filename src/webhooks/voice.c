/*
 * voice.c — POST /twilio/voice: a call begins.
 *
 * Until the flow engine arrives this answers every call the voicemail way of
 * guides 001 and 004: a greeting, a <Record> whose action is
 * /twilio/recording, and a goodbye for a caller who says nothing (Twilio
 * continues after <Record> only when nothing was recorded).
 */
#include "webhooks/webhooks.h"

#include <string.h>

#include "core/log.h"
#include "twilio/twiml.h"
#include "core/banned.h"

/* The greeting with {business_name} filled in. */
static const char *greeting_text(struct app_request *r)
{
    const char *tmpl = r->app->cfg->voice_greeting, *mark = "{business_name}";
    const char *at = strstr(tmpl, mark);

    if (!at)
        return tmpl;
    return arena_printf(r->req->arena, "%.*s%s%s", (int)(at - tmpl), tmpl,
                        r->app->cfg->business_name, at + strlen(mark));
}

static void store_call_start(struct app_request *r, const char *sid)
{
    struct store_call call = STORE_CALL_INIT;
    struct hl_err err = {0};

    call.sid = sid;
    call.account_sid = form_get(&r->form, "AccountSid");
    call.direction = form_get(&r->form, "Direction");
    call.from_number = form_get(&r->form, "From");
    call.to_number = form_get(&r->form, "To");
    call.status = form_get(&r->form, "CallStatus");
    call.answered_by = form_get(&r->form, "AnsweredBy");
    call.parent_sid = form_get(&r->form, "ParentCallSid");
    /* The caller is still owed an answer when the database fails. */
    if (store_call_upsert(r->app->store, &call, &err) != HL_OK)
        log_error("call not stored", LOG_S("call_sid", sid), LOG_S("reason", err.msg));
}

static void answer_voicemail(struct app_request *r)
{
    const struct config *cfg = r->app->cfg;
    struct arena *a = r->req->arena;
    struct twiml *doc = twiml_new(a, TWIML_VOICE);
    struct twiml_node *rec;

    twiml_say(doc, twiml_root(doc), greeting_text(r), cfg->say_voice, NULL);
    rec = twiml_add(doc, twiml_root(doc), TWIML_RECORD, NULL);
    twiml_attr(doc, rec, "action", app_url(r->app, a, "/twilio/recording"));
    twiml_attr(doc, rec, "method", "POST");
    twiml_attr_int(doc, rec, "maxLength", cfg->record_max_length);
    twiml_attr(doc, rec, "finishOnKey", "#");
    twiml_attr_bool(doc, rec, "playBeep", 1);
    twiml_attr(doc, rec, "recordingStatusCallback", app_url(r->app, a, "/twilio/recording-status"));
    twiml_attr(doc, rec, "recordingStatusCallbackMethod", "POST");
    twiml_say(doc, twiml_root(doc), "We did not receive a message. Goodbye.", cfg->say_voice, NULL);
    twiml_hangup(doc);
    app_twiml(r, doc);
}

void webhook_voice(struct app_request *r)
{
    const char *sid = app_require(r, "CallSid");

    if (!sid)
        return;
    r->res->log_call_sid = sid;
    store_call_start(r, sid);
    answer_voicemail(r);
}
