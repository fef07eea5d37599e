/* cmd_call.c — placeholder while `hotline call` is being written. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_call(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "hotline: call: not built yet\n");
    return 1;
}
