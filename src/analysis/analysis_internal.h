/*
 * analysis_internal.h — what the files of src/analysis/ share: the analyzer,
 * the tokenizer (words.c), civil dates and time zones (tz.c), the date and
 * time grammar (datetime.c), the rules engine (rules.c) and the LLM client
 * (llm.c). Not part of the module's interface.
 */
#ifndef HL_ANALYSIS_INTERNAL_H
#define HL_ANALYSIS_INTERNAL_H

#include <time.h>

#include "analysis/analysis.h"

struct analyzer {
    char engine[16];
    char *base_url, *model, *api_key;
    char timezone[64];
    long timeout_ms;
};

/* ---- words.c: the transcript as lowercase tokens ---- */

enum token_flags {
    TOK_NUM = 1 << 0,   /* num holds a cardinal ("3", "three", "twenty five") */
    TOK_ORD = 1 << 1,   /* num holds an ordinal ("5th", "fifth", "twenty first") */
    TOK_CLOCK = 1 << 2, /* "15:30": num is the hour, min the minutes */
    TOK_SLASH = 1 << 3, /* "12/25": num before the slash, min after it */
};

struct token {
    char w[24]; /* lowercase word, "am"/"pm" for a.m./p.m., "oclock" */
    unsigned flags;
    int num, min;
    int clause; /* 1 when punctuation ("," "." "?" ...) comes before this word */
};

struct tokens {
    struct token *v;
    size_t n;
};

/* Split text into tokens (at most 20000); release with tokens_release. */
void tokens_split(const char *text, struct tokens *out);
void tokens_release(struct tokens *t);
/* 1 when token i exists and its word is w. */
int tok_is(const struct tokens *t, size_t i, const char *w);

/* words.c's vocabularies for rules.c (docs/analysis.md lists them). */
struct cue {
    const char *phrase; /* space-separated lowercase words */
    enum analysis_intent intent;
    int weight; /* negative: takes back a word that means something else here */
};

extern const struct cue intent_cues[];
extern const size_t intent_cues_n;
/* NULL-terminated word lists. */
extern const char *const negators[],
    *const clause_breaks[], *const interrogatives[], *const fillers[],
                                                         *const cancel_phrases[],
                                                             *const contact_words[],
                                                                 *const contact_stoppers[],
                                                                     *const contact_refusals[],
                                                                         *const contact_ends[];
/* 1 when w is one of the NULL-terminated list. */
int word_listed(const char *w, const char *const *list);

/* ---- tz.c: civil days and IANA zones ---- */

struct civil {
    int y, m, d, hh, mi;
};

long civil_days(int y, int m, int d); /* days since 1970-01-01 */
void civil_from_days(long days, int *y, int *m, int *d);
int civil_weekday(long days); /* 0 = Sunday */
int civil_month_days(int y, int m);

/* 1 when zone names a readable zone file. */
int tz_valid(const char *zone);
/* The wall clock in zone at t. */
int tz_to_civil(const char *zone, time_t t, struct civil *out);
/* The instant of a wall-clock time in zone (a skipped DST time moves forward). */
int tz_from_civil(const char *zone, const struct civil *c, time_t *out);
/* "2026-11-22T15:00:00-05:00" for t in zone; "" on failure. */
void tz_format(const char *zone, time_t t, char out[40]);
/* Parse ISO-8601 with seconds optional and Z or an offset; 0 on success. */
int tz_parse_iso(const char *s, time_t *out);

/* ---- datetime.c ---- */

/* The date/time the transcript asks for, relative to now in zone; 1 when found. */
int datetime_find(const struct tokens *t, const char *zone, time_t now, time_t *when);

/* ---- rules.c ---- */

void rules_analyze(const struct analyzer *z, const char *transcript, time_t call_time,
                   struct analysis *out);
/* Add a copy of s (trimmed) to a->ideas. */
void analysis_add_idea(struct analysis *a, const char *s, size_t n);

/* ---- llm.c ---- */

int llm_analyze(const struct analyzer *z, const char *transcript, time_t call_time,
                struct analysis *out, struct hl_err *err);

#endif
