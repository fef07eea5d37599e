/*
 * workpool.c — fixed threads over a bounded FIFO of work items.
 */
#include "core/workpool.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/banned.h"

struct work {
    void (*fn)(void *ctx);
    void *ctx;
    struct work *next;
};

struct workpool {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct work *head, **tail;
    size_t queued, max_queued;
    int stopping;
    int threads;
    pthread_t *tids;
};

static void *worker_main(void *arg)
{
    struct workpool *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct work *w;
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->ready, &p->lock);
        if (!p->head)
            break;
        w = p->head;
        p->head = w->next;
        if (!p->head)
            p->tail = &p->head;
        p->queued--;
        pthread_mutex_unlock(&p->lock);
        w->fn(w->ctx);
        free(w);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int workpool_new(struct workpool **out, int threads, size_t max_queued, struct hl_err *err)
{
    struct workpool *p = hl_calloc(1, sizeof(*p));
    int i;

    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    p->tail = &p->head;
    p->max_queued = max_queued;
    p->tids = hl_calloc((size_t)threads, sizeof(*p->tids));
    for (i = 0; i < threads; i++) {
        if (pthread_create(&p->tids[i], NULL, worker_main, p) != 0) {
            workpool_free(p);
            *out = NULL;
            return hl_err_set(err, HL_EIO, "cannot start worker thread %d of %d", i + 1, threads);
        }
        p->threads++;
    }
    *out = p;
    return HL_OK;
}

int workpool_submit(struct workpool *p, void (*fn)(void *ctx), void *ctx)
{
    struct work *w;

    pthread_mutex_lock(&p->lock);
    if (p->stopping || p->queued >= p->max_queued) {
        pthread_mutex_unlock(&p->lock);
        return HL_EBUSY;
    }
    w = hl_malloc(sizeof(*w));
    w->fn = fn;
    w->ctx = ctx;
    w->next = NULL;
    *p->tail = w;
    p->tail = &w->next;
    p->queued++;
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->lock);
    return HL_OK;
}

void workpool_free(struct workpool *p)
{
    int i;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->lock);
    for (i = 0; i < p->threads; i++)
        pthread_join(p->tids[i], NULL);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->lock);
    free(p->tids);
    free(p);
}
