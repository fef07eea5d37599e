/*
 * sqlite_sessions.c — dashboard sessions in the SQLite engine.
 *
 * A session row is named by the SHA-256 of its token and carries two ends:
 * expires_at (fixed at login) and idle_expires_at (pushed forward by use).
 * A check is a read on a pooled connection; it writes only when the idle end
 * was last pushed more than a minute ago, so a page's burst of requests costs
 * one write at most. Ended sessions are removed at the next login.
 */
#include <sqlite3.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

/* Checks closer together than this do not move the idle end. */
#define SESSION_TOUCH_MS 60000L

struct session_args {
    const char *hash;
    long idle_s, max_s;
};

static int session_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    const struct session_args *a = arg;
    char idle_end[STORE_TIME_SIZE], end[STORE_TIME_SIZE];
    struct binder b;
    int rc;

    store_time_after(a->idle_s * 1000L, idle_end);
    store_time_after(a->max_s * 1000L, end);
    if ((rc = stmt_open(c, ST_SESSION_PRUNE, &b, err)) != HL_OK)
        return rc;
    bind_text(&b, 1, now);
    if ((rc = stmt_run(c, &b, NULL, NULL, err)) != HL_OK ||
        (rc = stmt_open(c, ST_SESSION_ADD, &b, err)) != HL_OK)
        return rc;
    bind_text(&b, 1, a->hash);
    bind_text(&b, 2, idle_end);
    bind_text(&b, 3, end);
    bind_text(&b, 4, now);
    return stmt_run(c, &b, NULL, NULL, err);
}

int sqlite_session_add(struct store *base, const char *token_sha256, long idle_s, long max_s,
                       struct hl_err *err)
{
    struct session_args a = {token_sha256, idle_s, max_s};
    struct sqlite_write w = SQLITE_WRITE(session_insert, &a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

static int session_touch(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    const struct session_args *a = arg;
    char idle_end[STORE_TIME_SIZE];
    struct binder b;
    int rc = stmt_open(c, ST_SESSION_TOUCH, &b, err);

    if (rc != HL_OK)
        return rc;
    store_time_after(a->idle_s * 1000L, idle_end);
    bind_text(&b, 1, a->hash);
    bind_text(&b, 2, idle_end);
    bind_text(&b, 3, now);
    return stmt_run(c, &b, NULL, NULL, err);
}

/* *valid: the session is live; *stale: its idle end was last moved over a minute ago. */
static int session_read(struct sqlite_store *s, const struct session_args *a, int *valid,
                        long long *stale, struct hl_err *err)
{
    char now[STORE_TIME_SIZE], fresh[STORE_TIME_SIZE];
    struct sqlite_conn *c = reader_get(s);
    struct binder b;
    int rc = stmt_open(c, ST_SESSION_GET, &b, err);

    if (rc == HL_OK) {
        store_time_now(now);
        store_time_after(a->idle_s * 1000L - SESSION_TOUCH_MS, fresh);
        bind_text(&b, 1, a->hash);
        bind_text(&b, 2, now);
        bind_text(&b, 3, fresh);
        rc = stmt_run(c, &b, stale, valid, err);
    }
    reader_put(s, c);
    return rc;
}

int sqlite_session_check(struct store *base, const char *token_sha256, long idle_s, int *valid,
                         struct hl_err *err)
{
    struct session_args a = {token_sha256, idle_s, 0};
    struct sqlite_write w = SQLITE_WRITE(session_touch, &a, err);
    long long stale = 0;
    int rc = session_read(sqlite_of(base), &a, valid, &stale, err);

    if (rc != HL_OK || !*valid || !stale)
        return rc;
    return sqlite_write_run(sqlite_of(base), &w);
}

static int session_remove(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct binder b;
    int rc = stmt_open(c, ST_SESSION_DELETE, &b, err);

    (void)now;
    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, arg);
    return stmt_run(c, &b, NULL, NULL, err);
}

int sqlite_session_delete(struct store *base, const char *token_sha256, struct hl_err *err)
{
    struct sqlite_write w = SQLITE_WRITE(session_remove, (void *)token_sha256, err);

    return sqlite_write_run(sqlite_of(base), &w);
}
