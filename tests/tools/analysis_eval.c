/*
 * analysis_eval.c — test tool: score src/analysis's rules engine on a
 * labelled set of caller utterances and fail below given floors.
 *
 *   analysis_eval [--verbose] [--asr] [--min-intent PCT] [--min-time PCT] FILE
 *
 * FILE has "INTENT | EXPECTED | SENTENCE" lines (EXPECTED "YYYY-MM-DD HH:MM"
 * local or "-") or "INTENT | SENTENCE" lines (no time scored), and may state
 * "# call time: ISO-8601" and "# time zone: ZONE" (default: Saturday
 * 2026-11-21 10:00 in America/New_York). It prints intent accuracy overall and
 * per intent and the exact-match rate of the times of booking lines (the only
 * ones a time is used for), then each miss with --verbose. --asr first turns
 * each sentence into what a recognizer writes: lowercase words, no
 * punctuation, numbers in words ("9:30 PM" is "nine thirty p m", "5th"
 * "fifth"). Exit status 1 when a figure is below its floor. tests/data/analysis/utterances.txt is
 * the set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/analysis_internal.h"
#include "core/banned.h"

#define N_INTENTS (ANALYSIS_OTHER + 1)
#define LINE_MAX_ 1024

struct score {
    size_t lines, right, per[N_INTENTS], per_right[N_INTENTS], said[N_INTENTS];
    size_t times, times_right, no_times, no_times_right;
};

struct eval {
    char zone[64], call[40];
    int verbose, asr;
    struct score s;
};

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int intent_index(const char *name)
{
    int i;

    for (i = 0; i < N_INTENTS; i++)
        if (!strcmp(name, analysis_intent_name((enum analysis_intent)i)))
            return i;
    return -1;
}

/* "2026-11-22T15:00:00-05:00" as "2026-11-22 15:00", or "-". */
static void local_minute(const struct analysis *a, char out[20])
{
    snprintf(out, 20, "%.16s", a->has_time ? a->when_local : "-");
    if (out[10] == 'T')
        out[10] = ' ';
}

/* Score one booking line's time: expected "-" or a local minute. */
static int time_right(struct score *s, const char *expect, const char *got)
{
    int ok = !strcmp(expect, got);

    if (!strcmp(expect, "-"))
        s->no_times++, s->no_times_right += ok;
    else
        s->times++, s->times_right += ok;
    return ok;
}

/* ---- --asr: the sentence as a recognizer writes it ---- */

static const char *const small[] = {"zero",    "one",     "two",       "three",    "four",
                                    "five",    "six",     "seven",     "eight",    "nine",
                                    "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *const decades[] = {"twenty", "thirty",  "forty",  "fifty",
                                      "sixty",  "seventy", "eighty", "ninety"};

/* n (0-99, else its digits) in words; an ordinal when ord ("twenty first"). */
static void say_number(char *out, size_t cap, long n, int ord)
{
    static const char *const ords[] = {"",      "first", "second",  "third",  "fourth",
                                       "fifth", "sixth", "seventh", "eighth", "ninth"};
    size_t len = strlen(out);

    if (n < 0 || n > 99)
        snprintf(out + len, cap - len, "%ld ", n);
    else if (ord && n >= 1 && n < 10)
        snprintf(out + len, cap - len, "%s ", ords[n]);
    else if (ord && n == 12)
        snprintf(out + len, cap - len, "twelfth ");
    else if (n < 20)
        snprintf(out + len, cap - len, "%s%s ", small[n], ord ? "th" : "");
    else if (n % 10 == 0) /* "twenty", "twentieth" */
        snprintf(out + len, cap - len, "%.*s%s ", (int)strlen(decades[n / 10 - 2]) - (ord ? 1 : 0),
                 decades[n / 10 - 2], ord ? "ieth" : "");
    else
        snprintf(out + len, cap - len, "%s %s ", decades[n / 10 - 2],
                 ord ? ords[n % 10] : small[n % 10]);
}

/* One digit run at *p: "9:30" "nine thirty", "9:05" "nine oh five", "5th" "fifth",
   "3pm" "three p m"; advances *p. */
static void say_digits(const char **p, char *out, size_t cap)
{
    char *end;
    long n = strtol(*p, &end, 10), mi;
    size_t len;

    if (*end == ':' && end[1] >= '0' && end[1] <= '9') {
        mi = strtol(end + 1, &end, 10);
        say_number(out, cap, n, 0);
        len = strlen(out);
        if (mi > 0 && mi < 10)
            snprintf(out + len, cap - len, "oh ");
        if (mi > 0)
            say_number(out, cap, mi, 0);
    } else if ((!strncmp(end, "st", 2) || !strncmp(end, "nd", 2) || !strncmp(end, "rd", 2) ||
                !strncmp(end, "th", 2))) {
        say_number(out, cap, n, 1);
        end += 2;
    } else {
        say_number(out, cap, n, 0);
    }
    *p = end;
}

/* Lowercase words only: no punctuation (but apostrophes), numbers in words, "p m". */
static void asr_text(const char *in, char *out, size_t cap)
{
    size_t len;

    out[0] = '\0';
    while (*in && (len = strlen(out)) + 40 < cap) {
        char c = *in;
        if (c >= '0' && c <= '9') {
            say_digits(&in, out, cap);
            continue;
        }
        if ((c == 'a' || c == 'p' || c == 'A' || c == 'P') && (in[1] == 'm' || in[1] == 'M') &&
            (len == 0 || out[len - 1] == ' ') && !((in[2] | 32) >= 'a' && (in[2] | 32) <= 'z')) {
            snprintf(out + len, cap - len, "%c m ", c | 32); /* "3pm", "PM" */
            in += 2;
            continue;
        }
        out[len] = (c >= 'A' && c <= 'Z')                  ? (char)(c | 32)
                   : (c == '\'' || (c >= 'a' && c <= 'z')) ? c
                                                           : ' ';
        out[len + 1] = '\0';
        in++;
    }
}

