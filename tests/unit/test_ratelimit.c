/*
 * test_ratelimit.c — the token buckets behind the API's send rate and the
 * dashboard's failed logins: a burst, a steady refill, and a peek that
 * answers like a take without spending anything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "api/ratelimit.h"

#include "core/banned.h"

#define SECOND 1000000000ull

static void burst_then_refill_per_minute(void **state)
{
    struct ratelimit *rl = ratelimit_new(2, 60, 3);
    long retry = 0;
    int i;

    (void)state;
    for (i = 0; i < 3; i++)
        assert_true(ratelimit_take(rl, 0, 10 * SECOND, &retry));
    assert_false(ratelimit_take(rl, 0, 10 * SECOND, &retry));
    assert_int_equal(retry, 1);
    assert_true(ratelimit_take(rl, 1, 10 * SECOND, NULL)); /* another key, its own bucket */
    assert_true(ratelimit_take(rl, 0, 11 * SECOND, NULL)); /* one a second comes back */
    assert_false(ratelimit_take(rl, 0, 11 * SECOND, NULL));
    ratelimit_free(rl);
}

static void peek_answers_without_spending(void **state)
{
    struct ratelimit *rl = ratelimit_new(1, 6, 2);
    long retry = 0;
    int i;

    (void)state;
    for (i = 0; i < 5; i++)
        assert_true(ratelimit_peek(rl, 0, SECOND, &retry));
    assert_true(ratelimit_take(rl, 0, SECOND, NULL));
    assert_true(ratelimit_take(rl, 0, SECOND, NULL));
    assert_false(ratelimit_peek(rl, 0, SECOND, &retry));
    assert_int_equal(retry, 10); /* 6 a minute: one every 10 s */
    assert_false(ratelimit_peek(rl, 0, 5 * SECOND, &retry));
    assert_int_equal(retry, 6);
    assert_true(ratelimit_peek(rl, 0, 11 * SECOND, &retry));
    ratelimit_free(rl);
}

static void zero_per_minute_never_limits(void **state)
{
    struct ratelimit *rl = ratelimit_new(1, 0, 1);
    int i;

    (void)state;
    for (i = 0; i < 100; i++)
        assert_true(ratelimit_take(rl, 0, SECOND, NULL));
    assert_true(ratelimit_peek(rl, 0, SECOND, NULL));
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_refill_per_minute),
        cmocka_unit_test(peek_answers_without_spending),
        cmocka_unit_test(zero_per_minute_never_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
