/*
 * sqlite_erase.c — erasure in the SQLite engine: everything about a number,
 * or one memo, deleted in one write (see store_erase_phone/_memo), with the
 * erasures row that records what went and the cleanup job that removes the
 * files and Twilio's copies; and the subject key numbers are hashed with.
 *
 * The statements (sqlite.c, "erasure") each delete one table's rows and
 * return what the caller must still remove outside the database: file paths
 * and the RecordingSids Twilio still holds. They run in an order where every
 * set is computed before the rows it is computed from are gone: jobs and the
 * owner's memo notices first, calls last.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

/* ---- The subject key ------------------------------------------------------------------ */

int sqlite_subject_key(struct store *base, unsigned char *key, struct hl_err *err)
{
    struct sqlite_store *s = sqlite_of(base);
    struct sqlite_conn *group = sqlite_group_conn(s), *c;
    const unsigned char *hex;
    struct binder b;
    int rc, src, loaded;
    size_t i;

    pthread_mutex_lock(&s->pool_lock);
    if ((loaded = s->subject_key_loaded))
        memcpy(key, s->subject_key, STORE_SUBJECT_KEY_LEN);
    pthread_mutex_unlock(&s->pool_lock);
    if (loaded)
        return HL_OK;
    c = group ? group : reader_get(s);
    if ((rc = stmt_open(c, ST_SUBJECT_KEY, &b, err)) == HL_OK) {
        src = sqlite3_step(b.st);
        hex = src == SQLITE_ROW ? sqlite3_column_text(b.st, 0) : NULL;
        if (!hex || strlen((const char *)hex) != 2 * STORE_SUBJECT_KEY_LEN)
            rc = src == SQLITE_ROW || src == SQLITE_DONE
                     ? hl_err_set(err, HL_ESTORE, "the database has no subject key: run "
                                                  "`hotline migrate`")
                     : db_fail(c->db, src, err);
        for (i = 0; rc == HL_OK && i < STORE_SUBJECT_KEY_LEN; i++)
            if (sscanf((const char *)hex + 2 * i, "%2hhx", &key[i]) != 1)
                rc = hl_err_set(err, HL_ESTORE, "the subject key is not hex");
        sqlite3_reset(b.st);
    }
    if (!group)
        reader_put(s, c);
    if (rc != HL_OK)
        return rc;
    pthread_mutex_lock(&s->pool_lock);
    memcpy(s->subject_key, key, STORE_SUBJECT_KEY_LEN);
    s->subject_key_loaded = 1;
    pthread_mutex_unlock(&s->pool_lock);
    return HL_OK;
}

/* ---- One erasure ---------------------------------------------------------------------- */

struct erased_item {
    enum store_erased what;
    char *value;
};

struct erase_args {
    const char *key; /* ?1: the number, or the memo id */
    const char *subject;
    const char *cleanup_kind;
    struct store_erasure *out;
    struct erased_item *items; /* what to remove outside the database */
    size_t n_items, cap_items;
    char *optout_keyword, *optout_at;
};

static void add_item(struct erase_args *a, enum store_erased what, const unsigned char *value)
{
    if (!value || !*value)
        return;
    if (a->n_items == a->cap_items) {
        a->cap_items = a->cap_items ? 2 * a->cap_items : 8;
        a->items = hl_realloc(a->items, a->cap_items * sizeof(*a->items));
    }
    a->items[a->n_items].what = what;
    a->items[a->n_items++].value = hl_strdup((const char *)value);
    if (what == STORE_ERASED_FILE)
        a->out->files++;
    else
        a->out->recordings_remote++;
}

static void release_items(struct erase_args *a)
{
    size_t i;

    for (i = 0; i < a->n_items; i++)
        free(a->items[i].value);
    free(a->items);
    free(a->optout_keyword);
    free(a->optout_at);
}

typedef void (*erase_row_fn)(struct erase_args *a, sqlite3_stmt *st);

/* Memo rows: audio and meta files. */
static void row_files(struct erase_args *a, sqlite3_stmt *st)
{
    add_item(a, STORE_ERASED_FILE, sqlite3_column_text(st, 0));
    add_item(a, STORE_ERASED_FILE, sqlite3_column_text(st, 1));
}

/* Recording rows: the downloaded copy, and the sid when Twilio still has it. */
static void row_recording(struct erase_args *a, sqlite3_stmt *st)
{
    add_item(a, STORE_ERASED_FILE, sqlite3_column_text(st, 0));
    add_item(a, STORE_ERASED_TWILIO_RECORDING, sqlite3_column_text(st, 1));
}

static char *dup_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? hl_strdup((const char *)t) : NULL;
}

static void row_optout(struct erase_args *a, sqlite3_stmt *st)
{
    a->optout_keyword = dup_text(st, 0);
    a->optout_at = dup_text(st, 1);
}

