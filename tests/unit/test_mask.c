/*
 * test_mask.c — phone-number masking (src/core/mask.h).
 *
 * mask_phone: country code and last four digits kept ("+1***-***-1234",
 * "+44***-***-0321", one-digit codes 1 and 7), "whatsapp:"/"tel:" prefixes,
 * bare 10-digit numbers, the 7..15 (plus) and 10..15 (bare) digit bounds,
 * and "***" for anything that is not a number. mask_text: numbers inside
 * text, several per text, punctuation around them kept, Twilio SIDs and other
 * digits glued to letters untouched, runs longer than 15 digits and short
 * numbers untouched, len respected (binary-safe), appending to what the
 * buffer holds, the buffer's ceiling. mask_text_has_phone agrees with
 * mask_text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/hl.h"
#include "core/mask.h"
#include "core/banned.h"

static void assert_phone_masks_to(const char *number, const char *expect)
{
    char out[MASK_PHONE_MAX];

    memset(out, '#', sizeof(out));
    mask_phone(number, out);
    assert_string_equal(out, expect);
}

/*
 * mask_text over all of text must give expect; has_phone must say whether
 * anything changed.
 */
static void assert_text_masks_to(const char *text, const char *expect)
{
    struct buf out = BUF_INIT(4096);

    assert_int_equal(mask_text(&out, text, strlen(text)), HL_OK);
    assert_string_equal(buf_str(&out), expect);
    assert_int_equal(out.len, strlen(expect));
    assert_int_equal(mask_text_has_phone(text, strlen(text)), strcmp(text, expect) != 0);
    buf_release(&out);
}

static void assert_text_untouched(const char *text)
{
    assert_text_masks_to(text, text);
}

static void mask_phone_keeps_country_code_and_last_four(void **state)
{
    (void)state;
    assert_phone_masks_to("+14155551234", "+1***-***-1234");
    assert_phone_masks_to("+447700900321", "+44***-***-0321");
    assert_phone_masks_to("+2348012345678", "+23***-***-5678");
}

static void mask_phone_one_digit_codes_are_1_and_7(void **state)
{
    (void)state;
    assert_phone_masks_to("+79161234567", "+7***-***-4567");
    assert_phone_masks_to("+18005551212", "+1***-***-1212");
    assert_phone_masks_to("+33612345678", "+33***-***-5678");
}

static void mask_phone_strips_channel_prefix(void **state)
{
    (void)state;
    assert_phone_masks_to("whatsapp:+14155551234", "+1***-***-1234");
    assert_phone_masks_to("whatsapp:+447700900321", "+44***-***-0321");
    assert_phone_masks_to("tel:+14155551234", "+1***-***-1234");
}

static void mask_phone_bare_ten_digits(void **state)
{
    (void)state;
    assert_phone_masks_to("4155551234", "***-***-1234");
    assert_phone_masks_to("whatsapp:4155551234", "***-***-1234");
}

static void mask_phone_digit_count_bounds(void **state)
{
    (void)state;
    assert_phone_masks_to("+1234567", "+1***-***-4567");         /* 7: shortest */
    assert_phone_masks_to("+123456789012345", "+1***-***-2345"); /* 15: longest */
    assert_phone_masks_to("123456789012345", "***-***-2345");    /* bare 15 */
    assert_phone_masks_to("+123456", "***");                     /* 6 */
    assert_phone_masks_to("+1234567890123456", "***");           /* 16 */
    assert_phone_masks_to("123456789", "***");                   /* bare 9 */
    assert_phone_masks_to("1234567890123456", "***");            /* bare 16 */
}

static void mask_phone_hides_what_is_not_a_number(void **state)
{
    (void)state;
    assert_phone_masks_to("", "***");
    assert_phone_masks_to("+", "***");
    assert_phone_masks_to("anonymous", "***");
    assert_phone_masks_to("client:alice", "***");
    assert_phone_masks_to("whatsapp:", "***");
    assert_phone_masks_to("+1415555123a", "***");
    assert_phone_masks_to("+14155551234 ", "***");
    assert_phone_masks_to(" +14155551234", "***");
    assert_phone_masks_to("415-555-1234", "***");
    assert_phone_masks_to("++14155551234", "***");
}

