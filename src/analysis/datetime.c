/*
 * datetime.c — the date and time a caller asks for, in words.
 *
 * Four small scanners read the tokens (words.c): a relative span ("in two
 * hours"), a date ("tomorrow", "next Monday", "the 5th", "November 25th"), a
 * clock time ("3 pm", "15:30", "half past ten", "noon") and a part of the day
 * ("Friday morning"). Each takes the first match. resolve() combines them on
 * civil days in the configured zone, relative to the call's own local time,
 * and only the last step turns the wall clock into an instant (tz.c), so
 * month ends and DST changes come out right. docs/analysis.md lists the
 * grammar with examples and the choices made for ambiguous phrases.
 */
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/banned.h"

struct dt {
    struct civil now;
    long today;
    int have_date;
    long day;
    int have_time, hh, mi, ampm; /* ampm: 0 unsaid, 1 am, 2 pm */
    int period_hh, period_pm;    /* period_hh -1 when no part of the day was said */
    int have_rel;
    long rel_s;
    int ambiguous; /* a numeric date readable both ways ("12/03"): no time at all */
};

#define AMBIGUOUS (-2) /* a date scanner's answer for "12/03" */

static const char *const weekdays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                       "thursday", "friday", "saturday"};
static const char *const months[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};
static const char *const month_abbr[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};

/* 1 for a word said in letters ("thirty"), not digits ("30"). */
static int spelled(const char *w)
{
    return *w >= 'a' && *w <= 'z';
}

static int word_index(const char *w, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return (int)i;
    return -1;
}

static int month_of(const struct tokens *t, size_t i)
{
    int m;

    if (i >= t->n)
        return -1;
    if ((m = word_index(t->v[i].w, months, 12)) >= 0)
        return m + 1;
    if (!strcmp(t->v[i].w, "sept"))
        return 9;
    m = word_index(t->v[i].w, month_abbr, 12);
    return m >= 0 ? m + 1 : -1;
}

/* The value of a number or ordinal token, -1 otherwise. */
static int value_at(const struct tokens *t, size_t i, unsigned flags)
{
    return i < t->n && (t->v[i].flags & flags) ? t->v[i].num : -1;
}

/* ---- in N minutes/hours/days/weeks ---- */

static long unit_seconds(const char *w)
{
    static const struct {
        const char *w;
        long s;
    } units[] = {{"minute", 60}, {"minutes", 60}, {"min", 60},      {"mins", 60},
                 {"hour", 3600}, {"hours", 3600}, {"hr", 3600},     {"hrs", 3600},
                 {"day", 86400}, {"days", 86400}, {"week", 604800}, {"weeks", 604800}};
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(units); i++)
        if (!strcmp(w, units[i].w))
            return units[i].s;
    return 0;
}

static int relative_at(const struct tokens *t, size_t i, struct dt *d)
{
    long qty = -1, unit;
    size_t u = i + 2;

    if (!tok_is(t, i, "in"))
        return 0;
    if (tok_is(t, i + 1, "half") && tok_is(t, i + 2, "an") && tok_is(t, i + 3, "hour")) {
        d->have_rel = 1, d->rel_s = 1800;
        return 1;
    }
    if (tok_is(t, i + 1, "a") || tok_is(t, i + 1, "an"))
        qty = 1;
    else if (value_at(t, i + 1, TOK_NUM) > 0)
        qty = t->v[i + 1].num;
    if (qty < 0 || u >= t->n || !(unit = unit_seconds(t->v[u].w)))
        return 0;
    if (unit >= 86400) {
        d->have_date = 1, d->day = d->today + qty * (unit / 86400);
    } else {
        d->have_rel = 1, d->rel_s = qty * unit;
    }
    return 1;
}

/* ---- dates ---- */

/* The next day of the month n (today included), skipping months without it. */
static long next_mday(const struct dt *d, int n)
{
    int y = d->now.y, m = d->now.m;

    if (n < d->now.d) {
        m++;
    }
    for (;; m++) {
        if (m > 12)
            m = 1, y++;
        if (n <= civil_month_days(y, m))
            return civil_days(y, m, n);
    }
}

/* Month m day n: this year unless that is past. */
static long month_day(const struct dt *d, int m, int n)
{
    int y = d->now.y;

    if (n > civil_month_days(y, m) && !(m == 2 && n == 29))
        return -1;
    while (n > civil_month_days(y, m) || civil_days(y, m, n) < d->today)
        y++;
    return civil_days(y, m, n);
}

