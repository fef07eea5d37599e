/*
 * cmd_call.c — `hotline call +1... [--message TEXT] [--flow NAME] [--record]`:
 * place an outbound call through the same path as POST /api/calls.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outcome.h"
#include "cli/runtime.h"
#include "core/banned.h"

static int usage_error(const char *what)
{
    fprintf(stderr, "hotline: call: %s\nusage: hotline call +15551234567 [--message TEXT] "
                    "[--flow NAME] [--record]\n",
            what);
    return 2;
}

/* Fill rq from argv; 0, or the exit status after a usage error. */
static int parse_call(int argc, char **argv, struct outbound_call_request *rq)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--record") == 0)
            rq->record = 1;
        else if (strcmp(argv[i], "--message") == 0 && i + 1 < argc)
            rq->message = argv[++i];
        else if (strcmp(argv[i], "--flow") == 0 && i + 1 < argc)
            rq->flow = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage_error("unknown option or missing value");
        else if (rq->to)
            return usage_error("one number at a time");
        else
            rq->to = argv[i];
    }
    return rq->to ? 0 : usage_error("which number? (E.164, such as +14155551234)");
}

int cmd_call(int argc, char **argv)
{
    struct outbound_call_request rq = {0};
    struct outbound_result out;
    struct hl_err err = {0};
    struct runtime rt;
    int rc;

    if ((rc = parse_call(argc, argv, &rq)) != 0 || (rc = runtime_open(&rt, RUNTIME_MIGRATE)) != 0)
        return rc;
    {
        struct outbound o = {&rt.cfg, rt.app.store, rt.app.rest, rt.app.flows};
        rc = cli_report_send("call", outbound_call(&o, &rq, &out, &err), &out, &err);
    }
    runtime_close(&rt);
    return rc;
}
