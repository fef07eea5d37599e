/*
 * mask.h — hiding phone numbers before they reach a log or an API answer.
 *
 * A phone number is shown as its country code and last four digits:
 * "+14155551234" becomes "+1***-***-1234" (the format of guide 003). Text is
 * scanned for anything that looks like a number — a "+" and 7 to 15 digits,
 * or a bare run of 10 to 15 digits; "%2B" counts as the "+", as a URL path
 * writes it — that is not part of a longer word, so
 * Twilio SIDs such as "CA0123456789..." are left intact.
 */
#ifndef HL_MASK_H
#define HL_MASK_H

#include <stddef.h>

#include "core/buf.h"

/* Longest masked number, with its NUL. */
#define MASK_PHONE_MAX 24

/*
 * Mask one number ("+14155551234", "whatsapp:+14155551234", "4155551234")
 * into out; anything that is not a number is masked whole as "***".
 */
void mask_phone(const char *number, char out[MASK_PHONE_MAX]);

/* Append text to out with every phone number in it masked. */
int mask_text(struct buf *out, const char *text, size_t len);

/* Does text contain anything mask_text would mask? */
int mask_text_has_phone(const char *text, size_t len);

#endif
