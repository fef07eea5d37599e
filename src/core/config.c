/*
 * config.c — the table of settings and its loader.
 *
 * One row per variable (after redis's config.c): adding a setting is adding a
 * row and a field in struct config. Each type has one parser that validates
 * and stores the value; cross-field rules (an account needs its token, the
 * default public URL) run after every row has loaded.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dotenv.h"
#include "core/phone.h"
#include "core/banned.h"

enum config_type {
    CONFIG_STRING,
    CONFIG_INT,
    CONFIG_BOOL,
    CONFIG_URL,     /* http:// or https://, no trailing slash kept */
    CONFIG_E164,    /* +15551234567, or "whatsapp:+..." where allowed */
    CONFIG_CHOICE,  /* one of a list */
    CONFIG_SID_AC,  /* AC + 32 hex */
    CONFIG_SID_SK,  /* SK + 32 hex */
    CONFIG_TIMEZONE /* an IANA zone name such as America/New_York */
};

enum config_flags { CONFIG_SECRET = 1 << 0 };

struct config_key {
    const char *name;
    const char *alias;
    enum config_type type;
    size_t offset;
    const char *def;
    unsigned flags;
    const char *choices; /* CONFIG_CHOICE: "a|b|c" */
    long min, max;       /* CONFIG_INT */
    const char *help;
};

#define OFF(field) offsetof(struct config, field)

