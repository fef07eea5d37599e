/*
 * test_twiml.c — unit tests for the TwiML builder (src/twilio/twiml.c): the
 * exact bytes of representative documents, escaping and sanitizing, the
 * nesting and attribute tables, error reporting and the 64 KB ceiling.
 * tests/sdk/test_twiml_sdk.py compares the same builder with twilio-node.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/hl.h"
#include "twilio/twiml.h"

#include "core/banned.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"

struct fixture {
    struct arena arena;
    struct buf out;
    struct hl_err err;
};

static int setup(void **state)
{
    struct fixture *f = hl_calloc(1, sizeof(*f));

    arena_init(&f->arena, 1 << 20);
    buf_init(&f->out, 1 << 20);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    arena_release(&f->arena);
    buf_release(&f->out);
    free(f);
    return 0;
}

/* Render doc, insist that it worked, and return the text. */
static const char *render_ok(struct fixture *f, struct twiml *doc)
{
    buf_reset(&f->out);
    assert_int_equal(twiml_render(doc, &f->out, &f->err), HL_OK);
    return buf_str(&f->out);
}

/* Render doc, insist that it fails with rc, and return the error message. */
static const char *render_fails(struct fixture *f, struct twiml *doc, int rc)
{
    buf_reset(&f->out);
    assert_int_equal(twiml_render(doc, &f->out, &f->err), rc);
    assert_int_equal(f->err.code, rc);
    assert_int_equal(f->out.len, 0);
    return f->err.msg;
}

/* A voice document with one <Say> holding text. */
static struct twiml *say_doc(struct fixture *f, const char *text, size_t len)
{
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    assert_non_null(twiml_addn(doc, twiml_root(doc), TWIML_SAY, text, len));
    return doc;
}

static void twiml_renders_empty_voice_response(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    assert_string_equal(render_ok(f, doc), DECL "<Response/>");
}

static void twiml_renders_empty_messaging_response(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_MESSAGING);

    assert_string_equal(render_ok(f, doc), DECL "<Response/>");
}

static void twiml_renders_greeting_record_hangup(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *rec;

    twiml_say(doc, twiml_root(doc), "Hello, please leave a message.", "Polly.Joanna", "en-US");
    rec = twiml_add(doc, twiml_root(doc), TWIML_RECORD, NULL);
    twiml_attr(doc, rec, "action", "/twilio/recording");
    twiml_attr(doc, rec, "method", "POST");
    twiml_attr_int(doc, rec, "maxLength", 120);
    twiml_attr_int(doc, rec, "timeout", 5);
    twiml_attr_bool(doc, rec, "playBeep", 1);
    twiml_attr(doc, rec, "finishOnKey", "#");
    twiml_attr(doc, rec, "trim", "trim-silence");
    twiml_attr(doc, rec, "recordingStatusCallback", "/twilio/recording-status");
    twiml_attr(doc, rec, "recordingStatusCallbackEvent", "completed absent");
    twiml_attr(doc, rec, "recordingStatusCallbackMethod", "POST");
    twiml_hangup(doc);
    assert_string_equal(
        render_ok(f, doc),
        DECL "<Response><Say voice=\"Polly.Joanna\" language=\"en-US\">Hello, please leave a "
             "message.</Say><Record action=\"/twilio/recording\" method=\"POST\" "
             "maxLength=\"120\" timeout=\"5\" playBeep=\"true\" finishOnKey=\"#\" "
             "trim=\"trim-silence\" recordingStatusCallback=\"/twilio/recording-status\" "
             "recordingStatusCallbackEvent=\"completed absent\" "
             "recordingStatusCallbackMethod=\"POST\"/><Hangup/></Response>");
}

