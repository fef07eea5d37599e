/*
 * test_store.c — the storage interface over its SQLite engine.
 *
 * Each test gets a fresh database in its own mkdtemp directory. Tests write
 * only through store.h and inspect what landed by opening the same file with
 * the sqlite3 API directly (the store offers no "count rows" call on purpose).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hl.h"
#include "store/store.h"
#include "store_fixture.h"

#include "core/banned.h"

/* ---- Opening and migrating ------------------------------------------------------------ */

static void migrate_applies_all_then_is_idempotent_and_records_schema_version(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    int applied = -1, version = -1, again = -1;
    char *stamp;

    assert_int_equal(store_schema_version(f->s, &version, &err), HL_OK);
    assert_int_equal(version, 0);
    assert_int_equal(store_migrate(f->s, &applied, &err), HL_OK);
    assert_true(applied >= 5);
    assert_int_equal(store_schema_version(f->s, &version, &err), HL_OK);
    assert_int_equal(version, applied);
    assert_int_equal(store_migrate(f->s, &again, &err), HL_OK);
    assert_int_equal(again, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM schema_version"), applied);
    assert_int_equal(q_int(f, "SELECT max(version) FROM schema_version"), version);
    stamp = q_text(f, "SELECT applied_at FROM schema_version WHERE version = 1");
    assert_true(is_store_time(stamp));
    free(stamp);
    /* Every table SPEC names exists. */
    assert_int_equal(q_int(f, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name "
                              "IN ('calls', 'call_events', 'messages', 'recordings', "
                              "'transcriptions', 'memos', 'bookings', 'optouts', 'contacts', "
                              "'jobs', 'job_stages', 'media', 'erasures')"),
                     13);
    assert_text(f, "PRAGMA journal_mode", "wal");
    /* A call's numbers are indexed alone (the history lists them by id). */
    assert_text(f, "SELECT sql FROM sqlite_master WHERE name = 'calls_from_number'",
                "CREATE INDEX calls_from_number ON calls (from_number)");
    assert_text(f, "SELECT sql FROM sqlite_master WHERE name = 'calls_to_number'",
                "CREATE INDEX calls_to_number ON calls (to_number)");
}

static void ping_fails_until_schema_is_current(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};

    assert_int_equal(store_ping(f->s, &err), HL_ESTORE);
    assert_non_null(strstr(err.msg, "hotline migrate"));
    assert_int_equal(store_migrate(f->s, NULL, &err), HL_OK);
    assert_int_equal(store_ping(f->s, &err), HL_OK);
    /* A newer schema than this build knows is refused, not touched. */
    q_exec(f, "INSERT INTO schema_version VALUES (9999, '2030-01-01T00:00:00.000Z')");
    assert_int_equal(store_ping(f->s, &err), HL_ESTORE);
    assert_non_null(strstr(err.msg, "newer"));
    assert_int_equal(store_migrate(f->s, NULL, &err), HL_ESTORE);
}

static void open_refuses_postgres_with_clear_message(void **state)
{
    static const char *const urls[] = {"postgres://hotline:s3cret@db.example/hotline",
                                       "postgresql://hotline:s3cret@db.example/hotline"};
    struct store *s = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(urls); i++) {
        struct hl_err err = {0};

        assert_int_equal(store_open(&s, urls[i], &err), HL_ECONFIG);
        assert_null(s);
        assert_string_equal(err.msg, "PostgreSQL support is not built yet");
    }
}

static void open_refuses_garbage_urls_without_echoing_them(void **state)
{
    static const struct {
        const char *url, *says;
    } cases[] = {
        {"mysql://root:s3cret@localhost/hotline", "\"mysql\""},
        {"s3cret-garbage", "no scheme"},
        {"", "empty"},
        {"sqlite:", "needs a file path"},
        {"sqlite::memory:", "not supported"},
    };
    struct store *s;
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(cases); i++) {
        struct hl_err err = {0};

        assert_int_equal(store_open(&s, cases[i].url, &err), HL_ECONFIG);
        assert_null(s);
        assert_non_null(strstr(err.msg, cases[i].says));
        assert_null(strstr(err.msg, "s3cret"));
    }
    {
        struct hl_err err = {0};

        assert_int_equal(store_open(&s, NULL, &err), HL_ECONFIG);
    }
}

