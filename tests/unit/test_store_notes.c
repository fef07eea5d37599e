/*
 * test_store_notes.c — SMS notes in the store: a note and its job recorded
 * together and once; reading a note (by id, the sender's newest) with its
 * message's text; the analysed state; sealing, which stores the memo, marks
 * the note and clears the message's body in one transaction, or nothing;
 * and the scrub, after which neither the database file nor its WAL holds a
 * cleared text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "core/banned.h"

#define SENDER "+14155550190"
#define TEXT   "Order twelve boxes of zirconium crowns"

static long long add_inbound(struct fixture *f, const char *sid, const char *body)
{
    struct store_message m = STORE_MESSAGE_INIT;
    struct hl_err err = {0};
    long long id = 0;
    int inserted = 0;

    m.sid = sid;
    m.direction = "inbound";
    m.channel = "sms";
    m.from_number = SENDER;
    m.body = body;
    assert_int_equal(store_message_add(f->s, &m, &id, &inserted, &err), HL_OK);
    return id;
}

static long long add_note(struct fixture *f, const char *sid, const char *body)
{
    struct hl_err err = {0};
    long long id = add_inbound(f, sid, body);
    int inserted = 0;

    assert_int_equal(
        store_note_received(f->s, id, SENDER, "sms.note", "{\"message_id\":1}", &inserted, &err),
        HL_OK);
    assert_int_equal(inserted, 1);
    return id;
}

struct seen {
    long long id;
    char state[16], body[128], memo[32], analysis[128];
    int calls;
};

static void remember(void *ctx, const struct store_note *n)
{
    struct seen *s = ctx;

    s->calls++;
    s->id = n->message_id;
    snprintf(s->state, sizeof(s->state), "%s", n->state);
    snprintf(s->body, sizeof(s->body), "%s", n->body ? n->body : "(null)");
    snprintf(s->memo, sizeof(s->memo), "%s", n->memo_id ? n->memo_id : "(null)");
    snprintf(s->analysis, sizeof(s->analysis), "%s",
             n->analysis_json ? n->analysis_json : "(null)");
    assert_string_equal(n->phone, SENDER);
    assert_true(is_store_time(n->created_at));
}

static void a_note_and_its_job_are_recorded_once(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    long long id = add_note(f, "SM01", TEXT);
    int inserted = 1;

    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs WHERE kind = 'sms.note'"), 1);
    assert_int_equal(store_note_received(f->s, id, SENDER, "sms.note", "{}", &inserted, &err),
                     HL_OK);
    assert_int_equal(inserted, 0);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 1);
    assert_text(f, "SELECT state FROM notes", "pending");
    assert_int_equal(store_note_received(f->s, 0, SENDER, "sms.note", "{}", &inserted, &err),
                     HL_EINVAL);
    assert_int_equal(store_note_received(f->s, id, NULL, "sms.note", "{}", &inserted, &err),
                     HL_EINVAL);
    /* A note needs its message. */
    assert_int_equal(store_note_received(f->s, 999, SENDER, "sms.note", "{}", &inserted, &err),
                     HL_EINVAL);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs"), 1);
}

static void notes_are_read_by_id_and_newest_by_sender(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    struct seen s = {0};
    long long first = add_note(f, "SM01", "first"), second;

    add_inbound(f, "SM02", "IDEAS"); /* a message that is not a note */
    second = add_note(f, "SM03", "second");
    assert_int_equal(store_note_get(f->s, first, remember, &s, &err), HL_OK);
    assert_int_equal(s.id, first);
    assert_string_equal(s.body, "first");
    assert_string_equal(s.state, "pending");
    assert_int_equal(store_note_last(f->s, SENDER, remember, &s, &err), HL_OK);
    assert_int_equal(s.id, second);
    assert_string_equal(s.body, "second");
    assert_int_equal(s.calls, 2);
    assert_int_equal(store_note_last(f->s, "+14155550191", remember, &s, &err), HL_ENOTFOUND);
    assert_int_equal(store_note_get(f->s, 12345, remember, &s, &err), HL_ENOTFOUND);
    assert_int_equal(s.calls, 2);
}

