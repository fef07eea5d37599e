/*
 * form.h — application/x-www-form-urlencoded decoding (the body of every
 * Twilio webhook, and query strings).
 *
 * Decoding follows the WHATWG URL standard's urlencoded parser, which is what
 * Twilio's SDKs and every browser use, except that a malformed escape ("%",
 * "%4", "%zz") is refused instead of passed through: a webhook with a broken
 * body is answered 400, never half-understood. "+" decodes to a space, keys
 * may repeat (kept in order), empty names and values are kept, and a pair
 * without "=" has an empty value. Decoded bytes are not required to be UTF-8.
 */
#ifndef HL_FORM_H
#define HL_FORM_H

#include <stddef.h>

#include "core/arena.h"
#include "core/hl.h"

struct form_field {
    const char *name; /* NUL-terminated; may contain NUL bytes, so use name_len */
    size_t name_len;
    const char *value; /* NUL-terminated; use value_len */
    size_t value_len;
};

struct form {
    struct form_field *fields; /* in the order they appeared */
    size_t count;
};

/* Most fields a form may have (empty pairs such as "&&" do not count); more is HL_ETOOLARGE. */
#define FORM_MAX_FIELDS 1024

/*
 * Decode len bytes of text into form, allocating from a. Returns HL_OK,
 * HL_EINVAL for a malformed escape (err says which byte), or HL_ETOOLARGE when
 * the arena's ceiling or FORM_MAX_FIELDS is reached.
 */
int form_decode(struct form *form, const char *text, size_t len, struct arena *a,
                struct hl_err *err);

/*
 * Percent-decode one component into dst (which has room for len + 1 bytes),
 * "+" as space when plus_is_space. Returns the decoded length, or -1 for a
 * malformed escape, whose offset in src then goes to *bad_at (may be NULL).
 */
long form_unescape(char *dst, const char *src, size_t len, int plus_is_space, size_t *bad_at);

/* The first value for name, or NULL. */
const char *form_get(const struct form *form, const char *name);

/* The first field named name, or NULL. */
const struct form_field *form_find(const struct form *form, const char *name);

#endif