static void open_creates_parent_directory_privately(void **state)
{
    struct fixture *f = *state;
    char nested[192], url[224];
    struct hl_err err = {0};
    struct stat st;
    struct store *s;

    snprintf(nested, sizeof(nested), "%s/a/b/hotline.db", f->dir);
    snprintf(url, sizeof(url), "sqlite://%s", nested); /* sqlite:///tmp/... */
    assert_int_equal(store_open(&s, url, &err), HL_OK);
    assert_int_equal(store_migrate(s, NULL, &err), HL_OK);
    assert_int_equal(store_ping(s, &err), HL_OK);
    store_close(s);
    assert_int_equal(stat(nested, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(nested, sizeof(nested), "%s/a/b", f->dir);
    assert_int_equal(stat(nested, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
}

/* ---- Calls ---------------------------------------------------------------------------- */

static void call_upsert_then_partial_update_keeps_old_fields(void **state)
{
    struct fixture *f = *state;
    struct store_call c = STORE_CALL_INIT, step = STORE_CALL_INIT;
    struct hl_err err = {0};
    char *created;

    c.sid = "CA1";
    c.direction = "inbound";
    c.from_number = "+15550001111";
    c.to_number = "+15550002222";
    c.status = "ringing";
    c.flow = "voicemail";
    c.variables_json = "{\"lang\":\"en\"}";
    c.consent = 1;
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_OK);
    created = q_text(f, "SELECT created_at FROM calls WHERE sid = 'CA1'");
    assert_true(is_store_time(created));

    step.sid = "CA1";
    step.current_step = "record";
    step.status = "in-progress";
    assert_int_equal(store_call_upsert(f->s, &step, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), 1);
    assert_text(f, "SELECT from_number FROM calls", "+15550001111");
    assert_text(f, "SELECT flow FROM calls", "voicemail");
    assert_text(f, "SELECT variables FROM calls", "{\"lang\":\"en\"}");
    assert_text(f, "SELECT current_step FROM calls", "record");
    assert_text(f, "SELECT status FROM calls", "in-progress");
    assert_int_equal(q_int(f, "SELECT consent FROM calls"), 1);
    assert_int_equal(q_int(f, "SELECT duration_s FROM calls"), STORE_NONE);
    assert_text(f, "SELECT created_at FROM calls", created);
    assert_int_equal(q_int(f, "SELECT updated_at >= created_at FROM calls"), 1);
    free(created);
}

static void call_numbers_are_filled_once_and_never_replaced(void **state)
{
    struct fixture *f = *state;
    struct store_call c = STORE_CALL_INIT;
    struct hl_err err = {0};

    c.sid = "CA1";
    c.status = "queued";
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_OK);
    assert_null(q_text(f, "SELECT from_number FROM calls"));
    c.from_number = "+15550001111";
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_OK);
    c.from_number = "+15559999999";
    c.to_number = "+15550002222";
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_OK);
    assert_text(f, "SELECT from_number FROM calls", "+15550001111");
    assert_text(f, "SELECT to_number FROM calls", "+15550002222");
}

static void call_upsert_rejects_missing_sid_and_bad_data(void **state)
{
    struct fixture *f = *state;
    struct store_call c = STORE_CALL_INIT;
    struct hl_err err = {0};

    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_EINVAL);
    assert_non_null(strstr(err.msg, "sid"));
    c.sid = "CA2";
    c.variables_json = "{not json";
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_EINVAL);
    c.variables_json = NULL;
    c.consent = 2;
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_EINVAL);
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), 0);
}

