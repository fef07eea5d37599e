/*
 * test_analysis.c — the rules engine of src/analysis/ (analysis.h).
 *
 * A table of spoken dates and times resolved against fixed call times in
 * America/New_York: the main one is Saturday 2026-11-21 10:00, with a
 * spring-forward weekend (8 March 2026, 02:00 skipped), the fall-back day,
 * a month end and a year end. Then intents (cues, negation, precedence, bare
 * times as bookings), cancellations, ideas, summaries (booking form, trimmed
 * first sentence), the JSON shape, refusals of bad options, and several
 * threads converting in two zones at once. tests/tools/analysis_eval scores
 * the rules on the labelled sets of tests/data/analysis/.
 */
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/analysis.h"
#include "analysis/analysis_internal.h"
#include "core/banned.h"

#define NOV21 "2026-11-21T10:00:00-05:00" /* a Saturday */
#define MAR07 "2026-03-07T10:00:00-05:00" /* the Saturday before DST starts */
#define MAR08 "2026-03-08T01:30:00-05:00" /* half an hour before the skipped hour */
#define OCT31 "2026-10-31T10:00:00-04:00" /* the day before DST ends */
#define JAN31 "2026-01-31T10:00:00-05:00" /* a month end (Saturday) */
#define DEC31 "2026-12-31T18:00:00-05:00" /* a year end (Thursday) */
#define NOV25 "2026-11-25T10:00:00-05:00" /* a Wednesday */

struct when_case {
    const char *now, *said, *expect; /* expect NULL: no time found */
};

