/*
 * main.c — hotline's entry point: find the subcommand and run it.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/banned.h"

int main(int argc, char **argv)
{
    const struct cli_command *cmd;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    cmd = cli_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "hotline: no command \"%s\"; `hotline help` lists them\n", argv[1]);
        return 2;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        fputs(cmd->usage, stdout);
        return 0;
    }
    return cmd->run(argc - 1, argv + 1);
}
