/*
 * sim_table.h — the emulator's in-memory tables: rows kept in creation order
 * and indexed by key, with a cap on how many are kept.
 *
 * A row is embedded as the first member of the thing it stores (a call, a
 * message, a recording, an opt-out) and carries its key (the SID). Rows form
 * a doubly linked list from oldest to newest, so listing newest first and
 * evicting the oldest are O(1) per row, and a chained hash table (doubled
 * when it fills) finds a row by key in O(1), which keeps fetches fast at the
 * 10^5 rows a table may hold.
 *
 * Not thread-safe: the emulator holds its state lock around every call.
 * sim_table_add() evicts the oldest rows past the cap and hands them to the
 * table's free function; sim_table_release() frees every row the same way.
 */
#ifndef HL_SIM_TABLE_H
#define HL_SIM_TABLE_H

#include <stddef.h>

struct sim_row {
    const char *key;       /* points into the row's owner (its SID); never changes */
    struct sim_row *older; /* towards the oldest; NULL at the oldest */
    struct sim_row *newer; /* towards the newest; NULL at the newest */
    struct sim_row *next;  /* the hash chain */
};

struct sim_table {
    struct sim_row *oldest, *newest;
    struct sim_row **buckets;
    size_t bucket_count; /* a power of two */
    size_t count;
    size_t max;                          /* keep at most this many rows */
    void (*free_row)(struct sim_row *r); /* frees the row's owner */
};

void sim_table_init(struct sim_table *t, size_t max, void (*free_row)(struct sim_row *r));

/* Free every row and the index. */
void sim_table_release(struct sim_table *t);

/* Add r as the newest row (its key must be new), then evict the oldest rows past max. */
void sim_table_add(struct sim_table *t, struct sim_row *r);

/* The row with this key, or NULL. */
struct sim_row *sim_table_find(const struct sim_table *t, const char *key);

/* Take r out of the table and free it. */
void sim_table_delete(struct sim_table *t, struct sim_row *r);

/* Take the oldest row out and free it; nothing when empty. */
void sim_table_evict_oldest(struct sim_table *t);

#endif
