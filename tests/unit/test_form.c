/*
 * test_form.c — urlencoded decoding (src/http/form.h).
 *
 * Covers the WHATWG urlencoded parser rules the header promises ("+" is a
 * space, %XX in either case, repeated keys kept in order, empty names and
 * values kept, a pair without "=" has an empty value, empty pairs from "&&"
 * skipped, only the first "=" splits, %00 keeps the length, non-UTF-8 bytes
 * kept), the one deliberate difference (malformed escapes "%", "%4", "%zz",
 * "%4g" are refused with HL_EINVAL), the FORM_MAX_FIELDS limit, the arena
 * ceiling (HL_ETOOLARGE), form_get/form_find and form_unescape itself.
 *
 * The parse_qsl cases were produced by running Debian's /usr/bin/python3
 * (3.11.2):  urllib.parse.parse_qsl(s, keep_blank_values=True,
 * encoding="latin-1"), each name and value then .encode("latin-1") so the
 * bytes are compared exactly. Python passes malformed escapes through
 * ("x=%zz" gives ("x", "%zz")); hotline refuses them, which is tested apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/hl.h"
#include "http/form.h"
#include "core/banned.h"

static struct arena test_arena;
static struct arena small_arena; /* for ceiling tests; each sets its own limit */
static struct buf body;          /* for building long bodies */

static int setup(void **state)
{
    (void)state;
    arena_init(&test_arena, 1 << 20);
    arena_init(&small_arena, 0);
    buf_init(&body, 1 << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&test_arena);
    arena_release(&small_arena);
    buf_release(&body);
    return 0;
}

/* Decode a C string that must be accepted. */
static struct form decode_ok(const char *text)
{
    struct form f;
    struct hl_err err = {0, ""};

    assert_int_equal(form_decode(&f, text, strlen(text), &test_arena, &err), HL_OK);
    return f;
}

/* Decode a C string that must be refused with rc; returns the error. */
static struct hl_err decode_fails(const char *text, int rc)
{
    struct form f;
    struct hl_err err = {0, ""};

    assert_int_equal(form_decode(&f, text, strlen(text), &test_arena, &err), rc);
    assert_int_equal(err.code, rc);
    assert_true(strlen(err.msg) > 0);
    return err;
}

/* Field i is exactly these bytes (NUL-terminated as well). */
static void assert_field(const struct form *f, size_t i, const char *name, size_t name_len,
                         const char *value, size_t value_len)
{
    assert_true(i < f->count);
    assert_int_equal(f->fields[i].name_len, name_len);
    assert_memory_equal(f->fields[i].name, name, name_len);
    assert_int_equal(f->fields[i].name[name_len], '\0');
    assert_int_equal(f->fields[i].value_len, value_len);
    assert_memory_equal(f->fields[i].value, value, value_len);
    assert_int_equal(f->fields[i].value[value_len], '\0');
}

/* Field i for plain C strings. */
static void assert_pair(const struct form *f, size_t i, const char *name, const char *value)
{
    assert_field(f, i, name, strlen(name), value, strlen(value));
}

static void form_decodes_pairs_in_order(void **state)
{
    struct form f = decode_ok("CallSid=CA123&From=%2B14155551234&Digits=1");

    (void)state;
    assert_int_equal(f.count, 3);
    assert_pair(&f, 0, "CallSid", "CA123");
    assert_pair(&f, 1, "From", "+14155551234");
    assert_pair(&f, 2, "Digits", "1");
}

static void form_plus_is_space_and_escaped_plus_is_plus(void **state)
{
    struct form f = decode_ok("Body=hello+world%2B%2b1&a+b=c");

    (void)state;
    assert_int_equal(f.count, 2);
    assert_pair(&f, 0, "Body", "hello world++1");
    assert_pair(&f, 1, "a b", "c");
}

static void form_hex_escapes_in_either_case(void **state)
{
    struct form f = decode_ok("x=%e2%82%AC%4a%4A%7e");

    (void)state;
    assert_pair(&f, 0, "x",
                "\xe2\x82\xac"
                "JJ~");
}

static void form_keeps_repeated_keys_in_order(void **state)
{
    struct form f = decode_ok("a=1&b=x&a=2&a=3");

    (void)state;
    assert_int_equal(f.count, 4);
    assert_pair(&f, 0, "a", "1");
    assert_pair(&f, 1, "b", "x");
    assert_pair(&f, 2, "a", "2");
    assert_pair(&f, 3, "a", "3");
    assert_string_equal(form_get(&f, "a"), "1");
    assert_ptr_equal(form_find(&f, "a"), &f.fields[0]);
}

