/*
 * workpool.h — a fixed set of threads that run queued work.
 *
 * For work that must not run on an HTTP thread because it waits on the
 * network (a REST request to Twilio): the HTTP thread parks its connection,
 * submits the work here and goes on serving. The queue is bounded so that
 * a flood is refused at once (HL_EBUSY) instead of piling up.
 */
#ifndef HL_WORKPOOL_H
#define HL_WORKPOOL_H

#include <stddef.h>

#include "core/hl.h"

struct workpool;

/* Start threads threads; at most max_queued items may wait. */
int workpool_new(struct workpool **out, int threads, size_t max_queued, struct hl_err *err);

/* Queue fn(ctx); HL_EBUSY when the queue is full or the pool is stopping. */
int workpool_submit(struct workpool *p, void (*fn)(void *ctx), void *ctx);

/* Run everything still queued, join the threads and free p. NULL is ignored. */
void workpool_free(struct workpool *p);

#endif