static struct store_call_event event_of(const char *key, const char *sid, const char *status,
                                        long long sequence)
{
    struct store_call_event e = STORE_CALL_EVENT_INIT;

    e.idempotency_key = key;
    e.call_sid = sid;
    e.status = status;
    e.sequence = sequence;
    e.from_number = "+15550001111";
    e.to_number = "+15550002222";
    e.direction = "outbound-api";
    e.params_json = "{\"CallStatus\":\"x\"}";
    e.timestamp = "Tue, 10 Aug 2021 19:20:35 +0000";
    return e;
}

static void call_event_repeat_by_idempotency_key_inserts_once(void **state)
{
    struct fixture *f = *state;
    struct store_call_event e = event_of("tok-1", "CA1", "ringing", 0);
    struct hl_err err = {0};
    int inserted = -1;

    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 1);
    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM call_events"), 1);
    /* The first event of an unknown call creates the call. */
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), 1);
    assert_text(f, "SELECT status FROM calls WHERE sid = 'CA1'", "ringing");
    assert_text(f, "SELECT direction FROM calls WHERE sid = 'CA1'", "outbound-api");
    assert_text(f, "SELECT twilio_timestamp FROM call_events", "Tue, 10 Aug 2021 19:20:35 +0000");
}

static void call_event_out_of_order_sequence_does_not_move_status_backwards(void **state)
{
    struct fixture *f = *state;
    struct store_call_event done = event_of("k3", "CA1", "completed", 3);
    struct store_call_event ring = event_of("k1", "CA1", "ringing", 1);
    struct store_call_event bare = event_of("k-none", "CA1", "canceled", STORE_NONE);
    struct hl_err err = {0};
    int inserted;

    done.duration_s = 42;
    ring.duration_s = 7; /* an older event never replaces a known duration */
    assert_int_equal(store_call_event_add(f->s, &done, &inserted, &err), HL_OK);
    assert_int_equal(store_call_event_add(f->s, &ring, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 1);
    assert_text(f, "SELECT status FROM calls", "completed");
    assert_int_equal(q_int(f, "SELECT last_sequence FROM calls"), 3);
    assert_int_equal(q_int(f, "SELECT duration_s FROM calls"), 42);
    assert_int_equal(q_int(f, "SELECT count(*) FROM call_events"), 2);
    /* An equal sequence applies; an event without one always applies. */
    done = event_of("k3b", "CA1", "completed-again", 3);
    assert_int_equal(store_call_event_add(f->s, &done, &inserted, &err), HL_OK);
    assert_text(f, "SELECT status FROM calls", "completed-again");
    assert_int_equal(store_call_event_add(f->s, &bare, &inserted, &err), HL_OK);
    assert_text(f, "SELECT status FROM calls", "canceled");
    assert_int_equal(q_int(f, "SELECT last_sequence FROM calls"), 3);
}

static void call_event_rolls_back_when_its_call_update_fails(void **state)
{
    struct fixture *f = *state;
    struct store_call_event e = event_of("k1", "CA1", "completed", 1);
    struct hl_err err = {0};
    int inserted = -1;

    e.duration_s = -5; /* the event row is fine, the call row breaks a CHECK */
    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_EINVAL);
    assert_int_equal(inserted, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM call_events"), 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), 0);
    e.duration_s = 5;
    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 1);
}

/* ---- Recordings ----------------------------------------------------------------------- */

static struct store_recording recording_of(const char *sid)
{
    struct store_recording r = STORE_RECORDING_INIT;

    r.sid = sid;
    r.call_sid = "CA1";
    r.url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1";
    r.duration_s = 12;
    return r;
}

