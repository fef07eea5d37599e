/*
 * sqlite_read.c — reading history back in the SQLite engine: lists of calls
 * and messages (newest first, paged by id) and one call with its events,
 * recordings and transcriptions.
 *
 * Each read runs on a pooled reader connection (or, inside a store task, on
 * the task group's connection so that it sees the group's writes) and hands
 * rows to the caller's callback; the strings in a row point into SQLite's
 * row buffer and are valid only during the callback.
 */
#include <sqlite3.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

/* Column i as text, NULL when SQL NULL. */
static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Column i as an integer, STORE_NONE when SQL NULL. */
static long long col_int(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? STORE_NONE : sqlite3_column_int64(st, i);
}

static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1.0 : sqlite3_column_double(st, i);
}

/* One row of statement st handed to the reader's callback. */
typedef void (*any_fn)(void);
typedef void (*row_reader)(sqlite3_stmt *st, any_fn each, void *ctx);

/*
 * Run statement id (bound by bind with its args) on a reader connection and
 * pass each row to read; *rows (may be NULL) counts them.
 */
static int read_rows(struct store *base, enum stmt_id id,
                     void (*bind)(struct binder *b, const void *args), const void *args,
                     row_reader read, any_fn each, void *ctx, int *rows, struct hl_err *err)
{
    struct sqlite_store *s = sqlite_of(base);
    struct sqlite_conn *group = sqlite_group_conn(s);
    struct sqlite_conn *c = group ? group : reader_get(s);
    struct binder b;
    int src = SQLITE_OK, n = 0, rc = stmt_open(c, id, &b, err);

    if (rc == HL_OK) {
        bind(&b, args);
        while (b.src == SQLITE_OK && (src = sqlite3_step(b.st)) == SQLITE_ROW) {
            read(b.st, each, ctx);
            n++;
        }
        if (b.src != SQLITE_OK)
            rc = db_fail(c->db, b.src, err);
        else if (src != SQLITE_DONE)
            rc = db_fail(c->db, src, err);
        sqlite3_reset(b.st);
        sqlite3_clear_bindings(b.st);
    }
    if (!group)
        reader_put(s, c);
    if (rows)
        *rows = n;
    return rc;
}

static void bind_list(struct binder *b, const void *args)
{
    const struct store_list *q = args;

    bind_int(b, 1, q->before_id);
    bind_int(b, 2, q->limit);
    if (q->phone || q->phone_suffix)
        bind_text(b, 3, q->phone ? q->phone : q->phone_suffix);
}

/* The list statement of a table: all rows, those of one number, or of its last digits. */
static enum stmt_id list_stmt(const struct store_list *q, enum stmt_id all, enum stmt_id phone,
                              enum stmt_id suffix)
{
    return q->phone ? phone : q->phone_suffix ? suffix : all;
}

static void bind_sid(struct binder *b, const void *args)
{
    bind_text(b, 1, args);
}

/* ---- Calls ---------------------------------------------------------------------------- */

/* Columns: id, CALL_COLUMNS (1..15), error_code, error_message, created_at, updated_at. */
static void read_call(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_call_row r = {0};
    struct store_call *c = &r.call;

    r.id = sqlite3_column_int64(st, 0);
    c->sid = col_text(st, 1);
    c->account_sid = col_text(st, 2);
    c->direction = col_text(st, 3);
    c->from_number = col_text(st, 4);
    c->to_number = col_text(st, 5);
    c->status = col_text(st, 6);
    c->flow = col_text(st, 7);
    c->current_step = col_text(st, 8);
    c->variables_json = col_text(st, 9);
    c->consent = (int)col_int(st, 10);
    c->answered_by = col_text(st, 11);
    c->duration_s = col_int(st, 12);
    c->parent_sid = col_text(st, 13);
    c->user_id = col_text(st, 14);
    c->metadata_json = col_text(st, 15);
    r.error_code = col_text(st, 16);
    r.error_message = col_text(st, 17);
    r.created_at = col_text(st, 18);
    r.updated_at = col_text(st, 19);
    ((void (*)(void *, const struct store_call_row *))each)(ctx, &r);
}

int sqlite_call_list(struct store *base, const struct store_list *q,
                     void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                     struct hl_err *err)
{
    return read_rows(base, list_stmt(q, ST_CALL_LIST, ST_CALL_LIST_PHONE, ST_CALL_LIST_SUFFIX),
                     bind_list, q, read_call, (any_fn)each, ctx, NULL, err);
}

int sqlite_call_get(struct store *base, const char *sid,
                    void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                    struct hl_err *err)
{
    int rows = 0;
    int rc = read_rows(base, ST_CALL_GET, bind_sid, sid, read_call, (any_fn)each, ctx, &rows, err);

    if (rc == HL_OK && rows == 0)
        rc = hl_err_set(err, HL_ENOTFOUND, "no call %s", sid);
    return rc;
}

