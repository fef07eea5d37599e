/*
 * test_sms_keywords.c — reserved SMS keywords (src/webhooks/sms_keywords.h).
 *
 * Covers every keyword of each class (opt-out, opt-in, help, IDEAS) with its
 * canonical spelling returned in *word, case-insensitivity, surrounding
 * blanks and newlines, trailing "." "!" "?" (also several, also mixed with
 * blanks), what stays NONE (keywords inside sentences, with leading or inner
 * punctuation, prefixes and extensions of keywords, empty and blank bodies,
 * NULL), and that word may be NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "webhooks/sms_keywords.h"
#include "core/banned.h"

/* body must classify as kind with canonical word (NULL for NONE). */
static void assert_keyword(const char *body, enum sms_keyword kind, const char *canonical)
{
    const char *word = "unset";

    assert_int_equal(sms_keyword_classify(body, &word), kind);
    if (canonical) {
        assert_non_null(word);
        assert_string_equal(word, canonical);
    } else {
        assert_null(word);
    }
    assert_int_equal(sms_keyword_classify(body, NULL), kind);
}

static void assert_none(const char *body)
{
    assert_keyword(body, SMS_KEYWORD_NONE, NULL);
}

static void every_opt_out_keyword(void **state)
{
    static const char *const words[] = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        assert_keyword(words[i], SMS_KEYWORD_OPT_OUT, words[i]);
}

static void every_opt_in_keyword(void **state)
{
    static const char *const words[] = {"START", "YES", "UNSTOP"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        assert_keyword(words[i], SMS_KEYWORD_OPT_IN, words[i]);
}

static void every_help_keyword(void **state)
{
    (void)state;
    assert_keyword("HELP", SMS_KEYWORD_HELP, "HELP");
    assert_keyword("INFO", SMS_KEYWORD_HELP, "INFO");
}

static void ideas_is_hotlines_own_keyword(void **state)
{
    (void)state;
    assert_keyword("IDEAS", SMS_KEYWORD_IDEAS, "IDEAS");
    assert_keyword(" ideas? ", SMS_KEYWORD_IDEAS, "IDEAS");
    assert_none("IDEA");
    assert_none("ideas please");
    assert_none("any ideas for the party");
}

static void keywords_ignore_case(void **state)
{
    (void)state;
    assert_keyword("stop", SMS_KEYWORD_OPT_OUT, "STOP");
    assert_keyword("Stop", SMS_KEYWORD_OPT_OUT, "STOP");
    assert_keyword("sToPaLl", SMS_KEYWORD_OPT_OUT, "STOPALL");
    assert_keyword("unstop", SMS_KEYWORD_OPT_IN, "UNSTOP");
    assert_keyword("Help", SMS_KEYWORD_HELP, "HELP");
    assert_keyword("yes", SMS_KEYWORD_OPT_IN, "YES");
}

static void keywords_ignore_surrounding_whitespace(void **state)
{
    (void)state;
    assert_keyword("  STOP", SMS_KEYWORD_OPT_OUT, "STOP");
    assert_keyword("STOP  ", SMS_KEYWORD_OPT_OUT, "STOP");
    assert_keyword("\t\nstart\r\n", SMS_KEYWORD_OPT_IN, "START");
    assert_keyword(" \v\fhelp \n", SMS_KEYWORD_HELP, "HELP");
}

static void keywords_ignore_trailing_punctuation(void **state)
{
    (void)state;
    assert_keyword("STOP.", SMS_KEYWORD_OPT_OUT, "STOP");
    assert_keyword("stop!", SMS_KEYWORD_OPT_OUT, "STOP");
    assert_keyword("help?", SMS_KEYWORD_HELP, "HELP");
    assert_keyword("Stop!!!", SMS_KEYWORD_OPT_OUT, "STOP");
    assert_keyword("quit?!.", SMS_KEYWORD_OPT_OUT, "QUIT");
    assert_keyword(" Stop . ! \n", SMS_KEYWORD_OPT_OUT, "STOP");
}

static void keywords_inside_sentences_are_none(void **state)
{
    (void)state;
    assert_none("please stop calling me");
    assert_none("STOP IT");
    assert_none("stop stop");
    assert_none("I need help");
    assert_none("yes please");
    assert_none("Can I get info on pricing?");
    assert_none("the end");
}

static void prefixes_and_extensions_are_none(void **state)
{
    (void)state;
    assert_none("STO");
    assert_none("STOPP");
    assert_none("STOPALLL");
    assert_none("stopping");
    assert_none("ends");
    assert_none("HELPS");
    assert_none("UN");
    assert_none("YESS");
    assert_none("INFORMATION");
}

/* Only trailing punctuation is ignored; leading or inner punctuation is content. */
static void leading_and_inner_punctuation_is_not_ignored(void **state)
{
    (void)state;
    assert_none("\"STOP\"");
    assert_none("!STOP");
    assert_none(".stop");
    assert_none("S.T.O.P");
    assert_none("ST OP");
}

static void empty_and_blank_bodies_are_none(void **state)
{
    (void)state;
    assert_none("");
    assert_none("   ");
    assert_none("\n\t");
    assert_none("...");
    assert_none("!?");
}

static void null_body_is_none(void **state)
{
    (void)state;
    assert_none(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_opt_out_keyword),
        cmocka_unit_test(every_opt_in_keyword),
        cmocka_unit_test(every_help_keyword),
        cmocka_unit_test(ideas_is_hotlines_own_keyword),
        cmocka_unit_test(keywords_ignore_case),
        cmocka_unit_test(keywords_ignore_surrounding_whitespace),
        cmocka_unit_test(keywords_ignore_trailing_punctuation),
        cmocka_unit_test(keywords_inside_sentences_are_none),
        cmocka_unit_test(prefixes_and_extensions_are_none),
        cmocka_unit_test(leading_and_inner_punctuation_is_not_ignored),
        cmocka_unit_test(empty_and_blank_bodies_are_none),
        cmocka_unit_test(null_body_is_none),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