static const struct when_case when_cases[] = {
    {NOV21, "I need an appointment tomorrow at 3 PM", "2026-11-22T15:00:00-05:00"},
    {NOV21, "next Monday at 10", "2026-11-23T10:00:00-05:00"},
    {NOV21, "Monday at 10 works", "2026-11-23T10:00:00-05:00"},
    {NOV21, "on the 5th at noon", "2026-12-05T12:00:00-05:00"},
    {NOV21, "in two hours", "2026-11-21T12:00:00-05:00"},
    {NOV21, "in 45 minutes", "2026-11-21T10:45:00-05:00"},
    {NOV21, "in half an hour", "2026-11-21T10:30:00-05:00"},
    {NOV21, "in an hour", "2026-11-21T11:00:00-05:00"},
    {NOV21, "in three days at 4pm", "2026-11-24T16:00:00-05:00"},
    {NOV21, "Friday morning", "2026-11-27T09:00:00-05:00"},
    {NOV21, "Friday afternoon", "2026-11-27T14:00:00-05:00"},
    {NOV21, "Tuesday evening", "2026-11-24T18:00:00-05:00"},
    {NOV21, "tomorrow evening at 7", "2026-11-22T19:00:00-05:00"},
    {NOV21, "Friday morning at 10", "2026-11-27T10:00:00-05:00"},
    {NOV21, "tomorrow at noon", "2026-11-22T12:00:00-05:00"},
    {NOV21, "tomorrow at midnight", "2026-11-23T00:00:00-05:00"},
    {NOV21, "half past four tomorrow", "2026-11-22T16:30:00-05:00"},
    {NOV21, "quarter past nine on Monday", "2026-11-23T09:15:00-05:00"},
    {NOV21, "quarter to three on Tuesday", "2026-11-24T14:45:00-05:00"},
    {NOV21, "three pm tomorrow", "2026-11-22T15:00:00-05:00"},
    {NOV21, "tomorrow at ten thirty am", "2026-11-22T10:30:00-05:00"},
    {NOV21, "tomorrow at 15:30", "2026-11-22T15:30:00-05:00"},
    {NOV21, "tomorrow at 9:45 a.m.", "2026-11-22T09:45:00-05:00"},
    {NOV21, "tomorrow at 4 o'clock", "2026-11-22T16:00:00-05:00"},
    {NOV21, "today at 5", "2026-11-21T17:00:00-05:00"},
    {NOV21, "at 3pm", "2026-11-21T15:00:00-05:00"},
    {NOV21, "at 9am", "2026-11-22T09:00:00-05:00"}, /* already past today */
    {NOV21, "tonight at 8", "2026-11-21T20:00:00-05:00"},
    {NOV21, "tonight", "2026-11-21T20:00:00-05:00"},
    {NOV21, "this afternoon", "2026-11-21T14:00:00-05:00"},
    {NOV21, "Saturday at 11", "2026-11-28T11:00:00-05:00"}, /* today's weekday: next week */
    {NOV21, "the day after tomorrow at 9am", "2026-11-23T09:00:00-05:00"},
    {NOV21, "the 30th", "2026-11-30T09:00:00-05:00"},
    {NOV21, "the 21st at 4pm", "2026-11-21T16:00:00-05:00"},
    {NOV21, "on the fifth at 2 pm", "2026-12-05T14:00:00-05:00"},
    {NOV21, "on the twenty second at 1", "2026-11-22T13:00:00-05:00"},
    {NOV21, "November 25th at 2pm", "2026-11-25T14:00:00-05:00"},
    {NOV21, "the 3rd of December at 11", "2026-12-03T11:00:00-05:00"},
    {NOV21, "March 3 at 10am", "2027-03-03T10:00:00-05:00"},
    {NOV21, "next week", "2026-11-28T09:00:00-05:00"},
    {NOV21, "ten thirty tomorrow", "2026-11-22T10:30:00-05:00"},
    {NOV21, "monday ten oh five", "2026-11-23T10:05:00-05:00"},
    {NOV21, "ten in the morning on Tuesday", "2026-11-24T10:00:00-05:00"},
    {NOV21, "seven tonight", "2026-11-21T19:00:00-05:00"},
    {NOV21, "a table for four tonight", "2026-11-21T20:00:00-05:00"}, /* four people */
    {NOV21, "tomorrow after 5", "2026-11-22T17:00:00-05:00"},
    {NOV21, "by the end of the day", "2026-11-21T17:00:00-05:00"},
    {NOV21, "Wednesday at lunchtime", "2026-11-25T12:00:00-05:00"},
    {NOV21, "dinner on the 28th", "2026-11-28T19:00:00-05:00"},
    {NOV21, "this weekend", "2026-11-22T09:00:00-05:00"}, /* said on a Saturday */
    {NOV21, "next weekend", "2026-11-28T09:00:00-05:00"},
    {NOV25, "this weekend", "2026-11-28T09:00:00-05:00"},
    {NOV25, "next weekend", "2026-12-05T09:00:00-05:00"},
    {NOV21, "today", "2026-11-21T11:00:00-05:00"}, /* 09:00 has passed: the next hour */
    {NOV21, "Monday the 30th at 11", "2026-11-30T11:00:00-05:00"},
    {NOV21, "from Tuesday to Thursday at 2", "2026-11-26T14:00:00-05:00"},
    {NOV21, "instead of Monday, Friday at 4", "2026-11-27T16:00:00-05:00"},
    {NOV21, "move my Thursday visit to Monday at 10", "2026-11-23T10:00:00-05:00"},
    {NOV21, "a week from Monday", "2026-11-30T09:00:00-05:00"},
    {NOV21, "not on Monday, Tuesday would be better", "2026-11-24T09:00:00-05:00"},
    {NOV21, "12/25 at 10", "2026-12-25T10:00:00-05:00"},
    {NOV21, "25/12", "2026-12-25T09:00:00-05:00"},
    {NOV21, "3/3", "2027-03-03T09:00:00-05:00"},
    {NOV21, "12/03 at 10", NULL}, /* 3 December or 12 March: no time at all */
    {NOV21, "this is the third time I called", NULL},
    {NOV21, "my account number is four five six seven", NULL},
    {NOV21, "Good morning, I have a question about my bill", NULL},
    {NOV21, "I have 3 dogs and 2 cats", NULL},
    {NOV21, "", NULL},
    {MAR07, "tomorrow at 3 PM", "2026-03-08T15:00:00-04:00"},
    {MAR07, "tomorrow at 2:30 am", "2026-03-08T03:30:00-04:00"}, /* skipped: moves forward */
    {MAR07, "in 24 hours", "2026-03-08T11:00:00-04:00"},
    {MAR07, "Monday at 9", "2026-03-09T09:00:00-04:00"},
    {MAR08, "in one hour", "2026-03-08T03:30:00-04:00"},
    {OCT31, "tomorrow at 3 PM", "2026-11-01T15:00:00-05:00"},
    {OCT31, "in 24 hours", "2026-11-01T09:00:00-05:00"},
    {JAN31, "tomorrow at 9am", "2026-02-01T09:00:00-05:00"},
    {JAN31, "the 30th at 10", "2026-03-30T10:00:00-04:00"}, /* February has no 30th */
    {JAN31, "Monday at 10", "2026-02-02T10:00:00-05:00"},
    {DEC31, "tomorrow at noon", "2027-01-01T12:00:00-05:00"},
    {DEC31, "the 5th", "2027-01-05T09:00:00-05:00"},
    {DEC31, "at 8", "2027-01-01T08:00:00-05:00"},
};

