/*
 * sim_sid.c — SIDs, idempotency tokens and RFC 2822 dates for the emulator.
 */
#include "sim/sim_sid.h"

#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "core/banned.h"

int sim_sid_new(char out[SIM_SID_SIZE], const char *prefix)
{
    unsigned char bytes[16];

    if (crypto_random(bytes, sizeof(bytes)) != HL_OK)
        return HL_EIO;
    out[0] = prefix[0];
    out[1] = prefix[1];
    crypto_hex_encode(out + 2, bytes, sizeof(bytes));
    return HL_OK;
}

int sim_uuid_new(char out[SIM_UUID_SIZE])
{
    unsigned char b[16];
    char hex[33];

    if (crypto_random(b, sizeof(b)) != HL_OK)
        return HL_EIO;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    crypto_hex_encode(hex, b, sizeof(b));
    snprintf(out, SIM_UUID_SIZE, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
    return HL_OK;
}

int sim_sid_valid(const char *s, const char *prefix)
{
    size_t i;

    if (!s || strlen(s) != 34 || strncmp(s, prefix, 2) != 0)
        return 0;
    for (i = 2; i < 34; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    return 1;
}

/* Names spelled out rather than strftime's %a/%b, which follow the locale. */
void sim_date_format(char out[SIM_DATE_SIZE], time_t t)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;

    if (!gmtime_r(&t, &tm)) {
        snprintf(out, SIM_DATE_SIZE, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(out, SIM_DATE_SIZE, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}
