/*
 * test_log.c — structured logging (src/core/log.h).
 *
 * Each test points the logger at a fresh temporary file, logs, and reads the
 * file back. JSON lines are parsed with jansson: every line must be one valid
 * JSON object ending in "\n" with time (UTC, milliseconds), level and msg
 * first, then the fields (LOG_I as JSON integers, NULL LOG_S skipped).
 * Privacy: phone numbers masked in msg and in every field, registered secrets
 * redacted whole and inside longer strings, including secrets that contain
 * digits or share a prefix with another secret. Escaping: quotes, backslashes,
 * newlines, control characters, bytes that are not UTF-8, and lines longer
 * than the line buffer. Also level filtering, log_enabled, log_level_parse
 * and the text format. Secrets are cleared before and after every test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/log.h"
#include "core/banned.h"

static FILE *log_file;
static char *output; /* what the last read_output() found */
static json_t *line; /* what the last only_json_line() parsed */

static int setup(void **state)
{
    (void)state;
    log_file = tmpfile();
    assert_non_null(log_file);
    log_clear_secrets();
    log_setup(LOG_DEBUG, LOG_JSON, fileno(log_file));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_clear_secrets();
    log_setup(LOG_INFO, LOG_JSON, 2);
    fclose(log_file);
    free(output);
    output = NULL;
    json_decref(line);
    line = NULL;
    return 0;
}

/* Everything logged so far, NUL-terminated. */
static const char *read_output(void)
{
    struct stat st;
    ssize_t n;

    assert_int_equal(fstat(fileno(log_file), &st), 0);
    free(output);
    output = malloc((size_t)st.st_size + 1);
    assert_non_null(output);
    n = pread(fileno(log_file), output, (size_t)st.st_size, 0);
    assert_int_equal(n, st.st_size);
    output[n] = '\0';
    return output;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The output must be exactly one line of JSON; returns the object. */
static json_t *only_json_line(void)
{
    const char *s = read_output();
    size_t len = strlen(s);
    json_error_t error;

    assert_true(len > 0);
    assert_int_equal(s[len - 1], '\n');
    assert_int_equal(count_lines(s), 1);
    json_decref(line);
    line = json_loads(s, 0, &error);
    if (!line)
        print_error("not JSON (%s at %d): %.200s\n", error.text, error.position, s);
    assert_non_null(line);
    assert_true(json_is_object(line));
    return line;
}

static const char *str_field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    assert_non_null(v);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

/* Log one info line with field "v" = value and return the parsed "v". */
static const char *roundtrip(const char *value)
{
    log_info("test", LOG_S("v", value));
    return str_field(only_json_line(), "v");
}

static void assert_is_utc_millis(const char *t)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    size_t i;

    assert_int_equal(strlen(t), strlen(shape));
    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd')
            assert_true(isdigit((unsigned char)t[i]));
        else
            assert_int_equal(t[i], shape[i]);
    }
}

static void json_line_has_time_level_msg_and_fields(void **state)
{
    json_t *obj;

    (void)state;
    log_info("webhook", LOG_S("route", "/twilio/voice"), LOG_I("status", 200));
    obj = only_json_line();
    assert_is_utc_millis(str_field(obj, "time"));
    assert_string_equal(str_field(obj, "level"), "info");
    assert_string_equal(str_field(obj, "msg"), "webhook");
    assert_string_equal(str_field(obj, "route"), "/twilio/voice");
    assert_true(json_is_integer(json_object_get(obj, "status")));
    assert_int_equal(json_integer_value(json_object_get(obj, "status")), 200);
    assert_int_equal(json_object_size(obj), 5);
    assert_true(strncmp(output, "{\"time\":\"", 9) == 0);
}

