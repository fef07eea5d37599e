/*
 * sms_keywords.c — recognising opt-out, opt-in, help and IDEAS keywords.
 */
#include "sms_keywords.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/hl.h"
#include "core/banned.h"

static const struct {
    const char *word;
    enum sms_keyword kind;
} keywords[] = {
    {"STOP", SMS_KEYWORD_OPT_OUT},        {"STOPALL", SMS_KEYWORD_OPT_OUT},
    {"UNSUBSCRIBE", SMS_KEYWORD_OPT_OUT}, {"CANCEL", SMS_KEYWORD_OPT_OUT},
    {"END", SMS_KEYWORD_OPT_OUT},         {"QUIT", SMS_KEYWORD_OPT_OUT},
    {"START", SMS_KEYWORD_OPT_IN},        {"YES", SMS_KEYWORD_OPT_IN},
    {"UNSTOP", SMS_KEYWORD_OPT_IN},       {"HELP", SMS_KEYWORD_HELP},
    {"INFO", SMS_KEYWORD_HELP},           {"IDEAS", SMS_KEYWORD_IDEAS},
};

enum sms_keyword sms_keyword_classify(const char *body, const char **word)
{
    size_t start = 0, end = body ? strlen(body) : 0, i;

    while (start < end && isspace((unsigned char)body[start]))
        start++;
    while (end > start &&
           (isspace((unsigned char)body[end - 1]) || ispunct((unsigned char)body[end - 1])))
        end--;
    for (i = 0; i < HL_ARRAY_LEN(keywords); i++) {
        size_t n = strlen(keywords[i].word);
        if (end - start == n && strncasecmp(body + start, keywords[i].word, n) == 0) {
            if (word)
                *word = keywords[i].word;
            return keywords[i].kind;
        }
    }
    if (word)
        *word = NULL;
    return SMS_KEYWORD_NONE;
}
