/*
 * phrase.c — whole-word phrase matching.
 */
#include "core/phrase.h"

#include <ctype.h>
#include <string.h>

#include "core/banned.h"

static int is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '\'';
}

int phrase_has(const char *text, const char *phrase)
{
    size_t n = strlen(phrase);
    const char *p = text;

    while (n && (p = strstr(p, phrase)) != NULL) {
        if ((p == text || !is_word_char(p[-1])) && !is_word_char(p[n]))
            return 1;
        p++;
    }
    return 0;
}

static int words(const char *s)
{
    int n = 0, in = 0;

    for (; *s; s++) {
        if (!in && !isspace((unsigned char)*s))
            n++;
        in = !isspace((unsigned char)*s);
    }
    return n;
}

const char *phrase_find(const char *list, const char *text, int min_words, char *out,
                        size_t out_size)
{
    const char *p = list;

    while (p && *p) {
        size_t n = strcspn(p, ","), i;
        const char *start = p;

        while (n && *start == ' ')
            start++, n--;
        while (n && start[n - 1] == ' ')
            n--;
        if (n && n < out_size) {
            for (i = 0; i < n; i++)
                out[i] = (char)tolower((unsigned char)start[i]);
            out[n] = '\0';
            if (words(out) >= min_words && phrase_has(text, out))
                return out;
        }
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return NULL;
}
