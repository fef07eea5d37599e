/*
 * vocabulary.c — what callers of a flow set are expected to say, for the
 * speech recogniser's phrase model (asr_options.phrases; docs/asr.md).
 *
 * A built-in domain vocabulary (yes/no and consent, bookings, weekdays,
 * months, ordinals, clock times, opt-out and menu words) and, from the
 * configuration and the flows actually loaded, the OPTOUT_PHRASES, the
 * business and company names and every gather branch's keywords. Phrases are
 * lowercased, stripped of punctuation and listed once each.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flows_internal.h"
#include "core/banned.h"

/* Whole answers and fragments of them, as callers say them. */
/* clang-format off */
static const char *const answers[] = {
    /* yes, no, consent */
    "yes", "yeah", "yep", "sure", "okay", "of course", "go ahead", "that's fine", "alright",
    "yes please", "that is correct", "that's right", "i agree", "i consent", "no", "nope",
    "no thank you", "no thanks", "i do not agree", "i don't agree", "not now",
    /* bookings, questions, complaints */
    "i need an appointment", "i would like to book an appointment", "i'd like to make an appointment",
    "can i book an appointment", "appointment", "book", "booking", "schedule", "reschedule", "reservation",
    "cancel", "my appointment", "confirm", "my booking", "are you available",
    "availability", "is there a slot", "a meeting", "come in", "i have a question",
    "what time", "are you open", "when do you open", "how much does it cost", "where are you",
    "a complaint", "i'd like a refund", "it is not working", "running late",
    /* menu words and what a message says */
    "operator", "speak to", "talk to", "a person", "someone", "a real person", "leave a message",
    "call me back", "my number is", "my name is", "help",
    "repeat", "main menu", "sales", "support", "billing", "my account", "balance", "my bill",
    "thank you", "goodbye", "hello", "hi", "this is",
    /* opt-out, besides OPTOUT_PHRASES */
    "stop calling", "take me off your list", "opt out", "don't call me",
    /* times of day and relative dates */
    "today", "tomorrow", "tonight", "this morning", "this afternoon", "this evening",
    "tomorrow morning", "tomorrow afternoon", "tomorrow evening", "the day after tomorrow",
    "next week", "this week", "in an hour", "in two hours", "in three hours", "at noon", "noon",
    "midnight", "half past", "quarter past", "quarter to", "in the morning", "in the afternoon",
    "in the evening", "any time", "as soon as possible",
};

/* clang-format on */

static const char *const weekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};
static const char *const weekday_forms[] = {"%s", "on %s", "next %s", "%s morning", "%s afternoon"};

static const char *const months[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};

static const char *const ordinals[] = {
    "first",        "second",         "third",         "fourth",        "fifth",
    "sixth",        "seventh",        "eighth",        "ninth",         "tenth",
    "eleventh",     "twelfth",        "thirteenth",    "fourteenth",    "fifteenth",
    "sixteenth",    "seventeenth",    "eighteenth",    "nineteenth",    "twentieth",
    "twenty first", "twenty second",  "twenty third",  "twenty fourth", "twenty fifth",
    "twenty sixth", "twenty seventh", "twenty eighth", "twenty ninth",  "thirtieth",
    "thirty first"};

static const char *const hours[] = {"one",   "two",   "three", "four", "five",   "six",
                                    "seven", "eight", "nine",  "ten",  "eleven", "twelve"};
static const char *const hour_forms[] = {"at %s",     "%s o'clock", "%s p m",       "%s a m",
                                         "%s thirty", "%s fifteen", "%s forty five"};

static const char *const digits[] = {"zero", "oh",  "one",   "two",   "three", "four",
                                     "five", "six", "seven", "eight", "nine"};

struct vocab {
    char **v;
    size_t n;
};

/* Lowercase words separated by single spaces; apostrophes kept, other punctuation dropped. */
static char *normalize(const char *s, size_t len)
{
    char *out = hl_malloc(len + 1);
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || (c == '\'' && n && out[n - 1] != ' '))
            out[n++] = (char)tolower(c);
        else if (n && out[n - 1] != ' ')
            out[n++] = ' ';
    }
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\''))
        n--;
    out[n] = '\0';
    return out;
}

/* Add the first len bytes of s, unless empty, already listed or the list is full. */
static void add_n(struct vocab *v, const char *s, size_t len)
{
    char *p = normalize(s, len);
    size_t i;

    for (i = 0; i < v->n && *p; i++)
        if (strcmp(v->v[i], p) == 0)
            break;
    if (!*p || i < v->n || v->n >= FLOWS_VOCABULARY_MAX) {
        free(p);
        return;
    }
    v->v = hl_realloc(v->v, (v->n + 1) * sizeof(*v->v));
    v->v[v->n++] = p;
}

static void add(struct vocab *v, const char *s)
{
    if (s)
        add_n(v, s, strlen(s));
}

/* Each of names put through each printf form ("next %s"). */
static void add_forms(struct vocab *v, const char *const *names, size_t n_names,
                      const char *const *forms, size_t n_forms)
{
    char phrase[96];
    size_t i, k;

    for (i = 0; i < n_names; i++)
        for (k = 0; k < n_forms; k++) {
            snprintf(phrase, sizeof(phrase), forms[k], names[i]);
            add(v, phrase);
        }
}

/* The items of a comma-separated list such as OPTOUT_PHRASES. */
static void add_list(struct vocab *v, const char *list)
{
    const char *p = list;

    while (p && *p) {
        size_t len = strcspn(p, ",");
        add_n(v, p, len);
        p += len + (p[len] == ',');
    }
}

static void add_domain(struct vocab *v)
{
    static const char *const on_the[] = {"the %s", "on the %s"};
    static const char *const of_month[] = {"%s", "the first of %s", "the fifteenth of %s"};
    static const char *const plain[] = {"%s"};

    add_forms(v, answers, HL_ARRAY_LEN(answers), plain, 1);
    add_forms(v, weekdays, HL_ARRAY_LEN(weekdays), weekday_forms, HL_ARRAY_LEN(weekday_forms));
    add_forms(v, months, HL_ARRAY_LEN(months), of_month, HL_ARRAY_LEN(of_month));
    add_forms(v, ordinals, HL_ARRAY_LEN(ordinals), on_the, HL_ARRAY_LEN(on_the));
    add_forms(v, hours, HL_ARRAY_LEN(hours), hour_forms, HL_ARRAY_LEN(hour_forms));
    add_forms(v, digits, HL_ARRAY_LEN(digits), plain, 1);
}

/* Every keyword of every gather or consent branch. */
static void add_flow(struct vocab *v, const struct flow *f)
{
    size_t s, b, k;

    for (s = 0; s < f->n_steps; s++)
        for (b = 0; b < f->steps[s].n_branches; b++)
            for (k = 0; k < f->steps[s].branches[b].n_keywords; k++)
                add(v, f->steps[s].branches[b].keywords[k]);
}

size_t flows_vocabulary(const struct flows *fs, const struct config *cfg, char ***out)
{
    struct vocab v = {0};
    size_t i;

    for (i = 0; fs && i < flows_count(fs); i++) /* first, so that the bound never drops them */
        add_flow(&v, flows_at(fs, i));
    if (cfg) {
        add_list(&v, cfg->optout_phrases);
        add(&v, cfg->business_name);
        add(&v, cfg->company_name);
    }
    add_domain(&v);
    *out = v.v;
    return v.n;
}

void flows_vocabulary_free(char **phrases, size_t n)
{
    size_t i;

    for (i = 0; phrases && i < n; i++)
        free(phrases[i]);
    free(phrases);
}