/* "November 25(th)", "the 25th of November". */
static long named_date(const struct tokens *t, size_t i, const struct dt *d)
{
    int m = month_of(t, i), n;

    if (m > 0) {
        n = value_at(t, i + 1 + tok_is(t, i + 1, "the"), TOK_NUM | TOK_ORD);
        return n >= 1 && n <= 31 ? month_day(d, m, n) : -1;
    }
    n = value_at(t, i, TOK_ORD);
    if (n >= 1 && n <= 31 && tok_is(t, i + 1 + (t->v[i].w[0] <= '9'), "of")) {
        m = month_of(t, i + 2 + (t->v[i].w[0] <= '9'));
        return m > 0 ? month_day(d, m, n) : -1;
    }
    return -1;
}

/* Nouns after an ordinal that make it a count, not a date ("the third time"). */
static const char *const counted[] = {
    "time", "times", "floor", "thing", "one",  "person",      "place",  "visit",  "call", "option",
    "step", "class", "week",  "month", "year", "appointment", "street", "avenue", NULL};

/* "the 5th", "on the fifth", "5th": the next such day of the month. */
static long ordinal_date(const struct tokens *t, size_t i, const struct dt *d)
{
    int n = value_at(t, i, TOK_ORD);
    int digit = i < t->n && t->v[i].w[0] >= '0' && t->v[i].w[0] <= '9';
    size_t next = i + 1 + (size_t)digit; /* past "th" */

    if (n < 1 || n > 31)
        return -1;
    if (!digit && !(i > 0 && (tok_is(t, i - 1, "the") || tok_is(t, i - 1, "on"))))
        return -1;
    if (next < t->n && word_listed(t->v[next].w, counted))
        return -1;
    return next_mday(d, n);
}

/* "12/25" or "25/12"; AMBIGUOUS when both orders are dates ("12/03"). */
static long slash_date(const struct tokens *t, size_t i, const struct dt *d)
{
    int a = t->v[i].num, b = t->v[i].min;

    if (!(t->v[i].flags & TOK_SLASH) || a < 1 || b < 1)
        return -1;
    if (a <= 12 && b <= 12 && a != b)
        return AMBIGUOUS;
    if (a <= 12 && b <= 31)
        return month_day(d, a, b);
    if (b <= 12 && a <= 31)
        return month_day(d, b, a);
    return -1;
}

/* "this weekend": the first weekend day after today; "next weekend" a week later when
   said on a Saturday or a weekday. */
static long weekend(const struct tokens *t, size_t i, const struct dt *d)
{
    int wd = civil_weekday(d->today);
    long day = d->today + (wd == 6 ? 1 : 6 - wd);

    if (i > 0 && tok_is(t, i - 1, "next") && wd != 0)
        day += 7 - (wd == 6 ? 1 : 0);
    return day;
}

/* "a week from Monday": the day named, a week on. */
static int week_from(const struct tokens *t, size_t i)
{
    return i >= 2 && tok_is(t, i - 1, "from") && tok_is(t, i - 2, "week");
}

static long word_date(const struct tokens *t, size_t i, struct dt *d)
{
    const char *w = t->v[i].w;
    int wd;

    if (!strcmp(w, "today") || !strcmp(w, "tonight"))
        return d->today;
    if (!strcmp(w, "tomorrow"))
        return d->today + (i >= 2 && tok_is(t, i - 1, "after") && tok_is(t, i - 2, "day") ? 2 : 1) +
               (week_from(t, i) ? 7 : 0);
    if (!strcmp(w, "week") && i > 0 && tok_is(t, i - 1, "next"))
        return d->today + 7;
    if (!strcmp(w, "weekend"))
        return weekend(t, i, d);
    if ((wd = word_index(w, weekdays, 7)) >= 0) {
        int ahead = (wd - civil_weekday(d->today) + 7) % 7;
        return d->today + (ahead ? ahead : 7) + (week_from(t, i) ? 7 : 0);
    }
    return -1;
}

/* A calendar date: "November 25th", "the 25th of November", "12/25", "the 5th". */
static long calendar_date(const struct tokens *t, size_t i, const struct dt *d)
{
    long day = named_date(t, i, d);

    if (day == -1)
        day = slash_date(t, i, d);
    return day == -1 ? ordinal_date(t, i, d) : day;
}

/* A date the caller moves away from or turns down: "from Tuesday (to Thursday)", "instead
   of Monday", "my Thursday appointment (to Monday)", "not (on) Friday". */
static int replaced(const struct tokens *t, size_t i)
{
    size_t k = i > 0 && tok_is(t, i - 1, "the") ? i - 1 : i;

    k = k > 0 && tok_is(t, k - 1, "on") ? k - 1 : k;
    if (k == 0 || week_from(t, i))
        return 0;
    return tok_is(t, k - 1, "from") || tok_is(t, k - 1, "my") || tok_is(t, k - 1, "not") ||
           (k > 1 && tok_is(t, k - 1, "of") && tok_is(t, k - 2, "instead"));
}

