/*
 * runtime.c — bringing an application context up and down for the commands
 * that need one (serve, check): configuration, the Twilio account whose token
 * signs webhooks, and the store.
 */
#include "cli/runtime.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/banned.h"

static int open_account(struct runtime *rt)
{
    struct hl_err err = {0};

    if (!config_emulator_mode(&rt->cfg)) {
        rt->app.account_sid = rt->cfg.twilio_account_sid;
        rt->app.auth_token = rt->cfg.twilio_auth_token;
        return 0;
    }
    if (sim_account_load(&rt->sim, rt->cfg.sim_account_file, &err) != HL_OK) {
        fprintf(stderr, "hotline: emulator account: %s\n", err.msg);
        return 1;
    }
    log_add_secret(rt->sim.token);
    rt->app.account_sid = rt->sim.sid;
    rt->app.auth_token = rt->sim.token;
    return 0;
}

/* In emulator mode the emulator's REST API is served by this process too. */
static int open_emulator(struct runtime *rt)
{
    struct hl_err err = {0};
    struct sim_options so = {&rt->sim, rt->cfg.public_base_url, rt->cfg.sim_rate_limit};

    if (!config_emulator_mode(&rt->cfg))
        return 0;
    if (sim_new(&rt->app.sim, &so, &err) != HL_OK) {
        fprintf(stderr, "hotline: emulator: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int open_store(struct runtime *rt, int migrate)
{
    struct hl_err err = {0};
    int applied = 0;

    if (store_open(&rt->app.store, rt->cfg.database_url, &err) != HL_OK) {
        fprintf(stderr, "hotline: DATABASE_URL: %s\n", err.msg);
        return err.code == HL_ECONFIG ? 2 : 1;
    }
    if (migrate && store_migrate(rt->app.store, &applied, &err) != HL_OK) {
        fprintf(stderr, "hotline: database migration failed: %s\n", err.msg);
        return 1;
    }
    if (applied)
        log_info("database migrated", LOG_I("migrations_applied", applied));
    return 0;
}

int runtime_open(struct runtime *rt, int migrate, int emulator)
{
    int rc;

    memset(rt, 0, sizeof(*rt));
    if ((rc = cli_load_config(&rt->cfg)) != 0)
        return rc;
    rt->app.cfg = &rt->cfg;
    if ((rc = open_account(rt)) != 0 || (rc = open_store(rt, migrate)) != 0 ||
        (emulator && (rc = open_emulator(rt)) != 0)) {
        runtime_close(rt);
        return rc;
    }
    return 0;
}

void runtime_close(struct runtime *rt)
{
    sim_free(rt->app.sim);
    rt->app.sim = NULL;
    if (rt->app.store)
        store_close(rt->app.store);
    rt->app.store = NULL;
    config_release(&rt->cfg);
}
