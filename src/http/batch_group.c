/*
 * batch_group.c — the event loops' batches, run together (see batch_group.h).
 *
 * Batches are numbered in the order they are run. A loop that submits its
 * items learns the number of the batch that will carry them (the next one
 * not yet taken) and waits until that batch has been run. If no batch is
 * running, the loop runs one itself: it first waits, at most wait_us, for
 * the other loops that are holding items or are about to, then takes
 * everything submitted so far. One batch runs at a time, so the batches are
 * run in order and each item exactly once.
 *
 * "About to": a loop whose last items were submitted less than RECENT_US
 * ago. Waiting only for loops that hold items at that instant is not enough:
 * two busy loops drift into turns — one commits while the other sends its
 * answers and reads the next requests — and then neither ever finds the
 * other holding. Waited for once, they answer together, their clients send
 * together, and they stay in step.
 */
#include "http/batch_group.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hl.h"
#include "core/banned.h"

enum { RECENT_US = 1000 };

struct loop_state {
    int holding;             /* holds items it has not submitted */
    uint64_t batch;          /* the batch its last items went into */
    uint64_t last_submit_us; /* when it submitted them */
};

struct batch_group {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* items were submitted, or a batch has been run */
    batch_group_fn *run;
    void *ctx;
    unsigned wait_us;
    struct loop_state *loops;
    int n_loops;
    void **queued; /* submitted, not yet taken by a batch */
    size_t queued_count, queued_cap;
    void **taken; /* the running batch's items: the queue it took, swapped out */
    size_t taken_cap;
    int running;      /* a batch is being run */
    uint64_t started; /* batches taken so far */
    uint64_t done;    /* batches run to the end */
};

static uint64_t now_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

struct batch_group *batch_group_new(batch_group_fn *run, void *ctx, int loops, unsigned wait_us)
{
    struct batch_group *g = hl_calloc(1, sizeof(*g));
    pthread_condattr_t monotonic;

    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&g->changed, &monotonic);
    pthread_condattr_destroy(&monotonic);
    g->run = run;
    g->ctx = ctx;
    g->wait_us = wait_us;
    g->loops = hl_calloc((size_t)loops, sizeof(*g->loops));
    g->n_loops = loops;
    return g;
}

void batch_group_free(struct batch_group *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->changed);
    free(g->loops);
    free(g->queued);
    free(g->taken);
    free(g);
}

void batch_group_hold(struct batch_group *g, int loop)
{
    pthread_mutex_lock(&g->lock);
    g->loops[loop].holding = 1;
    pthread_mutex_unlock(&g->lock);
}

static void grow(void ***items, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    *cap = need > 2 * *cap ? need : 2 * *cap;
    *items = hl_realloc(*items, *cap * sizeof(**items));
}

/* (lock held) Whether a loop holds items, or is about to, that the next batch could carry. */
static int others_expected(const struct batch_group *g, uint64_t now)
{
    int i;

    for (i = 0; i < g->n_loops; i++) {
        const struct loop_state *l = &g->loops[i];
        if (l->holding || (l->batch != g->started + 1 && now - l->last_submit_us < RECENT_US))
            return 1;
    }
    return 0;
}

/* (lock held) Wait, at most wait_us, for the loops the next batch could carry. */
static void wait_for_others(struct batch_group *g)
{
    uint64_t now = now_us(), end = now + g->wait_us;
    struct timespec deadline = {(time_t)(end / 1000000u), (long)(end % 1000000u) * 1000L};

    while (now < end && others_expected(g, now)) {
        if (pthread_cond_timedwait(&g->changed, &g->lock, &deadline) != 0)
            return;
        now = now_us();
    }
}

/* (lock held) Take every submitted item as the next batch and run it, unlocked. */
static void run_next_batch(struct batch_group *g)
{
    void **items;
    size_t n, cap;

    g->running = 1;
    wait_for_others(g); /* others may add to the queue meanwhile */
    items = g->queued;
    n = g->queued_count;
    cap = g->queued_cap;
    g->queued = g->taken; /* the next batch queues in the buffer the last one ran from */
    g->queued_cap = g->taken_cap;
    g->queued_count = 0;
    g->taken = items;
    g->taken_cap = cap;
    g->started++;
    pthread_mutex_unlock(&g->lock);
    g->run(g->ctx, g->taken, n);
    pthread_mutex_lock(&g->lock);
    g->done++;
    g->running = 0;
    pthread_cond_broadcast(&g->changed);
}

void batch_group_run(struct batch_group *g, int loop, void **items, size_t n)
{
    struct loop_state *l = &g->loops[loop];

    pthread_mutex_lock(&g->lock);
    grow(&g->queued, &g->queued_cap, g->queued_count + n);
    if (n)
        memcpy(g->queued + g->queued_count, items, n * sizeof(*items));
    g->queued_count += n;
    l->holding = 0;
    l->batch = g->started + 1; /* the batch that will take these items */
    l->last_submit_us = now_us();
    pthread_cond_broadcast(&g->changed);
    while (g->done < l->batch) {
        if (g->running)
            pthread_cond_wait(&g->changed, &g->lock);
        else
            run_next_batch(g);
    }
    pthread_mutex_unlock(&g->lock);
}
