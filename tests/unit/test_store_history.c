/*
 * test_store_history.c — outbound rows before and after their REST request,
 * and reading history back (lists, cursors, one call with its events).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "core/banned.h"

static struct store_call outbound_call(void)
{
    struct store_call c = STORE_CALL_INIT;

    c.direction = "outbound-api";
    c.from_number = "+15005550006";
    c.to_number = "+14155550100";
    c.flow = "outbound-consent";
    c.user_id = "u-7";
    c.metadata_json = "{\"campaign\":\"spring\"}";
    return c;
}

static void call_outbound_is_visible_before_twilio_answers_then_takes_its_sid(void **state)
{
    struct fixture *f = *state;
    struct store_call c = outbound_call();
    struct store_outcome o = {"CA00000000000000000000000000000001", "queued", NULL, NULL};
    struct hl_err err = {0};
    char sid[STORE_SID_SIZE];

    assert_int_equal(store_call_outbound_begin(f->s, &c, sid, &err), HL_OK);
    assert_int_equal(strlen(sid), 34);
    assert_memory_equal(sid, "HL", 2);
    assert_text(f, "SELECT status FROM calls", STORE_STATUS_REQUESTING);
    assert_int_equal(store_call_outbound_end(f->s, sid, &o, &err), HL_OK);
    assert_text(f, "SELECT sid || ' ' || status || ' ' || flow || ' ' || user_id FROM calls",
                "CA00000000000000000000000000000001 queued outbound-consent u-7");
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), 1);
    /* The provisional sid is gone; ending it again finds nothing. */
    assert_int_equal(store_call_outbound_end(f->s, sid, &o, &err), HL_ENOTFOUND);
    c.sid = "CA1";
    assert_int_equal(store_call_outbound_begin(f->s, &c, sid, &err), HL_EINVAL);
}

static void call_outbound_refused_keeps_the_reason(void **state)
{
    struct fixture *f = *state;
    struct store_call c = outbound_call();
    struct store_outcome o = {NULL, "failed", "21211", "The 'To' number is not valid."};
    struct hl_err err = {0};
    char sid[STORE_SID_SIZE];

    assert_int_equal(store_call_outbound_begin(f->s, &c, sid, &err), HL_OK);
    assert_int_equal(store_call_outbound_end(f->s, sid, &o, &err), HL_OK);
    assert_text(f, "SELECT status || ' ' || error_code FROM calls", "failed 21211");
    assert_text(f, "SELECT error_message FROM calls", "The 'To' number is not valid.");
}

static void call_outbound_merges_into_a_row_a_status_callback_made_first(void **state)
{
    struct fixture *f = *state;
    struct store_call c = outbound_call();
    struct store_call_event e = STORE_CALL_EVENT_INIT;
    struct store_outcome o = {"CA00000000000000000000000000000002", "queued", NULL, NULL};
    struct hl_err err = {0};
    char sid[STORE_SID_SIZE];
    int inserted = 0;

    assert_int_equal(store_call_outbound_begin(f->s, &c, sid, &err), HL_OK);
    e.idempotency_key = "tok-1";
    e.call_sid = o.sid;
    e.status = "ringing";
    e.sequence = 1;
    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), 2);
    if (store_call_outbound_end(f->s, sid, &o, &err) != HL_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(q_int(f, "SELECT count(*) FROM calls"), 1);
    /* The callback's later status stays; the outbound facts joined it; its event is kept. */
    assert_text(f, "SELECT status || ' ' || flow || ' ' || to_number || ' ' || metadata FROM calls",
                "ringing outbound-consent +14155550100 {\"campaign\":\"spring\"}");
    assert_int_equal(q_int(f, "SELECT count(*) FROM call_events WHERE call_sid = "
                              "'CA00000000000000000000000000000002'"),
                     1);
}