static void read_event(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_event_row r;

    r.id = sqlite3_column_int64(st, 0);
    r.call_sid = col_text(st, 1);
    r.status = col_text(st, 2);
    r.sequence = col_int(st, 3);
    r.timestamp = col_text(st, 4);
    r.params_json = col_text(st, 5);
    r.received_at = col_text(st, 6);
    ((void (*)(void *, const struct store_event_row *))each)(ctx, &r);
}

int sqlite_call_events(struct store *base, const char *call_sid,
                       void (*each)(void *ctx, const struct store_event_row *row), void *ctx,
                       struct hl_err *err)
{
    return read_rows(base, ST_EVENT_LIST, bind_sid, call_sid, read_event, (any_fn)each, ctx, NULL,
                     err);
}

/* Columns: id, REC_COLUMNS (1..13), received_at, created_at, updated_at. */
static void read_recording(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_recording_row r = {0};
    struct store_recording *x = &r.rec;

    r.id = sqlite3_column_int64(st, 0);
    x->sid = col_text(st, 1);
    x->call_sid = col_text(st, 2);
    x->account_sid = col_text(st, 3);
    x->url = col_text(st, 4);
    x->status = col_text(st, 5);
    x->source = col_text(st, 6);
    x->error_code = col_text(st, 7);
    x->local_path = col_text(st, 8);
    x->sha256 = col_text(st, 9);
    x->duration_s = col_int(st, 10);
    x->channels = col_int(st, 11);
    x->size_bytes = col_int(st, 12);
    x->deleted_remote = (int)col_int(st, 13);
    r.received_at = col_text(st, 14);
    r.created_at = col_text(st, 15);
    r.updated_at = col_text(st, 16);
    ((void (*)(void *, const struct store_recording_row *))each)(ctx, &r);
}

int sqlite_call_recordings(struct store *base, const char *call_sid,
                           void (*each)(void *ctx, const struct store_recording_row *row),
                           void *ctx, struct hl_err *err)
{
    return read_rows(base, ST_REC_LIST_CALL, bind_sid, call_sid, read_recording, (any_fn)each, ctx,
                     NULL, err);
}

static void read_transcription(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_transcription_row r;

    r.id = sqlite3_column_int64(st, 0);
    r.recording_sid = col_text(st, 1);
    r.call_sid = col_text(st, 2);
    r.engine = col_text(st, 3);
    r.text = col_text(st, 4);
    r.confidence = col_real(st, 5);
    r.duration_s = col_real(st, 6);
    r.analysis_json = col_text(st, 7);
    r.created_at = col_text(st, 8);
    ((void (*)(void *, const struct store_transcription_row *))each)(ctx, &r);
}

int sqlite_call_transcriptions(struct store *base, const char *call_sid,
                               void (*each)(void *ctx, const struct store_transcription_row *row),
                               void *ctx, struct hl_err *err)
{
    return read_rows(base, ST_TRANSCRIPT_LIST_CALL, bind_sid, call_sid, read_transcription,
                     (any_fn)each, ctx, NULL, err);
}

/* ---- Contacts ------------------------------------------------------------------------- */

static void read_contact(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_contact c;

    c.phone = col_text(st, 0);
    c.name = col_text(st, 1);
    c.fields_json = col_text(st, 2);
    ((void (*)(void *, const struct store_contact *))each)(ctx, &c);
}

int sqlite_contact_get(struct store *base, const char *phone,
                       void (*each)(void *ctx, const struct store_contact *c), void *ctx,
                       struct hl_err *err)
{
    int rows = 0;
    int rc = read_rows(base, ST_CONTACT_GET, bind_sid, phone, read_contact, (any_fn)each, ctx,
                       &rows, err);

    if (rc == HL_OK && rows == 0)
        rc = hl_err_set(err, HL_ENOTFOUND, "no contact for this number");
    return rc;
}

/* ---- Memos ---------------------------------------------------------------------------- */

/* Columns: MEMO_ROW (sqlite.c). */
static void read_memo(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_memo_row r;

    r.memo.id = col_text(st, 0);
    r.memo.kind = col_text(st, 1);
    r.memo.call_sid = col_text(st, 2);
    r.memo.recording_sid = col_text(st, 3);
    r.memo.message_id = col_int(st, 4);
    r.memo.key_sha256 = col_text(st, 5);
    r.memo.audio_path = col_text(st, 6);
    r.memo.meta_path = col_text(st, 7);
    r.owner_notified_at = col_text(st, 8);
    r.memo.owner_notified = r.owner_notified_at != NULL;
    r.created_at = col_text(st, 9);
    r.deleted_at = col_text(st, 10);
    r.seq = sqlite3_column_int64(st, 11);
    r.phone = col_text(st, 12);
    ((void (*)(void *, const struct store_memo_row *))each)(ctx, &r);
}

