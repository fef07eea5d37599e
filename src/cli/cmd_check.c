/*
 * cmd_check.c — `hotline check`: the self-test of GET /twilio/test, printed
 * for a person, exiting 1 when a check failed.
 */
#include <stdio.h>

#include "cli/runtime.h"
#include "ops/ops.h"
#include "core/banned.h"

int cmd_check(int argc, char **argv)
{
    struct runtime rt;
    json_t *result;
    int rc;

    (void)argc, (void)argv;
    if ((rc = runtime_open(&rt, 0)) != 0)
        return rc;
    result = ops_selftest(&rt.app);
    json_dumpf(result, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    rc = json_integer_value(json_object_get(result, "failed")) == 0 ? 0 : 1;
    json_decref(result);
    runtime_close(&rt);
    return rc;
}
