/*
 * phone.c — E.164 numbers and WhatsApp addresses.
 */
#include "core/phone.h"

#include <string.h>

#include "core/banned.h"

int phone_is_e164(const char *s)
{
    size_t i, n;

    if (!s)
        return 0;
    n = strlen(s);
    if (n < 9 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return 0;
    for (i = 1; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

const char *phone_strip_whatsapp(const char *s, int *has_prefix)
{
    size_t n = strlen(PHONE_WHATSAPP_PREFIX);
    int prefixed = s && strncmp(s, PHONE_WHATSAPP_PREFIX, n) == 0;

    if (has_prefix)
        *has_prefix = prefixed;
    return prefixed ? s + n : s;
}
