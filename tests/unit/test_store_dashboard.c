/*
 * test_store_dashboard.c — what the store gives the /voice dashboard: sessions
 * known only by their token's hash (idle and absolute ends, logout, pruning),
 * memo and opt-out lists with cursors, search by a number's last digits, and
 * the per-period counts of the chart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "core/banned.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Change the file behind the store's back (to age a session). */
static void exec_sql(struct fixture *f, const char *sql)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static int session_valid(struct fixture *f, const char *hash)
{
    struct hl_err err = {0};
    int valid = -1;

    assert_int_equal(store_session_check(f->s, hash, 1800, &valid, &err), HL_OK);
    return valid;
}

static void session_lives_until_idle_or_absolute_end_or_logout(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};

    assert_int_equal(store_session_add(f->s, HASH_A, 1800, 43200, &err), HL_OK);
    assert_int_equal(session_valid(f, HASH_A), 1);
    assert_int_equal(session_valid(f, HASH_B), 0);
    /* Idle too long: refused. */
    exec_sql(f, "UPDATE sessions SET idle_expires_at = '2000-01-01T00:00:00.000Z'");
    assert_int_equal(session_valid(f, HASH_A), 0);
    /* Idle end fine but past the absolute end: refused. */
    exec_sql(f, "UPDATE sessions SET idle_expires_at = '2999-01-01T00:00:00.000Z', "
                "expires_at = '2000-01-01T00:00:00.000Z'");
    assert_int_equal(session_valid(f, HASH_A), 0);
    /* The next login removes both ended sessions' rows; logout ends a live one. */
    assert_int_equal(store_session_add(f->s, HASH_B, 1800, 43200, &err), HL_OK);
    assert_int_equal(q_int(f, "SELECT count(*) FROM sessions"), 1);
    assert_int_equal(store_session_delete(f->s, HASH_B, &err), HL_OK);
    assert_int_equal(session_valid(f, HASH_B), 0);
    assert_int_equal(store_session_delete(f->s, HASH_B, &err), HL_OK);
}

static void session_check_moves_the_idle_end_at_most_once_a_minute(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    char *before, *after;

    assert_int_equal(store_session_add(f->s, HASH_A, 1800, 43200, &err), HL_OK);
    before = q_text(f, "SELECT idle_expires_at FROM sessions");
    assert_int_equal(session_valid(f, HASH_A), 1);
    after = q_text(f, "SELECT idle_expires_at FROM sessions");
    assert_string_equal(before, after); /* fresh: a read, no write */
    free(after);
    exec_sql(f, "UPDATE sessions SET idle_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', "
                "'+600 seconds')");
    assert_int_equal(session_valid(f, HASH_A), 1);
    after = q_text(f, "SELECT idle_expires_at FROM sessions");
    assert_true(strcmp(after, before) >= 0); /* pushed back to now + 30 min */
    free(before);
    free(after);
    /* Never past the absolute end. */
    exec_sql(f,
             "UPDATE sessions SET idle_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', "
             "'+60 seconds'), expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+300 seconds')");
    assert_int_equal(session_valid(f, HASH_A), 1);
    assert_int_equal(q_int(f, "SELECT idle_expires_at = expires_at FROM sessions"), 1);
}