int sqlite_memo_get(struct store *base, const char *id,
                    void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                    struct hl_err *err)
{
    int rows = 0;
    int rc = read_rows(base, ST_MEMO_GET, bind_sid, id, read_memo, (any_fn)each, ctx, &rows, err);

    if (rc == HL_OK && rows == 0)
        rc = hl_err_set(err, HL_ENOTFOUND, "no memo with this id");
    return rc;
}

/* ---- Bookings ------------------------------------------------------------------------- */

static void read_booking(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_booking_row r;

    r.id = sqlite3_column_int64(st, 0);
    r.booking.call_sid = col_text(st, 1);
    r.booking.phone = col_text(st, 2);
    r.booking.starts_at = col_text(st, 3);
    r.booking.timezone = col_text(st, 4);
    r.booking.summary = col_text(st, 5);
    r.status = col_text(st, 6);
    r.created_at = col_text(st, 7);
    ((void (*)(void *, const struct store_booking_row *))each)(ctx, &r);
}

int sqlite_booking_list(struct store *base, const struct store_list *q,
                        void (*each)(void *ctx, const struct store_booking_row *row), void *ctx,
                        struct hl_err *err)
{
    return read_rows(base,
                     list_stmt(q, ST_BOOKING_LIST, ST_BOOKING_LIST_PHONE, ST_BOOKING_LIST_SUFFIX),
                     bind_list, q, read_booking, (any_fn)each, ctx, NULL, err);
}

/* ---- Jobs ----------------------------------------------------------------------------- */

/* Columns: JOB_COLUMNS (sqlite.c). */
static void read_job(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_job j;

    j.id = sqlite3_column_int64(st, 0);
    j.kind = col_text(st, 1);
    j.payload_json = col_text(st, 2);
    j.state = col_text(st, 3);
    j.attempts = col_int(st, 4);
    j.max_attempts = col_int(st, 5);
    j.run_at = col_text(st, 6);
    j.lease_owner = col_text(st, 7);
    j.lease_expires_at = col_text(st, 8);
    j.last_error = col_text(st, 9);
    j.created_at = col_text(st, 10);
    j.updated_at = col_text(st, 11);
    ((void (*)(void *, const struct store_job *))each)(ctx, &j);
}

struct job_query {
    const struct store_list *q;
    const char *state;
};

static void bind_job_list(struct binder *b, const void *args)
{
    const struct job_query *jq = args;

    bind_int(b, 1, jq->q->before_id);
    bind_int(b, 2, jq->q->limit);
    if (jq->state)
        bind_text(b, 3, jq->state);
}

int sqlite_job_list(struct store *base, const char *state, const struct store_list *q,
                    void (*each)(void *ctx, const struct store_job *job), void *ctx,
                    struct hl_err *err)
{
    struct job_query jq = {q, state};

    return read_rows(base, state ? ST_JOB_LIST_STATE : ST_JOB_LIST, bind_job_list, &jq, read_job,
                     (any_fn)each, ctx, NULL, err);
}

static void bind_id(struct binder *b, const void *args)
{
    bind_int(b, 1, *(const long long *)args);
}

static void read_stage(sqlite3_stmt *st, any_fn each, void *ctx)
{
    ((void (*)(void *, const char *, const char *, const char *))each)(
        ctx, col_text(st, 0), col_text(st, 1), col_text(st, 2));
}

int sqlite_job_get(struct store *base, long long id,
                   void (*each)(void *ctx, const struct store_job *job),
                   void (*stage_each)(void *ctx, const char *stage, const char *result_json,
                                      const char *finished_at),
                   void *ctx, struct hl_err *err)
{
    int rows = 0;
    int rc = read_rows(base, ST_JOB_GET, bind_id, &id, read_job, (any_fn)each, ctx, &rows, err);

    if (rc == HL_OK && rows == 0)
        return hl_err_set(err, HL_ENOTFOUND, "no job %lld", id);
    if (rc == HL_OK && stage_each)
        rc = read_rows(base, ST_JOB_STAGES, bind_id, &id, read_stage, (any_fn)stage_each, ctx,
                       NULL, err);
    return rc;
}

struct stage_key {
    long long job;
    const char *stage;
};

static void bind_stage(struct binder *b, const void *args)
{
    const struct stage_key *k = args;

    bind_int(b, 1, k->job);
    bind_text(b, 2, k->stage);
}

static void read_result(sqlite3_stmt *st, any_fn each, void *ctx)
{
    ((void (*)(void *, const char *))each)(ctx, col_text(st, 0));
}

