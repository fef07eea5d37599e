/*
 * sqlite_notes.c — SMS notes in the SQLite engine: a note's record and its
 * job in one write, reading a note with its message's text, and the two ways
 * a note ends (analysed, or sealed as a memo with its text cleared).
 */
#include <sqlite3.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

struct received_args {
    long long message_id;
    const char *phone, *kind, *payload;
    int *inserted;
};

static int note_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct received_args *a = arg;
    struct binder b;
    int found = 0, rc = stmt_open(c, ST_NOTE_ADD, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_int(&b, 1, a->message_id);
    bind_text(&b, 2, a->phone);
    bind_text(&b, 3, now);
    if ((rc = stmt_run(c, &b, NULL, &found, err)) != HL_OK || !found)
        return rc; /* a retried webhook: the note and its job exist */
    if ((rc = stmt_open(c, ST_JOB_INSERT, &b, err)) != HL_OK)
        return rc;
    bind_text(&b, 1, a->kind);
    bind_text(&b, 2, a->payload);
    bind_text(&b, 3, now);
    if ((rc = stmt_run(c, &b, NULL, NULL, err)) == HL_OK)
        *a->inserted = 1;
    return rc;
}

int sqlite_note_received(struct store *base, long long message_id, const char *phone,
                         const char *job_kind, const char *job_payload_json, int *inserted,
                         struct hl_err *err)
{
    struct received_args a = {message_id, phone, job_kind, job_payload_json, inserted};
    struct sqlite_write w = SQLITE_WRITE(note_insert, &a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

static const char *text_at(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Run ST_NOTE_GET (by id) or ST_NOTE_LAST (by phone) and hand its row, if any, to each. */
int sqlite_note_get(struct store *base, long long message_id, const char *phone,
                    void (*each)(void *ctx, const struct store_note *note), void *ctx,
                    struct hl_err *err)
{
    struct sqlite_store *s = sqlite_of(base);
    struct sqlite_conn *group = sqlite_group_conn(s);
    struct sqlite_conn *c = group ? group : reader_get(s);
    struct binder b;
    int src, rc = stmt_open(c, phone ? ST_NOTE_LAST : ST_NOTE_GET, &b, err);

    if (rc == HL_OK) {
        bind_int(&b, 1, message_id);
        if (phone)
            bind_text(&b, 2, phone);
        src = b.src == SQLITE_OK ? sqlite3_step(b.st) : b.src;
        if (src == SQLITE_ROW) {
            struct store_note n = {sqlite3_column_int64(b.st, 0),
                                   text_at(b.st, 1),
                                   text_at(b.st, 2),
                                   text_at(b.st, 3),
                                   text_at(b.st, 4),
                                   text_at(b.st, 5),
                                   text_at(b.st, 6)};
            each(ctx, &n);
        } else if (src == SQLITE_DONE) {
            rc = hl_err_set(err, HL_ENOTFOUND, "no such note");
        } else {
            rc = db_fail(c->db, src, err);
        }
        sqlite3_reset(b.st);
        sqlite3_clear_bindings(b.st);
    }
    if (!group)
        reader_put(s, c);
    return rc;
}

struct analysed_args {
    long long message_id;
    const char *analysis;
};

static int note_analyse(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct analysed_args *a = arg;
    struct binder b;
    int found = 0, rc = stmt_open(c, ST_NOTE_ANALYSED, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_int(&b, 1, a->message_id);
    bind_text(&b, 2, a->analysis);
    bind_text(&b, 3, now);
    if ((rc = stmt_run(c, &b, NULL, &found, err)) == HL_OK && !found)
        rc = hl_err_set(err, HL_ENOTFOUND, "no unsealed note %lld", a->message_id);
    return rc;
}

int sqlite_note_analysed(struct store *base, long long message_id, const char *analysis_json,
                         struct hl_err *err)
{
    struct analysed_args a = {message_id, analysis_json};
    struct sqlite_write w = SQLITE_WRITE(note_analyse, &a, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

/* The memo, the note's new state and its message's cleared body: one write. */
static int note_seal(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    const struct store_memo *m = arg;
    struct binder b;
    int found = 0, rc = stmt_open(c, ST_NOTE_SEALED, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_int(&b, 1, m->message_id);
    bind_text(&b, 2, m->id);
    bind_text(&b, 3, now);
    if ((rc = stmt_run(c, &b, NULL, &found, err)) != HL_OK)
        return rc;
    if (!found)
        return hl_err_set(err, HL_ENOTFOUND, "no unsealed note %lld", m->message_id);
    if ((rc = sqlite_memo_insert(c, arg, now, err)) != HL_OK ||
        (rc = stmt_open(c, ST_NOTE_CLEAR_BODY, &b, err)) != HL_OK)
        return rc;
    bind_int(&b, 1, m->message_id);
    bind_text(&b, 2, now);
    return stmt_run(c, &b, NULL, NULL, err);
}

int sqlite_note_sealed(struct store *base, const struct store_memo *m, struct hl_err *err)
{
    struct sqlite_write w = SQLITE_WRITE(note_seal, (void *)m, err);

    return sqlite_write_run(sqlite_of(base), &w);
}