static const struct config_key config_keys[] = {
    {"PORT", NULL, CONFIG_INT, OFF(port), "8080", 0, NULL, 1, 65535, "listen port"},
    {"HOST", NULL, CONFIG_STRING, OFF(host), "127.0.0.1", 0, NULL, 0, 0, "listen address"},
    {"PUBLIC_BASE_URL", NULL, CONFIG_URL, OFF(public_base_url), NULL, 0, NULL, 0, 0,
     "URL Twilio uses to reach hotline (default http://HOST:PORT)"},
    {"HTTP_THREADS", NULL, CONFIG_INT, OFF(http_threads), "1", 0, NULL, 1, 256,
     "HTTP event loops (threads)"},
    {"HTTP_MAX_CONNECTIONS", NULL, CONFIG_INT, OFF(http_max_connections), "1024", 0, NULL, 4, 65536,
     "open connections at most"},
    {"HTTP_TIMEOUT", NULL, CONFIG_INT, OFF(http_timeout_s), "30", 0, NULL, 1, 3600,
     "seconds before an idle or slow client is dropped"},
    {"TWILIO_ACCOUNT_SID", NULL, CONFIG_SID_AC, OFF(twilio_account_sid), NULL, 0, NULL, 0, 0,
     "Twilio account (none: the built-in emulator)"},
    {"TWILIO_AUTH_TOKEN", NULL, CONFIG_STRING, OFF(twilio_auth_token), NULL, CONFIG_SECRET, NULL, 0,
     0, "auth token; signs webhooks"},
    {"TWILIO_API_KEY_SID", NULL, CONFIG_SID_SK, OFF(twilio_api_key_sid), NULL, 0, NULL, 0, 0,
     "REST auth by API key (preferred)"},
    {"TWILIO_API_KEY_SECRET", NULL, CONFIG_STRING, OFF(twilio_api_key_secret), NULL, CONFIG_SECRET,
     NULL, 0, 0, "API key secret"},
    {"TWILIO_PHONE_NUMBER", "TWILIO_VOICE_NUMBER", CONFIG_E164, OFF(twilio_phone_number), NULL, 0,
     NULL, 0, 0, "caller ID and SMS sender"},
    {"TWILIO_WHATSAPP_NUMBER", NULL, CONFIG_E164, OFF(twilio_whatsapp_number), NULL, 0, NULL, 0, 0,
     "WhatsApp sender"},
    {"TWILIO_API_BASE", NULL, CONFIG_URL, OFF(twilio_api_base), NULL, 0, NULL, 0, 0,
     "Twilio REST API base URL (default https://api.twilio.com; the built-in emulator at "
     "http://HOST:PORT in emulator mode)"},
    {"TWILIO_TIMEOUT", NULL, CONFIG_INT, OFF(twilio_timeout_s), "15", 0, NULL, 1, 300,
     "seconds a Twilio REST request may take in all"},
    {"RECORDING_MAX_BYTES", NULL, CONFIG_INT, OFF(recording_max_bytes), "104857600", 0, NULL, 1024,
     4294967296L, "largest recording hotline downloads"},
    {"SIM_ACCOUNT_FILE", NULL, CONFIG_STRING, OFF(sim_account_file), "./data/emulator-account", 0,
     NULL, 0, 0, "emulator mode: where its account SID and token are kept"},
    {"DATABASE_URL", NULL, CONFIG_STRING, OFF(database_url), "sqlite:./data/hotline.db", 0, NULL, 0,
     0, "sqlite:PATH or postgres://..."},
    {"MEDIA_DIR", NULL, CONFIG_STRING, OFF(media_dir), "./data/media", 0, NULL, 0, 0,
     "recordings, memos, TTS cache"},
    {"FLOW", NULL, CONFIG_STRING, OFF(flow), "voicemail", 0, NULL, 0, 0,
     "flow for inbound calls: a built-in name or a flow file's path"},
    {"FLOWS_DIR", NULL, CONFIG_STRING, OFF(flows_dir), NULL, 0, NULL, 0, 0,
     "folder of flow files (*.json) that add to or override the built-in flows"},
    {"OPTOUT_PHRASES", NULL, CONFIG_STRING, OFF(optout_phrases),
     "stop,remove me,do not call,unsubscribe", 0, NULL, 0, 0,
     "comma-separated phrases that opt a caller out when said"},
    {"TTS_ENGINE", NULL, CONFIG_CHOICE, OFF(tts_engine), "espeak", 0, "espeak|http", 0, 0,
     "text-to-speech engine"},
    {"TTS_BASE_URL", NULL, CONFIG_URL, OFF(tts_base_url), NULL, 0, NULL, 0, 0, "TTS HTTP API base"},
    {"TTS_API_KEY", NULL, CONFIG_STRING, OFF(tts_api_key), NULL, CONFIG_SECRET, NULL, 0, 0,
     "TTS HTTP API key"},
    {"TTS_DEFAULT_VOICE", NULL, CONFIG_STRING, OFF(tts_default_voice), "naija_female", 0, NULL, 0,
     0, "TTS voice"},
    {"ASR_ENGINE", NULL, CONFIG_CHOICE, OFF(asr_engine), "pocketsphinx", 0,
     "pocketsphinx|openai|none", 0, 0, "speech recognition engine"},
    {"ASR_BASE_URL", NULL, CONFIG_URL, OFF(asr_base_url), NULL, 0, NULL, 0, 0,
     "OpenAI-compatible transcription API base"},
    {"ASR_PHRASES", NULL, CONFIG_CHOICE, OFF(asr_phrases), "auto", 0, "auto|off", 0, 0,
     "auto: pocketsphinx favours the words the loaded flows expect (docs/asr.md); off: its "
     "general model alone"},
    {"ASR_PHRASE_WEIGHT", NULL, CONFIG_INT, OFF(asr_phrase_weight), "30", 0, NULL, 1, 90,
     "percent of the flows' phrase model in pocketsphinx's language model"},
    {"OPENAI_API_KEY", NULL, CONFIG_STRING, OFF(openai_api_key), NULL, CONFIG_SECRET, NULL, 0, 0,
     "key for OpenAI-compatible APIs"},
    {"LLM_ENGINE", NULL, CONFIG_CHOICE, OFF(llm_engine), "rules", 0, "rules|ollama|openai", 0, 0,
     "analysis engine"},
    {"LLM_BASE_URL", NULL, CONFIG_URL, OFF(llm_base_url), NULL, 0, NULL, 0, 0,
     "Ollama or OpenAI-compatible API base"},
    {"LLM_MODEL", NULL, CONFIG_STRING, OFF(llm_model), NULL, 0, NULL, 0, 0, "model name"},
    {"WORKERS", NULL, CONFIG_INT, OFF(workers), "2", 0, NULL, 0, 64, "pipeline worker threads"},
    {"JOB_LEASE_MS", NULL, CONFIG_INT, OFF(job_lease_ms), "60000", 0, NULL, 1000, 3600000,
     "how long a worker holds a job without renewing; a dead server's jobs wait this long"},
    {"RECORDINGS_DELETE_AFTER_DOWNLOAD", NULL, CONFIG_BOOL, OFF(recordings_delete_after_download),
     "false", 0, NULL, 0, 0, "delete each recording from Twilio once hotline has its copy"},
    {"BUSINESS_NAME", NULL, CONFIG_STRING, OFF(business_name), "hotline", 0, NULL, 0, 0,
     "your business, as callers hear it"},
    {"COMPANY_NAME", NULL, CONFIG_STRING, OFF(company_name), "Alta", 0, NULL, 0, 0,
     "caller identification on outbound calls"},
    {"CALL_PURPOSE", NULL, CONFIG_STRING, OFF(call_purpose),
     "to schedule a short discovery meeting about our services", 0, NULL, 0, 0,
     "why outbound calls are made"},
    {"OWNER_PHONE", NULL, CONFIG_E164, OFF(owner_phone), NULL, 0, NULL, 0, 0,
     "where memo links and notices go"},
    {"TIMEZONE_DEFAULT", NULL, CONFIG_TIMEZONE, OFF(timezone_default), "America/New_York", 0, NULL,
     0, 0, "time zone for dates callers say"},
    {"FEATURE_REQUIRE_RECORDING_CONSENT", NULL, CONFIG_BOOL, OFF(require_recording_consent), "true",
     0, NULL, 0, 0, "ask before recording outbound calls"},
    {"FEATURE_SMS_NOTES", NULL, CONFIG_BOOL, OFF(sms_notes), "true", 0, NULL, 0, 0,
     "texts that are not keywords are notes: numbered, analysed, IDEAS answers their ideas"},
    {"FEATURE_ENCRYPTED_NOTES", NULL, CONFIG_BOOL, OFF(encrypted_notes), "true", 0, NULL, 0, 0,
     "seal each SMS note as an encrypted memo whose link goes to OWNER_PHONE"},
    {"NOTES_IDEAS_TTL", NULL, CONFIG_INT, OFF(notes_ideas_ttl_s), "300", 0, NULL, 1, 86400,
     "seconds a sealed note's ideas stay in memory for IDEAS"},
    {"SAY_VOICE", NULL, CONFIG_STRING, OFF(say_voice), "Polly.Joanna", 0, NULL, 0, 0,
     "voice for <Say>"},
    {"VOICE_GREETING", NULL, CONFIG_STRING, OFF(voice_greeting),
     "Hello, you have reached {business_name}. Please leave a message after the beep, and "
     "press the pound key when you are finished.",
     0, NULL, 0, 0, "what callers hear first"},
    {"VOICE_THANKS", NULL, CONFIG_STRING, OFF(voice_thanks),
     "Thank you! Your message has been saved. Goodbye.", 0, NULL, 0, 0,
     "what callers hear after recording"},
    {"RECORD_MAX_LENGTH", NULL, CONFIG_INT, OFF(record_max_length), "120", 0, NULL, 1, 14400,
     "longest recording, seconds"},
    {"API_KEYS", NULL, CONFIG_STRING, OFF(api_keys_raw), NULL, CONFIG_SECRET, NULL, 0, 0,
     "comma-separated bearer keys for /api/* (none: /api/* refuses all)"},
    {"API_SENDS_PER_MINUTE", NULL, CONFIG_INT, OFF(api_sends_per_minute), "60", 0, NULL, 0,
     6000000, "outbound calls and messages each API key may start per minute (0: no limit)"},
    {"API_SEND_BURST", NULL, CONFIG_INT, OFF(api_send_burst), "20", 0, NULL, 1, 1000000,
     "sends an API key may make at once before the per-minute rate applies"},
    {"SIM_PORT", NULL, CONFIG_INT, OFF(sim_port), "8081", 0, NULL, 1, 65535,
     "`hotline sim serve`: the emulator's listen port"},
    {"SIM_RATE_LIMIT", NULL, CONFIG_INT, OFF(sim_rate_limit), "0", 0, NULL, 0, 1000000,
     "emulator: REST requests per second per account before 429/20429 (0: no limit)"},
    {"LOG_LEVEL", NULL, CONFIG_CHOICE, OFF(log_level), "info", 0, "debug|info|warn|error", 0, 0,
     "least important log level shown"},
    {"LOG_FORMAT", NULL, CONFIG_CHOICE, OFF(log_format), "json", 0, "json|text", 0, 0,
     "log line format"},
};