static void twiml_renders_gather_with_nested_say_play_pause(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *g = twiml_add(doc, twiml_root(doc), TWIML_GATHER, NULL);

    twiml_attr(doc, g, "input", "dtmf speech");
    twiml_attr_int(doc, g, "numDigits", 1);
    twiml_attr_int(doc, g, "timeout", 5);
    twiml_attr(doc, g, "speechTimeout", "auto");
    twiml_attr(doc, g, "hints", "english, pidgin");
    twiml_attr(doc, g, "action", "/twilio/flow/menu");
    twiml_attr(doc, g, "method", "POST");
    twiml_attr_bool(doc, g, "actionOnEmptyResult", 0);
    twiml_say(doc, g, "Press 1 for English.", NULL, NULL);
    twiml_pause(doc, g, 2);
    twiml_play(doc, g, "https://example.com/menu.mp3");
    twiml_redirect(doc, "/twilio/flow/menu", "POST");
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Gather input=\"dtmf speech\" numDigits=\"1\" "
                             "timeout=\"5\" speechTimeout=\"auto\" hints=\"english, pidgin\" "
                             "action=\"/twilio/flow/menu\" method=\"POST\" "
                             "actionOnEmptyResult=\"false\"><Say>Press 1 for English.</Say>"
                             "<Pause length=\"2\"/><Play>https://example.com/menu.mp3</Play>"
                             "</Gather><Redirect method=\"POST\">/twilio/flow/menu</Redirect>"
                             "</Response>");
}

static void twiml_renders_dial_with_number_and_other_nouns(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *dial = twiml_add(doc, twiml_root(doc), TWIML_DIAL, NULL);
    struct twiml_node *num;

    twiml_attr(doc, dial, "callerId", "+15550001111");
    twiml_attr_int(doc, dial, "timeout", 20);
    twiml_attr(doc, dial, "record", "record-from-answer");
    twiml_attr_bool(doc, dial, "answerOnBridge", 1);
    num = twiml_add(doc, dial, TWIML_NUMBER, "+15551234567");
    twiml_attr(doc, num, "sendDigits", "wwww1928");
    twiml_attr(doc, num, "url", "/screen");
    twiml_attr(doc, num, "statusCallback", "/twilio/status");
    twiml_add(doc, dial, TWIML_CLIENT, "alice");
    twiml_add(doc, dial, TWIML_SIP, "sip:bob@example.com");
    twiml_add(doc, dial, TWIML_CONFERENCE, "room-1");
    twiml_add(doc, dial, TWIML_QUEUE, "support");
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Dial callerId=\"+15550001111\" timeout=\"20\" "
                             "record=\"record-from-answer\" answerOnBridge=\"true\">"
                             "<Number sendDigits=\"wwww1928\" url=\"/screen\" "
                             "statusCallback=\"/twilio/status\">+15551234567</Number>"
                             "<Client>alice</Client><Sip>sip:bob@example.com</Sip>"
                             "<Conference>room-1</Conference><Queue>support</Queue>"
                             "</Dial></Response>");
}

static void twiml_renders_dial_with_plain_number(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    twiml_add(doc, twiml_root(doc), TWIML_DIAL, "+15551234567");
    assert_string_equal(render_ok(f, doc), DECL "<Response><Dial>+15551234567</Dial></Response>");
}

static void twiml_renders_message_with_body_and_media(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_MESSAGING);
    struct twiml_node *msg = twiml_add(doc, twiml_root(doc), TWIML_MESSAGE, NULL);

    twiml_attr(doc, msg, "to", "whatsapp:+15551234567");
    twiml_attr(doc, msg, "from", "whatsapp:+15550001111");
    twiml_attr(doc, msg, "action", "/twilio/message-status");
    twiml_attr(doc, msg, "method", "POST");
    twiml_add(doc, msg, TWIML_BODY, "Your booking is confirmed.");
    twiml_add(doc, msg, TWIML_MEDIA, "https://example.com/qr.png");
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Message to=\"whatsapp:+15551234567\" "
                             "from=\"whatsapp:+15550001111\" action=\"/twilio/message-status\" "
                             "method=\"POST\"><Body>Your booking is confirmed.</Body>"
                             "<Media>https://example.com/qr.png</Media></Message></Response>");
}

