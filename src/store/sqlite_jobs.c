/*
 * sqlite_jobs.c — the job queue's writes in the SQLite engine: claiming with
 * a lease, renewing, finishing, failing (again later, or for good), manual
 * retry, and recording finished stages. Reads are in sqlite_read.c.
 *
 * A claim is one UPDATE ... WHERE id = (SELECT ... LIMIT 1) RETURNING in the
 * writer's transaction, so two workers (or two processes) never get the
 * same job. The PostgreSQL engine will do the same with FOR UPDATE SKIP
 * LOCKED. The claimed row is copied out and handed to the caller only once
 * the claim is committed.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

enum { JOB_FIELDS = 12 };

/* A claimed row, copied while the statement is on it. */
struct job_copy {
    long long ints[3]; /* id, attempts, max_attempts */
    char *text[JOB_FIELDS];
};

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? hl_strdup((const char *)t) : NULL;
}

static void copy_row(sqlite3_stmt *st, struct job_copy *c)
{
    int i;

    c->ints[0] = sqlite3_column_int64(st, 0);
    c->ints[1] = sqlite3_column_int64(st, 4);
    c->ints[2] = sqlite3_column_int64(st, 5);
    for (i = 1; i < JOB_FIELDS; i++)
        if (i != 4 && i != 5)
            c->text[i] = dup_col(st, i);
}

static void copy_release(struct job_copy *c)
{
    int i;

    for (i = 0; i < JOB_FIELDS; i++)
        free(c->text[i]);
}

static void copy_to_job(const struct job_copy *c, struct store_job *j)
{
    j->id = c->ints[0];
    j->kind = c->text[1];
    j->payload_json = c->text[2];
    j->state = c->text[3];
    j->attempts = c->ints[1];
    j->max_attempts = c->ints[2];
    j->run_at = c->text[6];
    j->lease_owner = c->text[7];
    j->lease_expires_at = c->text[8];
    j->last_error = c->text[9];
    j->created_at = c->text[10];
    j->updated_at = c->text[11];
}

struct add_args {
    const char *kind, *payload;
    long long *id;
};

static int add_run(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct add_args *a = arg;
    struct binder b;
    int rc = stmt_open(c, ST_JOB_INSERT, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, a->kind);
    bind_text(&b, 2, a->payload);
    bind_text(&b, 3, now);
    return stmt_run(c, &b, a->id, NULL, err);
}

int sqlite_job_add(struct store *base, const char *kind, const char *payload_json, long long *id,
                   struct hl_err *err)
{
    struct add_args a = {kind, payload_json, id};
    struct sqlite_write w = SQLITE_WRITE(add_run, &a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

struct claim_args {
    const char *owner;
    const char *kinds;
    const char *lease_end;
    struct job_copy copy;
    int found;
};

static int claim_run(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct claim_args *a = arg;
    struct binder b;
    int src = SQLITE_OK, rc = stmt_open(c, ST_JOB_CLAIM, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, a->owner);
    bind_text(&b, 2, a->lease_end);
    bind_text(&b, 3, now);
    bind_text(&b, 4, a->kinds);
    while (b.src == SQLITE_OK && (src = sqlite3_step(b.st)) == SQLITE_ROW)
        if (!a->found++)
            copy_row(b.st, &a->copy);
    if (b.src != SQLITE_OK || src != SQLITE_DONE)
        rc = db_fail(c->db, b.src != SQLITE_OK ? b.src : src, err);
    sqlite3_reset(b.st);
    sqlite3_clear_bindings(b.st);
    return rc;
}

int sqlite_job_claim(struct store *base, const char *owner, const char *kinds, long lease_ms,
                     void (*each)(void *ctx, const struct store_job *job), void *ctx, int *found,
                     struct hl_err *err)
{
    char lease_end[STORE_TIME_SIZE];
    struct claim_args a;
    struct sqlite_write w = SQLITE_WRITE(claim_run, &a, err);
    struct store_job job;
    int rc;

    memset(&a, 0, sizeof(a));
    a.owner = owner;
    a.kinds = kinds;
    a.lease_end = lease_end;
    store_time_after(lease_ms, lease_end);
    rc = sqlite_write_run(sqlite_of(base), &w);
    *found = rc == HL_OK && a.found;
    if (*found) {
        copy_to_job(&a.copy, &job);
        each(ctx, &job);
    }
    if (a.found)
        copy_release(&a.copy);
    return rc;
}

/* A one-statement write on job id whose values are text ?2..; HL_ENOTFOUND when no row moved. */
struct job_write {
    enum stmt_id id;
    long long job;
    const char *text[4];
    size_t n;
    const char *what;
};

static int job_write_run(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct job_write *a = arg;
    struct binder b;
    size_t i;
    int rc = stmt_open(c, a->id, &b, err), found = 0;

    if (rc != HL_OK)
        return rc;
    bind_int(&b, 1, a->job);
    for (i = 0; i < a->n; i++)
        bind_text(&b, (int)i + 2, a->text[i]);
    bind_text(&b, (int)a->n + 2, now);
    if ((rc = stmt_run(c, &b, NULL, &found, err)) == HL_OK && !found && a->what)
        rc = hl_err_set(err, HL_ENOTFOUND, "job %lld: %s", a->job, a->what);
    return rc;
}

static int job_write(struct store *base, struct job_write *a, struct hl_err *err)
{
    struct sqlite_write w = SQLITE_WRITE(job_write_run, a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

int sqlite_job_renew(struct store *base, long long id, const char *owner, long lease_ms,
                     struct hl_err *err)
{
    char lease_end[STORE_TIME_SIZE];
    struct job_write a = {ST_JOB_RENEW, id, {owner, lease_end}, 2, "the lease was lost"};

    store_time_after(lease_ms, lease_end);
    return job_write(base, &a, err);
}

int sqlite_job_finish(struct store *base, long long id, const char *owner, struct hl_err *err)
{
    struct job_write a = {ST_JOB_FINISH, id, {owner}, 1, "the lease was lost"};

    return job_write(base, &a, err);
}

int sqlite_job_fail(struct store *base, long long id, const char *owner, const char *error,
                    long retry_ms, struct hl_err *err)
{
    char run_at[STORE_TIME_SIZE];
    struct job_write a = {ST_JOB_FAIL, id, {owner, error, retry_ms < 0 ? NULL : run_at}, 3,
                          "the lease was lost"};

    store_time_after(retry_ms < 0 ? 0 : retry_ms, run_at);
    return job_write(base, &a, err);
}

int sqlite_job_retry(struct store *base, long long id, struct hl_err *err)
{
    struct job_write a = {ST_JOB_RETRY, id, {NULL}, 0, "no failed job with this id"};

    return job_write(base, &a, err);
}

int sqlite_job_stage_done(struct store *base, long long job_id, const char *stage,
                          const char *result_json, struct hl_err *err)
{
    struct job_write a = {ST_JOB_STAGE_DONE, job_id, {stage, result_json}, 2, NULL};

    return job_write(base, &a, err);
}
