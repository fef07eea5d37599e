/*
 * sms_keywords.h — the words carriers and Twilio reserve in SMS.
 *
 * A message whose whole body is one of these words (ignoring case, blanks
 * and trailing punctuation) is a request about the conversation itself, not
 * content: STOP STOPALL UNSUBSCRIBE CANCEL END QUIT opt out, START YES UNSTOP
 * opt back in, HELP INFO ask for help ("Stop!", " stop. " and "STOP," count). The lists are those
 * of Twilio's Advanced Opt-Out defaults (https://help.twilio.com/articles/223134027).
 * One word is hotline's own: IDEAS asks for the ideas of the sender's last
 * SMS note (guide 004).
 */
#ifndef HL_SMS_KEYWORDS_H
#define HL_SMS_KEYWORDS_H

#include <stddef.h>

enum sms_keyword {
    SMS_KEYWORD_NONE,
    SMS_KEYWORD_OPT_OUT,
    SMS_KEYWORD_OPT_IN,
    SMS_KEYWORD_HELP,
    SMS_KEYWORD_IDEAS,
};

/* Classify a message body; *word (may be NULL) gets the canonical keyword. */
enum sms_keyword sms_keyword_classify(const char *body, const char **word);

#endif