static int parse_long(const char *s, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0';
}

static int is_hex_sid(const char *s, const char *prefix)
{
    size_t i;

    if (strlen(s) != 34 || strncmp(s, prefix, 2) != 0)
        return 0;
    for (i = 2; i < 34; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return 1;
}

/* E.164, with "whatsapp:" allowed before it. */
static int is_e164(const char *s)
{
    return phone_is_e164(phone_strip_whatsapp(s, NULL));
}

static int is_url(const char *s)
{
    const char *host = strncmp(s, "https://", 8) == 0  ? s + 8
                       : strncmp(s, "http://", 7) == 0 ? s + 7
                                                       : NULL;

    return host && *host && *host != '/' && !strpbrk(s, " \t\r\n?#");
}

static int is_choice(const char *s, const char *choices)
{
    size_t n = strlen(s);
    const char *p = choices;

    while (p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return 1;
        p = bar ? bar + 1 : NULL;
    }
    return 0;
}

static int is_timezone(const char *s)
{
    size_t i;

    if (!*s || s[0] == '/' || strstr(s, ".."))
        return 0;
    for (i = 0; s[i]; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("/_-+", s[i]))
            return 0;
    return 1;
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return (*out = 1), 1;
        if (strcasecmp(s, no[i]) == 0)
            return (*out = 0), 1;
    }
    return 0;
}