static void form_keeps_empty_names_and_values(void **state)
{
    struct form f = decode_ok("=x&y=&=");

    (void)state;
    assert_int_equal(f.count, 3);
    assert_pair(&f, 0, "", "x");
    assert_pair(&f, 1, "y", "");
    assert_pair(&f, 2, "", "");
    assert_string_equal(form_get(&f, ""), "x");
    assert_string_equal(form_get(&f, "y"), "");
}

static void form_pair_without_equals_has_empty_value(void **state)
{
    struct form f = decode_ok("flag&a=1&other");

    (void)state;
    assert_int_equal(f.count, 3);
    assert_pair(&f, 0, "flag", "");
    assert_pair(&f, 1, "a", "1");
    assert_pair(&f, 2, "other", "");
}

static void form_skips_empty_pairs(void **state)
{
    struct form f = decode_ok("&&a=1&&&b=2&");

    (void)state;
    assert_int_equal(f.count, 2);
    assert_pair(&f, 0, "a", "1");
    assert_pair(&f, 1, "b", "2");
}

static void form_of_only_ampersands_is_empty(void **state)
{
    struct form f = decode_ok("&&&");

    (void)state;
    assert_int_equal(f.count, 0);
    assert_null(form_get(&f, ""));
}

static void form_empty_body_has_no_fields(void **state)
{
    struct form f = decode_ok("");

    (void)state;
    assert_int_equal(f.count, 0);
    assert_null(form_find(&f, "a"));
    assert_null(form_get(&f, "a"));
}

static void form_splits_on_first_equals_only(void **state)
{
    struct form f = decode_ok("k=v=w&%3D=%3D");

    (void)state;
    assert_pair(&f, 0, "k", "v=w");
    assert_pair(&f, 1, "=", "=");
}

static void form_nul_escape_keeps_value_length(void **state)
{
    struct form f = decode_ok("a=x%00y&n%00m=1&z=%00");

    (void)state;
    assert_int_equal(f.count, 3);
    assert_field(&f, 0, "a", 1, "x\0y", 3);
    assert_field(&f, 1, "n\0m", 3, "1", 1);
    assert_field(&f, 2, "z", 1, "\0", 1);
    /* A name with a NUL in it is not found by its C-string prefix. */
    assert_null(form_find(&f, "n"));
}

static void form_keeps_bytes_that_are_not_utf8(void **state)
{
    struct form f = decode_ok("a=%e9%FF%80");

    (void)state;
    assert_field(&f, 0, "a", 1, "\xe9\xff\x80", 3);
}

static void form_decodes_only_len_bytes(void **state)
{
    static const char text[] = {'a', '=', '1', '&', 'b', '=', '2'}; /* no NUL */
    struct form f;

    (void)state;
    assert_int_equal(form_decode(&f, text, 3, &test_arena, NULL), HL_OK);
    assert_int_equal(f.count, 1);
    assert_pair(&f, 0, "a", "1");
    assert_int_equal(form_decode(&f, text, sizeof(text), &test_arena, NULL), HL_OK);
    assert_int_equal(f.count, 2);
    assert_pair(&f, 1, "b", "2");
}

static void form_escape_cut_by_len_is_refused(void **state)
{
    struct form f;

    (void)state;
    /* "a=%41" seen through len 4 ends in a truncated "%4". */
    assert_int_equal(form_decode(&f, "a=%41", 4, &test_arena, NULL), HL_EINVAL);
}

static void form_refuses_lone_percent(void **state)
{
    (void)state;
    decode_fails("a=%", HL_EINVAL);
    decode_fails("a=100%", HL_EINVAL);
    decode_fails("%=1", HL_EINVAL);
    decode_fails("a=%&b=1", HL_EINVAL);
}

static void form_refuses_truncated_escape(void **state)
{
    (void)state;
    decode_fails("a=%4", HL_EINVAL);
    decode_fails("a=%4&b=1", HL_EINVAL);
    decode_fails("a=ok&b=%2", HL_EINVAL);
}

static void form_refuses_non_hex_escape(void **state)
{
    (void)state;
    decode_fails("x=%zz", HL_EINVAL);
    decode_fails("x=%4g", HL_EINVAL);
    decode_fails("x=%g4", HL_EINVAL);
    decode_fails("x=%%41", HL_EINVAL);
    decode_fails("x=% 1", HL_EINVAL);
    decode_fails("x=%+1", HL_EINVAL);
}

