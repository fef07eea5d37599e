/*
 * test_signature.c — X-Twilio-Signature against the SDKs' published vectors.
 *
 * The vectors come from twilio-node's spec/validation.spec.js and
 * twilio-python's tests/unit/test_request_validator.py (token "12345", URL
 * https://mycompany.com/myapp.php?foo=1&bar=2, a CallSid/Caller/Digits/From/To
 * form). Each was re-checked with the SDKs installed here (twilio-node 6.2.0
 * in tests/sdk/node_modules, Debian's python3-twilio 7.7.1); the few marked
 * "computed" were produced by those SDKs for this file. Bodies are written
 * urlencoded and decoded with the real form decoder, as the server does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/hl.h"
#include "http/form.h"
#include "twilio/signature.h"
#include "core/banned.h"

#define TOKEN     "12345"
#define BASE      "https://mycompany.com"
#define PATH      "/myapp.php?foo=1&bar=2"
#define URL       BASE PATH
#define SIGNATURE "RSOYDt4T1cUTdK1PDd93/VVr8B8="
#define DEFAULT_FORM                                                                               \
    "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309"              \
    "&To=%2B18005551212"
#define JSON_BODY              "{\"property\": \"value\", \"boolean\": true}"
#define JSON_HASH              "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
#define JSON_HASH_EMPTY_OBJECT "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

static struct arena test_arena;

static int setup(void **state)
{
    (void)state;
    arena_init(&test_arena, 1 << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&test_arena);
    return 0;
}

static const struct form *decode(const char *text)
{
    struct form *f = arena_alloc(&test_arena, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(form_decode(f, text, strlen(text), &test_arena, NULL), HL_OK);
    return f;
}

/* sig_validate of a form-encoded POST to base + target. */
static int check_form(const char *base, const char *target, const char *form_text,
                      const char *header, struct hl_err *err)
{
    struct sig_request req = {
        base, target, strlen(target), decode(form_text), form_text, strlen(form_text), header};

    return sig_validate(TOKEN, &req, &test_arena, err);
}

/* sig_validate of a JSON POST (no form parameters) to base + target. */
static int check_json(const char *base, const char *target, const char *body, const char *header)
{
    struct sig_request req = {base, target, strlen(target), NULL, body, strlen(body), header};

    return sig_validate(TOKEN, &req, &test_arena, NULL);
}

static void assert_computes(const char *token, const char *url, const char *form_text,
                            const char *want)
{
    char out[SIG_BASE64_SIZE];
    const struct form *params = form_text ? decode(form_text) : NULL;

    assert_int_equal(sig_compute(token, url, strlen(url), params, &test_arena, out, NULL), HL_OK);
    assert_string_equal(out, want);
}

static void signature_matches_sdk_default_vector(void **state)
{
    (void)state;
    assert_computes(TOKEN, URL, DEFAULT_FORM, SIGNATURE);
    /* The order the fields arrive in does not matter. */
    assert_computes(TOKEN, URL,
                    "To=%2B18005551212&From=%2B14158675309&Digits=1234&Caller=%2B14158675309"
                    "&CallSid=CA1234567890ABCDE",
                    SIGNATURE);
    assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM, SIGNATURE, NULL), HL_OK);
}

static void signature_compute_with_empty_token_matches_sdk(void **state)
{
    (void)state;
    /* computed: getExpectedTwilioSignature("", url, defaultParams) */
    assert_computes("", URL, DEFAULT_FORM, "aXngMTP07D4c4hkO+r0Kb5Oe528=");
}

/* Each thread keeps a context keyed with the last token: switching tokens must rekey it. */
static void signature_follows_a_change_of_token(void **state)
{
    (void)state;
    assert_computes(TOKEN, URL, DEFAULT_FORM, SIGNATURE);
    assert_computes("", URL, DEFAULT_FORM, "aXngMTP07D4c4hkO+r0Kb5Oe528=");
    assert_computes(TOKEN, URL, DEFAULT_FORM, SIGNATURE);
    assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM, SIGNATURE, NULL), HL_OK);
    assert_computes("", URL, DEFAULT_FORM, "aXngMTP07D4c4hkO+r0Kb5Oe528=");
}

static void signature_accepts_default_port_added(void **state)
{
    (void)state;
    /* Signed as https://mycompany.com:443/..., configured without a port. */
    assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM, "kvajT1Ptam85bY51eRf/AJRuM3w=", NULL),
                     HL_OK);
    /* Signed as http://mycompany.com:80/... */
    assert_int_equal(check_form("http://mycompany.com", PATH, DEFAULT_FORM,
                                "0ZXoZLH/DfblKGATFgpif+LLRf4=", NULL),
                     HL_OK);
    /* The https signature with :443 is not valid for http (which adds :80). */
    assert_int_equal(check_form("http://mycompany.com", PATH, DEFAULT_FORM,
                                "kvajT1Ptam85bY51eRf/AJRuM3w=", NULL),
                     HL_EBADSIG);
}