static void twiml_renders_plain_text_message(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_MESSAGING);

    twiml_message(doc, "Thanks! Reply STOP to opt out.");
    twiml_redirect(doc, "/twilio/sms/next", NULL);
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Message>Thanks! Reply STOP to opt out.</Message>"
                             "<Redirect>/twilio/sms/next</Redirect></Response>");
}

static void twiml_renders_connect_stream_parameters(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *connect = twiml_add(doc, twiml_root(doc), TWIML_CONNECT, NULL);
    struct twiml_node *stream = twiml_add(doc, connect, TWIML_STREAM, NULL);
    struct twiml_node *param = twiml_add(doc, stream, TWIML_PARAMETER, NULL);

    twiml_attr(doc, connect, "action", "/twilio/flow/after-stream");
    twiml_attr(doc, stream, "url", "wss://example.com/media");
    twiml_attr(doc, stream, "name", "agent");
    twiml_attr(doc, stream, "statusCallback", "/twilio/stream-status");
    twiml_attr(doc, param, "name", "caller");
    twiml_attr(doc, param, "value", "+15551234567");
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Connect action=\"/twilio/flow/after-stream\">"
                             "<Stream url=\"wss://example.com/media\" name=\"agent\" "
                             "statusCallback=\"/twilio/stream-status\"><Parameter "
                             "name=\"caller\" value=\"+15551234567\"/></Stream></Connect>"
                             "</Response>");
}

static void twiml_renders_start_stream(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *start = twiml_add(doc, twiml_root(doc), TWIML_START, NULL);
    struct twiml_node *stream = twiml_add(doc, start, TWIML_STREAM, NULL);

    twiml_attr(doc, stream, "url", "wss://example.com/listen");
    twiml_attr(doc, stream, "track", "both_tracks");
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Start><Stream url=\"wss://example.com/listen\" "
                             "track=\"both_tracks\"/></Start></Response>");
}

static void twiml_renders_reject_with_reason(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    assert_non_null(twiml_reject(doc, "busy"));
    assert_string_equal(render_ok(f, doc), DECL "<Response><Reject reason=\"busy\"/></Response>");
}

static void twiml_renders_say_and_play_loops(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *say = twiml_say(doc, twiml_root(doc), "Hi", "alice", NULL);
    struct twiml_node *play = twiml_add(doc, twiml_root(doc), TWIML_PLAY, NULL);

    twiml_attr_int(doc, say, "loop", 0);
    twiml_attr(doc, play, "digits", "wwww3");
    twiml_attr_int(doc, play, "loop", -1);
    assert_string_equal(render_ok(f, doc), DECL "<Response><Say voice=\"alice\" loop=\"0\">Hi"
                                                "</Say><Play digits=\"wwww3\" loop=\"-1\"/>"
                                                "</Response>");
}

static void twiml_self_closes_elements_with_empty_text(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    twiml_add(doc, twiml_root(doc), TWIML_SAY, "");
    twiml_add(doc, twiml_root(doc), TWIML_SAY, NULL);
    twiml_pause(doc, twiml_root(doc), 0);
    assert_string_equal(render_ok(f, doc), DECL "<Response><Say/><Say/><Pause/></Response>");
}

static void twiml_keeps_attribute_insertion_order(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *g = twiml_add(doc, twiml_root(doc), TWIML_GATHER, NULL);

    twiml_attr(doc, g, "timeout", "3");
    twiml_attr(doc, g, "action", "/a");
    twiml_attr(doc, g, "input", "speech");
    assert_string_equal(render_ok(f, doc), DECL "<Response><Gather timeout=\"3\" action=\"/a\" "
                                                "input=\"speech\"/></Response>");
}

static void twiml_replaces_repeated_attribute_in_place(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *say = twiml_add(doc, twiml_root(doc), TWIML_SAY, "x");

    twiml_attr(doc, say, "voice", "man");
    twiml_attr(doc, say, "language", "en-GB");
    twiml_attr(doc, say, "voice", "woman");
    assert_string_equal(render_ok(f, doc), DECL "<Response><Say voice=\"woman\" "
                                                "language=\"en-GB\">x</Say></Response>");
}

