/*
 * runtime.c — bringing an application context up and down for the commands
 * that need one (serve, check): configuration, the Twilio account whose token
 * signs webhooks, and the store.
 */
#include "cli/runtime.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/ratelimit.h"
#include "analysis/analysis.h"
#include "core/log.h"
#include "jobs/jobs.h"
#include "notes/ideas.h"
#include "erasure/erasure.h"
#include "pipeline/pipeline.h"
#include "speech/asr.h"
#include "core/workpool.h"
#include "flows/engine.h"
#include "flows/flow.h"
#include "speech/tts.h"
#include "twilio/rest.h"
#include "web/session.h"
#include "core/banned.h"

/* Text-to-speech and its cache; media ids are keyed by the token that signs webhooks. */
static int open_tts(struct runtime *rt)
{
    const struct config *cfg = &rt->cfg;
    struct tts_options to = {0};
    struct hl_err err = {0};

    to.engine = cfg->tts_engine;
    to.base_url = cfg->tts_base_url;
    to.api_key = cfg->tts_api_key;
    to.default_voice = cfg->tts_default_voice;
    to.media_dir = cfg->media_dir;
    to.id_key = rt->app.auth_token;
    to.timeout_ms = cfg->twilio_timeout_s * 1000;
    if (tts_new(&rt->app.tts, &to, &err) != HL_OK) {
        fprintf(stderr, "hotline: TTS: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/* The flows, checked whole: a bad flow file stops start-up naming the file, step and reason. */
static int open_flows(struct runtime *rt)
{
    struct hl_err err = {0};

    if (flows_load(&rt->app.flows, &rt->cfg, &err) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", err.msg);
        return 2;
    }
    return 0;
}

/* Where sealed notes' ideas wait briefly for IDEAS (notes/ideas.h). */
enum { RUNTIME_IDEAS_MAX = 1024 };

static int open_notes(struct runtime *rt)
{
    const struct config *cfg = &rt->cfg;
    struct hl_err err = {0};

    if (!cfg->sms_notes || !cfg->encrypted_notes)
        return 0;
    if (!cfg->owner_phone)
        log_warn("SMS notes wait unsealed: FEATURE_ENCRYPTED_NOTES is on but OWNER_PHONE is not "
                 "set, so a note's memo link has nowhere to go",
                 LOG_S("setting", "OWNER_PHONE"));
    if (ideas_cache_new(&rt->app.ideas, RUNTIME_IDEAS_MAX, cfg->notes_ideas_ttl_s * 1000, &err) !=
        HL_OK) {
        fprintf(stderr, "hotline: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/*
 * The recogniser. pocketsphinx is given what callers of the loaded flows are
 * expected to say (ASR_PHRASES=auto; docs/asr.md measures it); the openai
 * engine is not, as a word list for a prompt steers Whisper-like models badly.
 */
static int open_asr(struct runtime *rt, struct hl_err *err)
{
    const struct config *cfg = &rt->cfg;
    struct asr_options ao = {0};
    char **phrases = NULL;
    size_t n = 0;
    int rc;

    ao.engine = cfg->asr_engine;
    ao.base_url = cfg->asr_base_url;
    ao.api_key = cfg->openai_api_key;
    if (strcmp(cfg->asr_engine, "pocketsphinx") == 0 && strcmp(cfg->asr_phrases, "auto") == 0)
        n = flows_vocabulary(rt->app.flows, cfg, &phrases);
    ao.phrases = (const char *const *)phrases;
    ao.n_phrases = n;
    ao.phrase_weight = (double)cfg->asr_phrase_weight / 100.0;
    rc = asr_new(&rt->app.asr, &ao, err);
    if (rc == HL_OK && strcmp(cfg->asr_engine, "pocketsphinx") == 0)
        log_info("speech recognition vocabulary", LOG_S("engine", cfg->asr_engine),
                 LOG_I("phrases", n),
                 LOG_I("phrase_weight_percent", n ? cfg->asr_phrase_weight : 0));
    flows_vocabulary_free(phrases, n);
    return rc;
}

/* Speech recognition and analysis for the recording pipeline, and its workers. */
static int open_pipeline(struct runtime *rt)
{
    const struct config *cfg = &rt->cfg;
    struct analysis_options an = {0};
    struct job_kind kinds[8];
    struct jobs_options jo = {0};
    struct hl_err err = {0};
    char owner[96];

    an.engine = cfg->llm_engine;
    an.base_url = cfg->llm_base_url;
    an.model = cfg->llm_model;
    an.api_key = cfg->openai_api_key;
    an.timezone = cfg->timezone_default;
    if (open_asr(rt, &err) != HL_OK || analyzer_new(&an, &rt->app.analyzer, &err) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", err.msg);
        return 1;
    }
    if (open_notes(rt) != 0)
        return 1;
    snprintf(owner, sizeof(owner), "%s:%ld", cfg->host, (long)getpid());
    jo.store = rt->app.store;
    jo.kinds = kinds;
    jo.n_kinds = pipeline_kinds(&rt->app, kinds, HL_ARRAY_LEN(kinds));
    jo.n_kinds += erasure_kinds(&rt->app, kinds + jo.n_kinds, HL_ARRAY_LEN(kinds) - jo.n_kinds);
    jo.workers = (int)cfg->workers;
    jo.lease_ms = cfg->job_lease_ms;
    jo.owner = owner;
    if (jobs_start(&rt->app.jobs, &jo, &err) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/* Sends waiting on Twilio at once, and queued behind them before the API answers 503. */
enum { RUNTIME_SENDERS = 8, RUNTIME_SENDS_QUEUED = 4096 };

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
    log_add_secret(rt->sim.api_key_secret);
    rt->app.account_sid = rt->sim.sid;
    rt->app.auth_token = rt->sim.token;
    return 0;
}

/* In emulator mode the emulator's REST API is served by this process too. */
static int open_emulator(struct runtime *rt)
{
    struct hl_err err = {0};
    struct sim_options so = {0};

    if (!config_emulator_mode(&rt->cfg))
        return 0;
    so.account = &rt->sim;
    so.webhook_base = rt->cfg.public_base_url;
    so.rate_limit = rt->cfg.sim_rate_limit;
    if (sim_new(&rt->app.sim, &so, &err) != HL_OK) {
        fprintf(stderr, "hotline: emulator: %s\n", err.msg);
        return 1;
    }
    sim_set_self_base(rt->app.sim, rt->cfg.twilio_api_base);
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

/* REST credentials: an API key when configured (as guide 003 advises), else the account's. */
static void rest_credentials(const struct runtime *rt, struct rest_options *ro)
{
    const struct config *cfg = &rt->cfg;

    ro->account_sid = rt->app.account_sid;
    ro->username = rt->app.account_sid;
    ro->password = rt->app.auth_token;
    if (cfg->twilio_api_key_sid && cfg->twilio_account_sid) {
        ro->username = cfg->twilio_api_key_sid;
        ro->password = cfg->twilio_api_key_secret;
    }
}

/* The REST client, and what the API's sends need: a rate limit and a pool off the HTTP threads. */
static int open_senders(struct runtime *rt, int serving)
{
    const struct config *cfg = &rt->cfg;
    struct rest_options ro = {0};
    struct hl_err err = {0};

    ro.api_base = cfg->twilio_api_base;
    ro.timeout_ms = cfg->twilio_timeout_s * 1000;
    ro.media_max_bytes = cfg->recording_max_bytes;
    rest_credentials(rt, &ro);
    if (rest_client_new(&rt->app.rest, &ro, &err) != HL_OK ||
        (serving &&
         workpool_new(&rt->app.senders, RUNTIME_SENDERS, RUNTIME_SENDS_QUEUED, &err) != HL_OK)) {
        fprintf(stderr, "hotline: %s\n", err.msg);
        return 1;
    }
    rt->app.send_limit =
        ratelimit_new(cfg->api_key_count, cfg->api_sends_per_minute, cfg->api_send_burst);
    rt->app.login_limit = ratelimit_new(1, WEB_LOGINS_PER_MINUTE, WEB_LOGIN_BURST);
    return 0;
}

int runtime_open(struct runtime *rt, unsigned flags)
{
    int rc;

    memset(rt, 0, sizeof(*rt));
    if ((rc = cli_load_config(&rt->cfg)) != 0)
        return rc;
    rt->app.cfg = &rt->cfg;
    if ((rc = open_account(rt)) != 0 || (rc = open_flows(rt)) != 0 ||
        (rc = open_store(rt, flags & RUNTIME_MIGRATE)) != 0 ||
        ((flags & RUNTIME_SERVE) && (rc = open_emulator(rt)) != 0) ||
        (rc = open_senders(rt, flags & RUNTIME_SERVE)) != 0 || (rc = open_tts(rt)) != 0) {
        runtime_close(rt);
        return rc;
    }
    if ((flags & RUNTIME_SERVE) && (rc = open_pipeline(rt)) != 0) {
        runtime_close(rt);
        return rc;
    }
    if (flags & RUNTIME_SERVE)
        flow_engine_prepare_audio(rt->app.flows, &rt->cfg, rt->app.tts, rt->app.senders);
    return 0;
}

void runtime_close(struct runtime *rt)
{
    jobs_stop(rt->app.jobs);
    ideas_cache_free(rt->app.ideas); /* after the workers: they put ideas in it */
    rt->app.ideas = NULL;
    asr_free(rt->app.asr);
    analyzer_free(rt->app.analyzer);
    rt->app.jobs = NULL;
    rt->app.asr = NULL;
    rt->app.analyzer = NULL;
    workpool_free(rt->app.senders);
    tts_free(rt->app.tts);
    flows_free(rt->app.flows);
    rt->app.tts = NULL;
    rt->app.flows = NULL;
    ratelimit_free(rt->app.send_limit);
    ratelimit_free(rt->app.login_limit);
    rt->app.login_limit = NULL;
    rest_client_free(rt->app.rest);
    sim_free(rt->app.sim);
    rt->app.senders = NULL;
    rt->app.send_limit = NULL;
    rt->app.rest = NULL;
    rt->app.sim = NULL;
    if (rt->app.store)
        store_close(rt->app.store);
    rt->app.store = NULL;
    config_release(&rt->cfg);
}
