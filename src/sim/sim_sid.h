/*
 * sim_sid.h — the emulator's identifiers and timestamps.
 *
 * Twilio's SIDs are a two-letter type prefix and 32 lowercase hex digits
 * (CA calls, SM messages, RE recordings, AC accounts, MG messaging services,
 * XE channel installs); the emulator makes them from the OS CSPRNG so they
 * are unguessable and never repeat. Dates in Twilio's REST JSON are RFC 2822
 * in GMT, "Sat, 21 Nov 2026 08:00:00 +0000"
 * (https://www.twilio.com/docs/usage/api#response-formats).
 */
#ifndef HL_SIM_SID_H
#define HL_SIM_SID_H

#include <time.h>

#include "core/hl.h"

#define SIM_SID_SIZE  35 /* prefix, 32 hex, NUL */
#define SIM_DATE_SIZE 40 /* "Sat, 21 Nov 2026 08:00:00 +0000" and NUL */
#define SIM_UUID_SIZE 37

/* prefix (two letters) + 32 random lowercase hex digits. HL_OK or HL_EIO. */
int sim_sid_new(char out[SIM_SID_SIZE], const char *prefix);

/* A random version-4 UUID ("1b4e28ba-2fa1-41d2-883f-0016d3cca427"). HL_OK or HL_EIO. */
int sim_uuid_new(char out[SIM_UUID_SIZE]);

/* Is s a SID with this prefix (34 characters, hex after the prefix)? */
int sim_sid_valid(const char *s, const char *prefix);

/* t as RFC 2822 in GMT. */
void sim_date_format(char out[SIM_DATE_SIZE], time_t t);

#endif