static void twiml_skips_null_attribute_but_keeps_empty_one(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *say = twiml_add(doc, twiml_root(doc), TWIML_SAY, "x");

    assert_int_equal(twiml_attr(doc, say, "voice", NULL), HL_OK);
    assert_int_equal(twiml_attr(doc, say, "language", ""), HL_OK);
    assert_string_equal(render_ok(f, doc), DECL "<Response><Say language=\"\">x</Say></Response>");
}

static void twiml_escapes_ampersand_in_text(void **state)
{
    struct fixture *f = *state;
    const char *text = "Tom & Jerry <3 > \"quotes\" 'apostrophes' ]]>";
    struct twiml *doc = say_doc(f, text, strlen(text));

    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Say>Tom &amp; Jerry &lt;3 &gt; \"quotes\" "
                             "'apostrophes' ]]&gt;</Say></Response>");
}

static void twiml_escapes_ampersand_in_attribute(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *r = twiml_add(doc, twiml_root(doc), TWIML_REDIRECT, "/next?a=1&b=2");

    twiml_attr(doc, r, "method", "a&b<c>d\"e'f");
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Redirect method=\"a&amp;b&lt;c&gt;d&quot;e'f\">"
                             "/next?a=1&amp;b=2</Redirect></Response>");
}

static void twiml_escapes_whitespace_in_attribute(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *g = twiml_add(doc, twiml_root(doc), TWIML_GATHER, NULL);

    twiml_attr(doc, g, "hints", "a\tb\nc\r\nd e");
    assert_string_equal(render_ok(f, doc), DECL "<Response><Gather hints=\"a&#x9;b&#xA;c&#xD;"
                                                "&#xA;d e\"/></Response>");
}

static void twiml_escapes_carriage_return_in_text(void **state)
{
    struct fixture *f = *state;
    const char *text = "line 1\r\nline 2\tend";
    struct twiml *doc = say_doc(f, text, strlen(text));

    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Say>line 1&#xD;\nline 2\tend</Say></Response>");
}

static void twiml_drops_control_characters(void **state)
{
    struct fixture *f = *state;
    static const char text[] = "a\0b\x01"
                               "c\x08\x0b\x0c\x0e\x1f\x7f"
                               "d";
    struct twiml *doc = say_doc(f, text, sizeof(text) - 1);
    struct twiml_node *say = twiml_add(doc, twiml_root(doc), TWIML_SAY, NULL);

    assert_int_equal(twiml_attrn(doc, say, "voice", "x\0y\x1bz", 5), HL_OK);
    /* DEL (0x7f) is an XML 1.0 character and stays. */
    assert_string_equal(render_ok(f, doc), DECL "<Response><Say>abc\x7f"
                                                "d</Say><Say voice=\"xyz\"/></Response>");
}

static void twiml_drops_fffe_and_ffff(void **state)
{
    struct fixture *f = *state;
    const char *text = "a\xEF\xBF\xBE"
                       "b\xEF\xBF\xBF"
                       "c\xEF\xBF\xBD"
                       "d";
    struct twiml *doc = say_doc(f, text, strlen(text));

    assert_string_equal(render_ok(f, doc), DECL "<Response><Say>abc\xEF\xBF\xBD"
                                                "d</Say></Response>");
}

static void twiml_keeps_valid_multibyte_utf8(void **state)
{
    struct fixture *f = *state;
    /* U+00E9, U+20AC, U+D7FF, U+E000, U+1F600, U+10FFFF */
    const char *text = "\xC3\xA9\xE2\x82\xAC\xED\x9F\xBF\xEE\x80\x80\xF0\x9F\x98\x80\xF4\x8F\xBF"
                       "\xBF";
    struct twiml *doc = say_doc(f, text, strlen(text));
    char want[256];

    snprintf(want, sizeof(want), DECL "<Response><Say>%s</Say></Response>", text);
    assert_string_equal(render_ok(f, doc), want);
}

