/*
 * test_batch_group.c — the event loops' batches, run together (src/http/batch_group.h).
 *
 * Covers one loop's items run in one call, in order; a loop's batch waiting
 * for another loop that holds items and carrying both in one call; that wait
 * ending after wait_us when the other loop does not come, whose items then
 * go into a batch of their own; and, with four threads submitting thousands
 * of batches at once, every item run exactly once, before its loop's
 * batch_group_run() returns, with no two batches running at the same time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "http/batch_group.h"
#include "core/banned.h"

enum { MAX_BATCHES = 64, MAX_ITEMS = 64 };

/* What the run callback saw. */
struct record {
    int batches;
    size_t sizes[MAX_BATCHES];
    int items[MAX_BATCHES][MAX_ITEMS];
};

static void record_run(void *ctx, void **items, size_t n)
{
    struct record *r = ctx;
    size_t i;

    assert_true(r->batches < MAX_BATCHES);
    r->sizes[r->batches] = n;
    for (i = 0; i < n && i < MAX_ITEMS; i++)
        r->items[r->batches][i] = *(int *)items[i];
    r->batches++;
}

static uint64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&t, NULL);
}

static void test_one_loop_runs_its_items_in_order(void **state)
{
    struct record r = {0};
    struct batch_group *g = batch_group_new(record_run, &r, 1, 1000000);
    int values[3] = {7, 8, 9};
    void *items[3] = {&values[0], &values[1], &values[2]};
    uint64_t start = now_ms();

    (void)state;
    batch_group_hold(g, 0);
    batch_group_run(g, 0, items, 3);
    assert_true(now_ms() - start < 500); /* no other loop to wait for */
    assert_int_equal(r.batches, 1);
    assert_int_equal(r.sizes[0], 3);
    assert_int_equal(r.items[0][0], 7);
    assert_int_equal(r.items[0][1], 8);
    assert_int_equal(r.items[0][2], 9);

    batch_group_hold(g, 0);
    batch_group_run(g, 0, items, 1);
    assert_int_equal(r.batches, 2);
    assert_int_equal(r.sizes[1], 1);
    batch_group_free(g);
}

/* The second loop: holds its items, submits them after a delay. */
struct late_loop {
    struct batch_group *g;
    long delay_ms;
    int value;
};

static void *late_loop_main(void *arg)
{
    struct late_loop *l = arg;
    void *item = &l->value;

    sleep_ms(l->delay_ms);
    batch_group_run(l->g, 1, &item, 1);
    return NULL;
}

static void test_a_batch_waits_for_a_loop_holding_items(void **state)
{
    struct record r = {0};
    struct batch_group *g = batch_group_new(record_run, &r, 2, 10 * 1000000);
    struct late_loop other = {g, 50, 2};
    int values[2] = {0, 1};
    void *items[2] = {&values[0], &values[1]};
    pthread_t thread;
    uint64_t start;

    (void)state;
    batch_group_hold(g, 1); /* the other loop is in its round, holding one */
    batch_group_hold(g, 0);
    start = now_ms();
    assert_int_equal(pthread_create(&thread, NULL, late_loop_main, &other), 0);
    batch_group_run(g, 0, items, 2);
    pthread_join(thread, NULL);

    assert_true(now_ms() - start >= 45);
    assert_int_equal(r.batches, 1); /* one call carried both loops' items */
    assert_int_equal(r.sizes[0], 3);
    assert_int_equal(r.items[0][0], 0);
    assert_int_equal(r.items[0][1], 1);
    assert_int_equal(r.items[0][2], 2);
    batch_group_free(g);
}

static void test_the_wait_ends_after_wait_us(void **state)
{
    struct record r = {0};
    struct batch_group *g = batch_group_new(record_run, &r, 2, 30 * 1000);
    struct late_loop other = {g, 0, 5};
    int value = 4;
    void *item = &value;
    pthread_t thread;
    uint64_t start, waited;

    (void)state;
    batch_group_hold(g, 1); /* holds, and does not come within 30 ms */
    batch_group_hold(g, 0);
    start = now_ms();
    batch_group_run(g, 0, &item, 1);
    waited = now_ms() - start;
    assert_true(waited >= 25);
    assert_true(waited < 5000);
    assert_int_equal(r.batches, 1);
    assert_int_equal(r.sizes[0], 1);
    assert_int_equal(r.items[0][0], 4);

    assert_int_equal(pthread_create(&thread, NULL, late_loop_main, &other), 0);
    pthread_join(thread, NULL);
    assert_int_equal(r.batches, 2); /* the late loop's item: a batch of its own */
    assert_int_equal(r.sizes[1], 1);
    assert_int_equal(r.items[1][0], 5);
    batch_group_free(g);
}

