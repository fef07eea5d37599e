/*
 * test_store_erase.c — erasure in the store: a number's rows go in one
 * transaction and nobody else's do, the erasure is recorded without the
 * number, an opt-out survives as the number's keyed hash, a running job
 * defers the erasure; memos carry their number and are erased alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "store_fixture.h"

#include "core/banned.h"

#define ERASED "+14155550181"
#define KEPT   "+14155550182"

/* ---- Seeding -------------------------------------------------------------------------- */

static void seed_call(struct fixture *f, const char *call, const char *rec, const char *from)
{
    struct store_call_event e = STORE_CALL_EVENT_INIT;
    struct store_recording r = STORE_RECORDING_INIT;
    struct store_transcription t = {rec, call, "test", "hello", 0.5, 1.0, "{}"};
    struct hl_err err = {0};
    char key[64], payload[160], path[160];
    int inserted;

    snprintf(key, sizeof(key), "%s|completed|1", call);
    e.idempotency_key = key;
    e.call_sid = call;
    e.status = "completed";
    e.from_number = from;
    e.to_number = "+15005550006";
    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_OK);
    snprintf(path, sizeof(path), "%s/media/recordings/%s.wav", f->dir, rec);
    r.sid = rec;
    r.call_sid = call;
    r.local_path = path;
    snprintf(payload, sizeof(payload), "{\"recording_sid\":\"%s\",\"call_sid\":\"%s\"}", rec, call);
    assert_int_equal(store_recording_received(f->s, &r, "recording.analyze", payload, &inserted,
                                              &err),
                     HL_OK);
    assert_int_equal(store_transcription_add(f->s, &t, &inserted, &err), HL_OK);
}

static void seed_memo(struct fixture *f, const char *id, const char *call, const char *rec)
{
    struct store_memo m = {0};
    struct hl_err err = {0};
    char audio[160], meta[160];

    snprintf(audio, sizeof(audio), "%s/media/memos/%s/audio.enc", f->dir, id);
    snprintf(meta, sizeof(meta), "%s/media/memos/%s/meta.enc", f->dir, id);
    m.id = id;
    m.kind = "voicemail";
    m.call_sid = call;
    m.recording_sid = rec;
    m.message_id = STORE_NONE;
    m.key_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    m.audio_path = audio;
    m.meta_path = meta;
    m.owner_notified = 1;
    assert_int_equal(store_memo_add(f->s, &m, &err), HL_OK);
}

static void seed_message(struct fixture *f, const char *from, const char *to, const char *body)
{
    struct store_message m = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    long long id;
    int inserted;

    m.direction = "inbound";
    m.channel = "sms";
    m.from_number = from;
    m.to_number = to;
    m.body = body;
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
}

static void seed_person(struct fixture *f, const char *phone, const char *call, const char *rec,
                        const char *memo)
{
    struct store_booking b = {call, phone, "2026-12-01T15:00:00.000Z", "UTC", "cleaning"};
    struct store_contact c = {phone, "Ada", "{}"};
    struct hl_err err = {0};
    char notice[128];
    int inserted;

    seed_call(f, call, rec, phone);
    seed_memo(f, memo, call, rec);
    seed_message(f, phone, "+15005550006", "hello");
    seed_message(f, "+15005550006", phone, "hi back");
    snprintf(notice, sizeof(notice), "New voicemail. Listen: http://x/voice/%s#(key withheld)",
             memo);
    seed_message(f, "+15005550006", "+15005550199", notice);
    assert_int_equal(store_booking_add(f->s, &b, &inserted, &err), HL_OK);
    assert_int_equal(store_contact_put(f->s, &c, &err), HL_OK);
}

/* ---- What an erasure hands back -------------------------------------------------------- */

struct erased_seen {
    int files, recordings;
    char last_file[256];
};

static void see_erased(void *ctx, enum store_erased what, const char *value)
{
    struct erased_seen *s = ctx;

    if (what == STORE_ERASED_FILE) {
        s->files++;
        snprintf(s->last_file, sizeof(s->last_file), "%s", value);
    } else {
        s->recordings++;
        assert_string_equal(value, "RE" "a0000000000000000000000000000001");
    }
}

static long long count_about(struct fixture *f, const char *table, const char *where)
{
    char sql[512];

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s", table, where);
    return q_int(f, sql);
}

