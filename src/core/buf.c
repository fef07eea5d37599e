/*
 * buf.c — bounded growable buffer.
 */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hl.h"
#include "core/banned.h"

void buf_init(struct buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_release(struct buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->ptr ? b->ptr : hl_calloc(1, 1);

    if (len)
        *len = b->len;
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

/* Make room for n more bytes plus the NUL, within max. */
static int buf_reserve(struct buf *b, size_t n)
{
    size_t need, cap;

    if (n > b->max || b->len > b->max - n)
        return HL_ETOOLARGE;
    need = b->len + n + 1;
    if (need <= b->cap)
        return HL_OK;
    cap = b->cap ? b->cap : 512; /* a log line, a TwiML answer: grown once at most */
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (b->max < SIZE_MAX && cap > b->max + 1)
        cap = b->max + 1; /* never more than the ceiling allows */
    b->ptr = hl_realloc(b->ptr, cap);
    b->cap = cap;
    return HL_OK;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
    if (buf_reserve(b, n) != HL_OK)
        return HL_ETOOLARGE;
    if (n)
        memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return HL_OK;
}

size_t buf_write_callback(char *data, size_t size, size_t n, void *b)
{
    return buf_add(b, data, size * n) == HL_OK ? size * n : 0;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return HL_EINVAL;
    if (buf_reserve(b, (size_t)n) != HL_OK)
        return HL_ETOOLARGE;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return HL_OK;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_str(const struct buf *b)
{
    return b->ptr ? b->ptr : "";
}
