/*
 * account.h — the emulator's Twilio account.
 *
 * With no Twilio credentials configured, hotline talks to its built-in
 * emulator, which still signs every webhook like Twilio does. Its account
 * SID and auth token are made once from the OS CSPRNG and kept in a file
 * (mode 0600, the .env format) so that a server and a separate `hotline sim`
 * process agree on them across restarts.
 */
#ifndef HL_SIM_ACCOUNT_H
#define HL_SIM_ACCOUNT_H

#include "core/hl.h"

struct sim_account {
    char sid[35];   /* "AC" + 32 hex */
    char token[33]; /* 32 hex */
};

/* Read the account from path, creating the file (and its directory) if missing. */
int sim_account_load(struct sim_account *acct, const char *path, struct hl_err *err);

#endif