static void an_analysed_note_keeps_its_analysis(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    struct seen s = {0};
    long long id = add_note(f, "SM01", TEXT);

    assert_int_equal(store_note_analysed(f->s, id, "{\"ideas\":[\"x\"]}", &err), HL_OK);
    assert_int_equal(store_note_get(f->s, id, remember, &s, &err), HL_OK);
    assert_string_equal(s.state, "analysed");
    assert_string_equal(s.analysis, "{\"ideas\":[\"x\"]}");
    assert_string_equal(s.body, TEXT);
    assert_int_equal(store_note_analysed(f->s, id, "not json", &err), HL_EINVAL);
    assert_int_equal(store_note_analysed(f->s, 777, "{}", &err), HL_ENOTFOUND);
}

static struct store_memo note_memo(long long id)
{
    struct store_memo m = {0};

    m.id = "AAAAAAAAAAAAAAAAAAAAAA";
    m.kind = "sms_note";
    m.message_id = id;
    m.key_sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
    m.meta_path = "/x/meta.enc";
    m.owner_notified = 1;
    return m;
}

static void sealing_stores_the_memo_and_clears_the_text_at_once(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    struct seen s = {0};
    long long id = add_note(f, "SM01", TEXT);
    struct store_memo m = note_memo(id);

    assert_int_equal(store_note_sealed(f->s, &m, &err), HL_OK);
    assert_int_equal(store_note_get(f->s, id, remember, &s, &err), HL_OK);
    assert_string_equal(s.state, "sealed");
    assert_string_equal(s.memo, "AAAAAAAAAAAAAAAAAAAAAA");
    assert_string_equal(s.body, "(null)");
    assert_text(f, "SELECT kind || ' ' || message_id FROM memos", "sms_note 1");
    assert_text(f, "SELECT from_number FROM messages", SENDER);
    /* Sealed once: a second seal stores nothing, not even its memo. */
    m.id = "BBBBBBBBBBBBBBBBBBBBBB";
    assert_int_equal(store_note_sealed(f->s, &m, &err), HL_ENOTFOUND);
    assert_int_equal(q_int(f, "SELECT count(*) FROM memos"), 1);
    /* A memo that cannot be stored leaves the note and its text as they were. */
    id = add_note(f, "SM02", "kept");
    m = note_memo(id);
    assert_int_equal(store_note_sealed(f->s, &m, &err), HL_EINVAL); /* the id is taken */
    assert_text(f, "SELECT body FROM messages WHERE id = 2", "kept");
    assert_text(f, "SELECT state FROM notes WHERE message_id = 2", "pending");
    m.kind = "voicemail";
    assert_int_equal(store_note_sealed(f->s, &m, &err), HL_EINVAL);
}

/* Does the file at path contain needle? */
static int file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    static char data[1 << 22];
    size_t n, k = strlen(needle), i;

    if (!fp)
        return 0;
    n = fread(data, 1, sizeof(data), fp);
    fclose(fp);
    for (i = 0; i + k <= n; i++)
        if (memcmp(data + i, needle, k) == 0)
            return 1;
    return 0;
}

static void after_a_scrub_no_file_holds_the_cleared_text(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    char wal[200], text[600];
    long long id;
    struct store_memo m;

    /*
     * Longer than the rest of the row: the shorter row written in its place does not cover
     * it, so only secure_delete's zeroing keeps it out of the page.
     */
    snprintf(text, sizeof(text), "%s; %0500d", TEXT, 7);
    id = add_note(f, "SM01", text);
    m = note_memo(id);

    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    assert_true(file_has(wal, "zirconium") || file_has(f->path, "zirconium"));
    assert_int_equal(store_note_sealed(f->s, &m, &err), HL_OK);
    assert_true(file_has(wal, "zirconium")); /* the WAL still has the older page image */
    assert_int_equal(store_scrub(f->s, &err), HL_OK);
    assert_false(file_has(wal, "zirconium"));
    assert_false(file_has(f->path, "zirconium"));
    assert_true(file_has(f->path, "sms_note"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_note_and_its_job_are_recorded_once, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(notes_are_read_by_id_and_newest_by_sender, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_analysed_note_keeps_its_analysis, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(sealing_stores_the_memo_and_clears_the_text_at_once,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(after_a_scrub_no_file_holds_the_cleared_text,
                                        setup_migrated, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