/* The problem with value for key, or NULL when it is acceptable. */
static const char *config_problem(const struct config_key *key, const char *value)
{
    switch (key->type) {
    case CONFIG_URL:
        return is_url(value) ? NULL : "must be an http:// or https:// URL without query";
    case CONFIG_E164:
        return is_e164(value) ? NULL : "must be an E.164 number such as +14155551234";
    case CONFIG_CHOICE:
        return is_choice(value, key->choices) ? NULL : "is not one of the accepted values";
    case CONFIG_SID_AC:
        return is_hex_sid(value, "AC") ? NULL : "must be AC followed by 32 lowercase hex digits";
    case CONFIG_SID_SK:
        return is_hex_sid(value, "SK") ? NULL : "must be SK followed by 32 lowercase hex digits";
    case CONFIG_TIMEZONE:
        return is_timezone(value) ? NULL : "must be an IANA time zone such as America/New_York";
    default:
        return NULL;
    }
}

static int config_error(const struct config_key *key, const char *problem, const char *value,
                        struct hl_err *err)
{
    if (key->flags & CONFIG_SECRET)
        return hl_err_set(err, HL_ECONFIG, "%s: %s", key->name, problem);
    return hl_err_set(err, HL_ECONFIG, "%s: %s (got \"%.60s\")", key->name, problem, value);
}

static int config_store(struct config *cfg, const struct config_key *key, const char *value,
                        struct hl_err *err)
{
    char *field = (char *)cfg + key->offset;
    const char *problem;
    long n;

    if (key->type == CONFIG_INT) {
        char range[64];
        snprintf(range, sizeof(range), "must be a whole number from %ld to %ld", key->min,
                 key->max);
        if (!parse_long(value, &n) || n < key->min || n > key->max)
            return config_error(key, range, value, err);
        *(long *)field = n;
        return HL_OK;
    }
    if (key->type == CONFIG_BOOL) {
        if (!parse_bool(value, (int *)field))
            return config_error(key, "must be true or false", value, err);
        return HL_OK;
    }
    if ((problem = config_problem(key, value)))
        return config_error(key, problem, value, err);
    *(char **)field = hl_strdup(value);
    if (key->type == CONFIG_URL) {
        char *s = *(char **)field;
        size_t len = strlen(s);
        while (len > 0 && s[len - 1] == '/')
            s[--len] = '\0';
    }
    return HL_OK;
}

/* The environment wins over .env; the name wins over its alias. */
static const char *config_lookup(const struct config_key *key, const struct dotenv *env)
{
    const char *v = getenv(key->name);

    if (!v && key->alias)
        v = getenv(key->alias);
    if (!v)
        v = dotenv_get(env, key->name);
    if (!v && key->alias)
        v = dotenv_get(env, key->alias);
    return (v && *v) ? v : key->def;
}

static void config_split_api_keys(struct config *cfg)
{
    const char *p = cfg->api_keys_raw;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && isspace((unsigned char)*p))
            p++, len--;
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (len) {
            cfg->api_keys = hl_realloc(cfg->api_keys, (cfg->api_key_count + 1) * sizeof(char *));
            cfg->api_keys[cfg->api_key_count++] = hl_strndup(p, len);
        }
        p = comma ? comma + 1 : NULL;
    }
}