static time_t iso(const char *s)
{
    time_t t = 0;

    assert_int_equal(tz_parse_iso(s, &t), 0);
    return t;
}

static struct analyzer *rules(const char *zone)
{
    struct analysis_options o = {0};
    struct analyzer *z = NULL;
    struct hl_err err = {0};

    o.engine = "rules";
    o.timezone = zone;
    assert_int_equal(analyzer_new(&o, &z, &err), HL_OK);
    return z;
}

static void run(struct analyzer *z, const char *now, const char *said, struct analysis *a)
{
    struct hl_err err = {0};

    assert_int_equal(analysis_run(z, said, iso(now), a, &err), HL_OK);
    assert_string_equal(a->engine, "rules");
}

static void dates_and_times_resolve_in_zone(void **state)
{
    struct analyzer *z = rules("America/New_York");
    struct analysis a;
    size_t i, bad = 0;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(when_cases); i++) {
        const struct when_case *c = &when_cases[i];
        run(z, c->now, c->said, &a);
        if (c->expect ? !a.has_time || strcmp(a.when_local, c->expect) : a.has_time) {
            print_error("\"%s\" at %s: got %s, expected %s\n", c->said, c->now,
                        a.has_time ? a.when_local : "none", c->expect ? c->expect : "none");
            bad++;
        }
        if (c->expect && a.has_time)
            assert_true(a.when == iso(c->expect));
        analysis_release(&a);
    }
    analyzer_free(z);
    assert_int_equal(bad, 0);
}

struct intent_case {
    const char *said;
    enum analysis_intent intent;
};

static const struct intent_case intent_cases[] = {
    {"Hi, I'd like to book an appointment for tomorrow at 3 PM", ANALYSIS_BOOKING},
    {"Can I schedule a meeting next Monday at 10?", ANALYSIS_BOOKING},
    {"Do you have any availability on Friday?", ANALYSIS_BOOKING},
    {"I want to reserve a table for four tonight", ANALYSIS_BOOKING},
    {"What are your opening hours?", ANALYSIS_QUESTION},
    {"How much does a cleaning cost", ANALYSIS_QUESTION},
    {"Do you take credit cards?", ANALYSIS_QUESTION},
    {"I'm very unhappy, the heater you installed is broken", ANALYSIS_COMPLAINT},
    {"This was terrible service and I want a refund", ANALYSIS_COMPLAINT},
    {"I'd like to make a complaint about your technician", ANALYSIS_COMPLAINT},
    {"Stop", ANALYSIS_OPT_OUT},
    {"Please remove me from your list", ANALYSIS_OPT_OUT},
    {"Do not call this number again", ANALYSIS_OPT_OUT},
    {"unsubscribe", ANALYSIS_OPT_OUT},
    {"Stop calling me, this is terrible", ANALYSIS_OPT_OUT},
    {"Hey it's Sam, just saying hi", ANALYSIS_OTHER},
    {"", ANALYSIS_OTHER},
    /* a bare date or time answers the receptionist's "when?" */
    {"next Monday at ten", ANALYSIS_BOOKING},
    {"the twelfth of March", ANALYSIS_BOOKING},
    {"check my balance", ANALYSIS_QUESTION},
    {"is it possible to pay by card", ANALYSIS_QUESTION},
    /* negation */
    {"I don't want to book anything, just saying hi", ANALYSIS_OTHER},
    {"It's not a complaint, but what are your hours?", ANALYSIS_QUESTION},
    {"I'm happy with everything, no complaints", ANALYSIS_OTHER},
    {"I'm not happy with the haircut", ANALYSIS_COMPLAINT},
    {"I'm so frustrated with this", ANALYSIS_COMPLAINT},
    {"the technician was late again", ANALYSIS_COMPLAINT},
    {"is it too late to book for tonight", ANALYSIS_BOOKING},
    /* precedence: opt-out, then a complaint, over everything */
    {"Why was I charged twice?", ANALYSIS_COMPLAINT},
    {"My appointment yesterday was a mess and the dentist was rude", ANALYSIS_COMPLAINT},
    {"Stop calling me, I want a refund", ANALYSIS_OPT_OUT},
    {"I already cancelled my appointment, take me off your list", ANALYSIS_OPT_OUT},
    /* opt-outs said in words no cue lists */
    {"never contact me again", ANALYSIS_OPT_OUT},
    {"I don't want these text messages anymore", ANALYSIS_OPT_OUT},
    {"I'd like to be removed from your call list", ANALYSIS_OPT_OUT},
    {"I need a mole removed from my back, can I book for Friday", ANALYSIS_BOOKING},
    {"you never call back when you say you will, it's ridiculous", ANALYSIS_COMPLAINT},
    {"I didn't get a text again, is the reminder broken?", ANALYSIS_COMPLAINT},
    /* small talk with a time in it is not a booking */
    {"sorry, wrong number", ANALYSIS_OTHER},
    {"I'm on my way, I'll be there in ten minutes", ANALYSIS_OTHER},
    {"the weather is lovely today", ANALYSIS_OTHER},
};

