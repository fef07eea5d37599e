/*
 * test_notes.c — the ideas of sealed notes held in memory (src/notes/ideas.h):
 * a hit before the time to live, a miss after it, the sweeper wiping expired
 * entries with no one asking, the bound on entries (oldest out first), a
 * replaced note, the cut of long ideas at a whole line; and the IDEAS reply
 * built from them (numbering, no ideas, the 1,600-character cut at a whole
 * idea).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "notes/ideas.h"
#include "core/banned.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static struct ideas_cache *cache(size_t max, long ttl_ms)
{
    struct ideas_cache *c = NULL;
    struct hl_err err = {0};

    assert_int_equal(ideas_cache_new(&c, max, ttl_ms, &err), HL_OK);
    return c;
}

static void ideas_are_there_before_the_ttl_and_gone_after(void **state)
{
    struct ideas_cache *c = cache(8, 200);
    char out[IDEAS_TEXT_MAX + 1];

    (void)state;
    ideas_cache_put(c, 7, "Call the lab.\nOrder gloves.");
    assert_int_equal(ideas_cache_get(c, 7, out, sizeof(out)), 1);
    assert_string_equal(out, "Call the lab.\nOrder gloves.");
    assert_int_equal(ideas_cache_get(c, 8, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    sleep_ms(300);
    assert_int_equal(ideas_cache_get(c, 7, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    ideas_cache_free(c);
}

static void the_sweeper_wipes_expired_ideas_without_being_asked(void **state)
{
    struct ideas_cache *c = cache(8, 100);
    int i;

    (void)state;
    ideas_cache_put(c, 1, "a");
    ideas_cache_put(c, 2, "b");
    assert_int_equal(ideas_cache_count(c), 2);
    for (i = 0; i < 100 && ideas_cache_count(c) != 0; i++)
        sleep_ms(10);
    assert_int_equal(ideas_cache_count(c), 0);
    /* And it keeps working after sleeping with nothing to watch. */
    ideas_cache_put(c, 3, "c");
    assert_int_equal(ideas_cache_count(c), 1);
    for (i = 0; i < 100 && ideas_cache_count(c) != 0; i++)
        sleep_ms(10);
    assert_int_equal(ideas_cache_count(c), 0);
    ideas_cache_free(c);
}

static void a_full_cache_lets_the_oldest_go(void **state)
{
    struct ideas_cache *c = cache(3, 60000);
    char out[64];

    (void)state;
    ideas_cache_put(c, 1, "one");
    sleep_ms(2);
    ideas_cache_put(c, 2, "two");
    sleep_ms(2);
    ideas_cache_put(c, 3, "three");
    sleep_ms(2);
    ideas_cache_put(c, 4, "four");
    assert_int_equal(ideas_cache_count(c), 3);
    assert_int_equal(ideas_cache_get(c, 1, out, sizeof(out)), 0);
    assert_int_equal(ideas_cache_get(c, 4, out, sizeof(out)), 1);
    assert_string_equal(out, "four");
    /* Putting a note again replaces it in place and does not take a second slot. */
    ideas_cache_put(c, 2, "two again");
    assert_int_equal(ideas_cache_count(c), 3);
    assert_int_equal(ideas_cache_get(c, 2, out, sizeof(out)), 1);
    assert_string_equal(out, "two again");
    assert_int_equal(ideas_cache_get(c, 3, out, sizeof(out)), 1);
    ideas_cache_free(c);
}

static void long_ideas_are_cut_at_a_whole_line(void **state)
{
    struct ideas_cache *c = cache(2, 60000);
    char text[3000], out[IDEAS_TEXT_MAX + 1], small[12];
    size_t n = 0;

    (void)state;
    while (n + 100 < sizeof(text)) { /* lines of 99 'x' */
        memset(text + n, 'x', 99);
        text[n + 99] = '\n';
        n += 100;
    }
    text[n - 1] = '\0';
    ideas_cache_put(c, 5, text);
    assert_int_equal(ideas_cache_get(c, 5, out, sizeof(out)), 1);
    assert_int_equal(strlen(out), 1399); /* 14 lines of 99 and 13 newlines */
    assert_int_equal(out[strlen(out) - 1], 'x');
    assert_int_equal(ideas_cache_get(c, 5, small, sizeof(small)), 1);
    assert_string_equal(small, ""); /* not even one line fits */
    ideas_cache_put(NULL, 1, "ignored");
    assert_int_equal(ideas_cache_get(NULL, 1, out, sizeof(out)), 0);
    assert_int_equal(ideas_cache_get(c, 0, out, sizeof(out)), 0);
    ideas_cache_free(c);
    ideas_cache_free(NULL);
}

static void a_cache_needs_room_and_a_ttl(void **state)
{
    struct ideas_cache *c = (struct ideas_cache *)1;
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(ideas_cache_new(&c, 0, 1000, &err), HL_EINVAL);
    assert_null(c);
    assert_int_equal(ideas_cache_new(&c, 4, 0, &err), HL_EINVAL);
}

static void the_reply_numbers_the_ideas(void **state)
{
    char out[1601];

    (void)state;
    ideas_reply(42, "Call the lab.\nOrder gloves.", out, sizeof(out));
    assert_string_equal(out, "Ideas from your note (ID: 42):\n1. Call the lab.\n2. Order gloves.");
    ideas_reply(42, "", out, sizeof(out));
    assert_string_equal(out, "Your note (ID: 42) has no ideas we could find.");
    ideas_reply(9, NULL, out, sizeof(out));
    assert_string_equal(out, "Your note (ID: 9) has no ideas we could find.");
}

static void the_reply_fits_one_message_and_stops_at_a_whole_idea(void **state)
{
    char ideas[4000], out[4000];
    size_t n = 0;

    (void)state;
    while (n + 200 < sizeof(ideas)) {
        memset(ideas + n, 'y', 199);
        ideas[n + 199] = '\n';
        n += 200;
    }
    ideas[n - 1] = '\0';
    ideas_reply(3, ideas, out, sizeof(out));
    assert_true(strlen(out) <= 1600);
    assert_true(strlen(out) > 1400);
    assert_int_equal(out[strlen(out) - 1], 'y');
    assert_non_null(strstr(out, "\n7. y"));
    assert_null(strstr(out, "\n8. "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ideas_are_there_before_the_ttl_and_gone_after),
        cmocka_unit_test(the_sweeper_wipes_expired_ideas_without_being_asked),
        cmocka_unit_test(a_full_cache_lets_the_oldest_go),
        cmocka_unit_test(long_ideas_are_cut_at_a_whole_line),
        cmocka_unit_test(a_cache_needs_room_and_a_ttl),
        cmocka_unit_test(the_reply_numbers_the_ideas),
        cmocka_unit_test(the_reply_fits_one_message_and_stops_at_a_whole_idea),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