/*
 * Run statement id with ?1 the erasure's key (and ?2 now, when it has a
 * second parameter), hand each row to row (may be NULL), count them.
 */
static int erase_step(struct sqlite_conn *c, enum stmt_id id, struct erase_args *a,
                      const char *now, erase_row_fn row, long long *count, struct hl_err *err)
{
    struct binder b;
    long long n = 0;
    int src = SQLITE_OK, rc = stmt_open(c, id, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, a->key);
    if (sqlite3_bind_parameter_count(b.st) > 1)
        bind_text(&b, 2, now);
    while (b.src == SQLITE_OK && (src = sqlite3_step(b.st)) == SQLITE_ROW) {
        if (row)
            row(a, b.st);
        n++;
    }
    if (b.src != SQLITE_OK || src != SQLITE_DONE)
        rc = db_fail(c->db, b.src != SQLITE_OK ? b.src : src, err);
    sqlite3_reset(b.st);
    sqlite3_clear_bindings(b.st);
    if (count)
        *count = n;
    return rc;
}

/* The erasures row: counts only, never a value that was erased. */
static int record_erasure(struct sqlite_conn *c, struct erase_args *a, const char *now,
                          struct hl_err *err)
{
    const struct store_erasure *o = a->out;
    char what[640];
    struct binder b;
    int rc = stmt_open(c, ST_ERASURE_RECORD, &b, err);

    if (rc != HL_OK)
        return rc;
    snprintf(what, sizeof(what),
             "{\"tables\":{\"calls\":%lld,\"call_events\":%lld,\"recordings\":%lld,"
             "\"transcriptions\":%lld,\"memos\":%lld,\"messages\":%lld,\"bookings\":%lld,"
             "\"contacts\":%lld,\"jobs\":%lld},\"files\":%lld,\"twilio_recordings\":%lld,"
             "\"optout_kept_hashed\":%s}",
             o->calls, o->call_events, o->recordings, o->transcriptions, o->memos, o->messages,
             o->bookings, o->contacts, o->jobs, o->files, o->recordings_remote,
             o->optout_kept ? "true" : "false");
    bind_text(&b, 1, a->subject);
    bind_text(&b, 2, what);
    bind_text(&b, 3, now);
    return stmt_run(c, &b, &a->out->id, NULL, err);
}

/* The cleanup job, listing every file and Twilio recording to remove. */
static int queue_cleanup(struct sqlite_conn *c, struct erase_args *a, const char *now,
                         struct hl_err *err)
{
    struct binder b;
    long long job = 0;
    size_t i;
    int rc;

    if (a->n_items == 0)
        return HL_OK;
    if ((rc = stmt_open(c, ST_JOB_INSERT, &b, err)) != HL_OK)
        return rc;
    bind_text(&b, 1, a->cleanup_kind);
    bind_text(&b, 2, "{\"files\":[],\"recordings\":[]}");
    bind_text(&b, 3, now);
    if ((rc = stmt_run(c, &b, &job, NULL, err)) != HL_OK)
        return rc;
    for (i = 0; rc == HL_OK && i < a->n_items; i++) {
        if ((rc = stmt_open(c, ST_CLEANUP_ADD, &b, err)) != HL_OK)
            break;
        bind_int(&b, 1, job);
        bind_text(&b, 2, a->items[i].what == STORE_ERASED_FILE ? "files" : "recordings");
        bind_text(&b, 3, a->items[i].value);
        rc = stmt_run(c, &b, NULL, NULL, err);
    }
    return rc;
}

/* The erasures row and the cleanup job, last in the transaction. */
static int finish(struct sqlite_conn *c, struct erase_args *a, const char *now,
                  struct hl_err *err)
{
    int rc = record_erasure(c, a, now, err);

    return rc == HL_OK ? queue_cleanup(c, a, now, err) : rc;
}

/* Keep an opt-out as the number's keyed hash, with its word and date. */
static int keep_optout(struct sqlite_conn *c, struct erase_args *a, struct hl_err *err)
{
    struct binder b;
    int rc = stmt_open(c, ST_ERASE_OPTOUT_KEEP, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, a->subject);
    bind_text(&b, 2, a->optout_keyword);
    bind_text(&b, 3, a->optout_at);
    a->out->optout_kept = 1;
    return stmt_run(c, &b, NULL, NULL, err);
}

/* How many jobs about the number are running under a live lease. */
static int running_jobs(struct sqlite_conn *c, struct erase_args *a, const char *now,
                        long long *busy, struct hl_err *err)
{
    struct binder b;
    int rc = stmt_open(c, ST_ERASE_BUSY, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, a->key);
    bind_text(&b, 2, now);
    return stmt_run(c, &b, busy, NULL, err);
}

static int nothing_erased(const struct store_erasure *o, long long optout)
{
    return !optout && !o->jobs && !o->memos && !o->transcriptions && !o->recordings &&
           !o->bookings && !o->messages && !o->call_events && !o->calls && !o->contacts;
}