static void intents_by_keyword_score(void **state)
{
    struct analyzer *z = rules(NULL);
    struct analysis a;
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(intent_cases); i++) {
        run(z, NOV21, intent_cases[i].said, &a);
        if (a.intent != intent_cases[i].intent)
            fail_msg("\"%s\": %s, expected %s", intent_cases[i].said,
                     analysis_intent_name(a.intent), analysis_intent_name(intent_cases[i].intent));
        analysis_release(&a);
    }
    analyzer_free(z);
}

static void ideas_are_actionable_sentences(void **state)
{
    struct analyzer *z = rules(NULL);
    struct analysis a;

    (void)state;
    run(z, NOV21,
        "Hey, it's me. We should add a dark mode to the app! The weather is nice today. "
        "Remember to call Bob about the invoice. Buy milk. I was at the store. "
        "Let's try the new pricing page next week? Idea: a podcast about sourdough.\n"
        "Could we move the launch to May? It rained.",
        &a);
    assert_int_equal(a.n_ideas, 6);
    assert_string_equal(a.ideas[0], "We should add a dark mode to the app!");
    assert_string_equal(a.ideas[1], "Remember to call Bob about the invoice.");
    assert_string_equal(a.ideas[2], "Buy milk.");
    assert_string_equal(a.ideas[3], "Let's try the new pricing page next week?");
    assert_string_equal(a.ideas[4], "Idea: a podcast about sourdough.");
    assert_string_equal(a.ideas[5], "Could we move the launch to May?");
    analysis_release(&a);
    run(z, NOV21, "Just checking in. Nothing much to report.", &a);
    assert_int_equal(a.n_ideas, 0);
    assert_null(a.ideas);
    analysis_release(&a);
    analyzer_free(z);
}

static void summary_is_one_short_line(void **state)
{
    struct analyzer *z = rules(NULL);
    struct analysis a;
    char long_text[600];

    (void)state;
    run(z, NOV21, "Hi, can I book an appointment for Tuesday at 3 PM? Thanks.", &a);
    assert_string_equal(a.summary, "Booking request for Tue 24 Nov 15:00");
    analysis_release(&a);
    run(z, NOV21, "What are your opening hours? I may come by.", &a);
    assert_string_equal(a.summary, "Question: What are your opening hours?");
    analysis_release(&a);
    memset(long_text, 0, sizeof(long_text));
    for (size_t i = 0; i + 6 < sizeof(long_text) - 1; i += 6)
        memcpy(long_text + i, "blah, ", 6);
    run(z, NOV21, long_text, &a);
    assert_true(strlen(a.summary) <= 124);
    assert_non_null(strstr(a.summary, "..."));
    assert_null(strchr(a.summary, '\n'));
    analysis_release(&a);
    run(z, NOV21, "   ", &a);
    assert_string_equal(a.summary, "Nothing was said");
    analysis_release(&a);
    analyzer_free(z);
}

static void cancellations_keep_no_time(void **state)
{
    struct analyzer *z = rules(NULL);
    struct analysis a;

    (void)state;
    run(z, NOV21, "I need to cancel my appointment on Tuesday at 2. Thanks", &a);
    assert_int_equal(a.intent, ANALYSIS_BOOKING);
    assert_int_equal(a.has_time, 0);
    assert_string_equal(a.when_local, "");
    assert_string_equal(a.summary,
                        "Cancellation request: I need to cancel my appointment on Tuesday at 2.");
    analysis_release(&a);
    run(z, NOV21, "I can't make it on Friday", &a);
    assert_int_equal(a.intent, ANALYSIS_BOOKING);
    assert_int_equal(a.has_time, 0);
    analysis_release(&a);
    run(z, NOV21, "Please don't cancel, move it to Friday at 4 instead", &a);
    assert_int_equal(a.intent, ANALYSIS_BOOKING);
    assert_string_equal(a.when_local, "2026-11-27T16:00:00-05:00");
    assert_string_equal(a.summary, "Booking request for Fri 27 Nov 16:00");
    analysis_release(&a);
    analyzer_free(z);
}

