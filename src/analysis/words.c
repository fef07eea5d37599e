/*
 * words.c — the transcript as tokens for the rules engine.
 *
 * Lowercase ASCII words and digit runs; "3pm" splits into "3" "pm", "a.m."
 * becomes "am", "o'clock" becomes "oclock", "15:30" one clock token, "5th"
 * an ordinal. Number words are folded into numbers ("twenty five" is 25,
 * "twenty first" the ordinal 21), so the date grammar sees values, not
 * spellings. Everything else (punctuation, non-ASCII bytes) separates words.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/banned.h"

#define TOKENS_MAX 20000

static const char *const ones[] = {"zero",    "one",     "two",       "three",    "four",
                                   "five",    "six",     "seven",     "eight",    "nine",
                                   "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                   "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *const ordinals[] = {
    "zeroth",     "first",     "second",    "third",       "fourth",     "fifth",     "sixth",
    "seventh",    "eighth",    "ninth",     "tenth",       "eleventh",   "twelfth",   "thirteenth",
    "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"};
static const char *const tens[] = {"twenty", "thirty", "forty", "fifty"};
static const char *const tens_ord[] = {"twentieth", "thirtieth", "fortieth", "fiftieth"};

static int find_word(const char *w, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return (int)i;
    return -1;
}

static void push(struct tokens *t, size_t *cap, const char *w, size_t n)
{
    struct token *k;

    if (t->n == TOKENS_MAX)
        return;
    if (t->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        t->v = hl_realloc(t->v, *cap * sizeof(*t->v));
    }
    k = &t->v[t->n++];
    memset(k, 0, sizeof(*k));
    if (n >= sizeof(k->w))
        n = sizeof(k->w) - 1;
    memcpy(k->w, w, n);
}

/* Length of the word at s: letters and apostrophes, or digits with one inner ':'. */
static size_t word_len(const char *s)
{
    size_t n = 0;

    if (isdigit((unsigned char)s[0])) {
        while (isdigit((unsigned char)s[n]))
            n++;
        if (s[n] == ':' && isdigit((unsigned char)s[n + 1]))
            for (n++; isdigit((unsigned char)s[n]);)
                n++;
        return n;
    }
    while (isalpha((unsigned char)s[n]) || (s[n] == '\'' && isalpha((unsigned char)s[n + 1])))
        n++;
    return n;
}

static void split_raw(const char *text, struct tokens *t)
{
    char word[64];
    size_t cap = 0, n, i;

    while (*text) {
        if (!isalnum((unsigned char)*text)) {
            text++;
            continue;
        }
        n = word_len(text);
        for (i = 0; i < n && i < sizeof(word) - 1; i++)
            word[i] = (char)tolower((unsigned char)text[i]);
        push(t, &cap, word, i);
        text += n;
    }
}

/* Digit runs, clocks and "5th". */
static void mark_digits(struct token *k, const struct token *next)
{
    char *colon;
    long v = strtol(k->w, &colon, 10);

    if (!isdigit((unsigned char)k->w[0]) || v > 100000)
        return;
    k->num = (int)v;
    k->flags |= TOK_NUM;
    if (*colon == ':') {
        k->min = (int)strtol(colon + 1, NULL, 10);
        k->flags = TOK_CLOCK;
    } else if (next && (!strcmp(next->w, "st") || !strcmp(next->w, "nd") ||
                        !strcmp(next->w, "rd") || !strcmp(next->w, "th"))) {
        k->flags = TOK_ORD;
    }
}

/* A number word's value into k; returns 1 when it is one. */
static int mark_word(struct token *k)
{
    int v;

    if ((v = find_word(k->w, ones, HL_ARRAY_LEN(ones))) >= 0)
        k->flags = TOK_NUM;
    else if ((v = find_word(k->w, ordinals, HL_ARRAY_LEN(ordinals))) >= 0)
        k->flags = TOK_ORD;
    else if ((v = find_word(k->w, tens, HL_ARRAY_LEN(tens))) >= 0)
        v = 20 + 10 * v, k->flags = TOK_NUM;
    else if ((v = find_word(k->w, tens_ord, HL_ARRAY_LEN(tens_ord))) >= 0)
        v = 20 + 10 * v, k->flags = TOK_ORD;
    else
        return 0;
    k->num = v;
    return 1;
}

/* Remove token i. */
static void drop(struct tokens *t, size_t i)
{
    memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
    t->n--;
}

/* "twenty" "five" -> 25; "twenty" "first" -> ordinal 21. */
static void fold_tens(struct tokens *t, size_t i)
{
    struct token *k = &t->v[i], *n;

    if (i + 1 >= t->n || k->flags != TOK_NUM || k->num < 20 || k->num % 10 ||
        !isalpha((unsigned char)k->w[0]))
        return;
    n = &t->v[i + 1];
    if (!isalpha((unsigned char)n->w[0]) || !(n->flags & (TOK_NUM | TOK_ORD)) || n->num < 1 ||
        n->num > 9)
        return;
    k->num += n->num;
    k->flags = n->flags;
    drop(t, i + 1);
}

static void join_tokens(struct tokens *t, size_t i)
{
    struct token *k = &t->v[i];

    if ((!strcmp(k->w, "a") || !strcmp(k->w, "p")) && tok_is(t, i + 1, "m")) {
        k->w[1] = 'm';
        k->w[2] = '\0';
        drop(t, i + 1);
    } else if (!strcmp(k->w, "o'clock") || (!strcmp(k->w, "o") && tok_is(t, i + 1, "clock"))) {
        memcpy(k->w, "oclock", 7);
        if (tok_is(t, i + 1, "clock"))
            drop(t, i + 1);
    }
}

void tokens_split(const char *text, struct tokens *out)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    split_raw(text, out);
    for (i = 0; i < out->n; i++) {
        join_tokens(out, i);
        mark_digits(&out->v[i], i + 1 < out->n ? &out->v[i + 1] : NULL);
        if (!out->v[i].flags)
            mark_word(&out->v[i]);
    }
    for (i = 0; i < out->n; i++)
        fold_tens(out, i);
}

void tokens_release(struct tokens *t)
{
    free(t->v);
    memset(t, 0, sizeof(*t));
}

int tok_is(const struct tokens *t, size_t i, const char *w)
{
    return i < t->n && strcmp(t->v[i].w, w) == 0;
}
