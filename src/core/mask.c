/*
 * mask.c — phone-number masking for logs and API answers.
 */
#include "mask.h"

#include <ctype.h>
#include <string.h>

#include "core/hl.h"
#include "core/banned.h"

enum { PLUS_MIN_DIGITS = 7, BARE_MIN_DIGITS = 10, MAX_DIGITS = 15 };

/* Country codes of one digit: NANP (1) and Russia/Kazakhstan (7); others take two. */
static size_t country_code_len(const char *digits)
{
    return (digits[0] == '1' || digits[0] == '7') ? 1 : 2;
}

static void mask_digits(const char *digits, size_t n, int plus, char out[MASK_PHONE_MAX])
{
    size_t cc = plus ? country_code_len(digits) : 0;
    size_t pos = 0;

    if (plus) {
        out[pos++] = '+';
        memcpy(out + pos, digits, cc);
        pos += cc;
    }
    memcpy(out + pos, "***-***-", 8);
    pos += 8;
    memcpy(out + pos, digits + n - 4, 4);
    pos += 4;
    out[pos] = '\0';
}

static int is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Length of the plus at text[i]: 1 for '+', 3 for its percent-encoding "%2B" (a URL's path). */
static size_t plus_at(const char *text, size_t len, size_t i)
{
    if (text[i] == '+')
        return 1;
    if (text[i] == '%' && i + 2 < len && text[i + 1] == '2' &&
        (text[i + 2] == 'B' || text[i + 2] == 'b'))
        return 3;
    return 0;
}

/* Length of a phone number starting at text[i] (0 when none starts there). */
static size_t phone_at(const char *text, size_t len, size_t i)
{
    size_t plus = plus_at(text, len, i);
    size_t j = i + plus, digits;

    if (i > 0 && (is_word_char(text[i - 1]) || (!plus && text[i - 1] == '+')))
        return 0;
    while (j < len && isdigit((unsigned char)text[j]))
        j++;
    digits = j - i - plus;
    if (j < len && is_word_char(text[j]))
        return 0;
    if (digits > MAX_DIGITS || digits < (plus ? PLUS_MIN_DIGITS : BARE_MIN_DIGITS))
        return 0;
    return j - i;
}

void mask_phone(const char *number, char out[MASK_PHONE_MAX])
{
    const char *colon = strchr(number, ':');
    const char *p = colon ? colon + 1 : number;
    size_t len = strlen(p);

    if (len > 0 && phone_at(p, len, 0) == len) {
        size_t plus = plus_at(p, len, 0);
        mask_digits(p + plus, len - plus, plus > 0, out);
        return;
    }
    memcpy(out, "***", 4);
}

int mask_text(struct buf *out, const char *text, size_t len)
{
    size_t i = 0, start = 0;

    while (i < len) {
        size_t n = (plus_at(text, len, i) || isdigit((unsigned char)text[i]))
                       ? phone_at(text, len, i)
                       : 0;
        if (n) {
            char masked[MASK_PHONE_MAX];
            size_t plus = plus_at(text, len, i);
            if (buf_add(out, text + start, i - start) != HL_OK)
                return HL_ETOOLARGE;
            mask_digits(text + i + plus, n - plus, plus > 0, masked);
            if (buf_adds(out, masked) != HL_OK)
                return HL_ETOOLARGE;
            i += n;
            start = i;
        } else {
            i++;
        }
    }
    return buf_add(out, text + start, len - start);
}

int mask_text_has_phone(const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if ((plus_at(text, len, i) || isdigit((unsigned char)text[i])) && phone_at(text, len, i))
            return 1;
    return 0;
}