static int erase_phone_run(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct erase_args *a = arg;
    struct store_erasure *o = a->out;
    long long busy = 0, optout = 0, notices = 0, naming = 0, quoting = 0;
    int rc = running_jobs(c, a, now, &busy, err);

    if (rc == HL_OK && busy > 0)
        return hl_err_set(err, HL_EBUSY, "a background job about this number is running; "
                                         "try again in a few seconds");
    if (rc || (rc = erase_step(c, ST_ERASE_JOBS, a, now, NULL, &o->jobs, err)) ||
        (rc = erase_step(c, ST_ERASE_JOBS_NAMING, a, now, NULL, &naming, err)) ||
        (rc = erase_step(c, ST_ERASE_NOTICES, a, now, NULL, &notices, err)) ||
        (rc = erase_step(c, ST_ERASE_MEMOS, a, now, row_files, &o->memos, err)) ||
        (rc = erase_step(c, ST_ERASE_TRANSCRIPTS, a, now, NULL, &o->transcriptions, err)) ||
        (rc = erase_step(c, ST_ERASE_RECORDINGS, a, now, row_recording, &o->recordings, err)) ||
        (rc = erase_step(c, ST_ERASE_BOOKINGS, a, now, NULL, &o->bookings, err)) ||
        (rc = erase_step(c, ST_ERASE_MESSAGES, a, now, NULL, &o->messages, err)) ||
        (rc = erase_step(c, ST_ERASE_QUOTES, a, now, NULL, &quoting, err)) ||
        (rc = erase_step(c, ST_ERASE_EVENTS, a, now, NULL, &o->call_events, err)) ||
        (rc = erase_step(c, ST_ERASE_CALLS, a, now, NULL, &o->calls, err)) ||
        (rc = erase_step(c, ST_ERASE_CONTACT, a, now, NULL, &o->contacts, err)) ||
        (rc = erase_step(c, ST_ERASE_OPTOUT, a, now, row_optout, &optout, err)))
        return rc;
    o->messages += notices + quoting;
    o->jobs += naming;
    if (optout && (rc = keep_optout(c, a, err)) != HL_OK)
        return rc;
    if (nothing_erased(o, optout))
        return hl_err_set(err, HL_ENOTFOUND, "nothing is stored about this number");
    return finish(c, a, now, err);
}

static int erase_memo_run(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct erase_args *a = arg;
    struct store_erasure *o = a->out;
    long long found = 0;
    int rc = erase_step(c, ST_ERASE_MEMO_EXISTS, a, now, NULL, &found, err);

    if (rc == HL_OK && !found)
        return hl_err_set(err, HL_ENOTFOUND, "no memo has this id");
    if (rc || (rc = erase_step(c, ST_ERASE_MEMO_MESSAGES, a, now, NULL, &o->messages, err)) ||
        (rc = erase_step(c, ST_ERASE_MEMO_TRANSCRIPTS, a, now, NULL, &o->transcriptions, err)) ||
        (rc = erase_step(c, ST_ERASE_MEMO_RECORDING, a, now, row_recording, &o->recordings,
                         err)) ||
        (rc = erase_step(c, ST_ERASE_MEMO, a, now, row_files, &o->memos, err)))
        return rc;
    return finish(c, a, now, err);
}

/* Run one erasure; once committed, hand each file and recording to each. */
static int erase(struct store *base, struct erase_args *a,
                 int (*run)(struct sqlite_conn *, void *, const char *, struct hl_err *),
                 store_erased_fn each, void *ctx, struct hl_err *err)
{
    struct sqlite_write w = SQLITE_WRITE(run, a, err);
    int rc = sqlite_write_run(sqlite_of(base), &w);
    size_t i;

    if (rc != HL_OK) /* nothing was erased */
        memset(a->out, 0, sizeof(*a->out));
    for (i = 0; rc == HL_OK && i < a->n_items; i++)
        each(ctx, a->items[i].what, a->items[i].value);
    release_items(a);
    return rc;
}

int sqlite_erase_phone(struct store *base, const char *phone, const char *subject,
                       const char *cleanup_kind, struct store_erasure *out, store_erased_fn each,
                       void *ctx, struct hl_err *err)
{
    struct erase_args a = {phone, subject, cleanup_kind, out, NULL, 0, 0, NULL, NULL};

    return erase(base, &a, erase_phone_run, each, ctx, err);
}

int sqlite_erase_memo(struct store *base, const char *id, const char *cleanup_kind,
                      struct store_erasure *out, store_erased_fn each, void *ctx,
                      struct hl_err *err)
{
    char subject[STORE_SUBJECT_SIZE];
    struct erase_args a = {id, subject, cleanup_kind, out, NULL, 0, 0, NULL, NULL};

    snprintf(subject, sizeof(subject), "memo:%.62s", id);
    return erase(base, &a, erase_memo_run, each, ctx, err);
}
