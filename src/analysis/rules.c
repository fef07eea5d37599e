/*
 * rules.c — the rules engine: intent by weighted cues with negation and
 * precedence, the requested time (datetime.c), a one-line summary and guide
 * 004's "ideas".
 *
 * The cues (words.c) add their weights to their intent unless a negator
 * stands just before them ("I don't want to book"). An opt-out wins over
 * everything, a clear complaint over bookings and questions, a bare date or
 * time is a booking (the answer to "when?"), and otherwise the highest score
 * wins; nothing matched is "other". A booking that cancels keeps no time.
 * Ideas are the sentences that read as actions: a marker ("should", "need
 * to", "let's", "idea", "could we" ...) anywhere, or an imperative verb
 * first. It runs offline in microseconds, and answers whenever an LLM engine
 * cannot. docs/analysis.md has the figures on tests/data/analysis/.
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

#define NEGATION_REACH 4 /* words a negator reaches forward */
#define COMPLAINT_WINS 3 /* a complaint score that beats bookings and questions */

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

/* ---- intent ---- */

/* 1 when a negator stands within NEGATION_REACH words before token i in the same
   clause ("I don't want to book"), or "no" right before it ("no complaints"). A
   clause ends at punctuation or a word such as "but". */
static int negated(const struct tokens *t, size_t i)
{
    size_t k;

    for (k = 1; k <= NEGATION_REACH && k <= i; k++) {
        const char *w = t->v[i - k].w;
        if (t->v[i - k + 1].clause || word_listed(w, clause_breaks))
            return 0;
        if (word_listed(w, negators) || (k == 1 && !strcmp(w, "no")))
            return 1;
    }
    return 0;
}

/* Add the weights of the cues found to score[intent]. */
static void score_cues(const struct tokens *t, int score[])
{
    size_t i, k;

    for (i = 0; i < t->n; i++)
        for (k = 0; k < intent_cues_n; k++) {
            const struct cue *c = &intent_cues[k];
            if (phrase_at(t, i, c->phrase) && (c->intent == ANALYSIS_OPT_OUT || !negated(t, i)))
                score[c->intent] += c->weight;
        }
}

/* 1 when one of list stands within reach words after token i (reach > 0) or before it. */
static int listed_near(const struct tokens *t, size_t i, int reach, const char *const *list)
{
    int k;

    for (k = 1; k <= (reach > 0 ? reach : -reach); k++) {
        size_t j = reach > 0 ? i + (size_t)k : i - (size_t)k;
        if ((reach < 0 && (size_t)k > i) || j >= t->n)
            break;
        if (word_listed(t->v[j].w, list))
            return 1;
    }
    return 0;
}

/* "never contact me", "stop messaging", "I don't want these texts anymore": opt-outs said
   in words no cue lists. */
static int refuses_contact(const struct tokens *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (!word_listed(t->v[i].w, contact_words) || tok_is(t, i + 1, "back"))
            continue;
        if (listed_near(t, i, -2, contact_stoppers) ||
            (listed_near(t, i, -4, contact_refusals) && listed_near(t, i, 3, contact_ends)))
            return 1;
    }
    return 0;
}

/* 1 when the caller asks: a '?' or a question word first (after "hi", "yes", "so" ...). */
static int asks(const char *text, const struct tokens *t)
{
    size_t i = 0;

    if (strchr(text, '?'))
        return 1;
    while (i < t->n && word_listed(t->v[i].w, fillers))
        i++;
    return i < t->n && word_listed(t->v[i].w, interrogatives);
}

/* The highest score; ties go to booking, then question, complaint, other. */
static enum analysis_intent best_of(const int score[])
{
    static const enum analysis_intent order[] = {ANALYSIS_BOOKING, ANALYSIS_QUESTION,
                                                 ANALYSIS_COMPLAINT, ANALYSIS_OTHER};
    enum analysis_intent win = ANALYSIS_OTHER;
    int best = 0;
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(order); i++)
        if (score[order[i]] > best)
            best = score[order[i]], win = order[i];
    return win;
}

/*
 * Precedence: an opt-out wins over everything (a caller who says "stop
 * calling" must never be texted again), a clear complaint over bookings and
 * questions, and a date or time with no other cue is the answer to the
 * receptionist's "when?" — a booking. Otherwise the highest score wins.
 */
static enum analysis_intent intent_of(const char *text, const struct tokens *t, int has_time)
{
    int score[ANALYSIS_OTHER + 1] = {0};

    score_cues(t, score);
    score[ANALYSIS_QUESTION] += asks(text, t);
    if (score[ANALYSIS_OPT_OUT] > 0 || refuses_contact(t) ||
        (t->n <= 2 && (contains(t, "stop") || contains(t, "stopall"))))
        return ANALYSIS_OPT_OUT;
    if (score[ANALYSIS_COMPLAINT] >= COMPLAINT_WINS)
        return ANALYSIS_COMPLAINT;
    if (has_time && score[ANALYSIS_BOOKING] <= 0 && score[ANALYSIS_QUESTION] <= 0 &&
        score[ANALYSIS_COMPLAINT] <= 0 && score[ANALYSIS_OTHER] <= 0)
        return ANALYSIS_BOOKING;
    if (has_time && score[ANALYSIS_BOOKING] > 0)
        score[ANALYSIS_BOOKING] += 3;
    return best_of(score);
}

/* A booking that cancels: "cancel", "can't make it" ... said and not negated. */
static int cancels(const struct tokens *t)
{
    const char *const *p;
    size_t i;

    for (i = 0; i < t->n; i++)
        for (p = cancel_phrases; *p; p++)
            if (phrase_at(t, i, *p) && !negated(t, i))
                return 1;
    return 0;
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

/* The first sentence after the intent's label (label overrides it when not NULL). */
static void summary_text(const char *text, const char *label, struct analysis *a)
{
    static const char *const labels[] = {"Booking request", "Question", "Complaint",
                                         "Opt-out request", NULL};
    const char *s = text;
    size_t n = sentence_len(text), k;

    trim(&s, &n);
    k = cut(s, n, SUMMARY_CHARS);
    if (!n) {
        snprintf(a->summary, sizeof(a->summary), "%s", "Nothing was said");
        return;
    }
    if (!label)
        label = labels[a->intent];
    snprintf(a->summary, sizeof(a->summary), "%s%s%.*s%s", label ? label : "", label ? ": " : "",
             (int)k, s, k < n ? "..." : "");
}

/* A cancellation asks for no time: the one named is the visit to drop, not a new one. */
static void drop_time(struct analysis *a)
{
    a->has_time = 0;
    a->when = 0;
    a->when_local[0] = '\0';
}

void rules_analyze(const struct analyzer *z, const char *transcript, time_t call_time,
                   struct analysis *out)
{
    struct tokens t;
    int cancel;

    memset(out, 0, sizeof(*out));
    tokens_split(transcript, &t);
    out->has_time = datetime_find(&t, z->timezone, call_time, &out->when);
    if (out->has_time)
        tz_format(z->timezone, out->when, out->when_local);
    out->intent = intent_of(transcript, &t, out->has_time);
    cancel = out->intent == ANALYSIS_BOOKING && cancels(&t);
    tokens_release(&t);
    if (cancel)
        drop_time(out);
    if (out->intent == ANALYSIS_BOOKING && out->has_time)
        summary_booking(z, out->when, out);
    if (!out->summary[0])
        summary_text(transcript, cancel ? "Cancellation request" : NULL, out);
    find_ideas(transcript, out);
    snprintf(out->engine, sizeof(out->engine), "%s", "rules");
}
