/*
 * sim_text.h — what the emulator reads in message text: how many SMS
 * segments a body takes, its length in characters, the opt-out keywords a
 * carrier acts on, and the <Message> texts of a TwiML reply.
 */
#ifndef HL_SIM_TEXT_H
#define HL_SIM_TEXT_H

#include <stddef.h>

#include "core/arena.h"

/* Most characters Twilio accepts in one message body (error 21617 past it). */
#define SIM_BODY_MAX_CHARS 1600

/* Characters (Unicode code points) in a UTF-8 string; invalid bytes count one each. */
size_t sim_utf8_chars(const char *s);

/*
 * SMS segments for body: GSM-7 when every character is in the GSM 03.38
 * basic set or its extension (which counts twice), 160 septets in one
 * segment or 153 per segment when concatenated; otherwise UCS-2, 70 UTF-16
 * code units or 67 per segment. An empty body is one segment.
 */
long sim_sms_segments(const char *body);

enum sim_keyword {
    SIM_KEYWORD_NONE,
    SIM_KEYWORD_STOP,  /* STOP STOPALL UNSUBSCRIBE CANCEL END QUIT */
    SIM_KEYWORD_START, /* START YES UNSTOP */
};

/*
 * The opt-out keyword a whole body is, ignoring case and surrounding blanks,
 * as Twilio's default opt-out handling reads them
 * (https://help.twilio.com/articles/223134027).
 */
enum sim_keyword sim_keyword_of(const char *body);

/*
 * The texts of every <Message> in a TwiML document (its text, or the text of
 * its <Body>), entities decoded, as a NULL-terminated array from a. A
 * document with none gives an empty array; NULL only when a is full.
 */
const char **sim_twiml_messages(const char *xml, size_t len, struct arena *a);

#endif
