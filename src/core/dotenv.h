/*
 * dotenv.h — reading a .env file (KEY=VALUE lines) without touching the
 * process environment.
 *
 * Accepted: blank lines, "# comments", an optional "export " prefix,
 * unquoted values (trailing " # comment" removed, surrounding blanks
 * trimmed), 'single-quoted' values taken literally, and "double-quoted" values
 * with \n, \t, \" and \\ escapes. Anything else is an error naming the file
 * and line. A later line for the same key wins.
 */
#ifndef HL_DOTENV_H
#define HL_DOTENV_H

#include <stddef.h>

#include "core/hl.h"

struct dotenv {
    char **keys;
    char **values;
    size_t count;
};

/* Read path into env; a missing file is not an error (env stays empty). */
int dotenv_read(struct dotenv *env, const char *path, struct hl_err *err);

/* Parse text as the contents of a file called name (for messages). */
int dotenv_parse(struct dotenv *env, const char *text, size_t len, const char *name,
                 struct hl_err *err);

/* The value for key, or NULL. */
const char *dotenv_get(const struct dotenv *env, const char *key);

void dotenv_release(struct dotenv *env);

#endif
