/*
 * words.c — the transcript as tokens, and the vocabularies of the rules
 * engine.
 *
 * Lowercase ASCII words and digit runs; "3pm" splits into "3" "pm", "a.m."
 * becomes "am", "o'clock" becomes "oclock", "15:30" one clock token, "12/25"
 * one slash-date token, "5th" an ordinal. Number words are folded into
 * numbers ("twenty five" is 25, "twenty first" the ordinal 21), so the date
 * grammar sees values, not spellings. Everything else (punctuation,
 * non-ASCII bytes) separates words.
 *
 * The vocabularies (intent cues with their weights, negators, question
 * words) are data at the end of this file; rules.c holds the logic that
 * weighs them. docs/analysis.md explains the weights and precedence.
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

/* Length of the word at s: letters and apostrophes, or digits with one inner ':' or '/'. */
static size_t word_len(const char *s)
{
    size_t n = 0;

    if (isdigit((unsigned char)s[0])) {
        while (isdigit((unsigned char)s[n]))
            n++;
        if ((s[n] == ':' || s[n] == '/') && isdigit((unsigned char)s[n + 1]))
            for (n++; isdigit((unsigned char)s[n]);)
                n++;
        return n;
    }
    while (isalpha((unsigned char)s[n]) || (s[n] == '\'' && isalpha((unsigned char)s[n + 1])))
        n++;
    return n;
}

/* Punctuation that ends a clause: a negator does not reach past it. */
static int ends_clause(char c)
{
    return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\n';
}

static void split_raw(const char *text, struct tokens *t)
{
    char word[64];
    size_t cap = 0, n, i;
    int clause = 0;

    while (*text) {
        if (!isalnum((unsigned char)*text)) {
            clause |= ends_clause(*text++);
            continue;
        }
        n = word_len(text);
        for (i = 0; i < n && i < sizeof(word) - 1; i++)
            word[i] = (char)tolower((unsigned char)text[i]);
        push(t, &cap, word, i);
        if (t->n)
            t->v[t->n - 1].clause = clause;
        clause = 0;
        text += n;
    }
}