/*
 * http://HOST:PORT, with a wildcard host replaced by loopback and an IPv6
 * literal in brackets.
 */
static char *default_public_url(const char *host, long port)
{
    size_t n = strlen(host) + 32;
    char *url = hl_malloc(n);

    if (strcmp(host, "0.0.0.0") == 0)
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    snprintf(url, n, strchr(host, ':') ? "http://[%s]:%ld" : "http://%s:%ld", host, port);
    return url;
}

/* Rules that involve more than one variable. */
static int config_check_together(struct config *cfg, struct hl_err *err)
{
    if (cfg->twilio_account_sid && !cfg->twilio_auth_token)
        return hl_err_set(err, HL_ECONFIG,
                          "TWILIO_AUTH_TOKEN: required when TWILIO_ACCOUNT_SID is set "
                          "(it signs every webhook)");
    if (cfg->twilio_auth_token && !cfg->twilio_account_sid)
        return hl_err_set(err, HL_ECONFIG,
                          "TWILIO_ACCOUNT_SID: required when TWILIO_AUTH_TOKEN is set");
    if (!cfg->twilio_api_key_sid != !cfg->twilio_api_key_secret)
        return hl_err_set(err, HL_ECONFIG, "%s: required when %s is set",
                          cfg->twilio_api_key_sid ? "TWILIO_API_KEY_SECRET" : "TWILIO_API_KEY_SID",
                          cfg->twilio_api_key_sid ? "TWILIO_API_KEY_SID" : "TWILIO_API_KEY_SECRET");
    if (strcmp(cfg->tts_engine, "http") == 0 && !cfg->tts_base_url)
        return hl_err_set(err, HL_ECONFIG, "TTS_BASE_URL: required when TTS_ENGINE=http");
    if (!cfg->public_base_url)
        cfg->public_base_url = default_public_url(cfg->host, cfg->port);
    if (!cfg->twilio_api_base)
        cfg->twilio_api_base = cfg->twilio_account_sid ? hl_strdup("https://api.twilio.com")
                                                       : default_public_url(cfg->host, cfg->port);
    config_split_api_keys(cfg);
    return HL_OK;
}

int config_load(struct config *cfg, const char *dotenv_path, struct hl_err *err)
{
    struct dotenv env;
    size_t i;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    rc = dotenv_read(&env, dotenv_path, err);
    if (rc != HL_OK)
        return rc;
    for (i = 0; i < HL_ARRAY_LEN(config_keys) && rc == HL_OK; i++) {
        const char *value = config_lookup(&config_keys[i], &env);
        if (value)
            rc = config_store(cfg, &config_keys[i], value, err);
    }
    dotenv_release(&env);
    if (rc == HL_OK)
        rc = config_check_together(cfg, err);
    if (rc != HL_OK)
        config_release(cfg);
    return rc;
}

void config_release(struct config *cfg)
{
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(config_keys); i++) {
        enum config_type t = config_keys[i].type;
        if (t != CONFIG_INT && t != CONFIG_BOOL)
            free(*(char **)((char *)cfg + config_keys[i].offset));
    }
    for (i = 0; i < cfg->api_key_count; i++)
        free(cfg->api_keys[i]);
    free(cfg->api_keys);
    memset(cfg, 0, sizeof(*cfg));
}

int config_emulator_mode(const struct config *cfg)
{
    return cfg->twilio_account_sid == NULL;
}

void config_describe(FILE *out)
{
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(config_keys); i++) {
        const struct config_key *k = &config_keys[i];
        fprintf(out, "  %-34s %s", k->name, k->help);
        if (k->choices)
            fprintf(out, " (%s)", k->choices);
        if (k->def && !(k->flags & CONFIG_SECRET))
            fprintf(out, " [default: %s]", k->def);
        fputc('\n', out);
    }
}

void config_each_secret(const struct config *cfg, void (*fn)(const char *secret))
{
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(config_keys); i++) {
        const char *v;
        if (!(config_keys[i].flags & CONFIG_SECRET))
            continue;
        v = *(char *const *)((const char *)cfg + config_keys[i].offset);
        if (v)
            fn(v);
    }
    for (i = 0; i < cfg->api_key_count; i++)
        fn(cfg->api_keys[i]);
}
