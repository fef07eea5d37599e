/*
 * runtime.h — what a long-running command holds: the configuration, the
 * emulator account (when no Twilio account is set) and the app context.
 */
#ifndef HL_CLI_RUNTIME_H
#define HL_CLI_RUNTIME_H

#include "app/app.h"
#include "cli/cli.h"
#include "sim/account.h"
#include "sim/sim.h"

struct runtime {
    struct config cfg;
    struct sim_account sim;
    struct app app;
};

enum runtime_flags {
    RUNTIME_MIGRATE = 1 << 0, /* apply pending migrations */
    RUNTIME_SERVE = 1 << 1,   /* a server: the emulator (when no account) and the sender pool */
};

/*
 * Load configuration, pick the account that signs webhooks, open the store
 * and the REST client. With RUNTIME_SERVE, also start the built-in emulator
 * that app_handle() serves when no Twilio account is configured, and the
 * pool the API's sends run on. Returns 0, or an exit status after printing
 * one line that names the problem.
 */
int runtime_open(struct runtime *rt, unsigned flags);

void runtime_close(struct runtime *rt);

#endif
