/*
 * sqlite_ops.c — the store operations of the SQLite engine.
 *
 * Each write is a run function over the writer connection, handed to
 * sqlite_write_run(), which executes it inside a transaction it may share
 * with other threads' writes and returns once that is committed. A run
 * function therefore never begins or ends a transaction itself: it runs its
 * statements and returns; any error rolls back its part alone. Reads go to
 * the pool of reader connections.
 */
#include <string.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

void sqlite_bind_call(struct binder *b, const struct store_call *call, const char *now)
{
    bind_text(b, 1, call->sid);
    bind_text(b, 2, call->account_sid);
    bind_text(b, 3, call->direction);
    bind_text(b, 4, call->from_number);
    bind_text(b, 5, call->to_number);
    bind_text(b, 6, call->status);
    bind_text(b, 7, call->flow);
    bind_text(b, 8, call->current_step);
    bind_text(b, 9, call->variables_json);
    bind_int(b, 10, call->consent);
    bind_text(b, 11, call->answered_by);
    bind_int(b, 12, call->duration_s);
    bind_text(b, 13, call->parent_sid);
    bind_text(b, 14, call->user_id);
    bind_text(b, 15, call->metadata_json);
    bind_text(b, 16, now);
}

static void bind_event(struct binder *b, const struct store_call_event *e, const char *now)
{
    bind_text(b, 1, e->call_sid);
    bind_text(b, 2, e->status);
    bind_int(b, 3, e->sequence);
    bind_text(b, 4, e->idempotency_key);
    bind_text(b, 5, e->timestamp);
    bind_text(b, 6, e->params_json);
    bind_text(b, 7, e->account_sid);
    bind_text(b, 8, e->direction);
    bind_text(b, 9, e->from_number);
    bind_text(b, 10, e->to_number);
    bind_text(b, 11, e->answered_by);
    bind_text(b, 12, e->parent_sid);
    bind_int(b, 13, e->duration_s);
    bind_text(b, 14, now);
}

static void bind_recording(struct binder *b, const struct store_recording *r, const char *now)
{
    bind_text(b, 1, r->sid);
    bind_text(b, 2, r->call_sid);
    bind_text(b, 3, r->account_sid);
    bind_text(b, 4, r->url);
    bind_text(b, 5, r->status);
    bind_text(b, 6, r->source);
    bind_text(b, 7, r->error_code);
    bind_text(b, 8, r->local_path);
    bind_text(b, 9, r->sha256);
    bind_int(b, 10, r->duration_s);
    bind_int(b, 11, r->channels);
    bind_int(b, 12, r->size_bytes);
    bind_int(b, 13, r->deleted_remote);
    bind_text(b, 14, now);
}

static void bind_message(struct binder *b, const struct store_message *m, const char *now)
{
    bind_text(b, 1, m->sid);
    bind_text(b, 2, m->account_sid);
    bind_text(b, 3, m->direction);
    bind_text(b, 4, m->channel);
    bind_text(b, 5, m->from_number);
    bind_text(b, 6, m->to_number);
    bind_text(b, 7, m->body);
    bind_text(b, 8, m->media_json);
    bind_text(b, 9, m->status);
    bind_text(b, 10, m->error_code);
    bind_text(b, 11, m->error_message);
    bind_text(b, 12, m->user_id);
    bind_text(b, 13, m->metadata_json);
    bind_int(b, 14, m->num_media);
    bind_text(b, 15, now);
}

/* ---- Calls ---------------------------------------------------------------------------- */

/*
 * Give the call sid the numbers it lacks. A call's numbers never change, so
 * the UPSERTs set them only when they create the row (see ST_CALL_NUMBERS).
 */
static int call_fill_numbers(struct sqlite_conn *c, const char *sid, const char *from,
                             const char *to, struct hl_err *err)
{
    struct binder b;
    int rc;

    if (!from && !to)
        return HL_OK;
    if ((rc = stmt_open(c, ST_CALL_NUMBERS, &b, err)) != HL_OK)
        return rc;
    bind_text(&b, 1, sid);
    bind_text(&b, 2, from);
    bind_text(&b, 3, to);
    return stmt_run(c, &b, NULL, NULL, err);
}

/*
 * The call's row, then its numbers — unless the upsert inserted the row, which
 * then has them already. An upsert that updates leaves last_insert_rowid as
 * it was; should a new row reuse the rowid last inserted, the fill merely runs.
 */
