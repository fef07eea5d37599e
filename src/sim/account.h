/*
 * account.h — the emulator's Twilio account.
 *
 * With no Twilio credentials configured, hotline talks to its built-in
 * emulator, which still signs every webhook like Twilio does. Its account
 * SID and auth token, and an API key pair (SID + secret) that authenticates
 * REST requests as well, are made once from the OS CSPRNG and kept in a file
 * (mode 0600, the .env format) so that a server and a separate `hotline sim`
 * process agree on them across restarts:
 *
 *     TWILIO_ACCOUNT_SID=AC...      "AC" + 32 lowercase hex
 *     TWILIO_AUTH_TOKEN=...         32 lowercase hex
 *     TWILIO_API_KEY_SID=SK...      "SK" + 32 lowercase hex
 *     TWILIO_API_KEY_SECRET=...     32 letters and digits
 *
 * A file written before API keys existed (account SID and token only) gets
 * a key pair added: it is rewritten atomically with the same SID and token.
 */
#ifndef HL_SIM_ACCOUNT_H
#define HL_SIM_ACCOUNT_H

#include "core/hl.h"

struct sim_account {
    char sid[35];            /* "AC" + 32 hex */
    char token[33];          /* 32 hex */
    char api_key_sid[35];    /* "SK" + 32 hex */
    char api_key_secret[33]; /* 32 alphanumeric */
};

/*
 * Read the account from path, creating the file (and its directory) if
 * missing, and adding an API key pair to a file that has none. A file whose
 * values are malformed is refused with HL_ECONFIG (err names the file).
 */
int sim_account_load(struct sim_account *acct, const char *path, struct hl_err *err);

#endif