/* ---- Many loops at once ---------------------------------------------------------------- */

enum { LOOPS = 4, ROUNDS = 1500, PER_ROUND = 5 };

struct stress {
    struct batch_group *g;
    atomic_int runs[LOOPS * ROUNDS * PER_ROUND]; /* how often each item was run */
    atomic_int in_batch;                         /* batches running now */
    atomic_int overlaps;
    atomic_int batches;
};

struct stress_loop {
    struct stress *s;
    int loop;
    int ids[ROUNDS * PER_ROUND];
    atomic_int unrun_on_return;
};

static void stress_run(void *ctx, void **items, size_t n)
{
    struct stress *s = ctx;
    size_t i;

    if (atomic_fetch_add(&s->in_batch, 1) != 0)
        atomic_fetch_add(&s->overlaps, 1);
    for (i = 0; i < n; i++)
        atomic_fetch_add(&s->runs[*(int *)items[i]], 1);
    atomic_fetch_add(&s->batches, 1);
    atomic_fetch_sub(&s->in_batch, 1);
}

static void *stress_loop_main(void *arg)
{
    struct stress_loop *l = arg;
    int round, i;

    for (round = 0; round < ROUNDS; round++) {
        void *items[PER_ROUND];
        int n = 1 + (round * 7 + l->loop) % PER_ROUND;
        for (i = 0; i < n; i++)
            items[i] = &l->ids[round * PER_ROUND + i];
        batch_group_hold(l->s->g, l->loop);
        batch_group_run(l->s->g, l->loop, items, (size_t)n);
        for (i = 0; i < n; i++)
            if (atomic_load(&l->s->runs[l->ids[round * PER_ROUND + i]]) != 1)
                atomic_fetch_add(&l->unrun_on_return, 1);
    }
    return NULL;
}

static void test_many_loops_every_item_once(void **state)
{
    static struct stress s;
    static struct stress_loop loops[LOOPS];
    pthread_t threads[LOOPS];
    int i, j, expected = 0, total = 0;

    (void)state;
    memset(&s, 0, sizeof(s));
    s.g = batch_group_new(stress_run, &s, LOOPS, 200);
    for (i = 0; i < LOOPS; i++) {
        loops[i].s = &s;
        loops[i].loop = i;
        atomic_init(&loops[i].unrun_on_return, 0);
        for (j = 0; j < ROUNDS * PER_ROUND; j++)
            loops[i].ids[j] = i * ROUNDS * PER_ROUND + j;
        for (j = 0; j < ROUNDS; j++)
            expected += 1 + (j * 7 + i) % PER_ROUND;
    }
    for (i = 0; i < LOOPS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, stress_loop_main, &loops[i]), 0);
    for (i = 0; i < LOOPS; i++)
        pthread_join(threads[i], NULL);

    for (i = 0; i < LOOPS * ROUNDS * PER_ROUND; i++) {
        int runs = atomic_load(&s.runs[i]);
        assert_true(runs == 0 || runs == 1);
        total += runs;
    }
    assert_int_equal(total, expected);
    for (i = 0; i < LOOPS; i++)
        assert_int_equal(atomic_load(&loops[i].unrun_on_return), 0);
    assert_int_equal(atomic_load(&s.overlaps), 0);
    assert_true(atomic_load(&s.batches) <= LOOPS * ROUNDS);
    batch_group_free(s.g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_loop_runs_its_items_in_order),
        cmocka_unit_test(test_a_batch_waits_for_a_loop_holding_items),
        cmocka_unit_test(test_the_wait_ends_after_wait_us),
        cmocka_unit_test(test_many_loops_every_item_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
