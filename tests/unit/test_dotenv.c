/*
 * test_dotenv.c — .env parsing (src/core/dotenv.h).
 *
 * dotenv_parse: KEY=VALUE lines, blank lines and comments, the "export "
 * prefix (and a key that is merely called "export"), unquoted values (inline
 * " # comment" removed, a "#" inside a word kept, surrounding blanks trimmed),
 * single quotes taken literally, double quotes with \n \t \" \\ escapes, a
 * comment after a quoted value, CRLF line endings, empty values, "=" inside
 * values, last value wins, and every malformed line refused with HL_ECONFIG
 * and "name:line:" in the message. dotenv_read: a missing file is fine, an
 * unreadable path and a file over 1 MiB are errors, errors name the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "core/dotenv.h"
#include "core/hl.h"
#include "core/banned.h"

static struct dotenv env;
static char temp_path[64];

static int setup(void **state)
{
    (void)state;
    memset(&env, 0, sizeof(env));
    temp_path[0] = '\0';
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dotenv_release(&env);
    if (temp_path[0])
        unlink(temp_path);
    return 0;
}

static void parse_ok(const char *text)
{
    struct hl_err err = {0, ""};
    int rc = dotenv_parse(&env, text, strlen(text), ".env", &err);

    if (rc != HL_OK)
        print_error("unexpected error: %s\n", err.msg);
    assert_int_equal(rc, HL_OK);
}

/* text must be refused; the message must start with expect_prefix. */
static void parse_fails(const char *text, const char *expect_prefix)
{
    struct hl_err err = {0, ""};

    dotenv_release(&env);
    assert_int_equal(dotenv_parse(&env, text, strlen(text), "conf/.env", &err), HL_ECONFIG);
    assert_int_equal(err.code, HL_ECONFIG);
    if (strncmp(err.msg, expect_prefix, strlen(expect_prefix)) != 0)
        print_error("message \"%s\" does not start with \"%s\"\n", err.msg, expect_prefix);
    assert_true(strncmp(err.msg, expect_prefix, strlen(expect_prefix)) == 0);
}

static void assert_value(const char *key, const char *value)
{
    const char *got = dotenv_get(&env, key);

    if (!got)
        print_error("%s is not set\n", key);
    assert_non_null(got);
    assert_string_equal(got, value);
}

