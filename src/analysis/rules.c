/*
 * rules.c — the rules engine: intent by weighted keywords, the requested time
 * (datetime.c), a one-line summary and guide 004's "ideas".
 *
 * Each intent has a table of words and phrases with weights; the highest
 * total wins, ties going to the stronger signal (opt-out, complaint, booking,
 * question), and nothing matched is "other". Ideas are the sentences that
 * read as actions: a marker ("should", "need to", "let's", "idea", "could
 * we" ...) anywhere, or an imperative verb first. It runs offline in
 * microseconds, and answers whenever an LLM engine cannot.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/banned.h"

#define SUMMARY_CHARS 120
#define IDEAS_MAX     20
#define IDEA_BYTES    300

struct cue {
    const char *phrase; /* space-separated lowercase words */
    enum analysis_intent intent;
    int weight;
};

static const struct cue cues[] = {
    {"appointment", ANALYSIS_BOOKING, 3},    {"appointments", ANALYSIS_BOOKING, 3},
    {"book", ANALYSIS_BOOKING, 3},           {"booking", ANALYSIS_BOOKING, 3},
    {"schedule", ANALYSIS_BOOKING, 3},       {"reschedule", ANALYSIS_BOOKING, 3},
    {"reserve", ANALYSIS_BOOKING, 3},        {"reservation", ANALYSIS_BOOKING, 3},
    {"meeting", ANALYSIS_BOOKING, 2},        {"available", ANALYSIS_BOOKING, 2},
    {"availability", ANALYSIS_BOOKING, 2},   {"slot", ANALYSIS_BOOKING, 2},
    {"come in", ANALYSIS_BOOKING, 1},        {"meet", ANALYSIS_BOOKING, 2},
    {"question", ANALYSIS_QUESTION, 2},      {"questions", ANALYSIS_QUESTION, 2},
    {"set up a", ANALYSIS_BOOKING, 1},       {"what", ANALYSIS_QUESTION, 1},
    {"when", ANALYSIS_QUESTION, 1},          {"where", ANALYSIS_QUESTION, 1},
    {"how", ANALYSIS_QUESTION, 1},           {"why", ANALYSIS_QUESTION, 1},
    {"which", ANALYSIS_QUESTION, 1},         {"do you", ANALYSIS_QUESTION, 2},
    {"can i", ANALYSIS_QUESTION, 2},         {"could you tell", ANALYSIS_QUESTION, 2},
    {"is there", ANALYSIS_QUESTION, 1},      {"are you", ANALYSIS_QUESTION, 1},
    {"wondering", ANALYSIS_QUESTION, 2},     {"complaint", ANALYSIS_COMPLAINT, 4},
    {"complain", ANALYSIS_COMPLAINT, 4},     {"unhappy", ANALYSIS_COMPLAINT, 3},
    {"refund", ANALYSIS_COMPLAINT, 3},       {"broken", ANALYSIS_COMPLAINT, 3},
    {"terrible", ANALYSIS_COMPLAINT, 3},     {"awful", ANALYSIS_COMPLAINT, 3},
    {"worst", ANALYSIS_COMPLAINT, 3},        {"disappointed", ANALYSIS_COMPLAINT, 3},
    {"angry", ANALYSIS_COMPLAINT, 3},        {"rude", ANALYSIS_COMPLAINT, 3},
    {"overcharged", ANALYSIS_COMPLAINT, 3},  {"not working", ANALYSIS_COMPLAINT, 3},
    {"doesn't work", ANALYSIS_COMPLAINT, 3}, {"frustrated", ANALYSIS_COMPLAINT, 3},
    {"unsubscribe", ANALYSIS_OPT_OUT, 8},    {"remove me", ANALYSIS_OPT_OUT, 8},
    {"do not call", ANALYSIS_OPT_OUT, 8},    {"don't call", ANALYSIS_OPT_OUT, 8},
    {"stop calling", ANALYSIS_OPT_OUT, 8},   {"stop texting", ANALYSIS_OPT_OUT, 8},
    {"opt out", ANALYSIS_OPT_OUT, 8},        {"take me off", ANALYSIS_OPT_OUT, 8},
};

static const char *const idea_markers[] = {
    "should",    "need to", "needs to", "have to",  "must",     "remember to", "don't forget",
    "let's",     "let us",  "idea",     "could we", "we could", "how about",   "what if",
    "make sure", "to do",   "todo",     "ideas",    "we ought", "i want to",   "we want to"};

static const char *const imperatives[] = {
    "add",   "ask",      "book",   "build",  "buy",      "call",   "cancel", "change", "check",
    "clean", "contact",  "create", "design", "email",    "find",   "finish", "fix",    "follow",
    "get",   "look",     "make",   "move",   "order",    "pay",    "pick",   "plan",   "prepare",
    "put",   "remember", "remind", "renew",  "research", "review", "send",   "set",    "start",
    "test",  "text",     "think",  "try",    "update",   "write",  "please"};

/* 1 when the words of phrase start at token i. */
static int phrase_at(const struct tokens *t, size_t i, const char *phrase)
{
    const char *p = phrase, *sp;
    size_t n;

    for (; *p; i++) {
        sp = strchr(p, ' ');
        n = sp ? (size_t)(sp - p) : strlen(p);
        if (i >= t->n || strlen(t->v[i].w) != n || memcmp(t->v[i].w, p, n) != 0)
            return 0;
        p += n + (sp ? 1 : 0);
    }
    return 1;
}

static int contains(const struct tokens *t, const char *phrase)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        if (phrase_at(t, i, phrase))
            return 1;
    return 0;
}

