/*
 * outcome.h — how `hotline call` and `hotline sms` report a send.
 */
#ifndef HL_CLI_OUTCOME_H
#define HL_CLI_OUTCOME_H

#include "outbound/outbound.h"

/*
 * Print what happened to a send of kind ("call", "sms") — one line on
 * stdout on success, one on stderr naming the problem otherwise — and
 * return the exit status: 0 sent, 2 the request was wrong, 1 anything else.
 */
int cli_report_send(const char *kind, int rc, const struct outbound_result *out,
                    const struct hl_err *err);

#endif
