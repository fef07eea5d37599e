/*
 * sqlite_outbound.c — outbound calls and messages before and after their
 * REST request, in the SQLite engine.
 *
 * A call is inserted under a provisional sid ("HL" + 32 hex) and renamed to
 * Twilio's CallSid when the answer comes. A status callback may have beaten
 * that answer and created a row under the real sid; then the provisional
 * row's facts are merged into it and the provisional row removed — the
 * callback's row keeps its call_events, whose foreign key is the sid.
 * Messages have an id of their own, so there the callback's row is the one
 * folded in and removed.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "store/sqlite_internal.h"

#include "core/banned.h"

struct begin_args {
    const struct store_call *call;
    char *sid;
};

static int call_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct begin_args *a = arg;
    struct store_call row = *a->call;
    struct binder b;
    int rc;

    row.sid = a->sid;
    if (!row.status)
        row.status = STORE_STATUS_REQUESTING;
    if ((rc = stmt_open(c, ST_CALL_OUT_INSERT, &b, err)) != HL_OK)
        return rc;
    sqlite_bind_call(&b, &row, now);
    return stmt_run(c, &b, NULL, NULL, err);
}

int sqlite_call_outbound_begin(struct store *base, const struct store_call *call,
                               char sid_out[STORE_SID_SIZE], struct hl_err *err)
{
    unsigned char bytes[16];
    struct begin_args args = {call, sid_out};
    struct sqlite_write w = SQLITE_WRITE(call_insert, &args, err);
    int rc;

    if (crypto_random(bytes, sizeof(bytes)) != HL_OK)
        return hl_err_set(err, HL_EIO, "the system's random number generator failed");
    memcpy(sid_out, "HL", 2);
    crypto_hex_encode(sid_out + 2, bytes, sizeof(bytes));
    sid_out[2 + 2 * sizeof(bytes)] = '\0';
    rc = sqlite_write_run(sqlite_of(base), &w);
    if (rc != HL_OK)
        sid_out[0] = '\0';
    return rc;
}

struct end_args {
    const char *sid; /* provisional call sid */
    long long id;    /* message id */
    const struct store_outcome *o;
};

/* Bind ?1 provisional sid, ?2 Twilio's sid, ?3..?5 the outcome, ?6 now — those the statement has. */
static void bind_outcome(struct binder *b, const struct end_args *a, const char *now)
{
    const char *values[] = {a->sid, a->o->sid, a->o->status, a->o->error_code,
                            a->o->error_message, now};
    int i, n = sqlite3_bind_parameter_count(b->st);

    for (i = 0; i < n && i < (int)HL_ARRAY_LEN(values); i++)
        bind_text(b, i + 1, values[i]);
}

static int call_step(struct sqlite_conn *c, enum stmt_id id, const struct end_args *a,
                     const char *now, int *found, struct hl_err *err)
{
    struct binder b;
    int rc = stmt_open(c, id, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_outcome(&b, a, now);
    return stmt_run(c, &b, NULL, found, err);
}

static int call_end(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct end_args *a = arg;
    int rc, found = 0, taken = 0;

    if (!a->o->sid)
        rc = call_step(c, ST_CALL_OUT_STATUS, a, now, &found, err);
    else if ((rc = call_step(c, ST_CALL_SID_EXISTS, a, now, &taken, err)) != HL_OK)
        return rc;
    else if (!taken)
        rc = call_step(c, ST_CALL_OUT_RENAME, a, now, &found, err);
    else if ((rc = call_step(c, ST_CALL_OUT_MERGE, a, now, &found, err)) == HL_OK && found) {
        struct binder b;
        if ((rc = stmt_open(c, ST_CALL_DELETE, &b, err)) != HL_OK)
            return rc;
        bind_text(&b, 1, a->sid);
        rc = stmt_run(c, &b, NULL, NULL, err);
    }
    if (rc == HL_OK && !found)
        rc = hl_err_set(err, HL_ENOTFOUND, "no outbound call %s", a->sid);
    return rc;
}

int sqlite_call_outbound_end(struct store *base, const char *provisional_sid,
                             const struct store_outcome *outcome, struct hl_err *err)
{
    struct end_args args = {provisional_sid, 0, outcome};
    struct sqlite_write w = SQLITE_WRITE(call_end, &args, err);

    return sqlite_write_run(sqlite_of(base), &w);
}

/* Remove the row a callback made under the sid first; copy out its status and error. */
static int message_take(struct sqlite_conn *c, const struct end_args *a, char status[32],
                        char error_code[32], struct hl_err *err)
{
    struct binder b;
    int src, rc = stmt_open(c, ST_MSG_OUT_TAKE, &b, err);

    if (rc != HL_OK)
        return rc;
    bind_int(&b, 1, a->id);
    bind_text(&b, 2, a->o->sid);
    while (b.src == SQLITE_OK && (src = sqlite3_step(b.st)) == SQLITE_ROW) {
        const unsigned char *st = sqlite3_column_text(b.st, 0);
        const unsigned char *code = sqlite3_column_text(b.st, 1);
        if (st)
            snprintf(status, 32, "%s", (const char *)st);
        if (code)
            snprintf(error_code, 32, "%s", (const char *)code);
    }
    if (b.src == SQLITE_OK && src != SQLITE_DONE)
        rc = db_fail(c->db, src, err);
    else if (b.src != SQLITE_OK)
        rc = db_fail(c->db, b.src, err);
    sqlite3_reset(b.st);
    sqlite3_clear_bindings(b.st);
    return rc;
}

static int message_end(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct end_args *a = arg;
    char status[32] = "", code[32] = "";
    struct binder b;
    int rc, found;

    if (a->o->sid && (rc = message_take(c, a, status, code, err)) != HL_OK)
        return rc;
    if ((rc = stmt_open(c, ST_MSG_OUT_END, &b, err)) != HL_OK)
        return rc;
    bind_int(&b, 1, a->id);
    bind_text(&b, 2, a->o->sid);
    bind_text(&b, 3, a->o->status);
    bind_text(&b, 4, a->o->error_code);
    bind_text(&b, 5, a->o->error_message);
    bind_text(&b, 6, status[0] ? status : NULL);
    bind_text(&b, 7, code[0] ? code : NULL);
    bind_text(&b, 8, now);
    if ((rc = stmt_run(c, &b, NULL, &found, err)) == HL_OK && !found)
        rc = hl_err_set(err, HL_ENOTFOUND, "no outbound message %lld", a->id);
    return rc;
}

int sqlite_message_outbound_end(struct store *base, long long id,
                                const struct store_outcome *outcome, struct hl_err *err)
{
    struct end_args args = {NULL, id, outcome};
    struct sqlite_write w = SQLITE_WRITE(message_end, &args, err);

    return sqlite_write_run(sqlite_of(base), &w);
}
