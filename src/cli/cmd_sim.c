/* cmd_sim.c — placeholder while `hotline sim` is being written. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_sim(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "hotline: sim: not built yet\n");
    return 1;
}