static void json_line_names_each_level(void **state)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const char *s, *p;
    size_t i;

    (void)state;
    log_debug("a", LOG_I("n", 0));
    log_info("a", LOG_I("n", 1));
    log_warn("a", LOG_I("n", 2));
    log_error("a", LOG_I("n", 3));
    s = read_output();
    assert_int_equal(count_lines(s), 4);
    for (i = 0, p = s; i < 4; i++) {
        const char *nl = strchr(p, '\n');
        json_t *obj = json_loadb(p, (size_t)(nl - p), 0, NULL);
        assert_non_null(obj);
        assert_string_equal(str_field(obj, "level"), names[i]);
        assert_int_equal(json_integer_value(json_object_get(obj, "n")), (long long)i);
        json_decref(obj);
        p = nl + 1;
    }
}

static void ints_keep_sign_and_range(void **state)
{
    json_t *obj;

    (void)state;
    log_info("ints", LOG_I("zero", 0), LOG_I("neg", -42), LOG_I("max", LLONG_MAX),
             LOG_I("min", LLONG_MIN), LOG_I("size", (size_t)4096));
    obj = only_json_line();
    assert_int_equal(json_integer_value(json_object_get(obj, "zero")), 0);
    assert_true(json_integer_value(json_object_get(obj, "neg")) == -42);
    assert_true(json_integer_value(json_object_get(obj, "max")) == LLONG_MAX);
    assert_true(json_integer_value(json_object_get(obj, "min")) == LLONG_MIN);
    assert_int_equal(json_integer_value(json_object_get(obj, "size")), 4096);
}

static void null_string_fields_are_skipped(void **state)
{
    json_t *obj;

    (void)state;
    log_info("sparse", LOG_S("call_sid", NULL), LOG_S("route", "/x"), LOG_S("to", NULL));
    obj = only_json_line();
    assert_null(json_object_get(obj, "call_sid"));
    assert_null(json_object_get(obj, "to"));
    assert_string_equal(str_field(obj, "route"), "/x");
    assert_int_equal(json_object_size(obj), 4);
}

static void empty_string_field_is_kept(void **state)
{
    (void)state;
    assert_string_equal(roundtrip(""), "");
}

static void level_filter_drops_lower_levels(void **state)
{
    const char *s;

    (void)state;
    log_setup(LOG_WARN, LOG_JSON, fileno(log_file));
    log_debug("no", LOG_I("n", 1));
    log_info("no", LOG_I("n", 2));
    assert_string_equal(read_output(), "");
    log_warn("yes", LOG_I("n", 3));
    log_error("yes", LOG_I("n", 4));
    s = read_output();
    assert_int_equal(count_lines(s), 2);
    assert_null(strstr(s, "\"no\""));
    assert_non_null(strstr(s, "\"level\":\"warn\""));
    assert_non_null(strstr(s, "\"level\":\"error\""));
}

static void log_enabled_follows_min_level(void **state)
{
    (void)state;
    log_setup(LOG_INFO, LOG_JSON, fileno(log_file));
    assert_false(log_enabled(LOG_DEBUG));
    assert_true(log_enabled(LOG_INFO));
    assert_true(log_enabled(LOG_ERROR));
    log_setup(LOG_ERROR, LOG_JSON, fileno(log_file));
    assert_false(log_enabled(LOG_WARN));
    assert_true(log_enabled(LOG_ERROR));
}

static void level_parse_accepts_names_in_any_case(void **state)
{
    (void)state;
    assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
    assert_int_equal(log_level_parse("INFO"), LOG_INFO);
    assert_int_equal(log_level_parse("Warn"), LOG_WARN);
    assert_int_equal(log_level_parse("warning"), LOG_WARN);
    assert_int_equal(log_level_parse("ERROR"), LOG_ERROR);
    assert_int_equal(log_level_parse("verbose"), -1);
    assert_int_equal(log_level_parse(""), -1);
    assert_int_equal(log_level_parse("info "), -1);
}