/*
 * Calendar dates first, so "Monday the 30th" is the 30th; then words
 * ("tomorrow", "Friday"). A date being replaced ("from Tuesday to Thursday")
 * counts only when no other is named.
 */
static void find_date(const struct tokens *t, struct dt *d)
{
    long day, fallback = -1;
    size_t i;
    int pass;

    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < t->n; i++) {
            day = pass ? word_date(t, i, d) : calendar_date(t, i, d);
            if (day == AMBIGUOUS)
                d->ambiguous = 1;
            if (day < 0)
                continue;
            if (!replaced(t, i)) {
                d->have_date = 1, d->day = day;
                return;
            }
            if (fallback < 0)
                fallback = day;
        }
    if (fallback >= 0)
        d->have_date = 1, d->day = fallback;
}

/* ---- clock times ---- */

static void set_time(struct dt *d, int hh, int mi, int ampm)
{
    d->have_time = 1, d->hh = hh, d->mi = mi, d->ampm = ampm;
}

static int ampm_at(const struct tokens *t, size_t i)
{
    return tok_is(t, i, "am") ? 1 : tok_is(t, i, "pm") ? 2 : 0;
}

/* "half past ten", "quarter past 3", "quarter to four", "noon", "midnight". */
static int phrase_time(const struct tokens *t, size_t i, struct dt *d)
{
    int h;

    if (tok_is(t, i, "noon") || tok_is(t, i, "midday")) {
        set_time(d, 12, 0, 0);
        return 1;
    }
    if (tok_is(t, i, "midnight")) {
        set_time(d, 24, 0, 0);
        return 1;
    }
    if (tok_is(t, i, "lunchtime") || tok_is(t, i, "lunch")) {
        set_time(d, 12, 0, 0);
        return 1;
    }
    if ((tok_is(t, i, "end") && tok_is(t, i + 1, "of") &&
         (tok_is(t, i + 2, "day") || (tok_is(t, i + 2, "the") && tok_is(t, i + 3, "day")))) ||
        (tok_is(t, i, "close") && tok_is(t, i + 1, "of") && tok_is(t, i + 2, "business"))) {
        set_time(d, 17, 0, 0); /* the end of the working day */
        return 1;
    }
    h = value_at(t, i + 2, TOK_NUM);
    if (h < 1 || h > 12)
        return 0;
    if (tok_is(t, i, "half") && tok_is(t, i + 1, "past"))
        set_time(d, h, 30, ampm_at(t, i + 3));
    else if (tok_is(t, i, "quarter") && tok_is(t, i + 1, "past"))
        set_time(d, h, 15, ampm_at(t, i + 3));
    else if (tok_is(t, i, "quarter") && (tok_is(t, i + 1, "to") || tok_is(t, i + 1, "till")))
        set_time(d, h == 1 ? 12 : h - 1, 45, ampm_at(t, i + 3));
    else
        return 0;
    return 1;
}

static int after_at(const struct tokens *t, size_t i)
{
    static const char *const preps[] = {"at",   "around", "about",  "by", "until",
                                        "till", "after",  "before", NULL};

    return i > 0 && word_listed(t->v[i - 1].w, preps);
}

static int period_at(const struct tokens *t, size_t i)
{
    return tok_is(t, i, "morning") || tok_is(t, i, "afternoon") || tok_is(t, i, "evening") ||
           tok_is(t, i, "night") || tok_is(t, i, "tonight");
}

/* Minutes said after the hour at token i: "ten thirty", "nine oh five"; *last is their token. */
static int spoken_minutes(const struct tokens *t, size_t i, size_t *last)
{
    int h = t->v[i].num, oh = tok_is(t, i + 1, "oh") || tok_is(t, i + 1, "o");
    int mi = value_at(t, i + 1 + (size_t)oh, TOK_NUM);

    *last = i;
    if (h < 1 || h > 12 || mi < 0 || mi > 59 || (oh && mi > 9) || i + 1 + oh >= t->n ||
        !spelled(t->v[i + 1 + oh].w))
        return 0;
    *last = i + 1 + (size_t)oh;
    return mi;
}

/*
 * A bare number is a time when said as one: after "at", "around", "by" ...,
 * before "o'clock", with minutes in words ("ten thirty"), or before a part of
 * the day ("ten in the morning", "seven tonight"; not "a table for four
 * tonight").
 */
