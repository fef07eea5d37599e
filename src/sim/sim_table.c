/*
 * sim_table.c — ordered, indexed, capped tables for the emulator's state.
 */
#include "sim/sim_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hl.h"
#include "core/banned.h"

enum { TABLE_FIRST_BUCKETS = 64 };

/* FNV-1a: SIDs are random hex already, so any decent mix will do. */
static size_t key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull;

    while (*key) {
        h ^= (unsigned char)*key++;
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 32));
}

void sim_table_init(struct sim_table *t, size_t max, void (*free_row)(struct sim_row *r))
{
    memset(t, 0, sizeof(*t));
    t->max = max;
    t->free_row = free_row;
}

void sim_table_release(struct sim_table *t)
{
    while (t->oldest)
        sim_table_evict_oldest(t);
    free(t->buckets);
    t->buckets = NULL;
    t->bucket_count = 0;
}

static void index_insert(struct sim_row **buckets, size_t bucket_count, struct sim_row *r)
{
    size_t b = key_hash(r->key) & (bucket_count - 1);

    r->next = buckets[b];
    buckets[b] = r;
}

/* Double the buckets (or make the first ones) and re-chain every row. */
static void index_grow(struct sim_table *t)
{
    size_t n = t->bucket_count ? t->bucket_count * 2 : TABLE_FIRST_BUCKETS;
    struct sim_row **buckets = hl_calloc(n, sizeof(*buckets));
    struct sim_row *r;

    for (r = t->oldest; r; r = r->newer)
        index_insert(buckets, n, r);
    free(t->buckets);
    t->buckets = buckets;
    t->bucket_count = n;
}

static void index_remove(struct sim_table *t, struct sim_row *r)
{
    struct sim_row **p = &t->buckets[key_hash(r->key) & (t->bucket_count - 1)];

    while (*p && *p != r)
        p = &(*p)->next;
    if (*p)
        *p = r->next;
}

void sim_table_add(struct sim_table *t, struct sim_row *r)
{
    r->older = t->newest;
    r->newer = NULL;
    if (t->newest)
        t->newest->newer = r;
    else
        t->oldest = r;
    t->newest = r;
    t->count++;
    if (t->count > t->bucket_count)
        index_grow(t); /* re-chains r as well */
    else
        index_insert(t->buckets, t->bucket_count, r);
    while (t->max && t->count > t->max)
        sim_table_evict_oldest(t);
}

struct sim_row *sim_table_find(const struct sim_table *t, const char *key)
{
    struct sim_row *r;

    if (!t->bucket_count || !key)
        return NULL;
    for (r = t->buckets[key_hash(key) & (t->bucket_count - 1)]; r; r = r->next)
        if (strcmp(r->key, key) == 0)
            return r;
    return NULL;
}

void sim_table_delete(struct sim_table *t, struct sim_row *r)
{
    index_remove(t, r);
    if (r->older)
        r->older->newer = r->newer;
    else
        t->oldest = r->newer;
    if (r->newer)
        r->newer->older = r->older;
    else
        t->newest = r->older;
    t->count--;
    t->free_row(r);
}

void sim_table_evict_oldest(struct sim_table *t)
{
    if (t->oldest)
        sim_table_delete(t, t->oldest);
}
