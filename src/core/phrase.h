/*
 * phrase.h — finding what people say in what they said: whole words and
 * phrases, any case, in speech results and message bodies.
 */
#ifndef HL_PHRASE_H
#define HL_PHRASE_H

#include <stddef.h>

/* Does text contain phrase as whole words? Both lowercase. */
int phrase_has(const char *text, const char *phrase);

/*
 * The first phrase of list (comma-separated, any case, blanks trimmed)
 * that text (lowercase) contains as whole words, copied lowercase into
 * out; NULL when none. min_words skips shorter phrases (1: all).
 */
const char *phrase_find(const char *list, const char *text, int min_words, char *out,
                        size_t out_size);

#endif
