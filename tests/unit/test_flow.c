/*
 * test_flow.c — flow documents (parsing, checks, the built-ins), templates,
 * and matching what callers say.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "flows/engine_internal.h"
#include "flows/flows_internal.h"
#include "core/phrase.h"
#include "flows/template.h"

#include "core/banned.h"

static struct flow *parse_ok(const char *json)
{
    struct flow *f = NULL;
    struct hl_err err = {0};

    if (flow_parse(json, strlen(json), "test.json", &f, &err) != HL_OK)
        fail_msg("%s", err.msg);
    return f;
}

static void parse_fails(const char *json, const char *want)
{
    struct flow *f = NULL;
    struct hl_err err = {0};

    assert_int_equal(flow_parse(json, strlen(json), "test.json", &f, &err), HL_EINVAL);
    assert_null(f);
    if (!strstr(err.msg, want))
        fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
    assert_non_null(strstr(err.msg, "test.json"));
}

static void builtins_parse_and_start_where_they_say(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < flow_builtins_count; i++) {
        struct flow *f = parse_ok(flow_builtins[i].json);
        assert_string_equal(f->name, flow_builtins[i].name);
        assert_non_null(flow_find(f, f->start));
        flow_free(f);
    }
    assert_int_equal(i, 5);
}

static void gather_fields_are_read(void **state)
{
    struct flow *f = parse_ok(
        "{\"name\":\"m\",\"start\":\"g\",\"steps\":{\"g\":{\"kind\":\"gather\",\"input\":\"speech\","
        "\"numDigits\":2,\"timeout\":9,\"branches\":[{\"keywords\":[\"Sales\",\"BUY\"],\"next\":"
        "\"h\"}],\"retries\":0},\"h\":{\"kind\":\"hangup\"}}}");
    const struct flow_step *g = flow_find(f, "g");

    (void)state;
    assert_int_equal(g->kind, FLOW_GATHER);
    assert_int_equal(g->speech, 1);
    assert_int_equal(g->dtmf, 0);
    assert_int_equal(g->num_digits, 2);
    assert_int_equal(g->timeout_s, 9);
    assert_int_equal(g->retries, 0);
    assert_int_equal(g->branches[0].n_keywords, 2);
    assert_string_equal(g->branches[0].keywords[1], "buy"); /* lowercased */
    flow_free(f);
}

static void bad_flows_name_step_and_reason(void **state)
{
    (void)state;
    parse_fails("[1]", "a flow is a JSON object");
    parse_fails("{\"name\":\"x\",\"start\":\"a\",\"steps\":{}}", "steps: required");
    parse_fails("{\"name\":\"x\",\"start\":\"a\",\"steps\":{\"a\":{\"kind\":\"play\"}}}",
                "step \"a\": url: required");
    parse_fails("{\"name\":\"x\",\"start\":\"a\",\"steps\":{\"a\":{\"kind\":\"play\",\"url\":"
                "\"file:///etc/passwd\"}}}",
                "url: must be an absolute http(s) URL");
    parse_fails("{\"name\":\"x\",\"start\":\"a\",\"steps\":{\"A B\":{\"kind\":\"hangup\"}}}",
                "step names may only use");
    parse_fails("{\"name\":\"x\",\"start\":\"c\",\"steps\":{\"c\":{\"kind\":\"consent\","
                "\"prompt\":\"ok?\",\"yes\":\"c\"}}}",
                "needs \"yes\" and \"no\"");
    parse_fails("{\"name\":\"x\",\"start\":\"g\",\"steps\":{\"g\":{\"kind\":\"gather\","
                "\"branches\":[{\"digits\":\"1a\",\"next\":\"g\"}]}}}",
                "digits may only be");
    parse_fails("{\"name\":\"x\",\"start\":\"r\",\"steps\":{\"r\":{\"kind\":\"record\","
                "\"pipeline\":\"shred\"}}}",
                "pipeline: must be");
    parse_fails("{\"name\":\"x\",\"start\":\"d\",\"steps\":{\"d\":{\"kind\":\"dial\","
                "\"number\":\"555\"}}}",
                "number: must be an E.164");
    parse_fails("{\"name\":\"x\",\"start\":\"s\",\"steps\":{\"s\":{\"kind\":\"say\",\"text\":1}}}",
                "text: must be a non-empty string");
}

