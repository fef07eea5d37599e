/*
 * cmd_migrate.c — `hotline migrate`: bring the database to the current schema.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "core/log.h"
#include "store/store.h"
#include "core/banned.h"

int cmd_migrate(int argc, char **argv)
{
    struct config cfg;
    struct store *store = NULL;
    struct hl_err err = {0};
    int rc, applied = 0, version = 0;

    (void)argc, (void)argv;
    if ((rc = cli_load_config(&cfg)) != 0)
        return rc;
    rc = store_open(&store, cfg.database_url, &err);
    if (rc == HL_OK)
        rc = store_migrate(store, &applied, &err);
    if (rc == HL_OK)
        rc = store_schema_version(store, &version, &err);
    if (rc == HL_OK)
        printf("applied %d migration%s; schema version %d\n", applied, applied == 1 ? "" : "s",
               version);
    else
        fprintf(stderr, "hotline: migrate: %s\n", err.msg);
    if (store)
        store_close(store);
    config_release(&cfg);
    return rc == HL_OK ? 0 : (rc == HL_ECONFIG ? 2 : 1);
}