/* Digit runs, clocks ("15:30"), numeric dates ("12/25") and "5th". */
static void mark_digits(struct token *k, const struct token *next)
{
    char *sep;
    long v = strtol(k->w, &sep, 10);

    if (!isdigit((unsigned char)k->w[0]) || v > 100000)
        return;
    k->num = (int)v;
    k->flags |= TOK_NUM;
    if (*sep == ':' || *sep == '/') {
        k->min = (int)strtol(sep + 1, NULL, 10) % 100000;
        k->flags = *sep == ':' ? TOK_CLOCK : TOK_SLASH;
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

/* ---- vocabularies of the rules engine (rules.c weighs them) ---- */

#define B ANALYSIS_BOOKING
#define Q ANALYSIS_QUESTION
#define C ANALYSIS_COMPLAINT
#define O ANALYSIS_OPT_OUT
#define X ANALYSIS_OTHER

/*
 * Phrases that point to an intent, with weights. A complaint scoring 3 or
 * more wins over bookings and questions, so one clear complaint word is 3;
 * negative weights take back a word in a phrase that means something else
 * ("wrong number", "running late"). Opt-out phrases are never negated.
 */
/* clang-format off */
const struct cue intent_cues[] = {
    /* booking: asking for, moving or cancelling a visit */
    {"appointment", B, 3}, {"appointments", B, 3}, {"book", B, 3}, {"booking", B, 3},
    {"schedule", B, 3}, {"reschedule", B, 3}, {"reserve", B, 3}, {"reservation", B, 3},
    {"consultation", B, 3}, {"table for", B, 3}, {"a table", B, 2}, {"slot", B, 3},
    {"slots", B, 3}, {"openings", B, 3}, {"availability", B, 3}, {"available", B, 2},
    {"fit me in", B, 3}, {"squeeze me in", B, 3}, {"get in", B, 2}, {"come in", B, 2},
    {"come by", B, 2}, {"stop by", B, 2}, {"drop by", B, 2}, {"pop in", B, 2}, {"come over", B, 2}, {"come out", B, 2}, {"can i come", B, 2},
    {"could i come", B, 2}, {"can we do", B, 2}, {"could we do", B, 2}, {"send someone", B, 3},
    {"see the doctor", B, 3}, {"see a doctor", B, 3}, {"see the dentist", B, 3},
    {"see a dentist", B, 3},
    {"see someone", B, 2}, {"meeting", B, 2}, {"meet", B, 2}, {"set up", B, 2},
    {"cancel", B, 3}, {"move my", B, 3}, {"move it", B, 3}, {"push it", B, 3},
    {"push my", B, 3}, {"change it", B, 3}, {"can i bring", B, 2}, {"could i bring", B, 2},
    {"pencil me in", B, 3}, {"put me down", B, 3}, {"someone to come", B, 3},
    {"have anything", B, 1}, {"how about", B, 2}, {"what about", B, 2},
    {"can't make it", B, 3}, {"cannot make it", B, 3}, {"won't make it", B, 3},
    {"won't be able to make it", B, 3},
    /* question: what is asked about, and how it is asked */
    {"how much", Q, 3}, {"price", Q, 2}, {"prices", Q, 2}, {"pricing", Q, 2}, {"cost", Q, 2},
    {"costs", Q, 2}, {"balance", Q, 3}, {"hours", Q, 2}, {"open", Q, 2}, {"close", Q, 2},
    {"closed", Q, 2}, {"located", Q, 2}, {"address", Q, 2}, {"directions", Q, 3},
    {"how do i get", Q, 2}, {"parking", Q, 2}, {"accept", Q, 2}, {"credit card", Q, 2},
    {"credit cards", Q, 2}, {"pay by", Q, 2}, {"how long", Q, 2}, {"what time", Q, 2},
    {"is my appointment", Q, 3}, {"is my booking", Q, 3}, {"is my reservation", Q, 3},
    {"is my order", Q, 2}, {"do i need to", Q, 3}, {"do i have to", Q, 3}, {"question", Q, 2},
    {"questions", Q, 2}, {"wondering", Q, 2},
    {"want to know", Q, 2}, {"like to know", Q, 2}, {"ask about", Q, 2}, {"tell me", Q, 2},
    {"could you tell", Q, 2}, {"can you tell", Q, 2}, {"explain", Q, 2}, {"quote", Q, 2},
    {"information", Q, 2}, {"info", Q, 2}, {"do you", Q, 1}, {"does", Q, 1}, {"is there", Q, 1},
    {"are you", Q, 1}, {"can i", Q, 1}, {"is it possible", Q, 1}, {"what", Q, 1},
    {"whats", Q, 1}, {"what's", Q, 1}, {"when", Q, 1}, {"where", Q, 1}, {"how", Q, 1},
    {"why", Q, 1}, {"which", Q, 1}, {"who", Q, 1}, {"whether", Q, 1},
    /* complaint */
    {"complaint", C, 4}, {"complaints", C, 4}, {"complain", C, 4}, {"complaining", C, 4},
    {"unhappy", C, 3}, {"not happy", C, 3}, {"not satisfied", C, 3}, {"dissatisfied", C, 3},
    {"not pleased", C, 3}, {"not impressed", C, 3}, {"disgusted", C, 3}, {"hung up", C, 3},
    {"overbilled", C, 3}, {"isn't fixed", C, 3}, {"still isn't", C, 3}, {"no reply", C, 3},
    {"no response", C, 3}, {"never replied", C, 3}, {"bad experience", C, 3}, {"mess", C, 2},
    {"never turned up", C, 3}, {"didn't turn up", C, 3}, {"never received", C, 3},
    {"never arrived", C, 3}, {"never came", C, 3}, {"gets back to me", C, 2},
    {"got back to me", C, 2}, {"double booked", C, 3}, {"wasted", C, 3}, {"too high", C, 2},
    {"open late", C, -2}, {"dialled wrong", C, -3}, {"dialed wrong", C, -3},
    {"not good enough", C, 3}, {"refund", C, 3}, {"money back", C, 3}, {"broken", C, 3},
    {"broke", C, 3}, {"faulty", C, 3}, {"defective", C, 3}, {"damaged", C, 3},
    {"terrible", C, 3}, {"awful", C, 3}, {"horrible", C, 3}, {"worst", C, 3},
    {"disappointed", C, 3}, {"disappointing", C, 3}, {"frustrated", C, 3},
    {"frustrating", C, 3}, {"angry", C, 3}, {"furious", C, 3},
    {"upset", C, 3}, {"annoyed", C, 3}, {"rude", C, 3}, {"unprofessional", C, 3},
    {"ignored", C, 3}, {"dirty", C, 3}, {"unacceptable", C, 3}, {"ridiculous", C, 3},
    {"disgusting", C, 3}, {"scam", C, 3}, {"overcharged", C, 3}, {"charged me", C, 3},
    {"i was charged", C, 3}, {"was i charged", C, 3}, {"double charged", C, 3},
    {"charged twice", C, 3}, {"twice", C, 2}, {"charge", C, 1}, {"wrong", C, 3},
    {"wrong number", C, -3}, {"late", C, 2}, {"was late", C, 1}, {"were late", C, 1},
    {"been late", C, 1}, {"hours late", C, 1}, {"minutes late", C, 1}, {"late again", C, 1},
    {"always late", C, 1}, {"arrived late", C, 1}, {"running late", C, -2}, {"be late", C, -2},
    {"how late", C, -2}, {"not working", C, 3}, {"doesn't work", C, 3},
    {"does not work", C, 3}, {"stopped working", C, 3}, {"isn't working", C, 3},
    {"didn't fix", C, 3}, {"not fixed", C, 3}, {"still leaking", C, 3}, {"still broken", C, 3},
    {"leaking", C, 2}, {"never showed", C, 3}, {"nobody showed", C, 3},
    {"no one showed", C, 3}, {"didn't show", C, 3}, {"no show", C, 3}, {"nobody called", C, 3},
    {"no one called", C, 3}, {"never called", C, 3}, {"never got", C, 2},
    {"kept me waiting", C, 3}, {"been waiting", C, 3}, {"bad service", C, 3}, {"poor", C, 2},
    {"mistake", C, 2}, {"manager", C, 2}, {"problem", C, 1}, {"issue", C, 1},
    /* opt-out: weight 8, never negated */
    {"unsubscribe", O, 8}, {"opt out", O, 8}, {"optout", O, 8}, {"remove me", O, 8},
    {"remove my number", O, 8}, {"remove my details", O, 8}, {"take me off", O, 8},
    {"take my number off", O, 8}, {"do not call", O, 8}, {"don't call", O, 8},
    {"dont call", O, 8}, {"stop calling", O, 8}, {"stop texting", O, 8},
    {"stop messaging", O, 8}, {"stop sending", O, 8}, {"stop contacting", O, 8},
    {"stop ringing", O, 8}, {"do not contact", O, 8}, {"don't contact", O, 8},
    {"dont contact", O, 8}, {"no more calls", O, 8}, {"no more messages", O, 8},
    {"no more texts", O, 8}, {"any more calls", O, 8}, {"any more messages", O, 8},
    {"lose my number", O, 8}, {"take my name off", O, 8}, {"remove my name", O, 8},
    {"take us off", O, 8}, {"remove us", O, 8}, {"delete my number", O, 8},
    {"delete my details", O, 8},
    {"leave me alone", O, 8}, {"removed from your", O, 8}, {"remove this number", O, 8},
    {"quit calling", O, 8}, {"quit texting", O, 8}, {"don't text", O, 8}, {"dont text", O, 8},
    {"do not text", O, 8}, {"don't message", O, 8}, {"don't want to hear from", O, 8},
    {"do not want to hear from", O, 8},
    /* other: small talk that must not read as a request */
    {"wrong number", X, 3}, {"running late", X, 3}, {"on my way", X, 3}, {"be there in", X, 3},
    {"call me back", X, 2}, {"call you back", X, 2}, {"returning your call", X, 3},
    {"returning a", X, 2}, {"missed call", X, 3}, {"saying hi", X, 3}, {"never mind", X, 3},
    {"hear me", X, 3}, {"anyone there", X, 3}, {"hold on", X, 2}, {"weather", X, 3},
    {"how are you", X, 3}, {"dialled wrong", X, 3}, {"dialed wrong", X, 3},
    {"have a nice", X, 3}, {"have a good", X, 3}, {"have a great", X, 3},
};
/* clang-format on */
const size_t intent_cues_n = HL_ARRAY_LEN(intent_cues);

/* Ways of being contacted, and what turns them into an opt-out: "stop", "never" ... right
   before ("never contact me"), or a refusal before and "anymore"/"again" after ("I don't
   want these text messages anymore"). "never call back" is a complaint, not an opt-out. */
const char *const contact_words[] = {"call",       "calls",   "calling",  "text",      "texts",
                                     "texting",    "message", "messages", "messaging", "contact",
                                     "contacting", "email",   "emails",   "emailing",  "ring",
                                     "ringing",    NULL};
const char *const contact_stoppers[] = {"stop", "quit", "never", NULL};
const char *const contact_refusals[] = {"don't", "dont", "not", "no", NULL};
const char *const contact_ends[] = {"anymore", "again", NULL};

/* Phrases that make a booking a cancellation (a booking change with no time asked for). */
const char *const cancel_phrases[] = {"cancel",
                                      "can't make it",
                                      "cannot make it",
                                      "won't make it",
                                      "won't be able to make it",
                                      "call off",
                                      NULL};

/* Words that negate a cue up to four words after them ("I don't want to book"). */
const char *const negators[] = {"not", "don't", "dont", "didn't", "didnt", "without", NULL};
/* Words that end the reach of a negator ("not a complaint, but ..."). */
const char *const clause_breaks[] = {"but", "just", "and", "so", "though", "however", NULL};
/* First words that make a sentence a question (after any of fillers). */
const char *const interrogatives[] = {"is",   "are",   "do",   "does",  "did",    "can",  "could",
                                      "will", "would", "what", "whats", "what's", "when", "where",
                                      "who",  "how",   "why",  "which", NULL};
const char *const fillers[] = {"hi", "hello", "hey",  "yes", "yeah", "um",    "uh",
                               "so", "ok",    "okay", "oh",  "well", "sorry", NULL};

#undef B
#undef Q
#undef C
#undef O
#undef X

int word_listed(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return 1;
    return 0;
}