static const char *write_temp(const char *content, size_t len)
{
    int fd;

    snprintf(temp_path, sizeof(temp_path), "/tmp/hl-test-dotenv-XXXXXX");
    fd = mkstemp(temp_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    return temp_path;
}

static void dotenv_parses_simple_pairs(void **state)
{
    (void)state;
    parse_ok("PORT=8080\nHOST=0.0.0.0\n_UNDER_1=x");
    assert_int_equal(env.count, 3);
    assert_value("PORT", "8080");
    assert_value("HOST", "0.0.0.0");
    assert_value("_UNDER_1", "x");
    assert_null(dotenv_get(&env, "MISSING"));
    assert_null(dotenv_get(&env, "port"));
}

static void dotenv_skips_blank_lines_and_comments(void **state)
{
    (void)state;
    parse_ok("\n# a comment\n   # indented comment\n\t\n   \nA=1\n#B=2\n");
    assert_int_equal(env.count, 1);
    assert_value("A", "1");
    assert_null(dotenv_get(&env, "B"));
}

static void dotenv_empty_text_is_empty(void **state)
{
    (void)state;
    parse_ok("");
    assert_int_equal(env.count, 0);
}

static void dotenv_strips_export_prefix(void **state)
{
    (void)state;
    parse_ok("export A=1\nexport   B=two\n  export C='3'");
    assert_value("A", "1");
    assert_value("B", "two");
    assert_value("C", "3");
    assert_null(dotenv_get(&env, "export"));
}

static void dotenv_key_named_export_is_a_key(void **state)
{
    (void)state;
    parse_ok("export=yes\nexported=1");
    assert_value("export", "yes");
    assert_value("exported", "1");
}

static void dotenv_single_quotes_are_literal(void **state)
{
    (void)state;
    parse_ok("A='x \\n $HOME # not a comment \"q\"'\nB='' \nC='a=b'  # note");
    assert_value("A", "x \\n $HOME # not a comment \"q\"");
    assert_value("B", "");
    assert_value("C", "a=b");
}

static void dotenv_double_quotes_take_escapes(void **state)
{
    (void)state;
    parse_ok("A=\"l1\\nl2\\tt \\\"q\\\" back\\\\slash\"\nB=\"a # b\"\nC=\"\"");
    assert_value("A", "l1\nl2\tt \"q\" back\\slash");
    assert_value("B", "a # b");
    assert_value("C", "");
}

static void dotenv_comment_after_quoted_value(void **state)
{
    (void)state;
    parse_ok("A=\"v\" # comment\nB='w'\t# comment\nC=\"x\"   ");
    assert_value("A", "v");
    assert_value("B", "w");
    assert_value("C", "x");
}

static void dotenv_inline_comment_needs_blank_before_hash(void **state)
{
    (void)state;
    parse_ok("A=value # comment\nB=value#not-comment\nC=a\t# tab comment\nD= # only comment");
    assert_value("A", "value");
    assert_value("B", "value#not-comment");
    assert_value("C", "a");
    assert_value("D", "");
}

static void dotenv_trims_trailing_blanks_of_unquoted(void **state)
{
    (void)state;
    parse_ok("A=value   \t\nB=two words  ");
    assert_value("A", "value");
    assert_value("B", "two words");
}

/* The header: unquoted values have "surrounding blanks trimmed". */
static void dotenv_trims_leading_blanks_of_unquoted(void **state)
{
    (void)state;
    parse_ok("A=   value\nB=\t two words \n");
    assert_value("A", "value");
    assert_value("B", "two words");
}

static void dotenv_handles_crlf_lines(void **state)
{
    (void)state;
    parse_ok("A=1\r\nB='two'\r\nC=\"three\"\r\n# comment\r\n\r\nD=4 # x\r\nE=\r\nexport F=6\r\n");
    assert_int_equal(env.count, 6);
    assert_value("A", "1");
    assert_value("B", "two");
    assert_value("C", "three");
    assert_value("D", "4");
    assert_value("E", "");
    assert_value("F", "6");
}

static void dotenv_keeps_empty_values(void **state)
{
    (void)state;
    parse_ok("A=\nB=''\nC=\"\"");
    assert_int_equal(env.count, 3);
    assert_value("A", "");
    assert_value("B", "");
    assert_value("C", "");
}

static void dotenv_equals_inside_value(void **state)
{
    (void)state;
    parse_ok("DATABASE_URL=postgres://u:p@h/db?sslmode=require&x=1");
    assert_value("DATABASE_URL", "postgres://u:p@h/db?sslmode=require&x=1");
}

static void dotenv_last_value_wins(void **state)
{
    (void)state;
    parse_ok("A=1\nB=x\nA=2\nexport A='3'");
    assert_int_equal(env.count, 2);
    assert_value("A", "3");
    assert_value("B", "x");
}

static void dotenv_error_names_file_and_line(void **state)
{
    (void)state;
    parse_fails("A=1\n\n# ok\nnot a pair\nB=2", "conf/.env:4: ");
    parse_fails("A=1\r\nB='open\r\n", "conf/.env:2: ");
}

static void dotenv_refuses_malformed_lines(void **state)
{
    (void)state;
    parse_fails("=value", "conf/.env:1: ");
    parse_fails("JUSTAKEY", "conf/.env:1: ");
    parse_fails("A B=1", "conf/.env:1: ");
    parse_fails("A = 1", "conf/.env:1: ");
    parse_fails("A-B=1", "conf/.env:1: ");
    parse_fails("export", "conf/.env:1: ");
    parse_fails("export A", "conf/.env:1: ");
}

static void dotenv_refuses_unterminated_quotes(void **state)
{
    (void)state;
    parse_fails("A='open", "conf/.env:1: ");
    parse_fails("A=\"open", "conf/.env:1: ");
    parse_fails("A=\"ends in escaped quote\\\"", "conf/.env:1: ");
    parse_fails("A=\"two\nlines\"", "conf/.env:1: ");
}

static void dotenv_refuses_text_after_quoted_value(void **state)
{
    (void)state;
    parse_fails("A=\"x\"y", "conf/.env:1: ");
    parse_fails("A='x' y", "conf/.env:1: ");
    parse_fails("A='x''y'", "conf/.env:1: ");
}

static void dotenv_read_missing_file_is_empty(void **state)
{
    struct hl_err err = {0, ""};

    (void)state;
    assert_int_equal(dotenv_read(&env, "/nonexistent/hotline/.env", &err), HL_OK);
    assert_int_equal(env.count, 0);
    assert_int_equal(dotenv_read(&env, NULL, &err), HL_OK);
    assert_int_equal(env.count, 0);
}

static void dotenv_read_parses_file(void **state)
{
    static const char text[] = "# settings\nPORT=9000\nexport TOKEN='abc'\n";
    struct hl_err err = {0, ""};

    (void)state;
    assert_int_equal(dotenv_read(&env, write_temp(text, sizeof(text) - 1), &err), HL_OK);
    assert_int_equal(env.count, 2);
    assert_value("PORT", "9000");
    assert_value("TOKEN", "abc");
}

static void dotenv_read_error_names_path_and_line(void **state)
{
    static const char text[] = "A=1\nB=2\nbroken\n";
    struct hl_err err = {0, ""};
    char expect[128];

    (void)state;
    write_temp(text, sizeof(text) - 1);
    snprintf(expect, sizeof(expect), "%s:3: ", temp_path);
    assert_int_equal(dotenv_read(&env, temp_path, &err), HL_ECONFIG);
    assert_true(strncmp(err.msg, expect, strlen(expect)) == 0);
    assert_int_equal(env.count, 0); /* nothing half-read is left behind */
}

static void dotenv_read_reports_unreadable_path(void **state)
{
    struct hl_err err = {0, ""};
    char path[96];

    (void)state;
    write_temp("A=1\n", 4);
    snprintf(path, sizeof(path), "%s/.env", temp_path); /* a file used as a directory */
    assert_int_equal(dotenv_read(&env, path, &err), HL_ECONFIG);
    assert_non_null(strstr(err.msg, path));
}

static void dotenv_read_refuses_file_over_1_mib(void **state)
{
    enum { SIZE = (1 << 20) + 16 };
    struct hl_err err = {0, ""};
    char *text = malloc(SIZE);
    size_t i;

    (void)state;
    assert_non_null(text);
    for (i = 0; i < SIZE; i++)
        text[i] = (i % 64 == 63) ? '\n' : '#';
    write_temp(text, SIZE);
    free(text);
    assert_int_equal(dotenv_read(&env, temp_path, &err), HL_ECONFIG);
    assert_non_null(strstr(err.msg, temp_path));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(dotenv_parses_simple_pairs),
        T(dotenv_skips_blank_lines_and_comments),
        T(dotenv_empty_text_is_empty),
        T(dotenv_strips_export_prefix),
        T(dotenv_key_named_export_is_a_key),
        T(dotenv_single_quotes_are_literal),
        T(dotenv_double_quotes_take_escapes),
        T(dotenv_comment_after_quoted_value),
        T(dotenv_inline_comment_needs_blank_before_hash),
        T(dotenv_trims_trailing_blanks_of_unquoted),
        T(dotenv_trims_leading_blanks_of_unquoted),
        T(dotenv_handles_crlf_lines),
        T(dotenv_keeps_empty_values),
        T(dotenv_equals_inside_value),
        T(dotenv_last_value_wins),
        T(dotenv_error_names_file_and_line),
        T(dotenv_refuses_malformed_lines),
        T(dotenv_refuses_unterminated_quotes),
        T(dotenv_refuses_text_after_quoted_value),
        T(dotenv_read_missing_file_is_empty),
        T(dotenv_read_parses_file),
        T(dotenv_read_error_names_path_and_line),
        T(dotenv_read_reports_unreadable_path),
        T(dotenv_read_refuses_file_over_1_mib),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
