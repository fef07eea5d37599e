/*
 * phone.h — telling a phone number from anything else.
 *
 * hotline stores and sends numbers in E.164 ("+14155551234": a plus, then
 * 8 to 15 digits, the first not 0). WhatsApp addresses are the same number
 * behind a "whatsapp:" prefix, as Twilio writes them.
 */
#ifndef HL_PHONE_H
#define HL_PHONE_H

#define PHONE_WHATSAPP_PREFIX "whatsapp:"

/* Is s an E.164 number (no prefix allowed)? */
int phone_is_e164(const char *s);

/* s without a leading "whatsapp:", and whether it had one (has_prefix may be NULL). */
const char *phone_strip_whatsapp(const char *s, int *has_prefix);

#endif
