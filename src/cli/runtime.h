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

/*
 * Load configuration, pick the account that signs webhooks, open the store
 * (and migrate it when migrate is set) and, when emulator is set and no
 * Twilio account is configured, start the built-in emulator that
 * app_handle() serves. Returns 0, or an exit status after printing one line
 * that names the problem.
 */
int runtime_open(struct runtime *rt, int migrate, int emulator);

void runtime_close(struct runtime *rt);

#endif