static void signature_accepts_port_removed(void **state)
{
    (void)state;
    /* Configured with :1234, signed without any port. */
    assert_int_equal(check_form("https://mycompany.com:1234", PATH, DEFAULT_FORM, SIGNATURE, NULL),
                     HL_OK);
    /* Signed with the port, as configured. */
    assert_int_equal(check_form("http://mycompany.com:1234", PATH, DEFAULT_FORM,
                                "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", NULL),
                     HL_OK);
}

static void signature_handles_user_info_in_base_url(void **state)
{
    (void)state;
    assert_int_equal(check_form("https://user:pass@mycompany.com", PATH, DEFAULT_FORM,
                                "CukzLTc1tT5dXEDIHm/tKBanW10=", NULL),
                     HL_OK);
    assert_int_equal(check_form("https://user@mycompany.com", PATH, DEFAULT_FORM,
                                "2YRLlVAflCqxaNicjMpJcSTgzSs=", NULL),
                     HL_OK);
    /* The port goes after the host, not after "user:". */
    assert_int_equal(check_form("https://user:pass@mycompany.com", PATH, DEFAULT_FORM,
                                "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=", NULL),
                     HL_OK);
}

static void signature_keeps_query_as_received(void **state)
{
    (void)state;
    assert_int_equal(check_form(BASE, PATH "&Body=It's+amazing", DEFAULT_FORM,
                                "dsq4Ehbj6cs+KdTkpF5sSSplOWw=", NULL),
                     HL_OK);
    /* The same query re-encoded is a different URL and a different signature. */
    assert_int_equal(check_form(BASE, PATH "&Body=It%27s+amazing", DEFAULT_FORM,
                                "dsq4Ehbj6cs+KdTkpF5sSSplOWw=", NULL),
                     HL_EBADSIG);
    assert_int_equal(check_form(BASE, PATH "&Body=It's%20amazing", DEFAULT_FORM,
                                "dsq4Ehbj6cs+KdTkpF5sSSplOWw=", NULL),
                     HL_EBADSIG);
}

