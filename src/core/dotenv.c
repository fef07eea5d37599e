/*
 * dotenv.c — .env parsing.
 */
#include "dotenv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/banned.h"

enum { DOTENV_MAX_BYTES = 1 << 20 };

static void dotenv_set(struct dotenv *env, const char *key, size_t key_len, char *value)
{
    size_t i;

    for (i = 0; i < env->count; i++) {
        if (strlen(env->keys[i]) == key_len && memcmp(env->keys[i], key, key_len) == 0) {
            free(env->values[i]);
            env->values[i] = value;
            return;
        }
    }
    env->keys = hl_realloc(env->keys, (env->count + 1) * sizeof(*env->keys));
    env->values = hl_realloc(env->values, (env->count + 1) * sizeof(*env->values));
    env->keys[env->count] = hl_strndup(key, key_len);
    env->values[env->count] = value;
    env->count++;
}

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A double-quoted value starting after the opening quote; NULL when unterminated. */
static char *parse_double_quoted(const char *p, const char *end, const char **after)
{
    struct buf out = BUF_INIT(DOTENV_MAX_BYTES);

    for (; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end) {
            p++;
            buf_addc(&out, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
        } else {
            buf_addc(&out, *p);
        }
    }
    if (p == end) {
        buf_release(&out);
        return NULL;
    }
    *after = p + 1;
    return buf_detach(&out, NULL);
}

static char *parse_value(const char *p, const char *end, const char **after)
{
    const char *q;

    if (p < end && *p == '"')
        return parse_double_quoted(p + 1, end, after);
    if (p < end && *p == '\'') {
        q = memchr(p + 1, '\'', (size_t)(end - p - 1));
        if (!q)
            return NULL;
        *after = q + 1;
        return hl_strndup(p + 1, (size_t)(q - p - 1));
    }
    for (q = p; q < end; q++)
        if (*q == '#' && (q == p || q[-1] == ' ' || q[-1] == '\t'))
            break;
    while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
        q--;
    *after = end;
    return hl_strndup(p, (size_t)(q - p));
}

/* One line (without its newline); blank and comment lines are fine. */
static int parse_line(struct dotenv *env, const char *p, const char *end, const char *name,
                      int lineno, struct hl_err *err)
{
    const char *key, *after;
    char *value;

    p = skip_blanks(p, end);
    if (p == end || *p == '#' || *p == '\r')
        return HL_OK;
    if ((size_t)(end - p) > 7 && memcmp(p, "export ", 7) == 0)
        p = skip_blanks(p + 7, end);
    key = p;
    while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
        p++;
    if (p == key || p == end || *p != '=')
        return hl_err_set(err, HL_ECONFIG, "%s:%d: expected KEY=VALUE", name, lineno);
    value = parse_value(skip_blanks(p + 1, end), end, &after);
    if (!value)
        return hl_err_set(err, HL_ECONFIG, "%s:%d: unterminated quoted value", name, lineno);
    after = skip_blanks(after, end);
    if (after < end && *after != '#' && *after != '\r') {
        free(value);
        return hl_err_set(err, HL_ECONFIG, "%s:%d: unexpected text after the value", name, lineno);
    }
    dotenv_set(env, key, (size_t)(p - key), value);
    return HL_OK;
}

int dotenv_parse(struct dotenv *env, const char *text, size_t len, const char *name,
                 struct hl_err *err)
{
    const char *p = text, *end = text + len;
    int lineno = 1;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        int rc = parse_line(env, p, line_end, name, lineno, err);
        if (rc != HL_OK)
            return rc;
        p = nl ? nl + 1 : end;
        lineno++;
    }
    return HL_OK;
}

int dotenv_read(struct dotenv *env, const char *path, struct hl_err *err)
{
    struct buf text = BUF_INIT(DOTENV_MAX_BYTES);
    char chunk[4096];
    size_t n;
    FILE *f;
    int rc = HL_OK;

    memset(env, 0, sizeof(*env));
    if (!path || !(f = fopen(path, "r")))
        return (!path || errno == ENOENT)
                   ? HL_OK
                   : hl_err_set(err, HL_ECONFIG, "%s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && rc == HL_OK)
        if (buf_add(&text, chunk, n) != HL_OK)
            rc = hl_err_set(err, HL_ECONFIG, "%s: larger than 1 MiB", path);
    fclose(f);
    if (rc == HL_OK)
        rc = dotenv_parse(env, buf_str(&text), text.len, path, err);
    buf_release(&text);
    if (rc != HL_OK)
        dotenv_release(env);
    return rc;
}

const char *dotenv_get(const struct dotenv *env, const char *key)
{
    size_t i = env->count;

    while (i-- > 0)
        if (strcmp(env->keys[i], key) == 0)
            return env->values[i];
    return NULL;
}

void dotenv_release(struct dotenv *env)
{
    size_t i;

    for (i = 0; i < env->count; i++) {
        free(env->keys[i]);
        free(env->values[i]);
    }
    free(env->keys);
    free(env->values);
    memset(env, 0, sizeof(*env));
}
