/*
 * test_sim_twiml.c — the call driver's TwiML parser (src/sim/sim_twiml.c)
 * and its scripted caller (src/sim/sim_script.c).
 *
 * Parser: every verb and attribute hotline's builder emits (Say with voice
 * and SSML, Play, Pause, Gather with nested Say/Play/Pause and its input,
 * numDigits, timeout, finishOnKey, action, method, actionOnEmptyResult,
 * Record with its attributes, Dial with Number, Redirect, Hangup, Reject,
 * Message, Connect/Start with Stream and Parameter); text trimmed and
 * entities decoded; and refusals the way Twilio refuses: malformed XML, an
 * empty document and a root other than <Response> are 12100, an unknown
 * verb or a verb where it may not nest is 12200. Script: kinds taken in
 * order, items of another kind left, invalid items refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/sim_script.h"
#include "sim/sim_twiml.h"
#include "core/banned.h"

static struct sim_twiml_node *parse(struct arena *a, const char *xml, struct sim_twiml_error *err)
{
    return sim_twiml_parse(xml, strlen(xml), a, err);
}

static void assert_refused(const char *xml, int code)
{
    struct arena a;
    struct sim_twiml_error err;

    arena_init(&a, 0);
    assert_null(parse(&a, xml, &err));
    assert_int_equal(err.code, code);
    assert_true(err.msg[0] != '\0');
    arena_release(&a);
}

static void voicemail_answer_parses(void **state)
{
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
        "<Say voice=\"Polly.Joanna\">Hello,\n  you have reached &amp; Co.</Say>"
        "<Record action=\"https://h.example/twilio/recording\" method=\"POST\" maxLength=\"120\" "
        "finishOnKey=\"#\" playBeep=\"true\" recordingStatusCallback=\"/twilio/recording-status\" "
        "recordingStatusCallbackMethod=\"POST\"/>"
        "<Say>We did not receive a message. Goodbye.</Say><Hangup/></Response>";
    struct arena a;
    struct sim_twiml_error err;
    struct sim_twiml_node *root, *n;

    (void)state;
    arena_init(&a, 0);
    root = parse(&a, xml, &err);
    assert_non_null(root);
    assert_int_equal(root->verb, SIM_V_RESPONSE);
    n = root->child;
    assert_int_equal(n->verb, SIM_V_SAY);
    assert_string_equal(n->text, "Hello, you have reached & Co.");
    assert_string_equal(sim_twiml_attr(n, "voice"), "Polly.Joanna");
    n = n->next;
    assert_int_equal(n->verb, SIM_V_RECORD);
    assert_int_equal(sim_twiml_attr_long(n, "maxLength", 0), 120);
    assert_string_equal(sim_twiml_attr(n, "finishOnKey"), "#");
    assert_true(sim_twiml_attr_bool(n, "playBeep", 0));
    assert_string_equal(sim_twiml_attr(n, "recordingStatusCallback"), "/twilio/recording-status");
    assert_string_equal(sim_twiml_attr(n, "action"), "https://h.example/twilio/recording");
    assert_null(sim_twiml_attr(n, "transcribe"));
    n = n->next;
    assert_int_equal(n->verb, SIM_V_SAY);
    n = n->next;
    assert_int_equal(n->verb, SIM_V_HANGUP);
    assert_null(n->next);
    arena_release(&a);
}

static void gather_nests_say_play_pause(void **state)
{
    const char *xml = "<Response><Gather input=\"dtmf speech\" numDigits=\"1\" timeout=\"3\" "
                      "finishOnKey=\"\" action=\"/menu\" method=\"GET\" "
                      "actionOnEmptyResult=\"true\">"
                      "<Say>Press 1</Say><Play>https://x/a.wav</Play><Pause length=\"2\"/>"
                      "</Gather><Redirect method=\"POST\">/again</Redirect></Response>";
    struct arena a;
    struct sim_twiml_error err;
    struct sim_twiml_node *root, *g, *c;

    (void)state;
    arena_init(&a, 0);
    root = parse(&a, xml, &err);
    assert_non_null(root);
    g = root->child;
    assert_int_equal(g->verb, SIM_V_GATHER);
    assert_string_equal(sim_twiml_attr(g, "input"), "dtmf speech");
    assert_int_equal(sim_twiml_attr_long(g, "numDigits", 0), 1);
    assert_int_equal(sim_twiml_attr_long(g, "timeout", 5), 3);
    assert_string_equal(sim_twiml_attr(g, "finishOnKey"), "");
    assert_string_equal(sim_twiml_attr(g, "method"), "GET");
    assert_true(sim_twiml_attr_bool(g, "actionOnEmptyResult", 0));
    c = g->child;
    assert_int_equal(c->verb, SIM_V_SAY);
    assert_string_equal(c->text, "Press 1");
    assert_int_equal(c->next->verb, SIM_V_PLAY);
    assert_string_equal(c->next->text, "https://x/a.wav");
    assert_int_equal(c->next->next->verb, SIM_V_PAUSE);
    assert_int_equal(sim_twiml_attr_long(c->next->next, "length", 1), 2);
    assert_int_equal(g->next->verb, SIM_V_REDIRECT);
    assert_string_equal(g->next->text, "/again");
    arena_release(&a);
}

static void other_verbs_parse(void **state)
{
    const char *xml = "<Response><Dial action=\"/dialed\" timeout=\"20\" callerId=\"+15005550006\">"
                      "<Number>+14155550123</Number></Dial>"
                      "<Say>Hi <break time=\"1s\"/><emphasis>there</emphasis></Say>"
                      "<Message>hello</Message>"
                      "<Connect><Stream url=\"wss://x/s\"><Parameter name=\"a\" value=\"b\"/>"
                      "</Stream></Connect><Start><Stream url=\"wss://x/t\"/></Start>"
                      "<Reject reason=\"busy\"/></Response>";
    struct arena a;
    struct sim_twiml_error err;
    struct sim_twiml_node *n;

    (void)state;
    arena_init(&a, 0);
    n = parse(&a, xml, &err);
    assert_non_null(n);
    n = n->child;
    assert_int_equal(n->verb, SIM_V_DIAL);
    assert_int_equal(n->child->verb, SIM_V_NUMBER);
    assert_string_equal(n->child->text, "+14155550123");
    n = n->next;
    assert_int_equal(n->verb, SIM_V_SAY);
    assert_string_equal(n->text, "Hi there");
    assert_int_equal(n->child->verb, SIM_V_SSML);
    n = n->next;
    assert_int_equal(n->verb, SIM_V_MESSAGE);
    n = n->next;
    assert_int_equal(n->verb, SIM_V_CONNECT);
    assert_int_equal(n->child->verb, SIM_V_STREAM);
    assert_int_equal(n->child->child->verb, SIM_V_PARAMETER);
    n = n->next;
    assert_int_equal(n->verb, SIM_V_START);
    n = n->next;
    assert_int_equal(n->verb, SIM_V_REJECT);
    assert_string_equal(sim_twiml_attr(n, "reason"), "busy");
    assert_string_equal(sim_twiml_verb_name(SIM_V_GATHER), "Gather");
    arena_release(&a);
}

static void empty_response_parses(void **state)
{
    struct arena a;
    struct sim_twiml_error err;
    struct sim_twiml_node *root;

    (void)state;
    arena_init(&a, 0);
    root = parse(&a, "<?xml version=\"1.0\"?>\n<Response/>\n", &err);
    assert_non_null(root);
    assert_null(root->child);
    arena_release(&a);
}

static void malformed_documents_are_12100(void **state)
{
    (void)state;
    assert_refused("<Response><Say>unclosed</Response>", SIM_ERR_PARSE);
    assert_refused("<Response><Say>a</Say>", SIM_ERR_PARSE);
    assert_refused("not xml at all", SIM_ERR_PARSE);
    assert_refused("", SIM_ERR_PARSE);
    assert_refused("<Response></Response><Response/>", SIM_ERR_PARSE);
    assert_refused("<Response><Say>&bogus;</Say></Response>", SIM_ERR_PARSE);
}

static void wrong_root_is_12100(void **state)
{
    (void)state;
    assert_refused("<Say>hello</Say>", SIM_ERR_PARSE);
    assert_refused("<response><Say>hello</Say></response>", SIM_ERR_PARSE);
    assert_refused("<html><body>502 Bad Gateway</body></html>", SIM_ERR_PARSE);
}

static void unknown_verbs_and_bad_nesting_are_12200(void **state)
{
    (void)state;
    assert_refused("<Response><Speak>hi</Speak></Response>", SIM_ERR_SCHEMA);
    assert_refused("<Response><say>lowercase</say></Response>", SIM_ERR_SCHEMA);
    assert_refused("<Response><Gather><Gather/></Gather></Response>", SIM_ERR_SCHEMA);
    assert_refused("<Response><Gather><Record/></Gather></Response>", SIM_ERR_SCHEMA);
    assert_refused("<Response><Number>+14155550123</Number></Response>", SIM_ERR_SCHEMA);
    assert_refused("<Response><Say><Play>x</Play></Say></Response>", SIM_ERR_SCHEMA);
    assert_refused("<Response><Response/></Response>", SIM_ERR_SCHEMA);
    assert_refused("<Response><Stream url=\"wss://x\"/></Response>", SIM_ERR_SCHEMA);
}

static void script_takes_inputs_in_order(void **state)
{
    struct sim_script s = {0};
    const struct sim_script_item *item;

    (void)state;
    assert_int_equal(sim_script_add_param(&s, "Digits", "1"), 1);
    assert_int_equal(sim_script_add_param(&s, "Say", "call me back"), 1);
    assert_int_equal(sim_script_add_param(&s, "Speech", "yes"), 1);
    assert_int_equal(sim_script_add_param(&s, "From", "+14155550123"), 0);
    assert_int_equal(sim_script_add_param(&s, "Digits", "12a"), -1);
    assert_int_equal(sim_script_add_param(&s, "Say", ""), -1);
    assert_null(sim_script_take(&s, SIM_IN_SAY)); /* the next one is digits: left */
    item = sim_script_take(&s, SIM_IN_DIGITS | SIM_IN_SPEECH);
    assert_non_null(item);
    assert_string_equal(item->text, "1");
    item = sim_script_take(&s, SIM_IN_SAY);
    assert_string_equal(item->text, "call me back");
    assert_false(sim_script_done(&s));
    item = sim_script_take(&s, SIM_IN_SPEECH);
    assert_string_equal(item->text, "yes");
    assert_true(sim_script_done(&s));
    assert_null(sim_script_take(&s, ~0u));
    sim_script_release(&s);
}

static void transcript_keeps_lines(void **state)
{
    struct sim_transcript *t = sim_transcript_new("CA0123");
    int i;

    (void)state;
    for (i = 0; i < SIM_TRANSCRIPT_MAX_LINES + 5; i++)
        sim_transcript_add(t, "hotline", "hello");
    assert_int_equal(t->count, SIM_TRANSCRIPT_MAX_LINES);
    assert_string_equal(t->sid, "CA0123");
    assert_string_equal(t->lines[0].who, "hotline");
    sim_transcript_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(voicemail_answer_parses),
        cmocka_unit_test(gather_nests_say_play_pause),
        cmocka_unit_test(other_verbs_parse),
        cmocka_unit_test(empty_response_parses),
        cmocka_unit_test(malformed_documents_are_12100),
        cmocka_unit_test(wrong_root_is_12100),
        cmocka_unit_test(unknown_verbs_and_bad_nesting_are_12200),
        cmocka_unit_test(script_takes_inputs_in_order),
        cmocka_unit_test(transcript_keeps_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