static void signature_sorts_and_dedupes_repeated_keys(void **state)
{
    (void)state;
    assert_computes(TOKEN, URL,
                    "MessagingBinding.Address=%2B1325xxxxxxx"
                    "&MessagingBinding.Address=%2B1415xxxxxxx",
                    "83O6e2vORAoJHUNzJjDWN1jz+BA=");
    assert_computes(TOKEN, URL,
                    "MessagingBinding.Address=%2B1415xxxxxxx"
                    "&MessagingBinding.Address=%2B1325xxxxxxx",
                    "83O6e2vORAoJHUNzJjDWN1jz+BA=");
    /* "Sid" sorts before "SidAccount"; "1234" appears twice but counts once. */
    assert_computes(TOKEN, URL, "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234",
                    "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
    assert_computes(TOKEN, URL, "Digits=1234&SidAccount=AC123&Digits=5678&Sid=CA123",
                    "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

static void signature_sorts_names_by_code_point(void **state)
{
    const char *url = "https://example.com/twilio/status?x=1";

    (void)state;
    /* computed by twilio-node and twilio-python alike: "Z" < "z" < "é". */
    assert_computes(TOKEN, url, "z=1&%C3%A9=2&Z=b&Z=a&Z=b", "i90MZ5su47TF9G60lclGe6GUC3s=");
    /*
     * U+FFFD against U+1F600: python (code points) puts U+FFFD first and so do
     * we; node (UTF-16 units, 0xD83D < 0xFFFD) would give o8GMFoOam5oGhQ6kTqvuBX/tufk=.
     */
    assert_computes(TOKEN, url, "%EF%BF%BD=a&%F0%9F%98%80=b", "T2Ek7OWDk0YAW7DSvICryoAe7pw=");
    /* Empty names and values are signed too (computed by twilio-node). */
    assert_computes(TOKEN, url, "=&a=", "DgGhX1EM7iMpdg1CpWIRImveHQQ=");
}

static void signature_validates_body_hash(void **state)
{
    (void)state;
    assert_int_equal(
        check_json(BASE, PATH "&bodySHA256=" JSON_HASH, JSON_BODY, "a9nBmqA0ju/hNViExpshrM61xv4="),
        HL_OK);
    /* The SDK vector for "{}" is signed with :443 added. */
    assert_int_equal(check_json(BASE, PATH "&bodySHA256=" JSON_HASH_EMPTY_OBJECT, "{}",
                                "Ldidvp12m26NI7eqEvxnEpkd9Hc="),
                     HL_OK);
    assert_int_equal(check_json(BASE, "/myapp.php?bodySHA256=" JSON_HASH, JSON_BODY,
                                "y77kIzt2vzLz71DgmJGsen2scGs="),
                     HL_OK);
    /* The value is percent-decoded before it is compared (computed by twilio-node). */
    assert_computes(
        TOKEN, URL "&bodySHA256=%30a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
        NULL, "GIzK2d7KrhizxPbs9BC+22wC0yA=");
    assert_int_equal(
        check_json(BASE,
                   PATH
                   "&bodySHA256=%30a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
                   JSON_BODY, "GIzK2d7KrhizxPbs9BC+22wC0yA="),
        HL_OK);
}

static void signature_rejects_tampered_body(void **state)
{
    static const char tampered[] = "{\"property\": \"value\", \"boolean\": false}";
    static const char upper[] = "https://example.com/t?bodySHA256=0A1FF7634D9AB3B95DB5C9A2DFE9416E"
                                "41502B283A80C7CF19632632F96E6620";
    struct sig_request req = {BASE,
                              PATH "&bodySHA256=" JSON_HASH,
                              strlen(PATH "&bodySHA256=" JSON_HASH),
                              NULL,
                              tampered,
                              strlen(tampered),
                              "a9nBmqA0ju/hNViExpshrM61xv4="};
    struct hl_err err = {0};
    char sig[SIG_BASE64_SIZE];

    (void)state;
    assert_int_equal(sig_validate(TOKEN, &req, &test_arena, &err), HL_EBADSIG);
    assert_non_null(strstr(err.msg, "bodySHA256"));
    assert_int_equal(
        check_json(BASE, "/myapp.php?bodySHA256=" JSON_HASH, "", "y77kIzt2vzLz71DgmJGsen2scGs="),
        HL_EBADSIG);
    /* A decoded NUL does not end the value early. */
    assert_int_equal(sig_compute(TOKEN, URL "&bodySHA256=" JSON_HASH "%00x",
                                 strlen(URL "&bodySHA256=" JSON_HASH "%00x"), NULL, &test_arena,
                                 sig, NULL),
                     HL_OK);
    assert_int_equal(check_json(BASE, PATH "&bodySHA256=" JSON_HASH "%00x", JSON_BODY, sig),
                     HL_EBADSIG);
    /* Twilio sends lowercase hex, and so does the SDK's comparison. */
    assert_int_equal(sig_compute(TOKEN, upper, strlen(upper), NULL, &test_arena, sig, NULL), HL_OK);
    assert_int_equal(
        check_json("https://example.com", upper + strlen("https://example.com"), JSON_BODY, sig),
        HL_EBADSIG);
}

static void signature_body_without_hash_param_uses_form(void **state)
{
    (void)state;
    /* twilio-node: "should fail validation if given body but no bodySHA256 param". */
    assert_int_equal(check_json(BASE, PATH, JSON_BODY, SIGNATURE), HL_EBADSIG);
    /* With bodySHA256 present, form parameters are not part of the signature. */
    assert_int_equal(check_form(BASE, "/myapp.php?bodySHA256=" JSON_HASH, "a=1",
                                "y77kIzt2vzLz71DgmJGsen2scGs=", NULL),
                     HL_EBADSIG);
}

static void signature_rejects_tampered_param(void **state)
{
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM "&Extra=1", SIGNATURE, &err), HL_EBADSIG);
    assert_int_equal(err.code, HL_EBADSIG);
    assert_non_null(strstr(err.msg, "https://mycompany.com"));
    assert_int_equal(check_form(BASE, PATH,
                                "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1235"
                                "&From=%2B14158675309&To=%2B18005551212",
                                SIGNATURE, NULL),
                     HL_EBADSIG);
    assert_int_equal(check_form(BASE, PATH,
                                "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digit=1234"
                                "&From=%2B14158675309&To=%2B18005551212",
                                SIGNATURE, NULL),
                     HL_EBADSIG);
    /* A repeated key with a new value is a change too. */
    assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM "&Digits=1", SIGNATURE, NULL), HL_EBADSIG);
    /* ... but the exact same pair twice is not (the SDKs de-duplicate). */
    assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM "&Digits=1234", SIGNATURE, NULL), HL_OK);
}

static void signature_rejects_tampered_url(void **state)
{
    (void)state;
    assert_int_equal(check_form(BASE, "/myapp.php?foo=1&bar=3", DEFAULT_FORM, SIGNATURE, NULL),
                     HL_EBADSIG);
    assert_int_equal(check_form(BASE, "/myapp.php", DEFAULT_FORM, SIGNATURE, NULL), HL_EBADSIG);
    assert_int_equal(check_form("http://mycompany.com", PATH, DEFAULT_FORM, SIGNATURE, NULL),
                     HL_EBADSIG);
    assert_int_equal(check_form("https://mycompany.com:443", PATH, DEFAULT_FORM,
                                "0ZXoZLH/DfblKGATFgpif+LLRf4=", NULL),
                     HL_EBADSIG);
}

