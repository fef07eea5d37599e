/*
 * webhooks.h — the Twilio-facing handlers: what hotline answers when Twilio
 * calls it. Each gets a signature-checked request with its form decoded
 * (see app_handle) and answers TwiML. Retries are expected: Twilio resends a
 * webhook that timed out, so every handler is idempotent — a repeat is
 * answered the same way and stored once.
 *
 * Twilio's parameters: https://www.twilio.com/docs/usage/webhooks/voice-webhooks
 * and https://www.twilio.com/docs/messaging/guides/webhook-request
 */
#ifndef HL_WEBHOOKS_H
#define HL_WEBHOOKS_H

#include "app/app.h"

/* POST /twilio/voice: a call starts; its flow's first TwiML. */
void webhook_voice(struct app_request *r);

/* POST /twilio/flow/{step} (alias /twilio/gather): the caller answered at a step. */
void webhook_flow_step(struct app_request *r);

/* POST /twilio/status: a call status callback, stored as an event once. */
void webhook_call_status(struct app_request *r);

/* POST /twilio/recording: a <Record> finished; store it, queue the pipeline, thank the caller. */
void webhook_recording(struct app_request *r);

/* POST /twilio/recording-status: a recording status callback. */
void webhook_recording_status(struct app_request *r);

/* POST /twilio/sms: an incoming SMS or WhatsApp message. */
void webhook_sms(struct app_request *r);

/* POST /twilio/message-status: an outbound message's delivery status. */
void webhook_message_status(struct app_request *r);

/* ---- shared by the handlers ---- */

/* Answer an empty <Response/>, as status callbacks expect. */
void webhook_empty_answer(struct app_request *r);

/* WEBHOOK_BAD_INT for a parameter that is present but not a non-negative integer. */
#define WEBHOOK_BAD_INT (-2)

/* A non-negative integer parameter; STORE_NONE when absent or empty. */
long long webhook_int_param(const struct form *form, const char *name);

#endif