static void erase_phone_removes_its_rows_only_and_records_counts(void **state)
{
    struct fixture *f = *state;
    struct store_erasure e;
    struct erased_seen seen = {0, 0, ""};
    struct hl_err err = {0};
    char subject[STORE_SUBJECT_SIZE];
    char *what;
    int opted = 0;

    seed_person(f, ERASED, "CA" "a0000000000000000000000000000001",
                "RE" "a0000000000000000000000000000001", "AAAAAAAAAAAAAAAAAAAAAA");
    seed_person(f, KEPT, "CA" "b0000000000000000000000000000002",
                "RE" "b0000000000000000000000000000002", "BBBBBBBBBBBBBBBBBBBBBB");
    seed_message(f, "+15005550006", "+15005550199", "Call back " ERASED " today");
    seed_message(f, "+15005550006", "+15005550199", "Not " ERASED "9 at all");
    assert_int_equal(store_optout_set(f->s, ERASED, "STOP", &err), HL_OK);

    assert_int_equal(store_erase_phone(f->s, ERASED, "erasure.cleanup", &e, see_erased, &seen,
                                       &err),
                     HL_OK);
    assert_int_equal(e.calls, 1);
    assert_int_equal(e.call_events, 1);
    assert_int_equal(e.recordings, 1);
    assert_int_equal(e.transcriptions, 1);
    assert_int_equal(e.memos, 1);
    assert_int_equal(e.messages, 4); /* in, out, the owner's memo notice, the one quoting it */
    assert_int_equal(e.bookings, 1);
    assert_int_equal(e.contacts, 1);
    assert_int_equal(e.jobs, 1);
    assert_int_equal(e.files, 3); /* the recording's copy, the memo's two files */
    assert_int_equal(e.recordings_remote, 1);
    assert_true(e.optout_kept);
    assert_int_equal(seen.files, 3);
    assert_int_equal(seen.recordings, 1);

    /* Nothing about the number is left, in any table. */
    assert_int_equal(count_about(f, "calls", "from_number = '" ERASED "'"), 0);
    assert_int_equal(count_about(f, "messages", "instr(body, '" ERASED "') > 0 AND "
                                                "body NOT LIKE '%" ERASED "9%'"), 0);
    assert_int_equal(count_about(f, "messages", "from_number = '" ERASED "' OR to_number = '"
                                                ERASED "'"), 0);
    assert_int_equal(count_about(f, "memos", "id = 'AAAAAAAAAAAAAAAAAAAAAA'"), 0);
    assert_int_equal(count_about(f, "optouts", "phone = '" ERASED "'"), 0);
    assert_int_equal(count_about(f, "contacts", "phone = '" ERASED "'"), 0);
    /* The other number's rows, and a message that only looks alike, stay. */
    assert_int_equal(count_about(f, "calls", "from_number = '" KEPT "'"), 1);
    assert_int_equal(count_about(f, "transcriptions", "1"), 1);
    assert_int_equal(count_about(f, "memos", "1"), 1);
    assert_int_equal(count_about(f, "messages", "1"), 4); /* KEPT's 3 and the look-alike */
    assert_int_equal(count_about(f, "bookings", "phone = '" KEPT "'"), 1);
    assert_int_equal(count_about(f, "jobs", "kind = 'recording.analyze'"), 1);

    /* The erasure is on record under the hash, counts only; the opt-out still matches. */
    assert_int_equal(store_subject(f->s, ERASED, subject, &err), HL_OK);
    what = q_text(f, "SELECT subject || ' ' || what FROM erasures");
    assert_non_null(what);
    assert_memory_equal(what, subject, strlen(subject));
    assert_null(strstr(what, "4155550181"));
    assert_non_null(strstr(what, "\"calls\":1"));
    free(what);
    assert_int_equal(store_optout_check(f->s, ERASED, &opted, &err), HL_OK);
    assert_int_equal(opted, 1);
    assert_int_equal(store_optout_check(f->s, KEPT, &opted, &err), HL_OK);
    assert_int_equal(opted, 0);

    /* The cleanup job lists the files and Twilio's copy, without the number. */
    what = q_text(f, "SELECT payload FROM jobs WHERE kind = 'erasure.cleanup'");
    assert_non_null(what);
    assert_non_null(strstr(what, seen.last_file));
    assert_non_null(strstr(what, "\"recordings\":[\"REa0000000000000000000000000000001\"]"));
    free(what);

    /* A second erasure finds nothing; START still clears the hashed opt-out. */
    assert_int_equal(store_erase_phone(f->s, ERASED, "erasure.cleanup", &e, NULL, NULL, &err),
                     HL_ENOTFOUND);
    assert_int_equal(count_about(f, "erasures", "1"), 1);
    assert_int_equal(store_optout_clear(f->s, ERASED, &err), HL_OK);
    assert_int_equal(store_optout_check(f->s, ERASED, &opted, &err), HL_OK);
    assert_int_equal(opted, 0);
}

static void keep_job_id(void *ctx, const struct store_job *job)
{
    *(long long *)ctx = job->id;
}

static void erase_phone_checks_its_number_and_defers_to_running_jobs(void **state)
{
    struct fixture *f = *state;
    struct store_erasure e;
    struct hl_err err = {0};
    long long job = 0;
    int found = 0;

    assert_int_equal(store_erase_phone(f->s, "4155550181", "k", &e, NULL, NULL, &err), HL_EINVAL);
    assert_int_equal(store_erase_phone(f->s, ERASED, "k", &e, NULL, NULL, &err), HL_ENOTFOUND);
    seed_call(f, "CA" "c0000000000000000000000000000003", "RE" "c0000000000000000000000000000003",
              ERASED);
    assert_int_equal(store_job_claim(f->s, "w1", NULL, 60000, keep_job_id, &job, &found, &err),
                     HL_OK);
    assert_int_equal(found, 1);
    assert_int_equal(store_erase_phone(f->s, ERASED, "k", &e, NULL, NULL, &err), HL_EBUSY);
    assert_non_null(strstr(err.msg, "running"));
    assert_int_equal(count_about(f, "calls", "1"), 1);
    assert_int_equal(count_about(f, "erasures", "1"), 0);
    assert_int_equal(store_job_finish(f->s, job, "w1", &err), HL_OK);
    assert_int_equal(store_erase_phone(f->s, ERASED, "k", &e, NULL, NULL, &err), HL_OK);
    assert_int_equal(e.jobs, 1);
    assert_int_equal(count_about(f, "calls", "1"), 0);
    assert_int_equal(count_about(f, "job_stages", "1"), 0);
}

