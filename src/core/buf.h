/*
 * buf.h — a growable byte buffer with a ceiling (after curl's dynbuf).
 *
 * The buffer always keeps a NUL after its contents so ptr can be used as a C
 * string, but it may also hold binary data; len is authoritative. Appending
 * past max fails with HL_ETOOLARGE and leaves the contents as they were, so a
 * caller can answer "too large" instead of producing a truncated result.
 *
 * The caller owns the memory: buf_release() frees it, buf_detach() hands it
 * over (free() it later).
 */
#ifndef HL_BUF_H
#define HL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *ptr;  /* NULL until the first append */
    size_t len; /* bytes in use, excluding the trailing NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* ceiling on len */
};

#define BUF_INIT(maxlen)                                                                           \
    {                                                                                              \
        NULL, 0, 0, (maxlen)                                                                       \
    }

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);

/* Empty the buffer but keep its memory. */
void buf_reset(struct buf *b);

/* Take the contents (never NULL: an empty buffer gives ""); b is left empty. */
char *buf_detach(struct buf *b, size_t *len);

/* Append; each returns HL_OK or HL_ETOOLARGE. */
int buf_add(struct buf *b, const void *data, size_t n);

/*
 * libcurl's CURLOPT_WRITEFUNCTION, with the struct buf as CURLOPT_WRITEDATA:
 * appends what arrives. Past the ceiling it returns 0, and the transfer ends
 * with CURLE_WRITE_ERROR — which therefore means "the answer was too large".
 */
size_t buf_write_callback(char *data, size_t size, size_t n, void *b);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* The contents as a C string ("" when nothing was added). */
const char *buf_str(const struct buf *b);

#endif