static void score_line(struct eval *e, struct analyzer *z, time_t call, int want,
                       const char *expect, const char *said)
{
    struct analysis a;
    struct hl_err err = {0};
    char got[20];
    int ok_time = 1;

    char spoken[LINE_MAX_ * 4];

    if (e->asr) {
        asr_text(said, spoken, sizeof(spoken));
        said = spoken;
    }
    analysis_run(z, said, call, &a, &err);
    local_minute(&a, got);
    e->s.lines++, e->s.per[want]++, e->s.said[a.intent]++;
    if ((int)a.intent == want)
        e->s.right++, e->s.per_right[want]++;
    if (expect && want == ANALYSIS_BOOKING)
        ok_time = time_right(&e->s, expect, got);
    if (e->verbose && ((int)a.intent != want || !ok_time))
        printf("  miss: %-9s %-16s | got %-9s %-16s | %s\n",
               analysis_intent_name((enum analysis_intent)want), expect ? expect : "",
               analysis_intent_name(a.intent), got, said);
    analysis_release(&a);
}

/* A "# key: value" header line into e. */
static void header(struct eval *e, const char *line)
{
    if (!strncmp(line, "# call time:", 12))
        snprintf(e->call, sizeof(e->call), "%s", trim((char *)line + 12));
    else if (!strncmp(line, "# time zone:", 12))
        snprintf(e->zone, sizeof(e->zone), "%s", trim((char *)line + 12));
    if (strchr(e->call, ' '))
        *strchr(e->call, ' ') = '\0'; /* "2026-11-21T10:00:00-05:00 (a Saturday)" */
}

/* Split "a | b | c" into up to 3 trimmed fields; returns how many. */
static int fields(char *line, char *f[3])
{
    int n = 0;
    char *bar;

    while (n < 3) {
        bar = strchr(line, '|');
        if (bar)
            *bar = '\0';
        f[n++] = trim(line);
        if (!bar)
            break;
        line = bar + 1;
    }
    return n;
}

static int read_set(struct eval *e, FILE *in)
{
    char line[LINE_MAX_], *f[3];
    struct analysis_options o = {.engine = "rules"};
    struct analyzer *z = NULL;
    struct hl_err err = {0};
    time_t call = 0;
    int n, want;

    while (fgets(line, sizeof(line), in)) {
        if (line[0] == '#') {
            header(e, line);
            continue;
        }
        if ((n = fields(line, f)) < 2 || !*f[0])
            continue;
        if (!z) {
            o.timezone = e->zone;
            if (analyzer_new(&o, &z, &err) != HL_OK || tz_parse_iso(e->call, &call) != 0)
                return fprintf(stderr, "analysis_eval: bad zone or call time\n"), -1;
        }
        if ((want = intent_index(f[0])) < 0)
            return fprintf(stderr, "analysis_eval: unknown intent \"%s\"\n", f[0]), -1;
        score_line(e, z, call, want, n == 3 ? f[1] : NULL, f[n - 1]);
    }
    analyzer_free(z);
    return 0;
}

static double pct(size_t a, size_t b)
{
    return b ? 100.0 * (double)a / (double)b : 100.0;
}

static void report(const struct score *s)
{
    int i;

    printf("intent: %zu/%zu = %.1f%%\n", s->right, s->lines, pct(s->right, s->lines));
    for (i = 0; i < N_INTENTS; i++)
        printf("  %-9s %3zu/%-3zu = %5.1f%%  (answered %zu times)\n",
               analysis_intent_name((enum analysis_intent)i), s->per_right[i], s->per[i],
               pct(s->per_right[i], s->per[i]), s->said[i]);
    printf("booking times: %zu/%zu = %.1f%%  (named: %zu/%zu right; none named: %zu/%zu none)\n",
           s->times_right + s->no_times_right, s->times + s->no_times,
           pct(s->times_right + s->no_times_right, s->times + s->no_times), s->times_right,
           s->times, s->no_times_right, s->no_times);
}

int main(int argc, char **argv)
{
    struct eval e = {.zone = "America/New_York", .call = "2026-11-21T10:00:00-05:00"};
    double min_intent = 0, min_time = 0;
    const char *path = NULL;
    FILE *in;
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--verbose"))
            e.verbose = 1;
        else if (!strcmp(argv[i], "--asr"))
            e.asr = 1;
        else if (!strcmp(argv[i], "--min-intent") && i + 1 < argc)
            min_intent = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--min-time") && i + 1 < argc)
            min_time = strtod(argv[++i], NULL);
        else
            path = argv[i];
    }
    if (!path || !(in = fopen(path, "r"))) {
        fprintf(stderr, "usage: analysis_eval [--verbose] [--asr] [--min-intent PCT] "
                        "[--min-time PCT] FILE\n");
        return 2;
    }
    rc = read_set(&e, in);
    fclose(in);
    if (rc != 0 || !e.s.lines)
        return 2;
    report(&e.s);
    rc = pct(e.s.right, e.s.lines) < min_intent ||
         pct(e.s.times_right + e.s.no_times_right, e.s.times + e.s.no_times) < min_time;
    if (rc)
        printf("below the floor: intent %.1f%%, time %.1f%%\n", min_intent, min_time);
    return rc;
}