/* One ill-formed input and what it must become, per the "maximal subpart" rule. */
struct utf8_case {
    const char *in;
    const char *out;
};

static void twiml_replaces_invalid_utf8(void **state)
{
    static const struct utf8_case cases[] = {
        {"a\xC0\x80z", "a\xEF\xBF\xBD\xEF\xBF\xBDz"},                 /* overlong NUL */
        {"a\xE0\x80\x80z", "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz"}, /* overlong 3-byte */
        {"a\xF0\x8F\xBF\xBFz", "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz"},
        {"a\xED\xA0\x80z", "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz"}, /* surrogate U+D800 */
        {"a\xF4\x90\x80\x80z", "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz"}, /* >10FFFF */
        {"a\xF5\x80z", "a\xEF\xBF\xBD\xEF\xBF\xBDz"},
        {"a\xE2\x82z", "a\xEF\xBF\xBDz"},             /* truncated: one U+FFFD for both bytes */
        {"a\xF0\x9F\x98z", "a\xEF\xBF\xBDz"},         /* truncated 4-byte */
        {"a\x80\xBFz", "a\xEF\xBF\xBD\xEF\xBF\xBDz"}, /* stray continuation bytes */
        {"a\xFF\xFEz", "a\xEF\xBF\xBD\xEF\xBF\xBDz"},
        {"a\xE2\x82", "a\xEF\xBF\xBD"}, /* truncated at the very end */
        {"\xC3", "\xEF\xBF\xBD"},
    };
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(cases); i++) {
        struct twiml *doc = say_doc(f, cases[i].in, strlen(cases[i].in));
        char want[256];

        snprintf(want, sizeof(want), DECL "<Response><Say>%s</Say></Response>", cases[i].out);
        assert_string_equal(render_ok(f, doc), want);
    }
}

static void twiml_replaces_invalid_utf8_in_attribute(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *say = twiml_add(doc, twiml_root(doc), TWIML_SAY, NULL);

    twiml_attr(doc, say, "voice", "\xED\xBF\xBF&\xC3");
    assert_string_equal(render_ok(f, doc), DECL "<Response><Say voice=\"\xEF\xBF\xBD\xEF\xBF\xBD"
                                                "\xEF\xBF\xBD&amp;\xEF\xBF\xBD\"/></Response>");
}

static void twiml_rejects_gather_inside_say(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *say = twiml_add(doc, twiml_root(doc), TWIML_SAY, "hi");

    assert_null(twiml_add(doc, say, TWIML_GATHER, NULL));
    assert_string_equal(render_fails(f, doc, HL_EINVAL), "TwiML: <Gather> may not appear in <Say>");
}

static void twiml_rejects_gather_inside_gather(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *g = twiml_add(doc, twiml_root(doc), TWIML_GATHER, NULL);

    assert_null(twiml_add(doc, g, TWIML_GATHER, NULL));
    assert_null(twiml_add(doc, g, TWIML_RECORD, NULL));
    assert_null(twiml_add(doc, g, TWIML_HANGUP, NULL));
    render_fails(f, doc, HL_EINVAL);
}

static void twiml_rejects_nouns_outside_their_verb(void **state)
{
    static const enum twiml_verb nouns[] = {TWIML_NUMBER,     TWIML_CLIENT, TWIML_SIP,
                                            TWIML_CONFERENCE, TWIML_QUEUE,  TWIML_STREAM,
                                            TWIML_PARAMETER,  TWIML_BODY,   TWIML_MEDIA};
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(nouns); i++) {
        struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

        assert_null(twiml_add(doc, twiml_root(doc), nouns[i], NULL));
        render_fails(f, doc, HL_EINVAL);
    }
}

static void twiml_rejects_say_in_messaging_response(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_MESSAGING);

    assert_null(twiml_say(doc, twiml_root(doc), "hi", NULL, NULL));
    assert_string_equal(render_fails(f, doc, HL_EINVAL),
                        "TwiML: <Say> may not appear in <messaging Response>");
}

