/*
 * batch_group.h — the event loops' batches, run together.
 *
 * Each event loop of the edge (httpd.c) holds the webhooks of a round and
 * hands them to the batch handler at the end of it, which commits them in
 * one transaction. Run loop by loop, a loop that happened to get few of the
 * connections committed a transaction for every one or two webhooks. Here
 * the loops' batches meet: a loop that reaches the end of its round while
 * another loop still holds webhooks, or is about to (it had a batch run a
 * moment ago), waits for it (a short, bounded time), and one of them runs
 * both batches in one call; the other waits until its items have been run.
 */
#ifndef HL_HTTP_BATCH_GROUP_H
#define HL_HTTP_BATCH_GROUP_H

#include <stddef.h>

struct batch_group;

typedef void batch_group_fn(void *ctx, void **items, size_t n);

/*
 * For loops numbered 0 to loops - 1. run gets every batch; a batch waits at
 * most wait_us for the other loops.
 */
struct batch_group *batch_group_new(batch_group_fn *run, void *ctx, int loops, unsigned wait_us);
void batch_group_free(struct batch_group *g);

/* The loop now holds items it will pass to batch_group_run() at the end of its round. */
void batch_group_hold(struct batch_group *g, int loop);

/*
 * Run the n items the loop held (with other loops' items, on this thread or
 * another's), and return once they have been run. Every batch_group_hold()
 * is followed by exactly one batch_group_run() from the same loop.
 */
void batch_group_run(struct batch_group *g, int loop, void **items, size_t n);

#endif
