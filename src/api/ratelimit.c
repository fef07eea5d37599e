/*
 * ratelimit.c — token buckets, refilled from the elapsed time at each take.
 */
#include "api/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/hl.h"
#include "core/banned.h"

struct bucket {
    double tokens;
    uint64_t last_ns;
    int started;
};

struct ratelimit {
    pthread_mutex_t lock;
    double per_ns; /* tokens added per nanosecond */
    double burst;
    size_t keys;
    struct bucket *buckets;
};

struct ratelimit *ratelimit_new(size_t keys, long per_minute, long burst)
{
    struct ratelimit *rl = hl_calloc(1, sizeof(*rl));

    pthread_mutex_init(&rl->lock, NULL);
    rl->per_ns = (double)per_minute / 60e9;
    rl->burst = burst > 0 ? (double)burst : 1.0;
    rl->keys = keys;
    rl->buckets = hl_calloc(keys ? keys : 1, sizeof(*rl->buckets));
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->buckets);
    free(rl);
}

static void refill(const struct ratelimit *rl, struct bucket *b, uint64_t now_ns)
{
    if (!b->started) {
        b->tokens = rl->burst;
        b->started = 1;
    } else if (now_ns > b->last_ns) {
        b->tokens += (double)(now_ns - b->last_ns) * rl->per_ns;
        if (b->tokens > rl->burst)
            b->tokens = rl->burst;
    }
    b->last_ns = now_ns;
}

/* Whether key's bucket holds a token at now_ns; takes it when take is set. */
static int bucket_use(struct ratelimit *rl, size_t key, uint64_t now_ns, int take,
                      long *retry_after_s)
{
    struct bucket *b;
    int allowed;

    if (rl->per_ns <= 0 || key >= rl->keys)
        return rl->per_ns <= 0;
    pthread_mutex_lock(&rl->lock);
    b = &rl->buckets[key];
    refill(rl, b, now_ns);
    allowed = b->tokens >= 1.0;
    if (allowed && take)
        b->tokens -= 1.0;
    else if (!allowed && retry_after_s) {
        long wait_s = (long)ceil((1.0 - b->tokens) / rl->per_ns / 1e9);
        *retry_after_s = wait_s > 0 ? wait_s : 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return allowed;
}

int ratelimit_take(struct ratelimit *rl, size_t key, uint64_t now_ns, long *retry_after_s)
{
    return bucket_use(rl, key, now_ns, 1, retry_after_s);
}

int ratelimit_peek(struct ratelimit *rl, size_t key, uint64_t now_ns, long *retry_after_s)
{
    return bucket_use(rl, key, now_ns, 0, retry_after_s);
}
