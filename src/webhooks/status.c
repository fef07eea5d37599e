/*
 * status.c — POST /twilio/status: call status callbacks.
 *
 * Each callback is stored once as a call event. Twilio retries a callback it
 * thinks failed and marks each delivery with I-Twilio-Idempotency-Token; when
 * that header is absent the event is recognised by CallSid, CallStatus and
 * SequenceNumber. The answer is always an empty <Response/>
 * (https://www.twilio.com/docs/voice/api/call-resource#statuscallback).
 */
#include "webhooks/webhooks.h"

#include "core/log.h"
#include "core/banned.h"

static const char *idempotency_key(struct app_request *r, const char *sid, const char *status)
{
    const char *token = http_header(r->req, "I-Twilio-Idempotency-Token");
    const char *seq = form_get(&r->form, "SequenceNumber");

    if (token && *token)
        return arena_printf(r->req->arena, "token:%s", token);
    return arena_printf(r->req->arena, "%s|%s|%s", sid, status, seq ? seq : "");
}

void webhook_call_status(struct app_request *r)
{
    struct store_call_event ev = STORE_CALL_EVENT_INIT;
    struct hl_err err = {0};
    int inserted = 0;

    if (!(ev.call_sid = app_require(r, "CallSid")) || !(ev.status = app_require(r, "CallStatus")))
        return;
    r->res->log_call_sid = ev.call_sid;
    ev.sequence = webhook_int_param(&r->form, "SequenceNumber");
    ev.duration_s = webhook_int_param(&r->form, "CallDuration");
    if (ev.sequence == WEBHOOK_BAD_INT || ev.duration_s == WEBHOOK_BAD_INT) {
        http_respond_text(r->res, 400, "SequenceNumber and CallDuration must be whole numbers.\n");
        return;
    }
    ev.idempotency_key = idempotency_key(r, ev.call_sid, ev.status);
    ev.timestamp = form_get(&r->form, "Timestamp");
    ev.params_json = app_form_json(&r->form, r->req->arena);
    ev.account_sid = form_get(&r->form, "AccountSid");
    ev.direction = form_get(&r->form, "Direction");
    ev.from_number = form_get(&r->form, "From");
    ev.to_number = form_get(&r->form, "To");
    ev.answered_by = form_get(&r->form, "AnsweredBy");
    ev.parent_sid = form_get(&r->form, "ParentCallSid");
    if (store_call_event_add(r->app->store, &ev, &inserted, &err) != HL_OK) {
        log_error("call event not stored", LOG_S("call_sid", ev.call_sid),
                  LOG_S("reason", err.msg));
        http_respond_text(r->res, 503, "Storage unavailable; Twilio will retry.\n");
        return;
    }
    log_info("call_status", LOG_S("call_sid", ev.call_sid), LOG_S("call_status", ev.status),
             LOG_S("direction", ev.direction), LOG_S("from", ev.from_number),
             LOG_S("to", ev.to_number), LOG_I("sequence", ev.sequence), LOG_I("repeat", !inserted));
    webhook_empty_answer(r);
}