static void twiml_rejects_message_in_voice_response(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    assert_null(twiml_message(doc, "hi"));
    assert_string_equal(render_fails(f, doc, HL_EINVAL),
                        "TwiML: <Message> may not appear in <voice Response>");
}

static void twiml_formats_integer_attributes_in_decimal(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *rec = twiml_add(doc, twiml_root(doc), TWIML_RECORD, NULL);
    struct twiml_node *pause = twiml_add(doc, twiml_root(doc), TWIML_PAUSE, NULL);
    struct twiml_node *dial = twiml_add(doc, twiml_root(doc), TWIML_DIAL, NULL);

    twiml_attr_int(doc, rec, "maxLength", 0);
    twiml_attr_int(doc, rec, "timeout", -7);
    twiml_attr_int(doc, pause, "length", 1234567890);
    twiml_attr_int(doc, dial, "timeout", LONG_MIN);
    assert_string_equal(render_ok(f, doc),
                        DECL "<Response><Record maxLength=\"0\" timeout=\"-7\"/>"
                             "<Pause length=\"1234567890\"/><Dial timeout=\"-9223372036854775808\"/>"
                             "</Response>");
}

static void twiml_rejects_unknown_attribute(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
    struct twiml_node *say = twiml_add(doc, twiml_root(doc), TWIML_SAY, "hi");

    assert_int_equal(twiml_attr(doc, say, "Voice", "alice"), HL_EINVAL);
    assert_int_equal(twiml_attr(doc, say, "bogus", NULL), HL_EINVAL);
    assert_string_equal(render_fails(f, doc, HL_EINVAL), "TwiML: <Say> has no attribute \"Voice\"");
}

static void twiml_matches_attribute_names_as_whole_words(void **state)
{
    static const char *const near_misses[] = {
        "", " ", "loo", "oice", "voice ", "voice language", "loopx", "digits"};
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(near_misses); i++) {
        struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);
        struct twiml_node *say = twiml_add(doc, twiml_root(doc), TWIML_SAY, "hi");

        assert_int_equal(twiml_attr(doc, say, near_misses[i], "x"), HL_EINVAL);
        assert_int_equal(twiml_attr(doc, say, "loop", "1"), HL_OK);
        render_fails(f, doc, HL_EINVAL);
    }
}

static void twiml_rejects_attribute_on_hangup(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    assert_int_equal(twiml_attr(doc, twiml_hangup(doc), "reason", "busy"), HL_EINVAL);
    render_fails(f, doc, HL_EINVAL);
}

static void twiml_rejects_text_on_verb_without_content(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    assert_null(twiml_add(doc, twiml_root(doc), TWIML_PAUSE, "5"));
    assert_string_equal(render_fails(f, doc, HL_EINVAL), "TwiML: <Pause> takes no text");
}

static void twiml_rejects_response_and_unknown_verbs(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_VOICE);

    assert_null(twiml_add(doc, twiml_root(doc), TWIML_RESPONSE, NULL));
    assert_null(twiml_add(doc, twiml_root(doc), TWIML_VERB_COUNT, NULL));
    assert_null(twiml_add(doc, twiml_root(doc), (enum twiml_verb) - 1, NULL));
    render_fails(f, doc, HL_EINVAL);
    assert_null(twiml_new(&f->arena, (enum twiml_kind)7));
}

static void twiml_reports_first_error_and_tolerates_null_nodes(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = twiml_new(&f->arena, TWIML_MESSAGING);
    struct twiml_node *g = twiml_add(doc, twiml_root(doc), TWIML_GATHER, NULL);

    /* A chain built on the failed node fails quietly; the first error is what is reported. */
    assert_null(g);
    assert_null(twiml_say(doc, g, "hi", "alice", NULL));
    assert_int_equal(twiml_attr(doc, g, "timeout", "5"), HL_EINVAL);
    assert_non_null(twiml_message(doc, "still fine"));
    assert_string_equal(render_fails(f, doc, HL_EINVAL),
                        "TwiML: <Gather> may not appear in <messaging Response>");
}

