/*
 * arena.c — block-chained bump allocator with a ceiling.
 *
 * Blocks are at least ARENA_BLOCK bytes; a larger request gets a block of its
 * own. Allocation bumps an offset in the newest block, so most allocations
 * are a compare and an add.
 */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hl.h"
#include "core/banned.h"

enum { ARENA_BLOCK = 4096, ARENA_ALIGN = 16 };

struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t off;
    _Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t limit)
{
    a->head = NULL;
    a->used = 0;
    a->limit = limit;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;

    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

static struct arena_block *arena_new_block(struct arena *a, size_t need)
{
    size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    struct arena_block *b = hl_malloc(sizeof(*b) + size);

    b->size = size;
    b->off = 0;
    b->next = a->head;
    a->head = b;
    return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t rounded = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_block *b = a->head;
    void *p;

    if (rounded < n || rounded > SIZE_MAX - sizeof(struct arena_block))
        return NULL; /* no block of this size can exist: its header would wrap */
    if (a->limit && (rounded > a->limit || a->used > a->limit - rounded))
        return NULL;
    if (!b || b->size - b->off < rounded)
        b = arena_new_block(a, rounded);
    p = b->data + b->off;
    b->off += rounded;
    a->used += rounded;
    return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);

    if (p)
        memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_concat(struct arena *a, ...)
{
    va_list ap;
    const char *s;
    size_t n = 0;
    char *out, *p;

    va_start(ap, a);
    while ((s = va_arg(ap, const char *)))
        n += strlen(s);
    va_end(ap);
    if (!(out = arena_alloc(a, n + 1)))
        return NULL;
    p = out;
    va_start(ap, a);
    while ((s = va_arg(ap, const char *))) {
        size_t len = strlen(s);

        memcpy(p, s, len);
        p += len;
    }
    va_end(ap);
    *p = '\0';
    return out;
}

/* Short results (URLs, messages) are formatted once, on the stack, then copied. */
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    char small[256];
    va_list copy;
    int n;
    char *p;

    va_copy(copy, ap);
    n = vsnprintf(small, sizeof(small), fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof(small))
        return arena_strndup(a, small, (size_t)n);
    p = arena_alloc(a, (size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}
