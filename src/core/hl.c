/*
 * hl.c — result codes, error messages and the aborting allocators.
 */
#include "core/hl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

const char *hl_strerror(int rc)
{
    switch (rc) {
    case HL_OK:
        return "ok";
    case HL_ENOMEM:
        return "out of memory";
    case HL_ETOOLARGE:
        return "too large";
    case HL_EINVAL:
        return "invalid input";
    case HL_EBADSIG:
        return "bad signature";
    case HL_ENOTFOUND:
        return "not found";
    case HL_EIO:
        return "i/o error";
    case HL_ESTORE:
        return "database error";
    case HL_ECONFIG:
        return "configuration error";
    case HL_EEXISTS:
        return "already exists";
    case HL_EBUSY:
        return "busy";
    case HL_EREMOTE:
        return "refused by the remote API";
    case HL_EUNKNOWN:
        return "outcome unknown";
    case HL_EUNREACHABLE:
        return "unreachable";
    case HL_ELIMIT:
        return "rate limit exceeded";
    case HL_EREFUSED:
        return "refused";
    default:
        return "unknown error";
    }
}

int hl_err_set(struct hl_err *err, int rc, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return rc;
    err->code = rc;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}

void hl_die(const char *fmt, ...)
{
    va_list ap;

    fputs("hotline: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *hl_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        hl_die("out of memory allocating %zu bytes", n);
    return p;
}

void *hl_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (!p)
        hl_die("out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *hl_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        hl_die("out of memory reallocating %zu bytes", n);
    return q;
}

char *hl_strndup(const char *s, size_t n)
{
    char *p = hl_malloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *hl_strdup(const char *s)
{
    return hl_strndup(s, strlen(s));
}