static void twiml_tolerates_null_document(void **state)
{
    struct fixture *f = *state;

    assert_null(twiml_root(NULL));
    assert_null(twiml_add(NULL, NULL, TWIML_SAY, "x"));
    assert_null(twiml_say(NULL, NULL, "x", "alice", NULL));
    assert_null(twiml_hangup(NULL));
    assert_int_equal(twiml_attr(NULL, NULL, "voice", "x"), HL_ETOOLARGE);
    render_fails(f, NULL, HL_ETOOLARGE);
}

static void twiml_reports_full_arena(void **state)
{
    struct fixture *f = *state;
    struct arena small;
    struct twiml *doc;
    char text[900];

    memset(text, 'a', sizeof(text));
    arena_init(&small, 2048);
    doc = twiml_new(&small, TWIML_VOICE);
    assert_non_null(doc);
    assert_non_null(twiml_addn(doc, twiml_root(doc), TWIML_SAY, text, sizeof(text)));
    assert_null(twiml_addn(doc, twiml_root(doc), TWIML_SAY, text, sizeof(text)));
    assert_string_equal(render_fails(f, doc, HL_ETOOLARGE), "TwiML: arena full adding <Say>");
    arena_release(&small);

    arena_init(&small, 16);
    assert_null(twiml_new(&small, TWIML_VOICE));
    arena_release(&small);
}

/* A voice document of exactly size bytes: one <Say> whose text fills the rest. */
static struct twiml *doc_of_size(struct fixture *f, size_t size)
{
    const size_t frame = strlen(DECL "<Response><Say></Say></Response>");
    char *text = hl_malloc(size - frame);
    struct twiml *doc;

    memset(text, 'x', size - frame);
    doc = say_doc(f, text, size - frame);
    free(text);
    return doc;
}

static void twiml_accepts_document_of_exactly_64k(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = doc_of_size(f, TWIML_MAX_SIZE);

    render_ok(f, doc);
    assert_int_equal(f->out.len, 65536);
}

static void twiml_refuses_document_over_64k(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = doc_of_size(f, TWIML_MAX_SIZE + 1);

    assert_string_equal(render_fails(f, doc, HL_ETOOLARGE),
                        "TwiML document larger than Twilio's 65536-byte limit");
}

static void twiml_counts_escapes_towards_64k(void **state)
{
    struct fixture *f = *state;
    char *text = hl_malloc(14000);
    struct twiml *doc;

    /* 14000 bytes of input, 70000 once each '&' is written as "&amp;". */
    memset(text, '&', 14000);
    doc = say_doc(f, text, 14000);
    free(text);
    render_fails(f, doc, HL_ETOOLARGE);
}

static void twiml_render_leaves_buffer_untouched_on_error(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = doc_of_size(f, TWIML_MAX_SIZE + 100);

    buf_reset(&f->out);
    buf_adds(&f->out, "HTTP body: ");
    assert_int_equal(twiml_render(doc, &f->out, NULL), HL_ETOOLARGE);
    assert_string_equal(buf_str(&f->out), "HTTP body: ");
    assert_int_equal(f->out.len, strlen("HTTP body: "));
}

static void twiml_render_appends_after_existing_content(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = doc_of_size(f, TWIML_MAX_SIZE);

    /* The 64 KB rule is about the document, not whatever the buffer held before. */
    buf_reset(&f->out);
    buf_adds(&f->out, "prefix");
    assert_int_equal(twiml_render(doc, &f->out, NULL), HL_OK);
    assert_int_equal(f->out.len, strlen("prefix") + TWIML_MAX_SIZE);
}