static enum analysis_intent intent_of(const char *text, const struct tokens *t, int has_time)
{
    static const enum analysis_intent order[] = {ANALYSIS_OPT_OUT, ANALYSIS_COMPLAINT,
                                                 ANALYSIS_BOOKING, ANALYSIS_QUESTION};
    int score[ANALYSIS_OTHER + 1] = {0}, best = 0;
    enum analysis_intent win = ANALYSIS_OTHER;
    size_t i;

    for (i = 0; i < t->n; i++) {
        size_t k;
        for (k = 0; k < HL_ARRAY_LEN(cues); k++)
            if (phrase_at(t, i, cues[k].phrase))
                score[cues[k].intent] += cues[k].weight;
    }
    for (; *text; text++)
        score[ANALYSIS_QUESTION] += *text == '?' ? 3 : 0;
    if (t->n <= 2 && (contains(t, "stop") || contains(t, "stopall")))
        score[ANALYSIS_OPT_OUT] += 8;
    if (score[ANALYSIS_BOOKING] && has_time)
        score[ANALYSIS_BOOKING] += 3;
    for (i = 0; i < HL_ARRAY_LEN(order); i++)
        if (score[order[i]] > best)
            best = score[order[i]], win = order[i];
    return win;
}

/* ---- sentences ---- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1 when the word before s[n] is one letter, as the "m" of "p.m.". */
static int single_letter(const char *s, size_t n)
{
    return n >= 1 && isalpha((unsigned char)s[n - 1]) &&
           (n == 1 || s[n - 2] == '.' || is_space(s[n - 2]));
}

/* Where the sentence starting at s ends (its terminator included). "p.m." does not end one. */
static size_t sentence_len(const char *s)
{
    size_t n;

    for (n = 0; s[n]; n++) {
        if (s[n] == '\n' || s[n] == '!' || s[n] == '?')
            return n + 1;
        if (s[n] == '.' && (!s[n + 1] || is_space(s[n + 1])) && !single_letter(s, n))
            return n + 1;
    }
    return n;
}

/* Trim blanks at both ends of (*s, *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s))
        (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* At most max bytes of s ending on a word (or UTF-8 character) boundary. */
static size_t cut(const char *s, size_t n, size_t max)
{
    size_t k;

    if (n <= max)
        return n;
    for (k = max; k > max / 2; k--)
        if (s[k] == ' ')
            return k;
    for (k = max; k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80;)
        k--;
    return k;
}

void analysis_add_idea(struct analysis *a, const char *s, size_t n)
{
    trim(&s, &n);
    if (!n || a->n_ideas >= IDEAS_MAX)
        return;
    n = cut(s, n, IDEA_BYTES);
    a->ideas = hl_realloc(a->ideas, (a->n_ideas + 1) * sizeof(*a->ideas));
    a->ideas[a->n_ideas++] = hl_strndup(s, n);
}

static int actionable(const char *s, size_t n)
{
    char *copy = hl_strndup(s, n);
    struct tokens t;
    size_t i;
    int yes = 0;

    tokens_split(copy, &t);
    for (i = 0; i < HL_ARRAY_LEN(idea_markers) && !yes; i++)
        yes = contains(&t, idea_markers[i]);
    for (i = 0; i < HL_ARRAY_LEN(imperatives) && !yes && t.n > 1; i++)
        yes = phrase_at(&t, 0, imperatives[i]);
    tokens_release(&t);
    free(copy);
    return yes;
}

static void find_ideas(const char *text, struct analysis *a)
{
    size_t n;
    const char *s;

    while (*text) {
        n = sentence_len(text);
        s = text;
        text += n;
        trim(&s, &n);
        if (n && actionable(s, n))
            analysis_add_idea(a, s, n);
    }
}

/* ---- summary ---- */

static void summary_booking(const struct analyzer *z, time_t when, struct analysis *a)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct civil c;

    if (tz_to_civil(z->timezone, when, &c) != HL_OK)
        return;
    snprintf(a->summary, sizeof(a->summary), "Booking request for %s %d %s %02d:%02d",
             wd[civil_weekday(civil_days(c.y, c.m, c.d))], c.d, mon[c.m - 1], c.hh, c.mi);
}

static void summary_text(const char *text, struct analysis *a)
{
    static const char *const label[] = {"Booking request", "Question", "Complaint",
                                        "Opt-out request", NULL};
    const char *s = text;
    size_t n = sentence_len(text), k;

    trim(&s, &n);
    k = cut(s, n, SUMMARY_CHARS);
    if (!n) {
        snprintf(a->summary, sizeof(a->summary), "%s", "Nothing was said");
        return;
    }
    snprintf(a->summary, sizeof(a->summary), "%s%s%.*s%s", label[a->intent] ? label[a->intent] : "",
             label[a->intent] ? ": " : "", (int)k, s, k < n ? "..." : "");
}

void rules_analyze(const struct analyzer *z, const char *transcript, time_t call_time,
                   struct analysis *out)
{
    struct tokens t;

    memset(out, 0, sizeof(*out));
    tokens_split(transcript, &t);
    out->has_time = datetime_find(&t, z->timezone, call_time, &out->when);
    if (out->has_time)
        tz_format(z->timezone, out->when, out->when_local);
    out->intent = intent_of(transcript, &t, out->has_time);
    tokens_release(&t);
    if (out->intent == ANALYSIS_BOOKING && out->has_time)
        summary_booking(z, out->when, out);
    if (!out->summary[0])
        summary_text(transcript, out);
    find_ideas(transcript, out);
    snprintf(out->engine, sizeof(out->engine), "%s", "rules");
}