static void subject_is_an_hmac_under_the_database_key(void **state)
{
    struct fixture *f = *state;
    char a[STORE_SUBJECT_SIZE], b[STORE_SUBJECT_SIZE], c[STORE_SUBJECT_SIZE];
    char want[STORE_SUBJECT_SIZE] = "h1:";
    unsigned char key[32], mac[CRYPTO_SHA256_LEN];
    char *hex = q_text(f, "SELECT value FROM store_keys WHERE name = 'subject'");
    struct hl_err err = {0};
    size_t i;

    assert_non_null(hex);
    assert_int_equal(strlen(hex), 64);
    for (i = 0; i < sizeof(key); i++)
        assert_int_equal(sscanf(hex + 2 * i, "%2hhx", &key[i]), 1);
    free(hex);
    assert_int_equal(crypto_hmac(CRYPTO_SHA256, key, sizeof(key), ERASED, strlen(ERASED), mac),
                     HL_OK);
    crypto_hex_encode(want + 3, mac, sizeof(mac));
    assert_int_equal(store_subject(f->s, ERASED, a, &err), HL_OK);
    assert_int_equal(store_subject(f->s, ERASED, b, &err), HL_OK);
    assert_int_equal(store_subject(f->s, KEPT, c, &err), HL_OK);
    assert_string_equal(a, want);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

static void erase_memo_takes_its_recording_notice_and_files(void **state)
{
    struct fixture *f = *state;
    struct store_erasure e;
    struct erased_seen seen = {0, 0, ""};
    struct hl_err err = {0};

    seed_person(f, ERASED, "CA" "a0000000000000000000000000000001",
                "RE" "a0000000000000000000000000000001", "AAAAAAAAAAAAAAAAAAAAAA");
    assert_int_equal(store_erase_memo(f->s, "AAAAAAAAAAAAAAAAAAAAAA", "erasure.cleanup", &e,
                                      see_erased, &seen, &err),
                     HL_OK);
    assert_int_equal(e.memos, 1);
    assert_int_equal(e.recordings, 1);
    assert_int_equal(e.transcriptions, 1);
    assert_int_equal(e.messages, 1); /* the owner's notice */
    assert_int_equal(seen.files, 3);
    assert_int_equal(count_about(f, "calls", "1"), 1); /* the call itself stays */
    assert_int_equal(count_about(f, "messages", "1"), 2);
    assert_int_equal(count_about(f, "erasures", "subject = 'memo:AAAAAAAAAAAAAAAAAAAAAA'"), 1);
    assert_int_equal(store_erase_memo(f->s, "AAAAAAAAAAAAAAAAAAAAAA", "erasure.cleanup", &e,
                                      NULL, NULL, &err),
                     HL_ENOTFOUND);
}

/* ---- Memos as read ------------------------------------------------------------------- */

static void see_phone(void *ctx, const struct store_memo_row *m)
{
    snprintf(ctx, 32, "%s", m->phone ? m->phone : "(none)");
}

static void memo_rows_carry_the_number_they_came_from(void **state)
{
    struct fixture *f = *state;
    struct store_list q = {NULL, STORE_NONE, 10, NULL};
    struct hl_err err = {0};
    char phone[32] = "";

    seed_call(f, "CA" "a0000000000000000000000000000001", "RE" "a0000000000000000000000000000001",
              ERASED);
    seed_memo(f, "AAAAAAAAAAAAAAAAAAAAAA", "CA" "a0000000000000000000000000000001", NULL);
    seed_memo(f, "BBBBBBBBBBBBBBBBBBBBBB", NULL, NULL);
    assert_int_equal(store_memo_get(f->s, "AAAAAAAAAAAAAAAAAAAAAA", see_phone, phone, &err),
                     HL_OK);
    assert_string_equal(phone, ERASED);
    assert_int_equal(store_memo_get(f->s, "BBBBBBBBBBBBBBBBBBBBBB", see_phone, phone, &err),
                     HL_OK);
    assert_string_equal(phone, "(none)");
    assert_int_equal(store_memo_list(f->s, &q, see_phone, phone, &err), HL_OK);
    assert_string_equal(phone, ERASED); /* the oldest, last */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(erase_phone_removes_its_rows_only_and_records_counts,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(erase_phone_checks_its_number_and_defers_to_running_jobs,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(subject_is_an_hmac_under_the_database_key,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(erase_memo_takes_its_recording_notice_and_files,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(memo_rows_carry_the_number_they_came_from,
                                        setup_migrated, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