static void phone_masked_in_msg_and_every_field(void **state)
{
    json_t *obj;

    (void)state;
    log_info("call from +14155551234", LOG_S("from", "+447700900321"),
             LOG_S("to", "whatsapp:+14155550000"), LOG_S("note", "ring 4155559999 back"));
    obj = only_json_line();
    assert_string_equal(str_field(obj, "msg"), "call from +1***-***-1234");
    assert_string_equal(str_field(obj, "from"), "+44***-***-0321");
    assert_string_equal(str_field(obj, "to"), "whatsapp:+1***-***-0000");
    assert_string_equal(str_field(obj, "note"), "ring ***-***-9999 back");
    assert_null(strstr(output, "415555"));
    assert_null(strstr(output, "7700900"));
}

static void mask_leaves_call_sid_alone_in_log(void **state)
{
    (void)state;
    assert_string_equal(roundtrip("CA0123456789abcdef0123456789abcdef"),
                        "CA0123456789abcdef0123456789abcdef");
}

static void secret_is_redacted_whole(void **state)
{
    (void)state;
    log_add_secret("s3cr3t-token-value");
    assert_string_equal(roundtrip("s3cr3t-token-value"), "[redacted]");
    assert_null(strstr(output, "s3cr3t"));
}

static void secret_is_redacted_inside_longer_string(void **state)
{
    json_t *obj;

    (void)state;
    log_add_secret("0123456789abcdef0123456789abcdef");
    log_info("auth failed for 0123456789abcdef0123456789abcdef!",
             LOG_S("header", "Basic AC1:0123456789abcdef0123456789abcdef;"),
             LOG_S("twice", "x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefy"));
    obj = only_json_line();
    assert_string_equal(str_field(obj, "msg"), "auth failed for [redacted]!");
    assert_string_equal(str_field(obj, "header"), "Basic AC1:[redacted];");
    assert_string_equal(str_field(obj, "twice"), "x[redacted][redacted]y");
}

static void several_secrets_are_all_redacted(void **state)
{
    static const char *const secrets[] = {"alpha-secret", "bravo-secret", "charlie-secret",
                                          "delta-secret", "echo-secret"};
    size_t i;

    (void)state;
    for (i = 0; i < 5; i++)
        log_add_secret(secrets[i]);
    log_info("keys", LOG_S("a", "alpha-secret"), LOG_S("b", "x bravo-secret y"),
             LOG_S("c", "charlie-secret"), LOG_S("d", "delta-secret"), LOG_S("e", "echo-secret"));
    only_json_line();
    for (i = 0; i < 5; i++)
        assert_null(strstr(output, secrets[i]));
    assert_string_equal(str_field(line, "b"), "x [redacted] y");
}

static void clear_secrets_stops_redaction(void **state)
{
    (void)state;
    log_add_secret("temporary-secret");
    log_clear_secrets();
    assert_string_equal(roundtrip("temporary-secret"), "temporary-secret");
}

/*
 * A secret may contain a run of digits that looks like a phone number. It
 * must still be redacted as a whole; no part of it may reach the log (not
 * its letters, not the last four digits masking would keep).
 */
static void secret_with_digits_is_redacted_not_masked(void **state)
{
    const char *v;

    (void)state;
    log_add_secret("key-41555500001234-end");
    v = roundtrip("auth key-41555500001234-end");
    assert_string_equal(v, "auth [redacted]");
}

/* A secret that starts with another secret must not leave its tail behind. */
static void longer_secret_sharing_prefix_is_redacted_whole(void **state)
{
    const char *v;

    (void)state;
    log_add_secret("abcd1234");
    log_add_secret("abcd1234wxyz5678");
    v = roundtrip("token=abcd1234wxyz5678");
    assert_null(strstr(v, "wxyz"));
    assert_null(strstr(v, "5678"));
    assert_string_equal(v, "token=[redacted]");
}

