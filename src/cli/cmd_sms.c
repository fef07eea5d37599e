/* cmd_sms.c — placeholder while `hotline sms` is being written. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_sms(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "hotline: sms: not built yet\n");
    return 1;
}