static int said_as_time(const struct tokens *t, size_t i, size_t last, int mi)
{
    size_t n = last + 1;

    if (tok_is(t, n, "oclock") || (last > i && (mi >= 10 || last == i + 2))) /* "nine oh five" */
        return 1;
    if (i > 0 && (tok_is(t, i - 1, "for") || tok_is(t, i - 1, "of")))
        return after_at(t, i);
    if (tok_is(t, n, "tonight") || ((tok_is(t, n, "in") || tok_is(t, n, "this")) &&
                                    period_at(t, n + 1 + tok_is(t, n + 1, "the"))))
        return 1;
    return after_at(t, i) && !unit_seconds(n < t->n ? t->v[n].w : "");
}

/* "3 pm", "3:30", "15:30", "ten thirty am", "at 10", "4 o'clock". */
static int number_time(const struct tokens *t, size_t i, struct dt *d)
{
    const struct token *k = &t->v[i];
    int h = k->num, mi, ap;
    size_t last;

    if (k->flags & TOK_CLOCK) {
        if (h > 23 || k->min > 59)
            return 0;
        set_time(d, h, k->min, ampm_at(t, i + 1));
        return 1;
    }
    if (!(k->flags & TOK_NUM) || h > 23)
        return 0;
    mi = spoken_minutes(t, i, &last);
    ap = ampm_at(t, last + 1);
    if (ap && (h < 1 || h > 12))
        return 0;
    if (!ap && !said_as_time(t, i, last, mi))
        return 0;
    set_time(d, h, mi, ap);
    return 1;
}

static void find_time(const struct tokens *t, struct dt *d)
{
    size_t i;

    for (i = 0; i < t->n && !d->have_time; i++) {
        if (tok_is(t, i, "in") && relative_at(t, i, &(struct dt){0}))
            i += 2; /* "in 3 hours" is not a clock time */
        else if (!phrase_time(t, i, d))
            number_time(t, i, d);
    }
}

/* ---- parts of the day ---- */

static void find_period(const struct tokens *t, struct dt *d)
{
    static const struct {
        const char *w;
        int hh, pm;
    } parts[] = {{"morning", 9, 0},  {"afternoon", 14, 1}, {"evening", 18, 1},
                 {"tonight", 20, 1}, {"night", 20, 1},     {"dinner", 19, 1}};
    size_t i, k;

    for (i = 0; i < t->n; i++)
        for (k = 0; k < HL_ARRAY_LEN(parts); k++)
            if (!strcmp(t->v[i].w, parts[k].w) &&
                !(i > 0 && (tok_is(t, i - 1, "good") || tok_is(t, i - 1, "last")))) {
                d->period_hh = parts[k].hh, d->period_pm = parts[k].pm;
                return;
            }
}

/* ---- putting it together ---- */

/* The 24-hour hour of what was said: explicit am/pm, then the part of the day, then a guess. */
static int hour24(const struct dt *d)
{
    int h = d->hh;

    if (h >= 13 || h == 24)
        return h;
    if (d->ampm == 2 || (!d->ampm && d->period_pm && d->period_hh >= 0))
        return h == 12 ? 12 : h + 12;
    if (d->ampm == 1)
        return h == 12 ? 0 : h;
    if (d->period_hh >= 0 || h == 0)
        return h;
    return h >= 1 && h <= 6 ? h + 12 : h; /* "at 3" means 3 pm; "at 10", 10 am */
}

static int resolve(const struct dt *d, const char *zone, time_t now, time_t *when)
{
    struct civil c = {0};
    long day = d->have_date ? d->day : d->today;

    if (d->have_time)
        c.hh = hour24(d), c.mi = d->mi;
    else
        c.hh = d->period_hh >= 0 ? d->period_hh : 9;
    civil_from_days(day, &c.y, &c.m, &c.d);
    if (tz_from_civil(zone, &c, when) != HL_OK)
        return 0;
    if (*when > now)
        return 1;
    if (!d->have_date) /* a time alone means its next occurrence */
        civil_from_days(day + 1, &c.y, &c.m, &c.d);
    else if (!d->have_time && day == d->today && d->now.hh < 23)
        c.hh = d->now.hh + 1, c.mi = 0; /* "today" after its hour: the next whole hour */
    else
        return 1;
    return tz_from_civil(zone, &c, when) == HL_OK;
}

int datetime_find(const struct tokens *t, const char *zone, time_t now, time_t *when)
{
    struct dt d = {0};
    size_t i;

    d.period_hh = -1;
    if (tz_to_civil(zone, now, &d.now) != HL_OK)
        return 0;
    d.today = civil_days(d.now.y, d.now.m, d.now.d);
    for (i = 0; i < t->n && !relative_at(t, i, &d);)
        i++;
    if (d.have_rel) {
        *when = now + d.rel_s;
        return 1;
    }
    find_date(t, &d);
    find_time(t, &d);
    find_period(t, &d);
    if (d.ambiguous || (!d.have_date && !d.have_time && d.period_hh < 0))
        return 0;
    return resolve(&d, zone, now, when);
}