static void message_outbound_takes_sid_and_folds_an_earlier_callback_row(void **state)
{
    struct fixture *f = *state;
    struct store_message m = STORE_MESSAGE_INIT;
    struct store_outcome o = {"SM00000000000000000000000000000001", "queued", NULL, NULL};
    struct hl_err err = {0};
    long long id = 0, id2 = 0;
    int inserted = 0;

    m.direction = "outbound-api";
    m.channel = "sms";
    m.to_number = "+14155550100";
    m.body = "hi";
    m.status = STORE_STATUS_REQUESTING;
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
    /* "sent" arrives before the REST answer. */
    assert_int_equal(store_message_status(f->s, o.sid, "sent", NULL, &err), HL_OK);
    assert_int_equal(store_message_outbound_end(f->s, id, &o, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT count(*) FROM messages"), 1);
    assert_int_equal(q_int(f, "SELECT id FROM messages"), id);
    assert_text(f, "SELECT sid || ' ' || status || ' ' || body FROM messages",
                "SM00000000000000000000000000000001 sent hi");
    /* Without a callback first, Twilio's status is taken as is. */
    assert_int_equal(store_message_add(f->s, &m, &id2, &inserted, &err), HL_OK);
    o.sid = NULL;
    o.status = STORE_STATUS_UNKNOWN;
    assert_int_equal(store_message_outbound_end(f->s, id2, &o, &err), HL_OK);
    assert_text(f, "SELECT status FROM messages WHERE sid IS NULL", STORE_STATUS_UNKNOWN);
    assert_int_equal(store_message_outbound_end(f->s, 999, &o, &err), HL_ENOTFOUND);
}

/* ---- Reading back --------------------------------------------------------------------- */

struct seen {
    char sids[16][40];
    long long ids[16];
    int n;
};

static void see_call(void *ctx, const struct store_call_row *row)
{
    struct seen *s = ctx;

    if (s->n < 16) {
        snprintf(s->sids[s->n], sizeof(s->sids[0]), "%s", row->call.sid);
        s->ids[s->n++] = row->id;
    }
}

static void see_message(void *ctx, const struct store_message_row *row)
{
    struct seen *s = ctx;

    if (s->n < 16) {
        snprintf(s->sids[s->n], sizeof(s->sids[0]), "%s", row->msg.body);
        s->ids[s->n++] = row->id;
    }
}

static void add_call(struct fixture *f, const char *sid, const char *from, const char *to)
{
    struct store_call c = STORE_CALL_INIT;
    struct hl_err err = {0};

    c.sid = sid;
    c.from_number = from;
    c.to_number = to;
    c.status = "completed";
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_OK);
}

static void call_list_is_newest_first_with_cursor_and_phone_filter(void **state)
{
    struct fixture *f = *state;
    struct store_list q = {NULL, STORE_NONE, 2, NULL};
    struct seen s = {0};
    struct hl_err err = {0};

    add_call(f, "CA1", "+14155550100", "+15005550006");
    add_call(f, "CA2", "+14155550199", "+15005550006");
    add_call(f, "CA3", "+15005550006", "+14155550100");
    assert_int_equal(store_call_list(f->s, &q, see_call, &s, &err), HL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.sids[0], "CA3");
    assert_string_equal(s.sids[1], "CA2");
    q.before_id = s.ids[1];
    s.n = 0;
    assert_int_equal(store_call_list(f->s, &q, see_call, &s, &err), HL_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.sids[0], "CA1");
    q.before_id = STORE_NONE;
    q.limit = 10;
    q.phone = "+14155550100";
    s.n = 0;
    assert_int_equal(store_call_list(f->s, &q, see_call, &s, &err), HL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.sids[0], "CA3");
    assert_string_equal(s.sids[1], "CA1");
    q.limit = 0;
    assert_int_equal(store_call_list(f->s, &q, see_call, &s, &err), HL_EINVAL);
    q.limit = 1001;
    assert_int_equal(store_call_list(f->s, &q, see_call, &s, &err), HL_EINVAL);
}

static void see_event(void *ctx, const struct store_event_row *row)
{
    struct seen *s = ctx;

    if (s->n < 16) {
        snprintf(s->sids[s->n], sizeof(s->sids[0]), "%s/%lld", row->status, row->sequence);
        s->ids[s->n++] = row->id;
    }
}

static void call_get_and_its_events_in_order(void **state)
{
    struct fixture *f = *state;
    struct store_call_event e = STORE_CALL_EVENT_INIT;
    struct seen s = {0};
    struct hl_err err = {0};
    int inserted;

    e.call_sid = "CA9";
    e.idempotency_key = "k1";
    e.status = "ringing";
    e.sequence = 1;
    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_OK);
    e.idempotency_key = "k0";
    e.status = "initiated";
    e.sequence = 0;
    assert_int_equal(store_call_event_add(f->s, &e, &inserted, &err), HL_OK);
    assert_int_equal(store_call_get(f->s, "CA9", see_call, &s, &err), HL_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.sids[0], "CA9");
    s.n = 0;
    assert_int_equal(store_call_events(f->s, "CA9", see_event, &s, &err), HL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.sids[0], "ringing/1"); /* as received */
    assert_string_equal(s.sids[1], "initiated/0");
    assert_int_equal(store_call_get(f->s, "CA404", see_call, &s, &err), HL_ENOTFOUND);
}