static void recording_received_is_atomic_and_idempotent(void **state)
{
    struct fixture *f = *state;
    struct store_recording r = recording_of("RE1");
    struct hl_err err = {0};
    int inserted = -1;

    assert_int_equal(
        store_recording_received(f->s, &r, "recording", "{\"sid\":\"RE1\"}", &inserted, &err),
        HL_OK);
    assert_int_equal(inserted, 1);
    assert_int_equal(
        store_recording_received(f->s, &r, "recording", "{\"sid\":\"RE1\"}", &inserted, &err),
        HL_OK);
    assert_int_equal(inserted, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM recordings"), 1);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 1);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs j JOIN recordings r ON r.job_id = j.id "
                              "WHERE j.kind = 'recording' AND j.state = 'queued' "
                              "AND j.payload = '{\"sid\":\"RE1\"}' AND j.run_at = j.created_at"),
                     1);
    assert_int_equal(q_int(f, "SELECT deleted_remote FROM recordings"), 0);
    /* A NULL payload is an empty object. */
    r.sid = "RE2";
    assert_int_equal(store_recording_received(f->s, &r, "recording", NULL, &inserted, &err), HL_OK);
    assert_text(f, "SELECT payload FROM jobs WHERE id = 2", "{}");
}

static void recording_received_after_status_callback_queues_exactly_one_job(void **state)
{
    struct fixture *f = *state;
    struct store_recording status = STORE_RECORDING_INIT, r = recording_of("RE1");
    struct hl_err err = {0};
    int inserted = -1;

    status.sid = "RE1";
    status.status = "completed";
    status.channels = 1;
    assert_int_equal(store_recording_status(f->s, &status, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 0);
    assert_int_equal(store_recording_received(f->s, &r, "recording", NULL, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 1);
    assert_int_equal(store_recording_received(f->s, &r, "recording", NULL, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 1);
    assert_text(f, "SELECT status FROM recordings", "completed");
    assert_int_equal(q_int(f, "SELECT channels FROM recordings"), 1);
    assert_int_equal(q_int(f, "SELECT duration_s FROM recordings"), 12);
}

static void recording_received_leaves_nothing_when_job_insert_fails(void **state)
{
    struct fixture *f = *state;
    struct store_recording r = recording_of("RE1");
    struct hl_err err = {0};
    int inserted = -1;

    /* A missing job kind is refused before anything is written. */
    assert_int_equal(store_recording_received(f->s, &r, NULL, NULL, &inserted, &err), HL_EINVAL);
    assert_int_equal(inserted, 0);
    /* Make the job insert itself fail, after the recording row was written. */
    q_exec(f, "CREATE TRIGGER jobs_fail BEFORE INSERT ON jobs "
              "BEGIN SELECT RAISE(ABORT, 'injected job failure'); END");
    assert_int_not_equal(store_recording_received(f->s, &r, "recording", NULL, &inserted, &err),
                         HL_OK);
    assert_non_null(strstr(err.msg, "injected job failure"));
    assert_int_equal(inserted, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM recordings"), 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 0);
    /* The rollback left the store usable: the retry succeeds once. */
    q_exec(f, "DROP TRIGGER jobs_fail");
    assert_int_equal(store_recording_received(f->s, &r, "recording", NULL, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 1);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 1);
}

static void recording_status_updates_by_sid_and_queues_nothing(void **state)
{
    struct fixture *f = *state;
    struct store_recording r = STORE_RECORDING_INIT;
    struct hl_err err = {0};

    r.sid = "RE1";
    r.status = "in-progress";
    r.url = "https://example.invalid/RE1";
    assert_int_equal(store_recording_status(f->s, &r, &err), HL_OK);
    r.url = NULL;
    r.status = "failed";
    r.error_code = "13227";
    r.duration_s = 0;
    assert_int_equal(store_recording_status(f->s, &r, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT count(*) FROM recordings"), 1);
    assert_text(f, "SELECT status FROM recordings", "failed");
    assert_text(f, "SELECT url FROM recordings", "https://example.invalid/RE1");
    assert_text(f, "SELECT error_code FROM recordings", "13227");
    assert_int_equal(q_int(f, "SELECT duration_s FROM recordings"), 0);
    assert_null(q_text(f, "SELECT received_at FROM recordings"));
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 0);
}

/* ---- Messages ------------------------------------------------------------------------- */

static void message_add_repeat_returns_same_id(void **state)
{
    struct fixture *f = *state;
    struct store_message m = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    long long id1 = 0, id2 = 0, id3 = 0;
    int inserted = -1;

    m.sid = "SM1";
    m.direction = "inbound";
    m.channel = "whatsapp";
    m.from_number = "+15550001111";
    m.body = "hello";
    m.num_media = 0;
    assert_int_equal(store_message_add(f->s, &m, &id1, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 1);
    m.body = "changed";
    assert_int_equal(store_message_add(f->s, &m, &id2, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 0);
    assert_int_equal(id1, id2);
    assert_text(f, "SELECT body FROM messages", "hello");
    /* Without a sid every message is new. */
    m.sid = NULL;
    assert_int_equal(store_message_add(f->s, &m, &id2, &inserted, &err), HL_OK);
    assert_int_equal(store_message_add(f->s, &m, &id3, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 1);
    assert_true(id1 < id2 && id2 < id3);
    m.channel = "fax";
    assert_int_equal(store_message_add(f->s, &m, &id3, &inserted, &err), HL_EINVAL);
    assert_int_equal(q_int(f, "SELECT count(*) FROM messages"), 3);
}

static void message_status_keeps_unknown_sids_and_never_moves_back(void **state)
{
    struct fixture *f = *state;
    struct store_message m = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    long long id = 0;
    int inserted = -1;

    assert_int_equal(store_message_status(f->s, "SM9", "delivered", NULL, &err), HL_OK);
    assert_text(f, "SELECT status FROM messages WHERE sid = 'SM9'", "delivered");
    assert_int_equal(store_message_status(f->s, "SM9", "sent", NULL, &err), HL_OK);
    assert_text(f, "SELECT status FROM messages WHERE sid = 'SM9'", "delivered");
    assert_int_equal(store_message_status(f->s, "SM9", "read", NULL, &err), HL_OK);
    assert_text(f, "SELECT status FROM messages WHERE sid = 'SM9'", "read");
    /* The full message arriving later completes the row and keeps its status. */
    m.sid = "SM9";
    m.body = "see you at 3";
    m.status = "queued";
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
    assert_int_equal(inserted, 0);
    assert_int_equal(id, q_int(f, "SELECT id FROM messages WHERE sid = 'SM9'"));
    assert_text(f, "SELECT body FROM messages", "see you at 3");
    assert_text(f, "SELECT status FROM messages", "read");
    assert_int_equal(store_message_status(f->s, "SM9", "failed", "30003", &err), HL_OK);
    assert_text(f, "SELECT error_code FROM messages", "30003");
    assert_int_equal(q_int(f, "SELECT count(*) FROM messages"), 1);
    assert_int_equal(store_message_status(f->s, "SM9", NULL, NULL, &err), HL_EINVAL);
}

/* ---- Opt-outs ------------------------------------------------------------------------- */

static void optouts_set_check_clear(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    int out = -1;

    assert_int_equal(store_optout_check(f->s, "+15550001111", &out, &err), HL_OK);
    assert_int_equal(out, 0);
    assert_int_equal(store_optout_set(f->s, "+15550001111", "STOP", &err), HL_OK);
    assert_int_equal(store_optout_set(f->s, "+15550001111", "remove me", &err), HL_OK);
    assert_int_equal(store_optout_check(f->s, "+15550001111", &out, &err), HL_OK);
    assert_int_equal(out, 1);
    assert_text(f, "SELECT keyword FROM optouts", "STOP");
    assert_int_equal(store_optout_check(f->s, "+15550002222", &out, &err), HL_OK);
    assert_int_equal(out, 0);
    assert_int_equal(store_optout_clear(f->s, "+15550001111", &err), HL_OK);
    assert_int_equal(store_optout_check(f->s, "+15550001111", &out, &err), HL_OK);
    assert_int_equal(out, 0);
    assert_int_equal(store_optout_clear(f->s, "+15550001111", &err), HL_OK);
    assert_int_equal(store_optout_set(f->s, "", NULL, &err), HL_EINVAL);
}

/* ---- Concurrency ---------------------------------------------------------------------- */

#define WRITERS         8
#define WRITES          500
#define EVENTS_PER_CALL 10

struct writer {
    struct store *s;
    int id;
    int inserted;     /* events this thread stored first */
    int msg_inserted; /* messages this thread stored first */
    int failures;
    char msg[256];
};

/* Event j of thread t; thread t also replays thread t+1's events. */
static int write_event(struct writer *w, int t, int j)
{
    char key[32], sid[32], msg_sid[32];
    struct store_call_event e;
    struct store_message m = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    int seq = j % EVENTS_PER_CALL, inserted = 0, rc;
    long long id;

    snprintf(key, sizeof(key), "T%d-E%d", t, j);
    snprintf(sid, sizeof(sid), "CA-%d-%d", t, j / EVENTS_PER_CALL);
    snprintf(msg_sid, sizeof(msg_sid), "SM-%d-%d", t, j);
    e = event_of(key, sid, seq == EVENTS_PER_CALL - 1 ? "completed" : "in-progress", seq);
    if ((rc = store_call_event_add(w->s, &e, &inserted, &err)) != HL_OK)
        goto out;
    w->inserted += inserted;
    m.sid = msg_sid;
    m.body = key;
    if ((rc = store_message_add(w->s, &m, &id, &inserted, &err)) != HL_OK)
        goto out;
    w->msg_inserted += inserted;
out:
    if (rc != HL_OK && !w->failures++)
        snprintf(w->msg, sizeof(w->msg), "%s", err.msg);
    return rc;
}

static void *writer_run(void *arg)
{
    struct writer *w = arg;
    struct hl_err err = {0};
    int j, out;

    for (j = 0; j < WRITES; j++) {
        write_event(w, w->id, j);
        write_event(w, (w->id + 1) % WRITERS, j);
        if (store_optout_check(w->s, "+15550001111", &out, &err) != HL_OK)
            w->failures++;
    }
    return NULL;
}

static void concurrent_writers_store_each_event_exactly_once(void **state)
{
    struct fixture *f = *state;
    struct writer w[WRITERS];
    pthread_t tid[WRITERS];
    int i, events = 0, messages = 0;

    memset(w, 0, sizeof(w));
    for (i = 0; i < WRITERS; i++) {
        w[i].s = f->s;
        w[i].id = i;
        assert_int_equal(pthread_create(&tid[i], NULL, writer_run, &w[i]), 0);
    }
    for (i = 0; i < WRITERS; i++) {
        assert_int_equal(pthread_join(tid[i], NULL), 0);
        if (w[i].failures)
            fail_msg("writer %d: %d failures, first: %s", i, w[i].failures, w[i].msg);
        events += w[i].inserted;
        messages += w[i].msg_inserted;
    }
    assert_int_equal(events, WRITERS * WRITES);
    assert_int_equal(messages, WRITERS * WRITES);
    assert_int_equal(q_int(f, "SELECT count(*) FROM call_events"), WRITERS * WRITES);
    assert_int_equal(q_int(f, "SELECT count(DISTINCT idempotency_key) FROM call_events"),
                     WRITERS * WRITES);
    assert_int_equal(q_int(f, "SELECT count(*) FROM messages"), WRITERS * WRITES);
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), WRITERS * WRITES / EVENTS_PER_CALL);
    /* However the two writers of a call interleaved, it ends at its last event. */
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls WHERE status = 'completed' "
                              "AND last_sequence = 9"),
                     WRITERS * WRITES / EVENTS_PER_CALL);
}

/* ---- Batched tasks (group commit) ----------------------------------------------------- */

/* One submitted task: stores a message (a bad channel makes its write fail). */
struct msg_task {
    struct store_task task;
    struct store *s;
    char sid[40];
    int bad;
    int run_rc;  /* what its write returned inside the group */
    int done_rc; /* what the group's commit returned */
    int done;
    pthread_mutex_t *lock;
    pthread_cond_t *cond;
};

static void msg_task_run(void *ctx)
{
    struct msg_task *t = ctx;
    struct store_message m = STORE_MESSAGE_INIT;
    long long id = 0;
    int inserted = 0;

    m.sid = t->sid;
    m.direction = "inbound";
    m.channel = t->bad ? "fax" : "sms";
    m.from_number = "+14155550123";
    m.body = "hello";
    t->run_rc = store_message_add(t->s, &m, &id, &inserted, NULL);
}

static void msg_task_done(void *ctx, int rc, const struct hl_err *err)
{
    struct msg_task *t = ctx;

    (void)err;
    pthread_mutex_lock(t->lock);
    t->done_rc = rc;
    t->done = 1;
    pthread_cond_broadcast(t->cond);
    pthread_mutex_unlock(t->lock);
}

enum { BATCH_TASKS = 200 };

/*
 * Submit n message tasks (sids from first on; with bad_every, every such
 * task from the 4th writes a bad row) and wait until every one is done.
 * The caller frees the tasks.
 */
static struct msg_task *submit_tasks(struct fixture *f, int first, int n, int bad_every)
{
    struct msg_task *tasks = hl_calloc((size_t)n, sizeof(*tasks));
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    int i;

    for (i = 0; i < n; i++) {
        struct msg_task *t = &tasks[i];
        snprintf(t->sid, sizeof(t->sid), "SM%032d", first + i);
        t->s = f->s;
        t->bad = bad_every && i % bad_every == 3;
        t->lock = &lock;
        t->cond = &cond;
        t->task.run = msg_task_run;
        t->task.done = msg_task_done;
        t->task.ctx = t;
        store_submit(f->s, &t->task);
    }
    pthread_mutex_lock(&lock);
    for (i = 0; i < n; i++)
        while (!tasks[i].done)
            pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return tasks;
}

static void submitted_tasks_commit_together_and_a_failed_write_is_undone_alone(void **state)
{
    struct fixture *f = *state;
    struct msg_task *tasks = submit_tasks(f, 0, BATCH_TASKS, 10);
    int i;

    for (i = 0; i < BATCH_TASKS; i++) {
        assert_int_equal(tasks[i].done_rc, HL_OK);
        assert_int_equal(tasks[i].run_rc, tasks[i].bad ? HL_EINVAL : HL_OK);
    }
    assert_int_equal(q_int(f, "SELECT COUNT(*) FROM messages"), BATCH_TASKS - BATCH_TASKS / 10);
    assert_int_equal(q_int(f, "SELECT COUNT(*) FROM messages WHERE channel <> 'sms'"), 0);
    free(tasks);
}

/* Submit n message tasks (sids from first on) and wait until every one is done. */
static void submit_and_wait(struct fixture *f, int first, int n)
{
    struct msg_task *tasks = submit_tasks(f, first, n, 0);
    int i;

    for (i = 0; i < n; i++)
        assert_int_equal(tasks[i].done_rc, HL_OK);
    free(tasks);
}

/*
 * After a busy group the writer gathers the next one, but a group that never
 * fills is still committed (after a short wait), whether it is one task or
 * several.
 */
static void a_group_that_never_fills_is_still_committed(void **state)
{
    struct fixture *f = *state;

    submit_and_wait(f, 0, 100);
    submit_and_wait(f, 100, 1);
    submit_and_wait(f, 101, 5);
    submit_and_wait(f, 106, 1);
    submit_and_wait(f, 107, 1);
    assert_int_equal(q_int(f, "SELECT COUNT(*) FROM messages"), 108);
}

struct optout_task {
    struct store_task task;
    struct store *s;
    int seen;
    int done_rc;
};

/* Inside a task, a read sees what the same group has written but not committed. */
static void optout_task_run(void *ctx)
{
    struct optout_task *t = ctx;

    store_optout_set(t->s, "+14155550199", "STOP", NULL);
    store_optout_check(t->s, "+14155550199", &t->seen, NULL);
}

static void optout_task_done(void *ctx, int rc, const struct hl_err *err)
{
    (void)err;
    ((struct optout_task *)ctx)->done_rc = rc;
}

static void task_reads_see_their_group_and_close_finishes_queued_tasks(void **state)
{
    struct fixture *f = *state;
    struct optout_task t = {{optout_task_run, optout_task_done, NULL, NULL}, f->s, 0, -99};
    struct hl_err err = {0};

    t.task.ctx = &t;
    store_submit(f->s, &t.task);
    store_close(f->s); /* must run the queued task before returning */
    f->s = NULL;
    assert_int_equal(t.done_rc, HL_OK);
    assert_int_equal(t.seen, 1);
    assert_int_equal(q_int(f, "SELECT COUNT(*) FROM optouts"), 1);
    assert_int_equal(store_open(&f->s, f->url, &err), HL_OK);
}

/*
 * Checkpoints run off the request path, but they must run: after well over
 * a thousand WAL pages of commits, pages have been copied back into the
 * database file (which starts as one page) and the WAL has been reused.
 */
static void wal_is_checkpointed_in_the_background(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    int i, waited;

    for (i = 0; i < 3000; i++) {
        struct store_call call = STORE_CALL_INIT;
        char sid[40];
        snprintf(sid, sizeof(sid), "CA%032d", i);
        call.sid = sid;
        call.from_number = "+14155550123";
        call.status = "ringing";
        assert_int_equal(store_call_upsert(f->s, &call, NULL), HL_OK);
    }
    for (waited = 0; waited < 200; waited++) {
        assert_int_equal(stat(f->path, &st), 0);
        if (st.st_size > 64 * 1024)
            break;
        usleep(10000);
    }
    assert_true(st.st_size > 64 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            migrate_applies_all_then_is_idempotent_and_records_schema_version, setup_open,
            teardown),
        cmocka_unit_test_setup_teardown(ping_fails_until_schema_is_current, setup_open, teardown),
        cmocka_unit_test(open_refuses_postgres_with_clear_message),
        cmocka_unit_test(open_refuses_garbage_urls_without_echoing_them),
        cmocka_unit_test_setup_teardown(open_creates_parent_directory_privately, setup_open,
                                        teardown),
        cmocka_unit_test_setup_teardown(call_upsert_then_partial_update_keeps_old_fields,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(call_numbers_are_filled_once_and_never_replaced,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(call_upsert_rejects_missing_sid_and_bad_data,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(call_event_repeat_by_idempotency_key_inserts_once,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(
            call_event_out_of_order_sequence_does_not_move_status_backwards, setup_migrated,
            teardown),
        cmocka_unit_test_setup_teardown(call_event_rolls_back_when_its_call_update_fails,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(recording_received_is_atomic_and_idempotent, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            recording_received_after_status_callback_queues_exactly_one_job, setup_migrated,
            teardown),
        cmocka_unit_test_setup_teardown(recording_received_leaves_nothing_when_job_insert_fails,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(recording_status_updates_by_sid_and_queues_nothing,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(message_add_repeat_returns_same_id, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(message_status_keeps_unknown_sids_and_never_moves_back,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(optouts_set_check_clear, setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(a_group_that_never_fills_is_still_committed, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            submitted_tasks_commit_together_and_a_failed_write_is_undone_alone, setup_migrated,
            teardown),
        cmocka_unit_test_setup_teardown(task_reads_see_their_group_and_close_finishes_queued_tasks,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(wal_is_checkpointed_in_the_background, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(concurrent_writers_store_each_event_exactly_once,
                                        setup_migrated, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