static void twiml_respects_output_buffer_ceiling(void **state)
{
    struct fixture *f = *state;
    struct twiml *doc = say_doc(f, "hello", 5);
    struct buf small = BUF_INIT(40);
    struct hl_err err = {0, ""};

    assert_int_equal(twiml_render(doc, &small, &err), HL_ETOOLARGE);
    assert_string_equal(err.msg, "TwiML document does not fit in the output buffer");
    assert_int_equal(small.len, 0);
    buf_release(&small);
}

static void twiml_names_round_trip(void **state)
{
    enum twiml_verb v, found;

    (void)state;
    for (v = TWIML_RESPONSE; v < TWIML_VERB_COUNT; v++) {
        assert_int_equal(twiml_verb_lookup(twiml_verb_name(v), &found), HL_OK);
        assert_int_equal(found, v);
    }
    assert_string_equal(twiml_verb_name(TWIML_HANGUP), "Hangup");
    assert_null(twiml_verb_name(TWIML_VERB_COUNT));
    assert_int_equal(twiml_verb_lookup("say", &found), HL_ENOTFOUND);
}

static void twiml_content_type_is_xml_utf8(void **state)
{
    (void)state;
    assert_string_equal(TWIML_CONTENT_TYPE, "text/xml; charset=utf-8");
    assert_int_equal(TWIML_MAX_SIZE, 65536);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(twiml_renders_empty_voice_response),
        TEST(twiml_renders_empty_messaging_response),
        TEST(twiml_renders_greeting_record_hangup),
        TEST(twiml_renders_gather_with_nested_say_play_pause),
        TEST(twiml_renders_dial_with_number_and_other_nouns),
        TEST(twiml_renders_dial_with_plain_number),
        TEST(twiml_renders_message_with_body_and_media),
        TEST(twiml_renders_plain_text_message),
        TEST(twiml_renders_connect_stream_parameters),
        TEST(twiml_renders_start_stream),
        TEST(twiml_renders_reject_with_reason),
        TEST(twiml_renders_say_and_play_loops),
        TEST(twiml_self_closes_elements_with_empty_text),
        TEST(twiml_keeps_attribute_insertion_order),
        TEST(twiml_replaces_repeated_attribute_in_place),
        TEST(twiml_skips_null_attribute_but_keeps_empty_one),
        TEST(twiml_escapes_ampersand_in_text),
        TEST(twiml_escapes_ampersand_in_attribute),
        TEST(twiml_escapes_whitespace_in_attribute),
        TEST(twiml_escapes_carriage_return_in_text),
        TEST(twiml_drops_control_characters),
        TEST(twiml_drops_fffe_and_ffff),
        TEST(twiml_keeps_valid_multibyte_utf8),
        TEST(twiml_replaces_invalid_utf8),
        TEST(twiml_replaces_invalid_utf8_in_attribute),
        TEST(twiml_rejects_gather_inside_say),
        TEST(twiml_rejects_gather_inside_gather),
        TEST(twiml_rejects_nouns_outside_their_verb),
        TEST(twiml_rejects_say_in_messaging_response),
        TEST(twiml_rejects_message_in_voice_response),
        TEST(twiml_rejects_unknown_attribute),
        TEST(twiml_formats_integer_attributes_in_decimal),
        TEST(twiml_matches_attribute_names_as_whole_words),
        TEST(twiml_rejects_attribute_on_hangup),
        TEST(twiml_rejects_text_on_verb_without_content),
        TEST(twiml_rejects_response_and_unknown_verbs),
        TEST(twiml_reports_first_error_and_tolerates_null_nodes),
        TEST(twiml_tolerates_null_document),
        TEST(twiml_reports_full_arena),
        TEST(twiml_accepts_document_of_exactly_64k),
        TEST(twiml_refuses_document_over_64k),
        TEST(twiml_counts_escapes_towards_64k),
        TEST(twiml_render_leaves_buffer_untouched_on_error),
        TEST(twiml_render_appends_after_existing_content),
        TEST(twiml_respects_output_buffer_ceiling),
        TEST(twiml_names_round_trip),
        TEST(twiml_content_type_is_xml_utf8),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