static void mask_phone_output_fits_buffer(void **state)
{
    char out[MASK_PHONE_MAX + 8];

    (void)state;
    memset(out, 'Z', sizeof(out));
    mask_phone("whatsapp:+447700900321", out);
    assert_true(strlen(out) < MASK_PHONE_MAX);
    assert_int_equal(out[MASK_PHONE_MAX], 'Z');
}

static void mask_text_masks_number_inside_text(void **state)
{
    (void)state;
    assert_text_masks_to("call from +14155551234 now", "call from +1***-***-1234 now");
    assert_text_masks_to("+447700900321", "+44***-***-0321");
    assert_text_masks_to("callback 4155551234.", "callback ***-***-1234.");
}

static void mask_text_masks_every_number(void **state)
{
    (void)state;
    assert_text_masks_to("+14155551234,+447700900321;4155550000",
                         "+1***-***-1234,+44***-***-0321;***-***-0000");
    assert_text_masks_to("From=+14155551234&To=+18005551212",
                         "From=+1***-***-1234&To=+1***-***-1212");
}

static void mask_text_keeps_whatsapp_prefix(void **state)
{
    (void)state;
    assert_text_masks_to("from whatsapp:+14155551234", "from whatsapp:+1***-***-1234");
}

static void mask_text_keeps_surrounding_punctuation(void **state)
{
    (void)state;
    assert_text_masks_to("\"+14155551234\"", "\"+1***-***-1234\"");
    assert_text_masks_to("(+14155551234)", "(+1***-***-1234)");
    assert_text_masks_to("<4155551234>", "<***-***-1234>");
    assert_text_masks_to("x\n+14155551234\ty", "x\n+1***-***-1234\ty");
}

static void mask_leaves_call_sid_alone(void **state)
{
    (void)state;
    assert_text_untouched("CA0123456789abcdef0123456789abcdef");
    assert_text_untouched("call_sid=CA01234567890123456789012345678901");
    assert_text_untouched("SM1234567890123456789012345678abcd and RE4155551234");
    assert_text_untouched("AC9876543210fedcba9876543210fedcba");
}

static void mask_leaves_digits_glued_to_letters_alone(void **state)
{
    (void)state;
    assert_text_untouched("abc4155551234");
    assert_text_untouched("4155551234abc");
    assert_text_untouched("_4155551234");
    assert_text_untouched("4155551234_");
    assert_text_untouched("+14155551234x");
}

static void mask_leaves_long_digit_runs_alone(void **state)
{
    (void)state;
    assert_text_untouched("1234567890123456");
    assert_text_untouched("+1234567890123456");
    assert_text_untouched("order 12345678901234567890 shipped");
    assert_text_untouched("+12345678901234567890");
}

static void mask_leaves_short_numbers_alone(void **state)
{
    (void)state;
    assert_text_untouched("code 123456");
    assert_text_untouched("+123456");
    assert_text_untouched("123456789");
    assert_text_untouched("status 200 in 1500 us");
    assert_text_untouched("+1 415 555 1234");
    assert_text_untouched("");
}

static void mask_text_masks_percent_encoded_plus(void **state)
{
    (void)state;
    assert_text_masks_to("/api/contacts/%2B14155551234", "/api/contacts/+1***-***-1234");
    assert_text_masks_to("/api/contacts/%2b447700900321", "/api/contacts/+44***-***-0321");
    assert_text_untouched("/api/contacts/%2B123");
    assert_phone_masks_to("%2B14155551234", "+1***-***-1234");
}