static void json_has_the_documented_shape(void **state)
{
    struct analyzer *z = rules(NULL);
    struct analysis a;
    json_t *o;
    char *s;

    (void)state;
    run(z, NOV21, "I need an appointment tomorrow at 3 PM. Remember to bring the \"forms\".", &a);
    s = analysis_to_json(&a);
    o = json_loads(s, 0, NULL);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), 6);
    assert_string_equal(json_string_value(json_object_get(o, "intent")), "booking");
    assert_string_equal(json_string_value(json_object_get(o, "when")), "2026-11-22T20:00:00Z");
    assert_string_equal(json_string_value(json_object_get(o, "when_local")),
                        "2026-11-22T15:00:00-05:00");
    assert_string_equal(json_string_value(json_object_get(o, "summary")),
                        "Booking request for Sun 22 Nov 15:00");
    assert_int_equal(json_array_size(json_object_get(o, "ideas")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "ideas"), 0)),
                        "Remember to bring the \"forms\".");
    assert_string_equal(json_string_value(json_object_get(o, "engine")), "rules");
    json_decref(o);
    free(s);
    analysis_release(&a);
    run(z, NOV21, "caf\xc3\xa9 \xff\xfe broken bytes", &a);
    s = analysis_to_json(&a);
    o = json_loads(s, 0, NULL);
    assert_non_null(o);
    assert_true(json_is_null(json_object_get(o, "when")));
    assert_true(json_is_null(json_object_get(o, "when_local")));
    json_decref(o);
    free(s);
    analysis_release(&a);
    analyzer_free(z);
}

static void bad_options_are_refused(void **state)
{
    struct analysis_options o = {0};
    struct analyzer *z = NULL;
    struct hl_err err = {0};
    struct analysis a;

    (void)state;
    o.engine = "gpt";
    assert_int_equal(analyzer_new(&o, &z, &err), HL_ECONFIG);
    assert_null(z);
    o.engine = "rules";
    o.timezone = "Mars/Olympus_Mons";
    assert_int_equal(analyzer_new(&o, &z, &err), HL_ECONFIG);
    o.timezone = "../../etc/passwd";
    assert_int_equal(analyzer_new(&o, &z, &err), HL_ECONFIG);
    o.timezone = "Europe/Berlin";
    assert_int_equal(analyzer_new(&o, &z, &err), HL_OK);
    assert_string_equal(analyzer_engine(z), "rules");
    assert_int_equal(analysis_run(z, NULL, 0, &a, &err), HL_EINVAL);
    analysis_release(&a);
    analysis_release(&a);
    analyzer_free(z);
}

struct worker {
    const char *zone, *expect;
};

static void *convert_many(void *arg)
{
    const struct worker *w = arg;
    struct analyzer *z = rules(w->zone);
    struct analysis a;
    int i, bad = 0;

    for (i = 0; i < 300; i++) {
        struct hl_err err = {0};
        analysis_run(z, "tomorrow at 3 PM", iso(NOV21), &a, &err);
        bad += strcmp(a.when_local, w->expect) != 0;
        analysis_release(&a);
    }
    analyzer_free(z);
    return (void *)(intptr_t)bad;
}

static void zones_do_not_leak_between_threads(void **state)
{
    static const struct worker w[] = {
        {"America/New_York", "2026-11-22T15:00:00-05:00"},
        {"Asia/Tokyo", "2026-11-23T15:00:00+09:00"}, /* the 22nd there */
        {"Europe/Berlin", "2026-11-22T15:00:00+01:00"},
        {"Asia/Kolkata", "2026-11-22T15:00:00+05:30"}};
    pthread_t th[4];
    void *bad;
    size_t i;

    (void)state;
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, convert_many, (void *)&w[i]), 0);
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], &bad);
        assert_int_equal((intptr_t)bad, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_and_times_resolve_in_zone),
        cmocka_unit_test(intents_by_keyword_score),
        cmocka_unit_test(ideas_are_actionable_sentences),
        cmocka_unit_test(summary_is_one_short_line),
        cmocka_unit_test(cancellations_keep_no_time),
        cmocka_unit_test(json_has_the_documented_shape),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(zones_do_not_leak_between_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
