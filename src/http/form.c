/*
 * form.c — urlencoded body and query-string decoding.
 */
#include "form.h"

#include <string.h>

#include "core/banned.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long form_unescape(char *dst, const char *src, size_t len, int plus_is_space, size_t *bad_at)
{
    size_t i, out = 0;

    for (i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            int hi = len - i < 3 ? -1 : hex_value(src[i + 1]);
            int lo = len - i < 3 ? -1 : hex_value(src[i + 2]);
            if (hi < 0 || lo < 0) {
                if (bad_at)
                    *bad_at = i;
                return -1;
            }
            dst[out++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            dst[out++] = ' ';
        } else {
            dst[out++] = c;
        }
    }
    dst[out] = '\0';
    return (long)out;
}

/* Decode one "name=value" piece into field. */
static int form_decode_pair(struct form_field *field, const char *pair, size_t len, size_t offset,
                            struct arena *a, struct hl_err *err)
{
    const char *eq = memchr(pair, '=', len);
    size_t name_len = eq ? (size_t)(eq - pair) : len;
    size_t value_len = eq ? len - name_len - 1 : 0;
    char *name = arena_alloc(a, name_len + 1);
    char *value = arena_alloc(a, value_len + 1);
    size_t bad_at = 0;
    long n, v = 0;

    if (!name || !value)
        return hl_err_set(err, HL_ETOOLARGE, "form body too large");
    n = form_unescape(name, pair, name_len, 1, &bad_at);
    if (n >= 0 && (v = form_unescape(value, eq ? eq + 1 : "", value_len, 1, &bad_at)) < 0)
        bad_at += name_len + 1;
    if (n < 0 || v < 0)
        return hl_err_set(err, HL_EINVAL, "malformed percent-escape at byte %zu", offset + bad_at);
    field->name = name;
    field->name_len = (size_t)n;
    field->value = value;
    field->value_len = (size_t)v;
    return HL_OK;
}

/* Pairs with something in them ("a&&b" has two). */
static size_t form_count_pairs(const char *text, size_t len)
{
    size_t i, count = 0;

    for (i = 0; i < len; i++)
        count += text[i] != '&' && (i == 0 || text[i - 1] == '&');
    return count;
}

int form_decode(struct form *form, const char *text, size_t len, struct arena *a,
                struct hl_err *err)
{
    size_t max = form_count_pairs(text, len), start = 0;

    form->fields = NULL;
    form->count = 0;
    if (max == 0)
        return HL_OK;
    if (max > FORM_MAX_FIELDS)
        return hl_err_set(err, HL_ETOOLARGE, "form has more than %d fields", FORM_MAX_FIELDS);
    form->fields = arena_alloc(a, max * sizeof(*form->fields));
    if (!form->fields)
        return hl_err_set(err, HL_ETOOLARGE, "form body too large");
    while (start <= len) {
        const char *amp = memchr(text + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - text) : len;
        if (end > start) {
            int rc = form_decode_pair(&form->fields[form->count], text + start, end - start, start,
                                      a, err);
            if (rc != HL_OK)
                return rc;
            form->count++;
        }
        start = end + 1;
    }
    return HL_OK;
}

const struct form_field *form_find(const struct form *form, const char *name)
{
    size_t i, len = strlen(name);

    for (i = 0; i < form->count; i++) {
        const struct form_field *f = &form->fields[i];
        if (f->name_len == len && memcmp(f->name, name, len) == 0)
            return f;
    }
    return NULL;
}

const char *form_get(const struct form *form, const char *name)
{
    const struct form_field *f = form_find(form, name);

    return f ? f->value : NULL;
}
