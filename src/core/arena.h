/*
 * arena.h — a per-request memory arena (after h2o's h2o_mem_pool_t).
 *
 * Everything a webhook allocates — decoded parameters, TwiML nodes, strings —
 * comes from one arena that is released once when the request ends, so the
 * request path has no individual frees to forget. An arena has a ceiling:
 * once the total handed out would pass it, allocations return NULL and the
 * caller answers "too large" instead of growing without bound.
 */
#ifndef HL_ARENA_H
#define HL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
    size_t used;  /* bytes handed out so far */
    size_t limit; /* ceiling on used; 0 means no ceiling */
};

/* Start an empty arena; the first allocation creates the first block. */
void arena_init(struct arena *a, size_t limit);

/* Free every block; the arena may be used again afterwards. */
void arena_release(struct arena *a);

/*
 * Allocate n bytes aligned for any type. Returns NULL when the ceiling would
 * be passed or n is too large for any block to hold; out-of-memory aborts.
 */
void *arena_alloc(struct arena *a, size_t n);

/* arena_alloc and zero-fill. */
void *arena_zalloc(struct arena *a, size_t n);

/* Copy n bytes of s and add a terminating NUL; NULL past the ceiling. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

/* The strings up to a NULL argument, joined, in the arena; NULL past the ceiling. */
char *arena_concat(struct arena *a, ...) __attribute__((sentinel));

/* printf into the arena; NULL past the ceiling. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

#endif