static void templates_fill_known_names_and_keep_unknown(void **state)
{
    struct config cfg = {0};
    struct arena a;
    json_t *fields = json_pack("{s:s}", "plan", "gold");
    struct template_vars v = {&cfg, "+14155550100", "+15005550006", "Ada", fields};

    (void)state;
    cfg.business_name = "Test Dental";
    cfg.company_name = "Alta";
    cfg.call_purpose = "about your visit";
    cfg.voice_greeting = "Welcome to {business_name}.";
    cfg.voice_thanks = "Bye";
    arena_init(&a, 1 << 16);
    assert_string_equal(template_fill(&a, "{company_name} calling {call_purpose}", &v),
                        "Alta calling about your visit");
    assert_string_equal(template_fill(&a, "Hi {contact.name} ({contact.plan}{contact.x})", &v),
                        "Hi Ada (gold)");
    assert_string_equal(template_fill(&a, "{voice_greeting}", &v), "Welcome to Test Dental.");
    assert_string_equal(template_fill(&a, "{from} {unknown} {", &v), "+14155550100 {unknown} {");
    assert_string_equal(template_fill(&a, "no placeholder } here", &v), "no placeholder } here");
    assert_string_equal(template_fill(&a, "a {{to}} {b} {to}", &v), "a {{to}} {b} +15005550006");
    assert_string_equal(template_fill(&a, "", &v), "");
    assert_true(template_uses_contact("a {contact.name}"));
    assert_false(template_uses_contact("a {from}"));
    arena_release(&a);
    json_decref(fields);
}

static void phrases_match_whole_words(void **state)
{
    struct config cfg = {0};

    (void)state;
    cfg.optout_phrases = "stop, Remove Me ,do not call";
    assert_true(phrase_has("please stop now", "stop"));
    assert_false(phrase_has("unstoppable", "stop"));
    assert_false(phrase_has("stopwatch", "stop"));
    assert_string_equal(flow_optout_phrase(&cfg, "please remove me."), "remove me");
    assert_string_equal(flow_optout_phrase(&cfg, "do not call again"), "do not call");
    assert_null(flow_optout_phrase(&cfg, "i will not stopover"));
}

static void message_phrases_need_two_words(void **state)
{
    char out[64];

    (void)state;
    assert_null(phrase_find("stop,remove me", "please stop by tomorrow", 2, out, sizeof(out)));
    assert_string_equal(phrase_find("stop, Remove  Me", "ok remove  me now", 2, out, sizeof(out)),
                        "remove  me");
    assert_string_equal(phrase_find("stop,remove me", "stop", 1, out, sizeof(out)), "stop");
    assert_null(phrase_find("a-very-long-phrase-that-does-not-fit", "x", 1, out, 8));
}

static void consent_answers(void **state)
{
    struct flow_input in = {NULL, NULL, 0, 0};

    (void)state;
    in.speech = "yes that's fine";
    assert_int_equal(flow_consent_answer(&in), 1);
    in.speech = "no thank you";
    assert_int_equal(flow_consent_answer(&in), 0);
    in.speech = "i don't think so, yes";
    assert_int_equal(flow_consent_answer(&in), 0); /* a no anywhere wins */
    in.speech = "banana";
    assert_int_equal(flow_consent_answer(&in), -1);
    in.speech = NULL;
    in.digits = "1";
    assert_int_equal(flow_consent_answer(&in), 1);
    in.digits = "2";
    assert_int_equal(flow_consent_answer(&in), 0);
    in.digits = "3";
    assert_int_equal(flow_consent_answer(&in), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtins_parse_and_start_where_they_say),
        cmocka_unit_test(gather_fields_are_read),
        cmocka_unit_test(bad_flows_name_step_and_reason),
        cmocka_unit_test(templates_fill_known_names_and_keep_unknown),
        cmocka_unit_test(phrases_match_whole_words),
        cmocka_unit_test(message_phrases_need_two_words),
        cmocka_unit_test(consent_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
