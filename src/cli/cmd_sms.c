/*
 * cmd_sms.c — `hotline sms +1... TEXT [--whatsapp]`: send a message through
 * the same path as POST /api/messages.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outcome.h"
#include "cli/runtime.h"
#include "core/banned.h"

static int usage_error(const char *what)
{
    fprintf(stderr, "hotline: sms: %s\nusage: hotline sms +15551234567 TEXT [--whatsapp]\n", what);
    return 2;
}

static int parse_sms(int argc, char **argv, struct outbound_message_request *rq)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--whatsapp") == 0)
            rq->whatsapp = 1;
        else if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage_error("unknown option");
        else if (!rq->to)
            rq->to = argv[i];
        else if (!rq->body)
            rq->body = argv[i];
        else
            return usage_error("quote the text as one argument");
    }
    if (!rq->to || !rq->body)
        return usage_error("give a number (E.164, such as +14155551234) and the text");
    return 0;
}

int cmd_sms(int argc, char **argv)
{
    struct outbound_message_request rq = {0};
    struct outbound_result out;
    struct hl_err err = {0};
    struct runtime rt;
    int rc;

    if ((rc = parse_sms(argc, argv, &rq)) != 0 || (rc = runtime_open(&rt, RUNTIME_MIGRATE)) != 0)
        return rc;
    {
        struct outbound o = {&rt.cfg, rt.app.store, rt.app.rest, rt.app.flows};
        rc = cli_report_send(rq.whatsapp ? "whatsapp" : "sms",
                             outbound_message(&o, &rq, &out, &err), &out, &err);
    }
    runtime_close(&rt);
    return rc;
}
