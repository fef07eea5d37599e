/*
 * cli.h — hotline's subcommands (after git's git.c + builtin/).
 *
 * Each command is one row of the table in commands.c and one file cmd_*.c.
 * A command returns the process exit status: 0 success, 1 failure, 2 wrong
 * usage or configuration. Only command code may print to stdout/stderr and
 * decide the exit status; modules report through struct hl_err.
 */
#ifndef HL_CLI_H
#define HL_CLI_H

#include <stdio.h>

#include "core/config.h"

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command's name */
    const char *summary;
    const char *usage; /* shown by `hotline <command> --help` */
};

/* The command called name, or NULL. */
const struct cli_command *cli_find(const char *name);

/* The overview `hotline help` prints. */
void cli_print_help(FILE *out);

/* Is argv asking for help (-h or --help anywhere)? */
int cli_wants_help(int argc, char **argv);

/*
 * Load configuration from .env and the environment and set up logging;
 * on failure print one line to stderr and return 2 (the exit status).
 */
int cli_load_config(struct config *cfg);

int cmd_serve(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_sms(int argc, char **argv);
int cmd_contacts(int argc, char **argv);
int cmd_memo(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
