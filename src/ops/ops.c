/*
 * ops.c — /health, /twilio/config, /twilio/test and the self-test behind
 * `hotline check` (the checks and their names follow guide 004).
 */
#include "ops/ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "http/httpd.h"
#include "core/banned.h"

void ops_health(struct app_request *r)
{
    static const char body[] = "{\"ok\":true}";

    http_respond(r->res, 200, "application/json", body, sizeof(body) - 1);
}

static const char *engine_name(const char *database_url)
{
    return strncmp(database_url, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
}

json_t *ops_config_json(const struct app *app, struct arena *a)
{
    const struct config *c = app->cfg;

    return json_pack(
        "{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, "
        "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
        "emulator_mode", config_emulator_mode(c), "account_sid_configured",
        c->twilio_account_sid != NULL, "auth_token_configured", c->twilio_auth_token != NULL,
        "api_key_configured", c->twilio_api_key_sid != NULL, "phone_number_configured",
        c->twilio_phone_number != NULL, "whatsapp_configured", c->twilio_whatsapp_number != NULL,
        "api_keys_configured", c->api_key_count > 0, "owner_phone_configured",
        c->owner_phone != NULL, "sms_notes", c->sms_notes, "encrypted_notes",
        c->sms_notes && c->encrypted_notes, "public_base_url", c->public_base_url, "voice_webhook",
        app_url(app, a, "/twilio/voice"), "status_callback", app_url(app, a, "/twilio/status"),
        "sms_webhook", app_url(app, a, "/twilio/sms"), "recording_callback",
        app_url(app, a, "/twilio/recording"), "database",
        engine_name(c->database_url), "flow", c->flow, "tts_engine", c->tts_engine, "asr_engine",
        c->asr_engine, "llm_engine", c->llm_engine);
}

void ops_config(struct app_request *r)
{
    app_json(r->res, r->req->arena, 200, ops_config_json(r->app, r->req->arena));
}

void ops_test(struct app_request *r)
{
    app_json(r->res, r->req->arena, 200, ops_selftest(r->app));
}

static void add_result(json_t *tests, const char *name, int ok, const char *detail)
{
    json_array_append_new(tests, json_pack("{s:s, s:s, s:s}", "test", name, "status",
                                           ok ? "pass" : "fail", "detail", detail));
}

static void check_database(const struct app *app, json_t *tests)
{
    struct hl_err err = {0};
    int ok = store_ping(app->store, &err) == HL_OK;

    add_result(tests, "Database", ok, ok ? engine_name(app->cfg->database_url) : err.msg);
}

/* MEDIA_DIR exists (or can be made) and a file can be written and removed there. */
static void check_media_dir(const struct app *app, json_t *tests)
{
    struct hl_err err = {0};
    char probe[4096];
    int ok;

    snprintf(probe, sizeof(probe), "%s/.selftest-%ld", app->cfg->media_dir, (long)getpid());
    ok = fs_mkdirs(app->cfg->media_dir, 0700, &err) == HL_OK &&
         fs_write_atomic(probe, "ok", 2, 0600, &err) == HL_OK;
    if (ok && unlink(probe) != 0)
        ok = hl_err_set(&err, HL_EIO, "cannot remove %s: %s", probe, strerror(errno)) == HL_OK;
    add_result(tests, "File Permissions", ok, ok ? app->cfg->media_dir : err.msg);
}

/* Twilio must be able to reach PUBLIC_BASE_URL: loopback only works with the emulator. */
static void check_configuration(const struct app *app, json_t *tests)
{
    const char *url = app->cfg->public_base_url;
    int loopback = strstr(url, "://127.") || strstr(url, "://localhost") || strstr(url, "://[::1]");

    if (config_emulator_mode(app->cfg))
        add_result(tests, "Configuration", 1, "emulator mode: no Twilio account configured");
    else if (loopback)
        add_result(tests, "Configuration", 0,
                   "PUBLIC_BASE_URL is a loopback address that Twilio cannot reach");
    else
        add_result(tests, "Configuration", 1, "Twilio account configured");
}

static void check_dependencies(json_t *tests)
{
    char detail[128];

    snprintf(detail, sizeof(detail), "libmicrohttpd %s, jansson %s", httpd_library_version(),
             JANSSON_VERSION);
    add_result(tests, "Dependencies", 1, detail);
}

json_t *ops_selftest(const struct app *app)
{
    json_t *tests = json_array();
    size_t i, failed = 0;

    check_database(app, tests);
    check_media_dir(app, tests);
    check_configuration(app, tests);
    check_dependencies(tests);
    for (i = 0; i < json_array_size(tests); i++)
        failed += strcmp(json_string_value(json_object_get(json_array_get(tests, i), "status")),
                         "pass") != 0;
    return json_pack("{s:I, s:I, s:o}", "passed", (json_int_t)(json_array_size(tests) - failed),
                     "failed", (json_int_t)failed, "tests", tests);
}