int sqlite_job_stage_get(struct store *base, long long job_id, const char *stage,
                         void (*each)(void *ctx, const char *result_json), void *ctx,
                         struct hl_err *err)
{
    struct stage_key k = {job_id, stage};
    int rows = 0;
    int rc = read_rows(base, ST_JOB_STAGE_GET, bind_stage, &k, read_result, (any_fn)each, ctx,
                       &rows, err);

    if (rc == HL_OK && rows == 0)
        rc = hl_err_set(err, HL_ENOTFOUND, "job %lld: stage %s not done", job_id, stage);
    return rc;
}

/* ---- Messages ------------------------------------------------------------------------- */

/* Columns: id, MSG_COLUMNS (1..14), created_at, updated_at. */
static void read_message(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_message_row r = {0};
    struct store_message *m = &r.msg;

    r.id = sqlite3_column_int64(st, 0);
    m->sid = col_text(st, 1);
    m->account_sid = col_text(st, 2);
    m->direction = col_text(st, 3);
    m->channel = col_text(st, 4);
    m->from_number = col_text(st, 5);
    m->to_number = col_text(st, 6);
    m->body = col_text(st, 7);
    m->media_json = col_text(st, 8);
    m->status = col_text(st, 9);
    m->error_code = col_text(st, 10);
    m->error_message = col_text(st, 11);
    m->user_id = col_text(st, 12);
    m->metadata_json = col_text(st, 13);
    m->num_media = col_int(st, 14);
    r.created_at = col_text(st, 15);
    r.updated_at = col_text(st, 16);
    ((void (*)(void *, const struct store_message_row *))each)(ctx, &r);
}

int sqlite_message_list(struct store *base, const struct store_list *q,
                        void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                        struct hl_err *err)
{
    return read_rows(base, list_stmt(q, ST_MSG_LIST, ST_MSG_LIST_PHONE, ST_MSG_LIST_SUFFIX),
                     bind_list, q, read_message, (any_fn)each, ctx, NULL, err);
}

/* ---- The dashboard -------------------------------------------------------------------- */

/* ?1 before, ?2 limit, ?3 whole number or NULL, ?4 last digits or NULL. */
static void bind_list_either(struct binder *b, const void *args)
{
    const struct store_list *q = args;

    bind_int(b, 1, q->before_id);
    bind_int(b, 2, q->limit);
    bind_text(b, 3, q->phone);
    bind_text(b, 4, q->phone_suffix);
}

int sqlite_memo_list(struct store *base, const struct store_list *q,
                     void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                     struct hl_err *err)
{
    return read_rows(base, ST_MEMO_LIST, bind_list_either, q, read_memo, (any_fn)each, ctx, NULL,
                     err);
}

static void read_optout(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct store_optout_row r;

    r.seq = sqlite3_column_int64(st, 0);
    r.phone = col_text(st, 1);
    r.keyword = col_text(st, 2);
    r.created_at = col_text(st, 3);
    ((void (*)(void *, const struct store_optout_row *))each)(ctx, &r);
}

int sqlite_optout_list(struct store *base, const struct store_list *q,
                       void (*each)(void *ctx, const struct store_optout_row *row), void *ctx,
                       struct hl_err *err)
{
    return read_rows(base, ST_OPTOUT_LIST, bind_list_either, q, read_optout, (any_fn)each, ctx,
                     NULL, err);
}

struct period {
    const char *since, *until;
    long long counts[2]; /* calls, messages */
};

static void bind_period(struct binder *b, const void *args)
{
    const struct period *p = args;

    bind_text(b, 1, p->since);
    bind_text(b, 2, p->until);
}

static void read_counts(sqlite3_stmt *st, any_fn each, void *ctx)
{
    struct period *p = ctx;

    (void)each;
    p->counts[0] = sqlite3_column_int64(st, 0);
    p->counts[1] = sqlite3_column_int64(st, 1);
}

int sqlite_activity_count(struct store *base, const char *since, const char *until,
                          long long *calls, long long *messages, struct hl_err *err)
{
    struct period p = {since, until, {0, 0}};
    int rc = read_rows(base, ST_ACTIVITY_COUNT, bind_period, &p, read_counts, NULL, &p, NULL, err);

    *calls = p.counts[0];
    *messages = p.counts[1];
    return rc;
}

int sqlite_message_for_job(struct store *base, long long job_id, const char *stage,
                           void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                           struct hl_err *err)
{
    struct stage_key k = {job_id, stage};
    int rows = 0, rc = read_rows(base, ST_MSG_FOR_JOB, bind_stage, &k, read_message, (any_fn)each,
                                 ctx, &rows, err);

    if (rc == HL_OK && rows == 0)
        rc = hl_err_set(err, HL_ENOTFOUND, "job %lld: stage %s sent no message", job_id, stage);
    return rc;
}