static void session_arguments_are_checked(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    int valid = 1;

    assert_int_equal(store_session_add(f->s, "secret-token", 1800, 43200, &err), HL_EINVAL);
    assert_int_equal(store_session_add(f->s, HASH_A, 1800, 60, &err), HL_EINVAL);
    assert_int_equal(store_session_check(f->s, "AAAA", 1800, &valid, &err), HL_EINVAL);
    assert_int_equal(valid, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM sessions"), 0);
}

/* ---- Lists ---------------------------------------------------------------------------- */

struct seen {
    int n;
    long long last;
    char text[256];
};

static void see_memo(void *ctx, const struct store_memo_row *row)
{
    struct seen *s = ctx;
    size_t len = strlen(s->text);

    snprintf(s->text + len, sizeof(s->text) - len, "%s ", row->memo.id);
    s->last = row->seq;
    s->n++;
}

static void see_optout(void *ctx, const struct store_optout_row *row)
{
    struct seen *s = ctx;
    size_t len = strlen(s->text);

    snprintf(s->text + len, sizeof(s->text) - len, "%s=%s ", row->phone, row->keyword);
    s->last = row->seq;
    s->n++;
}

static void add_call(struct fixture *f, const char *sid, const char *from)
{
    struct store_call c = STORE_CALL_INIT;
    struct hl_err err = {0};

    c.sid = sid;
    c.from_number = from;
    c.to_number = "+15005550006";
    assert_int_equal(store_call_upsert(f->s, &c, &err), HL_OK);
}

static void add_memo(struct fixture *f, const char *id, const char *call)
{
    struct store_memo m = {id, "voicemail", call, NULL, STORE_NONE, HASH_A, NULL, NULL, 0};
    struct hl_err err = {0};

    assert_int_equal(store_memo_add(f->s, &m, &err), HL_OK);
}

static void memo_list_is_newest_first_paged_and_searchable(void **state)
{
    struct fixture *f = *state;
    struct store_list q = {NULL, STORE_NONE, 2, NULL};
    struct seen s = {0};
    struct hl_err err = {0};

    add_call(f, "CA1", "+14155550101");
    add_call(f, "CA2", "+14155550202");
    add_memo(f, "memo_one_aaaaaaaaaaaaaa", "CA1");
    add_memo(f, "memo_two_aaaaaaaaaaaaaa", "CA2");
    add_memo(f, "memo_three_aaaaaaaaaaaa", "CA1");
    assert_int_equal(store_memo_list(f->s, &q, see_memo, &s, &err), HL_OK);
    assert_string_equal(s.text, "memo_three_aaaaaaaaaaaa memo_two_aaaaaaaaaaaaaa ");
    q.before_id = s.last;
    memset(&s, 0, sizeof(s));
    assert_int_equal(store_memo_list(f->s, &q, see_memo, &s, &err), HL_OK);
    assert_string_equal(s.text, "memo_one_aaaaaaaaaaaaaa ");

    q.before_id = STORE_NONE;
    q.limit = 10;
    q.phone_suffix = "0101";
    memset(&s, 0, sizeof(s));
    assert_int_equal(store_memo_list(f->s, &q, see_memo, &s, &err), HL_OK);
    assert_string_equal(s.text, "memo_three_aaaaaaaaaaaa memo_one_aaaaaaaaaaaaaa ");
    q.phone_suffix = NULL;
    q.phone = "+14155550202";
    memset(&s, 0, sizeof(s));
    assert_int_equal(store_memo_list(f->s, &q, see_memo, &s, &err), HL_OK);
    assert_string_equal(s.text, "memo_two_aaaaaaaaaaaaaa ");
    q.phone_suffix = "0202";
    assert_int_equal(store_memo_list(f->s, &q, see_memo, &s, &err), HL_EINVAL); /* not both */
    q.phone = NULL;
    q.phone_suffix = "02%";
    assert_int_equal(store_memo_list(f->s, &q, see_memo, &s, &err), HL_EINVAL); /* digits only */
}

static void optout_list_and_call_search_by_last_digits(void **state)
{
    struct fixture *f = *state;
    struct store_list q = {NULL, STORE_NONE, 10, "0101"};
    struct seen s = {0};
    struct hl_err err = {0};

    assert_int_equal(store_optout_set(f->s, "+14155550101", "STOP", &err), HL_OK);
    assert_int_equal(store_optout_set(f->s, "+14155550202", "remove me", &err), HL_OK);
    assert_int_equal(store_optout_list(f->s, &q, see_optout, &s, &err), HL_OK);
    assert_string_equal(s.text, "+14155550101=STOP ");
    q.phone_suffix = NULL;
    memset(&s, 0, sizeof(s));
    assert_int_equal(store_optout_list(f->s, &q, see_optout, &s, &err), HL_OK);
    assert_string_equal(s.text, "+14155550202=remove me +14155550101=STOP ");
    q.phone = "+14155550202";
    memset(&s, 0, sizeof(s));
    assert_int_equal(store_optout_list(f->s, &q, see_optout, &s, &err), HL_OK);
    assert_int_equal(s.n, 1);
}

static void count_calls(void *ctx, const struct store_call_row *row)
{
    (void)row;
    (*(int *)ctx)++;
}

static void call_list_matches_the_end_of_either_number(void **state)
{
    struct fixture *f = *state;
    struct store_list q = {NULL, STORE_NONE, 10, "50101"};
    struct hl_err err = {0};
    int n = 0;

    add_call(f, "CA1", "+14155550101");
    add_call(f, "CA2", "+14155550202");
    assert_int_equal(store_call_list(f->s, &q, count_calls, &n, &err), HL_OK);
    assert_int_equal(n, 1);
    q.phone_suffix = "0006"; /* the to number of both */
    n = 0;
    assert_int_equal(store_call_list(f->s, &q, count_calls, &n, &err), HL_OK);
    assert_int_equal(n, 2);
    q.phone_suffix = "4155550"; /* inside, not at the end */
    n = 0;
    assert_int_equal(store_call_list(f->s, &q, count_calls, &n, &err), HL_OK);
    assert_int_equal(n, 0);
}

static void activity_counts_calls_and_messages_in_a_period(void **state)
{
    struct fixture *f = *state;
    struct store_message m = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    long long calls = -1, messages = -1, id;
    int inserted;

    add_call(f, "CA1", "+14155550101");
    add_call(f, "CA2", "+14155550202");
    m.channel = "sms";
    m.body = "hi";
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
    exec_sql(f, "UPDATE calls SET created_at = '2026-11-20T04:59:59.999Z' WHERE sid = 'CA1'");
    exec_sql(f, "UPDATE calls SET created_at = '2026-11-20T05:00:00.000Z' WHERE sid = 'CA2'");
    exec_sql(f, "UPDATE messages SET created_at = '2026-11-21T04:59:59.999Z'");
    assert_int_equal(store_activity_count(f->s, "2026-11-20T05:00:00.000Z",
                                          "2026-11-21T05:00:00.000Z", &calls, &messages, &err),
                     HL_OK);
    assert_int_equal(calls, 1);
    assert_int_equal(messages, 1);
    assert_int_equal(store_activity_count(f->s, "2026-11-19T05:00:00.000Z",
                                          "2026-11-20T05:00:00.000Z", &calls, &messages, &err),
                     HL_OK);
    assert_int_equal(calls, 1);
    assert_int_equal(messages, 0);
    assert_int_equal(store_activity_count(f->s, NULL, "x", &calls, &messages, &err), HL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(session_lives_until_idle_or_absolute_end_or_logout,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(session_check_moves_the_idle_end_at_most_once_a_minute,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(session_arguments_are_checked, setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(memo_list_is_newest_first_paged_and_searchable,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(optout_list_and_call_search_by_last_digits, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(call_list_matches_the_end_of_either_number, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(activity_counts_calls_and_messages_in_a_period,
                                        setup_migrated, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
