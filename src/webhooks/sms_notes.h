/*
 * sms_notes.h — SMS notes in the SMS webhook (guide 004): recording a note
 * with the job that seals or analyses it, and answering IDEAS. Private to
 * src/webhooks/; both run on the store's writer thread inside the
 * webhook's transaction, and neither waits on anything but the store.
 */
#ifndef HL_WEBHOOKS_SMS_NOTES_H
#define HL_WEBHOOKS_SMS_NOTES_H

#include "app/app.h"

/* Record message id (from phone) as a note and queue its job; once per message. */
int sms_note_received(struct app_request *r, long long id, const char *phone, struct hl_err *err);

/*
 * The reply to IDEAS from phone: the ideas of their newest note (from the
 * store when notes are not encrypted, from the in-memory cache when they
 * are), or why there are none. NULL with err set when the store failed.
 * The caller has checked that phone has not opted out.
 */
const char *sms_ideas_answer(struct app_request *r, const char *phone, struct hl_err *err);

#endif