static int call_write(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    const struct store_call *call = arg;
    sqlite3_int64 last_row = sqlite3_last_insert_rowid(c->db);
    struct binder b;
    int rc;

    if ((rc = stmt_open(c, ST_CALL_UPSERT, &b, err)) != HL_OK)
        return rc;
    sqlite_bind_call(&b, call, now);
    if ((rc = stmt_run(c, &b, NULL, NULL, err)) != HL_OK)
        return rc;
    if (sqlite3_last_insert_rowid(c->db) != last_row)
        return HL_OK;
    return call_fill_numbers(c, call->sid, call->from_number, call->to_number, err);
}

int sqlite_call_upsert(struct store *base, const struct store_call *call, struct hl_err *err)
{
    struct sqlite_write w = SQLITE_WRITE(call_write, (void *)call, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

struct event_args {
    const struct store_call_event *event;
    int *inserted;
};

/* The event, then (unless it is a repeat) its call. */
static int event_apply(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct event_args *a = arg;
    const struct store_call_event *e = a->event;
    struct binder b;
    int rc;

    if ((rc = stmt_open(c, ST_EVENT_INSERT, &b, err)) != HL_OK)
        return rc;
    bind_event(&b, e, now);
    if ((rc = stmt_run(c, &b, NULL, a->inserted, err)) != HL_OK || !*a->inserted)
        return rc;
    if ((rc = stmt_open(c, ST_EVENT_CALL, &b, err)) != HL_OK)
        return rc;
    bind_event(&b, e, now);
    if ((rc = stmt_run(c, &b, NULL, NULL, err)) != HL_OK)
        return rc;
    return call_fill_numbers(c, e->call_sid, e->from_number, e->to_number, err);
}

int sqlite_call_event_add(struct store *base, const struct store_call_event *event, int *inserted,
                          struct hl_err *err)
{
    struct event_args args = {event, inserted};
    struct sqlite_write w = SQLITE_WRITE(event_apply, &args, err);
    int rc = sqlite_write_run(sqlite_of(base), &w);

    if (rc != HL_OK)
        *inserted = 0;
    return rc;
}

/* ---- Recordings ----------------------------------------------------------------------- */

struct received_args {
    const struct store_recording *rec;
    const char *kind;
    const char *payload;
    int *inserted;
};

/* The recording, then (unless received before) its job. */
static int recording_receive(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct received_args *a = arg;
    long long job_id = 0;
    struct binder b;
    int rc, fresh;

    if ((rc = stmt_open(c, ST_REC_RECEIVED, &b, err)) != HL_OK)
        return rc;
    bind_recording(&b, a->rec, now);
    if ((rc = stmt_run(c, &b, NULL, &fresh, err)) != HL_OK || !fresh)
        return rc;
    if ((rc = stmt_open(c, ST_JOB_INSERT, &b, err)) != HL_OK)
        return rc;
    bind_text(&b, 1, a->kind);
    bind_text(&b, 2, a->payload);
    bind_text(&b, 3, now);
    if ((rc = stmt_run(c, &b, &job_id, NULL, err)) != HL_OK)
        return rc;
    if ((rc = stmt_open(c, ST_REC_SET_JOB, &b, err)) != HL_OK)
        return rc;
    bind_text(&b, 1, a->rec->sid);
    bind_int(&b, 2, job_id);
    if ((rc = stmt_run(c, &b, NULL, NULL, err)) == HL_OK)
        *a->inserted = 1;
    return rc;
}

int sqlite_recording_received(struct store *base, const struct store_recording *rec,
                              const char *job_kind, const char *job_payload_json, int *inserted,
                              struct hl_err *err)
{
    struct received_args args = {rec, job_kind, job_payload_json, inserted};
    struct sqlite_write w = SQLITE_WRITE(recording_receive, &args, err);
    int rc;

    *inserted = 0;
    rc = sqlite_write_run(sqlite_of(base), &w);
    if (rc != HL_OK)
        *inserted = 0;
    return rc;
}

static int recording_update(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct binder b;
    int rc = stmt_open(c, ST_REC_STATUS, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_recording(&b, arg, now);
    return stmt_run(c, &b, NULL, NULL, err);
}

int sqlite_recording_status(struct store *base, const struct store_recording *rec,
                            struct hl_err *err)
{
    struct sqlite_write w = SQLITE_WRITE(recording_update, (void *)rec, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

/* ---- Messages ------------------------------------------------------------------------- */

struct message_args {
    const struct store_message *msg;
    long long *id;
    int *inserted;
};

/* A new row sent by a job stage records which (store_message_for_job). */
static int message_tag(struct sqlite_conn *c, const struct store_message *m, long long id,
                       struct hl_err *err)
{
    struct binder b;
    int rc;

    if (m->job_id <= 0 || !m->job_stage)
        return HL_OK;
    if ((rc = stmt_open(c, ST_MSG_SET_JOB, &b, err)) != HL_OK)
        return rc;
    bind_int(&b, 1, id);
    bind_int(&b, 2, m->job_id);
    bind_text(&b, 3, m->job_stage);
    return stmt_run(c, &b, NULL, NULL, err);
}

/* Insert, or on a repeated sid fill the gaps of the existing row. */
static int message_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct message_args *a = arg;
    struct binder b;
    int rc, found;

    if ((rc = stmt_open(c, ST_MSG_INSERT, &b, err)) != HL_OK)
        return rc;
    bind_message(&b, a->msg, now);
    if ((rc = stmt_run(c, &b, a->id, a->inserted, err)) != HL_OK)
        return rc;
    if (*a->inserted)
        return message_tag(c, a->msg, *a->id, err);
    if ((rc = stmt_open(c, ST_MSG_FILL, &b, err)) != HL_OK)
        return rc;
    bind_message(&b, a->msg, now);
    if ((rc = stmt_run(c, &b, a->id, &found, err)) != HL_OK)
        return rc;
    return found ? HL_OK
                 : hl_err_set(err, HL_ESTORE, "message %s was deleted while being stored",
                              a->msg->sid);
}

int sqlite_message_add(struct store *base, const struct store_message *msg, long long *id,
                       int *inserted, struct hl_err *err)
{
    struct message_args args = {msg, id, inserted};
    struct sqlite_write w = SQLITE_WRITE(message_insert, &args, err);
    int rc = sqlite_write_run(sqlite_of(base), &w);

    if (rc != HL_OK)
        *inserted = 0;
    return rc;
}

/* ---- One-statement writes ------------------------------------------------------------- */

/* Statement id with its text parameters ?1..?n; the time binds ?n+1 if it has one. */
struct strings_args {
    enum stmt_id id;
    const char *const *args;
    size_t n;
    int *found; /* may be NULL: set when a row was written (the statement RETURNs it) */
};

static int write_strings(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct strings_args *a = arg;
    struct binder b;
    int rc = stmt_open(c, a->id, &b, err);
    size_t i;

    if (rc != HL_OK)
        return rc;
    for (i = 0; i < a->n; i++)
        bind_text(&b, (int)i + 1, a->args[i]);
    if (sqlite3_bind_parameter_count(b.st) > (int)a->n)
        bind_text(&b, (int)a->n + 1, now);
    return stmt_run(c, &b, NULL, a->found, err);
}

static int run_strings(struct store *base, enum stmt_id id, const char *const *args, size_t n,
                       struct hl_err *err)
{
    struct strings_args a = {id, args, n, NULL};
    struct sqlite_write w = SQLITE_WRITE(write_strings, &a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

int sqlite_message_status(struct store *base, const char *sid, const char *status,
                          const char *error_code, struct hl_err *err)
{
    const char *args[] = {sid, status, error_code};

    return run_strings(base, ST_MSG_STATUS, args, HL_ARRAY_LEN(args), err);
}

/* ---- Transcriptions and bookings ------------------------------------------------------ */

struct transcript_args {
    const struct store_transcription *t;
    int *inserted;
};

static void bind_real(struct binder *b, int i, double v)
{
    if (b->src == SQLITE_OK)
        b->src = v < 0 ? sqlite3_bind_null(b->st, i) : sqlite3_bind_double(b->st, i, v);
}

static int transcript_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct transcript_args *a = arg;
    struct binder b;
    int rc = stmt_open(c, ST_TRANSCRIPT_ADD, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, a->t->recording_sid);
    bind_text(&b, 2, a->t->call_sid);
    bind_text(&b, 3, a->t->engine);
    bind_text(&b, 4, a->t->text);
    bind_real(&b, 5, a->t->confidence);
    bind_real(&b, 6, a->t->duration_s);
    bind_text(&b, 7, a->t->analysis_json);
    bind_text(&b, 8, now);
    return stmt_run(c, &b, NULL, a->inserted, err);
}

int sqlite_transcription_add(struct store *base, const struct store_transcription *t,
                             int *inserted, struct hl_err *err)
{
    struct transcript_args a = {t, inserted};
    struct sqlite_write w = SQLITE_WRITE(transcript_insert, &a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

struct booking_args {
    const struct store_booking *b;
    int *inserted;
};

static int booking_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct booking_args *a = arg;
    struct binder b;
    int rc = stmt_open(c, ST_BOOKING_ADD, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, a->b->call_sid);
    bind_text(&b, 2, a->b->phone);
    bind_text(&b, 3, a->b->starts_at);
    bind_text(&b, 4, a->b->timezone);
    bind_text(&b, 5, a->b->summary);
    bind_text(&b, 6, now);
    return stmt_run(c, &b, NULL, a->inserted, err);
}

int sqlite_booking_add(struct store *base, const struct store_booking *b, int *inserted,
                       struct hl_err *err)
{
    struct booking_args a = {b, inserted};
    struct sqlite_write w = SQLITE_WRITE(booking_insert, &a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

/* ---- Memos --------------------------------------------------------------------------- */

int sqlite_memo_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    const struct store_memo *m = arg;
    struct binder b;
    int stored = 0, rc = stmt_open(c, ST_MEMO_ADD, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_text(&b, 1, m->id);
    bind_text(&b, 2, m->kind);
    bind_text(&b, 3, m->call_sid);
    bind_text(&b, 4, m->recording_sid);
    bind_int(&b, 5, m->message_id);
    bind_text(&b, 6, m->key_sha256);
    bind_text(&b, 7, m->audio_path);
    bind_text(&b, 8, m->meta_path);
    bind_int(&b, 9, m->owner_notified ? 1 : STORE_NONE);
    bind_text(&b, 10, now);
    if ((rc = stmt_run(c, &b, NULL, &stored, err)) == HL_OK && !stored)
        rc = hl_err_set(err, HL_EINVAL, "memo id %s is taken", m->id);
    return rc;
}

int sqlite_memo_add(struct store *base, const struct store_memo *m, struct hl_err *err)
{
    struct sqlite_write w = SQLITE_WRITE(sqlite_memo_insert, (void *)m, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

int sqlite_memo_notified(struct store *base, const char *id, struct hl_err *err)
{
    int found = 0;
    struct strings_args a = {ST_MEMO_NOTIFIED, &id, 1, &found};
    struct sqlite_write w = SQLITE_WRITE(write_strings, &a, err);
    int rc = sqlite_write_run(sqlite_of(base), &w);

    return rc == HL_OK && !found ? hl_err_set(err, HL_ENOTFOUND, "no memo %s", id) : rc;
}

/* ---- Contacts ------------------------------------------------------------------------- */

int sqlite_contact_put(struct store *base, const struct store_contact *c, struct hl_err *err)
{
    const char *args[] = {c->phone, c->name, c->fields_json};

    return run_strings(base, ST_CONTACT_PUT, args, HL_ARRAY_LEN(args), err);
}

/* ---- Opt-outs ------------------------------------------------------------------------- */

int sqlite_optout_set(struct store *base, const char *phone, const char *keyword,
                      struct hl_err *err)
{
    const char *args[] = {phone, keyword};

    return run_strings(base, ST_OPTOUT_SET, args, HL_ARRAY_LEN(args), err);
}

int sqlite_optout_clear(struct store *base, const char *phone, const char *subject,
                        struct hl_err *err)
{
    const char *args[] = {phone, subject};

    return run_strings(base, ST_OPTOUT_CLEAR, args, HL_ARRAY_LEN(args), err);
}

int sqlite_optout_check(struct store *base, const char *phone, const char *subject,
                        int *opted_out, struct hl_err *err)
{
    struct sqlite_store *s = sqlite_of(base);
    struct sqlite_conn *group = sqlite_group_conn(s);
    struct sqlite_conn *c = group ? group : reader_get(s);
    struct binder b;
    int rc = stmt_open(c, ST_OPTOUT_CHECK, &b, err);

    if (rc == HL_OK) {
        bind_text(&b, 1, phone);
        bind_text(&b, 2, subject);
        rc = stmt_run(c, &b, NULL, opted_out, err);
    }
    if (!group)
        reader_put(s, c);
    return rc;
}
