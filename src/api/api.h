/*
 * api.h — hotline's own JSON API (the /api/ routes): outbound calls and messages, and
 * their history.
 *
 * Every route here needs `Authorization: Bearer <key>` with a key from
 * API_KEYS (401 without one, 403 with a wrong one); the route table in
 * app/routes.c calls api_authorize() before the handler. Errors are
 * {"error":{"code":"...","message":"..."}} with the right status. Phone
 * numbers in answers are masked ("+1***-***-1234").
 *
 * Sends (POST /api/calls, /api/messages) are rate-limited per key and run
 * on the app's sender pool, never on an HTTP thread: the connection is
 * parked while outbound.h talks to Twilio.
 */
#ifndef HL_API_H
#define HL_API_H

#include "app/app.h"

/*
 * The index in API_KEYS of key, or -1. Every configured key is compared in
 * constant time, with no early exit (the dashboard's login uses it too).
 */
int api_key_index(const struct config *cfg, const char *key);

/*
 * Check the bearer key. Returns its index in API_KEYS, or -1 after
 * answering 401/403. Every configured key is compared in constant time.
 */
int api_authorize(struct app_request *r);

/*
 * Take a send from the key's token bucket; 0 after answering 429 with
 * Retry-After when the bucket is empty.
 */
int api_allow_send(struct app_request *r, int key);

/* Route handlers. */
void api_calls_create(struct app_request *r);
void api_calls_list(struct app_request *r);
void api_call_get(struct app_request *r);
void api_messages_create(struct app_request *r);
void api_messages_list(struct app_request *r);
void api_bookings_list(struct app_request *r); /* GET /api/bookings */
void api_memos_list(struct app_request *r);    /* GET /api/memos */
void api_memo_get(struct app_request *r);      /* GET /api/memos/{id} */
void api_memo_delete(struct app_request *r);   /* DELETE /api/memos/{id} */
void api_contact_erase(struct app_request *r); /* DELETE /api/contacts/{phone} */
void api_tts_create(struct app_request *r); /* POST /api/tts {text, voice} -> audio */
void api_call_say(struct app_request *r);   /* POST /api/calls/{sid}/say {text, voice} */

#endif