static void message_list_filters_by_either_number(void **state)
{
    struct fixture *f = *state;
    struct store_message m = STORE_MESSAGE_INIT;
    struct store_list q = {"+14155550100", STORE_NONE, 10, NULL};
    struct seen s = {0};
    struct hl_err err = {0};
    long long id;
    int inserted;

    m.channel = "sms";
    m.from_number = "+14155550100";
    m.body = "in";
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
    m.from_number = "+15005550006";
    m.to_number = "+14155550100";
    m.body = "out";
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
    m.to_number = "+14155550999";
    m.body = "other";
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
    assert_int_equal(store_message_list(f->s, &q, see_message, &s, &err), HL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.sids[0], "out");
    assert_string_equal(s.sids[1], "in");
}

static void message_of_a_job_stage_is_found_newest_first(void **state)
{
    struct fixture *f = *state;
    struct store_message m = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    struct seen s = {0};
    long long first = 0, second = 0, other = 0;
    int inserted = 0;

    m.direction = "outbound-api";
    m.channel = "sms";
    m.to_number = "+14155550100";
    m.status = STORE_STATUS_REQUESTING;
    m.body = "untagged";
    assert_int_equal(store_message_add(f->s, &m, &other, &inserted, &err), HL_OK);
    m.job_id = 7;
    m.job_stage = "reply";
    m.body = "first";
    assert_int_equal(store_message_add(f->s, &m, &first, &inserted, &err), HL_OK);
    m.body = "second";
    assert_int_equal(store_message_add(f->s, &m, &second, &inserted, &err), HL_OK);
    m.job_stage = "memo";
    m.body = "memo";
    assert_int_equal(store_message_add(f->s, &m, &other, &inserted, &err), HL_OK);
    assert_text(f, "SELECT group_concat(job_id || ':' || job_stage, ',') FROM messages",
                "7:reply,7:reply,7:memo");
    assert_int_equal(store_message_for_job(f->s, 7, "reply", see_message, &s, &err), HL_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.sids[0], "second");
    assert_int_equal(s.ids[0], second);
    assert_int_equal(store_message_for_job(f->s, 8, "reply", see_message, &s, &err), HL_ENOTFOUND);
    assert_int_equal(store_message_for_job(f->s, 0, "reply", see_message, &s, &err), HL_EINVAL);
    assert_true(first < second);
}