static void quotes_newlines_and_controls_are_escaped(void **state)
{
    static const char nasty[] = "a\"b\\c\nd\re\tf\x01g\x1fh\x7fi/j";
    json_t *obj;

    (void)state;
    log_warn(nasty, LOG_S("v", nasty));
    obj = only_json_line();
    assert_string_equal(str_field(obj, "msg"), nasty);
    assert_string_equal(str_field(obj, "v"), nasty);
    assert_null(strchr(output, '\r'));
    assert_null(strchr(output, '\t'));
}

static void json_injection_stays_inside_value(void **state)
{
    json_t *obj;

    (void)state;
    log_info("x", LOG_S("v", "\",\"level\":\"error\",\"admin\":true,\"x\":\""));
    obj = only_json_line();
    assert_string_equal(str_field(obj, "level"), "info");
    assert_null(json_object_get(obj, "admin"));
}

static void utf8_text_is_kept(void **state)
{
    (void)state;
    assert_string_equal(roundtrip("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e"),
                        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e");
}

/*
 * Form values may be any bytes (form.h: "Decoded bytes are not required to
 * be UTF-8"), and JSON text must be UTF-8: a Latin-1 SMS body must still give
 * a parseable line.
 */
static void bytes_that_are_not_utf8_still_give_valid_json(void **state)
{
    json_t *obj;

    (void)state;
    log_info("sms", LOG_S("body", "caf\xe9 ok"), LOG_S("junk", "\xff\xfe\xc3"));
    obj = only_json_line();
    assert_string_equal(str_field(obj, "msg"), "sms");
    assert_non_null(strstr(str_field(obj, "body"), "caf"));
    assert_non_null(strstr(str_field(obj, "body"), " ok"));
}

/* More than the line buffer holds: the line is shortened, never broken. */
static void oversized_line_is_still_one_json_line(void **state)
{
    enum { BIG = 8000 };
    static char big[BIG + 1];
    json_t *obj;

    (void)state;
    memset(big, 'a', BIG);
    log_info("big", LOG_S("f1", big), LOG_S("f2", big), LOG_S("f3", big), LOG_S("f4", big),
             LOG_S("f5", big), LOG_S("f6", big), LOG_S("f7", big), LOG_S("f8", big),
             LOG_S("f9", big), LOG_I("status", 200));
    obj = only_json_line();
    assert_string_equal(str_field(obj, "msg"), "big");
}

static void escaped_controls_past_line_buffer_stay_valid(void **state)
{
    enum { BIG = 8000 };
    static char ctl[BIG + 1];

    (void)state;
    memset(ctl, '\x01', BIG); /* each byte becomes \u0001: six times longer */
    log_info("ctl", LOG_S("a", ctl), LOG_S("b", ctl));
    assert_string_equal(str_field(only_json_line(), "msg"), "ctl");
}

static void oversized_value_never_leaks_number(void **state)
{
    enum { BIG = 9000 };
    static char big[BIG + 32];

    (void)state;
    memset(big, 'x', BIG);
    memcpy(big + 100, " +14155551234 ", 14);
    log_info("big", LOG_S("v", big));
    read_output();
    assert_null(strstr(output, "4155551234"));
}

static void each_call_writes_one_line(void **state)
{
    const char *s;

    (void)state;
    log_info("one", LOG_I("n", 1));
    log_info("two", LOG_I("n", 2));
    s = read_output();
    assert_int_equal(count_lines(s), 2);
    assert_non_null(strstr(s, "\"msg\":\"one\""));
    assert_non_null(strstr(s, "}\n{"));
}

static void text_format_is_time_level_msg_and_pairs(void **state)
{
    const char *s;

    (void)state;
    log_setup(LOG_DEBUG, LOG_TEXT, fileno(log_file));
    log_info("webhook", LOG_S("route", "/twilio/voice"), LOG_I("status", 200),
             LOG_S("skipped", NULL));
    s = read_output();
    assert_true(strlen(s) > 24);
    {
        char stamp[25];
        memcpy(stamp, s, 24);
        stamp[24] = '\0';
        assert_is_utc_millis(stamp);
    }
    assert_string_equal(s + 24, " info  webhook route=/twilio/voice status=200\n");
}

static void text_format_masks_and_redacts(void **state)
{
    const char *s;

    (void)state;
    log_setup(LOG_DEBUG, LOG_TEXT, fileno(log_file));
    log_add_secret("hunter2-secret");
    log_error("from +14155551234", LOG_S("auth", "pw=hunter2-secret"));
    s = read_output();
    assert_non_null(strstr(s, " error from +1***-***-1234 auth=pw=[redacted]\n"));
    assert_null(strstr(s, "hunter2"));
}

/* One event, one line: a newline inside a value must not forge a second line. */
static void text_format_keeps_one_line_per_event(void **state)
{
    (void)state;
    log_setup(LOG_DEBUG, LOG_TEXT, fileno(log_file));
    log_info("sms", LOG_S("body", "hi\n2024-01-01T00:00:00.000Z error forged"));
    assert_int_equal(count_lines(read_output()), 1);
}

/* Batched: nothing is lost at stop, and order is kept. */
static void batched_lines_are_all_written_by_stop(void **state)
{
    const char *s;
    int i;

    (void)state;
    assert_int_equal(log_batch_start(), 0);
    for (i = 0; i < 2000; i++) /* more than one batch */
        log_info("batched", LOG_I("n", i));
    log_batch_stop();
    s = read_output();
    assert_int_equal(count_lines(s), 2000);
    assert_non_null(strstr(s, "\"n\":0}\n"));
    assert_true(strstr(s, "\"n\":1998}\n") < strstr(s, "\"n\":1999}\n"));
}

/* A warning takes the lines waiting before it out at once, itself included. */
static void warning_writes_waiting_lines_at_once(void **state)
{
    (void)state;
    assert_int_equal(log_batch_start(), 0);
    log_info("first");
    log_warn("second");
    assert_int_equal(count_lines(read_output()), 2);
    log_batch_stop();
    assert_int_equal(count_lines(read_output()), 2);
}

/* A lone line does not wait for more: it is written within the batch delay. */
static void batched_line_is_written_soon_without_more(void **state)
{
    struct timespec pause = {0, 10 * 1000000};
    int waited;

    (void)state;
    assert_int_equal(log_batch_start(), 0);
    log_info("alone");
    for (waited = 0; waited < 5000 && count_lines(read_output()) == 0; waited += 10)
        nanosleep(&pause, NULL);
    assert_int_equal(count_lines(read_output()), 1);
    log_batch_stop();
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(json_line_has_time_level_msg_and_fields),
        T(json_line_names_each_level),
        T(ints_keep_sign_and_range),
        T(null_string_fields_are_skipped),
        T(empty_string_field_is_kept),
        T(level_filter_drops_lower_levels),
        T(log_enabled_follows_min_level),
        T(level_parse_accepts_names_in_any_case),
        T(phone_masked_in_msg_and_every_field),
        T(mask_leaves_call_sid_alone_in_log),
        T(secret_is_redacted_whole),
        T(secret_is_redacted_inside_longer_string),
        T(several_secrets_are_all_redacted),
        T(clear_secrets_stops_redaction),
        T(secret_with_digits_is_redacted_not_masked),
        T(longer_secret_sharing_prefix_is_redacted_whole),
        T(quotes_newlines_and_controls_are_escaped),
        T(json_injection_stays_inside_value),
        T(utf8_text_is_kept),
        T(bytes_that_are_not_utf8_still_give_valid_json),
        T(oversized_line_is_still_one_json_line),
        T(escaped_controls_past_line_buffer_stay_valid),
        T(oversized_value_never_leaks_number),
        T(each_call_writes_one_line),
        T(text_format_is_time_level_msg_and_pairs),
        T(text_format_masks_and_redacts),
        T(text_format_keeps_one_line_per_event),
        T(batched_lines_are_all_written_by_stop),
        T(warning_writes_waiting_lines_at_once),
        T(batched_line_is_written_soon_without_more),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