static void signature_rejects_tampered_signature(void **state)
{
    static const char *const bad[] = {
        "RSOYDt4T1cUTdK1PDd93/VVr8B9=",
        "SSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "RSOYDt4T1cUTdK1PDd93/VVr8B8",
        "RSOYDt4T1cUTdK1PDd93/VVr8B8==",
        "rsoydt4t1cutdk1pdd93/vvr8b8=",
        "",
        "WRONG_SIGNATURE",
    };
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(bad); i++)
        assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM, bad[i], NULL), HL_EBADSIG);
}

static void signature_missing_header_is_einval(void **state)
{
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(check_form(BASE, PATH, DEFAULT_FORM, NULL, &err), HL_EINVAL);
    assert_non_null(strstr(err.msg, "missing X-Twilio-Signature"));
}

static void signature_refuses_empty_token(void **state)
{
    struct sig_request req = {
        BASE, PATH, strlen(PATH), decode(DEFAULT_FORM), NULL, 0, "aXngMTP07D4c4hkO+r0Kb5Oe528="};
    struct hl_err err = {0};
    char out[SIG_BASE64_SIZE];

    (void)state;
    /* Even a request correctly signed with the empty key is refused. */
    assert_int_equal(sig_validate("", &req, &test_arena, &err), HL_ECONFIG);
    assert_int_equal(sig_validate(NULL, &req, &test_arena, NULL), HL_ECONFIG);
    assert_int_equal(sig_compute(NULL, URL, strlen(URL), NULL, &test_arena, out, NULL), HL_EINVAL);
}

/* Port rules checked against sig_compute on the spelled-out URLs. */
static void assert_port_variant(const char *base, const char *signed_url, int want)
{
    char sig[SIG_BASE64_SIZE];

    assert_int_equal(
        sig_compute(TOKEN, signed_url, strlen(signed_url), NULL, &test_arena, sig, NULL), HL_OK);
    assert_int_equal(check_json(base, "/t?a=1", "", sig), want);
}

static void signature_port_rules_follow_sdk_split(void **state)
{
    (void)state;
    assert_port_variant("http://[::1]:8080", "http://[::1]:8080/t?a=1", HL_OK);
    assert_port_variant("http://[::1]:8080", "http://[::1]/t?a=1", HL_OK);
    assert_port_variant("http://[::1]", "http://[::1]:80/t?a=1", HL_OK);
    assert_port_variant("http://[::1]:8080", "http://[::1]:80/t?a=1", HL_EBADSIG);
    assert_port_variant("HTTPS://Example.com", "HTTPS://Example.com:443/t?a=1", HL_OK);
    assert_port_variant("ftp://example.com", "ftp://example.com:80/t?a=1", HL_OK);
    assert_port_variant("httpsx://example.com", "httpsx://example.com:80/t?a=1", HL_OK);
    assert_port_variant("wss+x://example.com", "wss+x://example.com:80/t?a=1", HL_OK);
    assert_port_variant("https://example.com/prefix", "https://example.com:443/prefix/t?a=1",
                        HL_OK);
    assert_port_variant("https://example.com:/", "https://example.com/t?a=1", HL_OK);
    assert_port_variant("https://example.com///", "https://example.com/t?a=1", HL_OK);
    /* Not a URL the SDKs can split: only the string as given is tried. */
    assert_port_variant("example.com", "example.com/t?a=1", HL_OK);
    assert_port_variant("example.com", "example.com:80/t?a=1", HL_EBADSIG);
}

static void signature_reports_arena_ceiling(void **state)
{
    const struct form *params = decode(DEFAULT_FORM);
    struct sig_request req = {BASE, PATH, strlen(PATH), params, NULL, 0, SIGNATURE};
    struct arena tiny;

    (void)state;
    arena_init(&tiny, 16);
    assert_int_equal(sig_validate(TOKEN, &req, &tiny, NULL), HL_ETOOLARGE);
    arena_release(&tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(signature_matches_sdk_default_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_compute_with_empty_token_matches_sdk, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(signature_follows_a_change_of_token, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_accepts_default_port_added, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_accepts_port_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_handles_user_info_in_base_url, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_keeps_query_as_received, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_sorts_and_dedupes_repeated_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_sorts_names_by_code_point, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_validates_body_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_rejects_tampered_body, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_body_without_hash_param_uses_form, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(signature_rejects_tampered_param, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_rejects_tampered_url, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_rejects_tampered_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_missing_header_is_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_refuses_empty_token, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_port_rules_follow_sdk_split, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_reports_arena_ceiling, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