static void memo_is_resealed_until_notified_then_fixed(void **state)
{
    struct fixture *f = *state;
    struct store_memo m = {0};
    struct hl_err err = {0};
    char k1[65], k2[65];

    memset(k1, 'a', 64);
    memset(k2, 'b', 64);
    k1[64] = k2[64] = '\0';
    m.id = "AAAAAAAAAAAAAAAAAAAAAA";
    m.kind = "voicemail";
    m.message_id = STORE_NONE;
    m.key_sha256 = k1;
    m.audio_path = "/m/a1";
    assert_int_equal(store_memo_add(f->s, &m, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT owner_notified_at IS NULL FROM memos"), 1);
    /* Sealed again after a crash, before the link went out: the new key replaces the old. */
    m.key_sha256 = k2;
    m.audio_path = "/m/a2";
    assert_int_equal(store_memo_add(f->s, &m, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT count(*) FROM memos"), 1);
    assert_text(f, "SELECT substr(key_sha256, 1, 1) || audio_path FROM memos", "b/m/a2");
    assert_int_equal(store_memo_notified(f->s, m.id, &err), HL_OK);
    assert_int_equal(store_memo_notified(f->s, m.id, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT owner_notified_at IS NOT NULL FROM memos"), 1);
    /* Once the owner has the link, the memo's key hash never changes. */
    m.key_sha256 = k1;
    assert_int_equal(store_memo_add(f->s, &m, &err), HL_EINVAL);
    assert_text(f, "SELECT substr(key_sha256, 1, 1) FROM memos", "b");
    assert_int_equal(store_memo_notified(f->s, "BBBBBBBBBBBBBBBBBBBBBB", &err), HL_ENOTFOUND);
    /* Another memo (another recording) never takes over a pending one's id. */
    m.id = "CCCCCCCCCCCCCCCCCCCCCC";
    m.recording_sid = "RE1";
    assert_int_equal(store_memo_add(f->s, &m, &err), HL_OK);
    m.recording_sid = "RE2";
    assert_int_equal(store_memo_add(f->s, &m, &err), HL_EINVAL);
    assert_text(f, "SELECT recording_sid FROM memos WHERE id = 'CCCCCCCCCCCCCCCCCCCCCC'", "RE1");
}

struct memo_seen {
    char text[200]; /* id/kind/key_sha256/owner_notified/live|erased */
    int created_is_time;
    int n;
};

static void see_memo(void *ctx, const struct store_memo_row *row)
{
    struct memo_seen *s = ctx;

    snprintf(s->text, sizeof(s->text), "%s/%s/%s/%d/%s", row->memo.id, row->memo.kind,
             row->memo.key_sha256, row->memo.owner_notified, row->deleted_at ? "erased" : "live");
    s->created_is_time = is_store_time(row->created_at);
    s->n++;
}

static void memo_get_gives_the_record_and_its_erasure(void **state)
{
    struct fixture *f = *state;
    static const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    struct store_memo m = {"SBmc2gcdOc4ZhFKAxUaWNA", "voicemail", "CA1", "RE1", STORE_NONE,
                           sha, "/m/a", "/m/b", 1};
    struct memo_seen s = {0};
    struct hl_err err = {0};
    char want[200];

    assert_int_equal(store_memo_add(f->s, &m, &err), HL_OK);
    assert_int_equal(store_memo_get(f->s, m.id, see_memo, &s, &err), HL_OK);
    assert_int_equal(s.n, 1);
    snprintf(want, sizeof(want), "%s/voicemail/%s/1/live", m.id, sha);
    assert_string_equal(s.text, want);
    assert_true(s.created_is_time);
    q_exec(f, "UPDATE memos SET deleted_at = '2026-11-21T00:00:00.000Z'");
    assert_int_equal(store_memo_get(f->s, m.id, see_memo, &s, &err), HL_OK);
    assert_non_null(strstr(s.text, "/erased"));
    s.n = 0;
    assert_int_equal(store_memo_get(f->s, "AAAAAAAAAAAAAAAAAAAAAA", see_memo, &s, &err),
                     HL_ENOTFOUND);
    assert_int_equal(s.n, 0);
    assert_int_equal(store_memo_get(f->s, NULL, see_memo, &s, &err), HL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            call_outbound_is_visible_before_twilio_answers_then_takes_its_sid, setup_migrated,
            teardown),
        cmocka_unit_test_setup_teardown(call_outbound_refused_keeps_the_reason, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            call_outbound_merges_into_a_row_a_status_callback_made_first, setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(
            message_outbound_takes_sid_and_folds_an_earlier_callback_row, setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(message_of_a_job_stage_is_found_newest_first,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(memo_is_resealed_until_notified_then_fixed, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(call_list_is_newest_first_with_cursor_and_phone_filter,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(call_get_and_its_events_in_order, setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(message_list_filters_by_either_number, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(memo_get_gives_the_record_and_its_erasure, setup_migrated,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