static void form_refuses_bad_escape_in_name(void **state)
{
    (void)state;
    decode_fails("%zz=1", HL_EINVAL);
    decode_fails("ok=1&na%me", HL_EINVAL);
}

static void form_bad_escape_error_allows_null_err(void **state)
{
    struct form f;

    (void)state;
    assert_int_equal(form_decode(&f, "a=%", 3, &test_arena, NULL), HL_EINVAL);
}

/* The header promises that err "says which byte": the '%' of "b=%zz" is byte 6. */
static void form_error_names_byte_of_bad_escape(void **state)
{
    struct hl_err err = decode_fails("a=1&b=%zz", HL_EINVAL);

    (void)state;
    print_message("err.msg: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "byte 6"));
}

static void form_accepts_exactly_max_fields(void **state)
{
    struct form f;
    size_t i;

    (void)state;
    for (i = 0; i < FORM_MAX_FIELDS; i++)
        assert_int_equal(buf_addf(&body, "%sk%zu=%zu", i ? "&" : "", i, i), HL_OK);
    assert_int_equal(form_decode(&f, body.ptr, body.len, &test_arena, NULL), HL_OK);
    assert_int_equal(f.count, FORM_MAX_FIELDS);
    assert_pair(&f, FORM_MAX_FIELDS - 1, "k1023", "1023");
    assert_string_equal(form_get(&f, "k500"), "500");
}

static void form_refuses_one_field_over_max(void **state)
{
    struct form f;
    struct hl_err err = {0, ""};
    size_t i;

    (void)state;
    for (i = 0; i <= FORM_MAX_FIELDS; i++)
        assert_int_equal(buf_addf(&body, "%sk=%zu", i ? "&" : "", i), HL_OK);
    assert_int_equal(form_decode(&f, body.ptr, body.len, &test_arena, &err), HL_ETOOLARGE);
    assert_int_equal(err.code, HL_ETOOLARGE);
}

/*
 * Empty pairs are skipped, so they are not fields: FORM_MAX_FIELDS real
 * fields followed by a trailing "&" (or separated by "&&") are still within
 * the limit.
 */
static void form_empty_pairs_do_not_count_towards_max(void **state)
{
    struct form f;
    size_t i;

    (void)state;
    for (i = 0; i < FORM_MAX_FIELDS; i++)
        assert_int_equal(buf_addf(&body, "k=%zu&", i), HL_OK);
    assert_int_equal(form_decode(&f, body.ptr, body.len, &test_arena, NULL), HL_OK);
    assert_int_equal(f.count, FORM_MAX_FIELDS);
}

static void form_arena_ceiling_is_too_large(void **state)
{
    struct form f;
    struct hl_err err = {0, ""};
    char value[600];
    char text[700];

    (void)state;
    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    snprintf(text, sizeof(text), "a=1&big=%s", value);
    arena_init(&small_arena, 512);
    assert_int_equal(form_decode(&f, text, strlen(text), &small_arena, &err), HL_ETOOLARGE);
    assert_int_equal(err.code, HL_ETOOLARGE);
    assert_true(small_arena.used <= 512);
}

static void form_arena_ceiling_hit_by_field_table(void **state)
{
    struct form f;

    (void)state;
    arena_init(&small_arena, 64); /* three fields need more than 64 bytes of table */
    assert_int_equal(form_decode(&f, "a&b&c", 5, &small_arena, NULL), HL_ETOOLARGE);
}

static void form_get_is_exact_and_case_sensitive(void **state)
{
    struct form f = decode_ok("ab=1&a=2&To=3");

    (void)state;
    assert_string_equal(form_get(&f, "a"), "2");
    assert_string_equal(form_get(&f, "ab"), "1");
    assert_string_equal(form_get(&f, "To"), "3");
    assert_null(form_get(&f, "to"));
    assert_null(form_get(&f, "abc"));
    assert_null(form_find(&f, "TO"));
}

static void form_find_returns_whole_field(void **state)
{
    struct form f = decode_ok("x=1&Body=a%00b");
    const struct form_field *field = form_find(&f, "Body");

    (void)state;
    assert_non_null(field);
    assert_int_equal(field->value_len, 3);
    assert_memory_equal(field->value, "a\0b", 3);
    assert_string_equal(form_get(&f, "Body"), "a"); /* as a C string */
}

static void unescape_reports_length_and_plus_rule(void **state)
{
    char dst[32];

    (void)state;
    assert_int_equal(form_unescape(dst, "a+b%20c", 7, 1, NULL), 5);
    assert_string_equal(dst, "a b c");
    assert_int_equal(form_unescape(dst, "a+b%20c", 7, 0, NULL), 5);
    assert_string_equal(dst, "a+b c");
    assert_int_equal(form_unescape(dst, "%00", 3, 0, NULL), 1);
    assert_int_equal(dst[0], '\0');
    assert_int_equal(form_unescape(dst, "", 0, 1, NULL), 0);
    assert_string_equal(dst, "");
}

static void unescape_refuses_malformed(void **state)
{
    char dst[32];

    (void)state;
    assert_int_equal(form_unescape(dst, "%", 1, 1, NULL), -1);
    assert_int_equal(form_unescape(dst, "ab%4", 4, 1, NULL), -1);
    assert_int_equal(form_unescape(dst, "%zz", 3, 1, NULL), -1);
    assert_int_equal(form_unescape(dst, "%4g", 3, 1, NULL), -1);
    assert_int_equal(form_unescape(dst, "%G0", 3, 0, NULL), -1);
    {
        size_t bad_at = 99;
        assert_int_equal(form_unescape(dst, "ab%4", 4, 1, &bad_at), -1);
        assert_int_equal(bad_at, 2);
    }
}

struct qsl_case {
    const char *text;
    size_t count;
    struct {
        const char *name;
        size_t name_len;
        const char *value;
        size_t value_len;
    } fields[3];
};

#define P(s) s, sizeof(s) - 1

/* Expected results from Python's parse_qsl (see the top of the file). */
static const struct qsl_case qsl_cases[] = {
    {"a=1&a=2&b", 3, {{P("a"), P("1")}, {P("a"), P("2")}, {P("b"), P("")}}},
    {"=x&y=", 2, {{P(""), P("x")}, {P("y"), P("")}}},
    {"a+b=c+d%2Be", 1, {{P("a b"), P("c d+e")}}},
    {"&&a=1&&", 1, {{P("a"), P("1")}}},
    {"k=v=w", 1, {{P("k"), P("v=w")}}},
    {"%00=x%00y", 1, {{P("\0"), P("x\0y")}}},
    {"a=%e9%FF", 1, {{P("a"), P("\xe9\xff")}}},
    {"a;b=c", 1, {{P("a;b"), P("c")}}},
    {"=", 1, {{P(""), P("")}}},
    {"+=+", 1, {{P(" "), P(" ")}}},
    {"%2526=%3D%26", 1, {{P("%26"), P("=&")}}},
    {"q=%E2%82%AC+%2b1", 1, {{P("q"), P("\xe2\x82\xac +1")}}},
};

static void form_matches_python_parse_qsl(void **state)
{
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(qsl_cases) / sizeof(qsl_cases[0]); i++) {
        const struct qsl_case *c = &qsl_cases[i];
        struct form f = decode_ok(c->text);
        print_message("case %s\n", c->text);
        assert_int_equal(f.count, c->count);
        for (j = 0; j < c->count; j++)
            assert_field(&f, j, c->fields[j].name, c->fields[j].name_len, c->fields[j].value,
                         c->fields[j].value_len);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(form_decodes_pairs_in_order),
        T(form_plus_is_space_and_escaped_plus_is_plus),
        T(form_hex_escapes_in_either_case),
        T(form_keeps_repeated_keys_in_order),
        T(form_keeps_empty_names_and_values),
        T(form_pair_without_equals_has_empty_value),
        T(form_skips_empty_pairs),
        T(form_of_only_ampersands_is_empty),
        T(form_empty_body_has_no_fields),
        T(form_splits_on_first_equals_only),
        T(form_nul_escape_keeps_value_length),
        T(form_keeps_bytes_that_are_not_utf8),
        T(form_decodes_only_len_bytes),
        T(form_escape_cut_by_len_is_refused),
        T(form_refuses_lone_percent),
        T(form_refuses_truncated_escape),
        T(form_refuses_non_hex_escape),
        T(form_refuses_bad_escape_in_name),
        T(form_bad_escape_error_allows_null_err),
        T(form_error_names_byte_of_bad_escape),
        T(form_accepts_exactly_max_fields),
        T(form_refuses_one_field_over_max),
        T(form_empty_pairs_do_not_count_towards_max),
        T(form_arena_ceiling_is_too_large),
        T(form_arena_ceiling_hit_by_field_table),
        T(form_get_is_exact_and_case_sensitive),
        T(form_find_returns_whole_field),
        T(unescape_reports_length_and_plus_rule),
        T(unescape_refuses_malformed),
        T(form_matches_python_parse_qsl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