static void mask_text_respects_len_and_nul_bytes(void **state)
{
    static const char text[] = "a\0+14155551234\0b";
    struct buf out = BUF_INIT(256);

    (void)state;
    assert_int_equal(mask_text(&out, text, sizeof(text) - 1), HL_OK);
    assert_int_equal(out.len, 18);
    assert_memory_equal(out.ptr, "a\0+1***-***-1234\0b", 18);
    buf_reset(&out);
    /* Only the first 5 bytes: "a\0+14" is no number. */
    assert_int_equal(mask_text(&out, text, 5), HL_OK);
    assert_int_equal(out.len, 5);
    assert_memory_equal(out.ptr, text, 5);
    assert_false(mask_text_has_phone(text, 5));
    assert_true(mask_text_has_phone(text, sizeof(text) - 1));
    buf_release(&out);
}

static void mask_text_appends_to_buffer(void **state)
{
    struct buf out = BUF_INIT(256);

    (void)state;
    assert_int_equal(buf_adds(&out, "to="), HL_OK);
    assert_int_equal(mask_text(&out, "+14155551234", 12), HL_OK);
    assert_string_equal(buf_str(&out), "to=+1***-***-1234");
    buf_release(&out);
}

static void mask_text_refuses_past_buffer_ceiling(void **state)
{
    struct buf out = BUF_INIT(10);

    (void)state;
    assert_int_equal(mask_text(&out, "a long text, longer than ten", 28), HL_ETOOLARGE);
    assert_true(out.len <= 10);
    buf_release(&out);
    /* The masked form is what must fit, not the input. */
    assert_int_equal(mask_text(&out, "+14155551234", 12), HL_ETOOLARGE);
    buf_release(&out);
}

static void mask_text_never_lets_digits_through_when_full(void **state)
{
    struct buf out = BUF_INIT(16);

    (void)state;
    mask_text(&out, "hi +14155551234 and +447700900321", 33);
    assert_null(strstr(buf_str(&out), "4155551234"));
    assert_null(strstr(buf_str(&out), "7700900321"));
    buf_release(&out);
}

static void has_phone_reports_numbers(void **state)
{
    (void)state;
    assert_true(mask_text_has_phone("x +14155551234", 14));
    assert_true(mask_text_has_phone("4155551234", 10));
    assert_true(mask_text_has_phone("whatsapp:+447700900321", 22));
    assert_false(mask_text_has_phone("CA0123456789abcdef0123456789abcdef", 34));
    assert_false(mask_text_has_phone("no digits here", 14));
    assert_false(mask_text_has_phone("", 0));
    assert_false(mask_text_has_phone("12345678901234567", 17));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mask_phone_keeps_country_code_and_last_four),
        cmocka_unit_test(mask_phone_one_digit_codes_are_1_and_7),
        cmocka_unit_test(mask_phone_strips_channel_prefix),
        cmocka_unit_test(mask_phone_bare_ten_digits),
        cmocka_unit_test(mask_phone_digit_count_bounds),
        cmocka_unit_test(mask_phone_hides_what_is_not_a_number),
        cmocka_unit_test(mask_phone_output_fits_buffer),
        cmocka_unit_test(mask_text_masks_number_inside_text),
        cmocka_unit_test(mask_text_masks_every_number),
        cmocka_unit_test(mask_text_keeps_whatsapp_prefix),
        cmocka_unit_test(mask_text_keeps_surrounding_punctuation),
        cmocka_unit_test(mask_leaves_call_sid_alone),
        cmocka_unit_test(mask_leaves_digits_glued_to_letters_alone),
        cmocka_unit_test(mask_leaves_long_digit_runs_alone),
        cmocka_unit_test(mask_leaves_short_numbers_alone),
        cmocka_unit_test(mask_text_masks_percent_encoded_plus),
        cmocka_unit_test(mask_text_respects_len_and_nul_bytes),
        cmocka_unit_test(mask_text_appends_to_buffer),
        cmocka_unit_test(mask_text_refuses_past_buffer_ceiling),
        cmocka_unit_test(mask_text_never_lets_digits_through_when_full),
        cmocka_unit_test(has_phone_reports_numbers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
