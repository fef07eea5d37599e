/*
 * test_config.c — settings from the environment and .env (src/core/config.h).
 *
 * Before and after every test, every variable config.c's table reads is
 * unset: the names come from config_describe() (so a new row is covered
 * without editing this file) plus the aliases, which describe does not list.
 * Covers the defaults, .env values, the environment winning over .env, the
 * TWILIO_VOICE_NUMBER alias, every validator (integer ranges, URLs, E.164,
 * AC/SK SIDs, choices, booleans, time zones), the cross-field rules, the
 * PUBLIC_BASE_URL default and trailing-slash trimming, API_KEYS splitting,
 * error messages (one line naming the variable, never a secret's value, even
 * from a broken .env line), config_each_secret, and that every secret it
 * yields really is redacted once registered with the logger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/hl.h"
#include "core/log.h"
#include "core/banned.h"

#define SID_AC  "AC0123456789abcdef0123456789abcdef"
#define SID_SK  "SK0123456789abcdef0123456789abcdef"
#define TOKEN   "tok3n-0123456789abcdef-secret"
#define KEY_SEC "keysecret-fedcba9876543210"
#define TTS_KEY "tts-key-aaaabbbbcccc"
#define OAI_KEY "sk-openai-ddddeeeeffff"

static const char *const aliases[] = {"TWILIO_VOICE_NUMBER"};

static struct config cfg;
static struct hl_err err;
static char dotenv_path[64];

/* Unset every variable config_describe() names, and the aliases. */
static void clear_config_env(void)
{
    char *text = NULL, *p;
    size_t len = 0, names = 0, i;
    FILE *f = open_memstream(&text, &len);

    assert_non_null(f);
    config_describe(f);
    fclose(f);
    for (p = text; *p;) {
        char name[64];
        size_t n;
        while (*p == ' ')
            p++;
        n = strcspn(p, " \n");
        assert_true(n > 0 && n < sizeof(name));
        memcpy(name, p, n);
        name[n] = '\0';
        assert_int_equal(unsetenv(name), 0);
        names++;
        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
    }
    free(text);
    assert_true(names >= 40); /* the table has one row per setting */
    for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        unsetenv(aliases[i]);
}

static int setup(void **state)
{
    (void)state;
    clear_config_env();
    memset(&cfg, 0, sizeof(cfg));
    memset(&err, 0, sizeof(err));
    dotenv_path[0] = '\0';
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    config_release(&cfg);
    if (dotenv_path[0])
        unlink(dotenv_path);
    clear_config_env();
    return 0;
}

static void set(const char *name, const char *value)
{
    assert_int_equal(setenv(name, value, 1), 0);
}

/* Write a .env file for this test; returns its path. */
static const char *write_dotenv(const char *text)
{
    int fd;

    if (dotenv_path[0])
        unlink(dotenv_path);
    snprintf(dotenv_path, sizeof(dotenv_path), "/tmp/hl-test-config-XXXXXX");
    fd = mkstemp(dotenv_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return dotenv_path;
}

static void load_ok(const char *path)
{
    int rc = config_load(&cfg, path, &err);

    if (rc != HL_OK)
        print_error("config_load failed: %s\n", err.msg);
    assert_int_equal(rc, HL_OK);
}

/* config_load must fail; the message must start with prefix and be one line. */
static void load_fails(const char *path, const char *prefix)
{
    assert_int_equal(config_load(&cfg, path, &err), HL_ECONFIG);
    assert_int_equal(err.code, HL_ECONFIG);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        print_error("message \"%s\" does not start with \"%s\"\n", err.msg, prefix);
    assert_true(strncmp(err.msg, prefix, strlen(prefix)) == 0);
    assert_null(strchr(err.msg, '\n'));
    /* On failure cfg holds nothing to release. */
    assert_null(cfg.host);
    assert_null(cfg.api_keys);
}

/* Setting name=value alone must be refused with "NAME: ..." */
static void refuses(const char *name, const char *value)
{
    char prefix[96];

    set(name, value);
    snprintf(prefix, sizeof(prefix), "%s: ", name);
    load_fails(NULL, prefix);
    unsetenv(name);
}

static void accepts(const char *name, const char *value)
{
    set(name, value);
    load_ok(NULL);
    config_release(&cfg);
    unsetenv(name);
}

static void config_defaults_without_any_setting(void **state)
{
    (void)state;
    load_ok(NULL);
    assert_int_equal(cfg.port, 8080);
    assert_string_equal(cfg.host, "127.0.0.1");
    assert_string_equal(cfg.public_base_url, "http://127.0.0.1:8080");
    assert_int_equal(cfg.http_threads, 1);
    assert_int_equal(cfg.http_max_connections, 1024);
    assert_int_equal(cfg.http_timeout_s, 30);
    assert_null(cfg.twilio_account_sid);
    assert_null(cfg.twilio_auth_token);
    assert_null(cfg.twilio_api_key_sid);
    assert_null(cfg.twilio_phone_number);
    assert_string_equal(cfg.twilio_api_base, "http://127.0.0.1:8080"); /* emulator mode */
    assert_int_equal(cfg.twilio_timeout_s, 15);
    assert_int_equal(cfg.api_sends_per_minute, 60);
    assert_int_equal(cfg.sim_port, 8081);
    assert_string_equal(cfg.database_url, "sqlite:./data/hotline.db");
    assert_string_equal(cfg.media_dir, "./data/media");
    assert_string_equal(cfg.flow, "voicemail");
    assert_string_equal(cfg.tts_engine, "espeak");
    assert_null(cfg.tts_base_url);
    assert_string_equal(cfg.asr_engine, "pocketsphinx");
    assert_string_equal(cfg.llm_engine, "rules");
    assert_int_equal(cfg.workers, 2);
    assert_string_equal(cfg.business_name, "hotline");
    assert_string_equal(cfg.timezone_default, "America/New_York");
    assert_int_equal(cfg.require_recording_consent, 1);
    assert_string_equal(cfg.say_voice, "Polly.Joanna");
    assert_int_equal(cfg.record_max_length, 120);
    assert_null(cfg.api_keys_raw);
    assert_int_equal(cfg.api_key_count, 0);
    assert_string_equal(cfg.log_level, "info");
    assert_string_equal(cfg.log_format, "json");
    assert_true(config_emulator_mode(&cfg));
}

static void config_reads_dotenv(void **state)
{
    (void)state;
    load_ok(write_dotenv("# test\nPORT=9000\nBUSINESS_NAME='Acme Plumbing'\n"
                         "export LOG_FORMAT=text\n"));
    assert_int_equal(cfg.port, 9000);
    assert_string_equal(cfg.business_name, "Acme Plumbing");
    assert_string_equal(cfg.log_format, "text");
    assert_string_equal(cfg.public_base_url, "http://127.0.0.1:9000");
}

static void config_missing_dotenv_is_fine(void **state)
{
    (void)state;
    load_ok("/nonexistent/hotline/.env");
    assert_int_equal(cfg.port, 8080);
}

static void config_environment_wins_over_dotenv(void **state)
{
    (void)state;
    set("PORT", "9100");
    set("BUSINESS_NAME", "From Env");
    load_ok(write_dotenv("PORT=9000\nBUSINESS_NAME=From File\nCOMPANY_NAME=FileCo\n"));
    assert_int_equal(cfg.port, 9100);
    assert_string_equal(cfg.business_name, "From Env");
    assert_string_equal(cfg.company_name, "FileCo");
}

static void config_empty_value_means_default(void **state)
{
    (void)state;
    set("PORT", "");
    set("LOG_LEVEL", "");
    load_ok(NULL);
    assert_int_equal(cfg.port, 8080);
    assert_string_equal(cfg.log_level, "info");
}

static void config_broken_dotenv_names_file_and_line(void **state)
{
    char prefix[96];

    (void)state;
    write_dotenv("PORT=9000\nthis is not a setting\n");
    snprintf(prefix, sizeof(prefix), "%s:2: ", dotenv_path);
    load_fails(dotenv_path, prefix);
}

static void config_alias_voice_number(void **state)
{
    (void)state;
    set("TWILIO_VOICE_NUMBER", "+14155551234");
    load_ok(NULL);
    assert_string_equal(cfg.twilio_phone_number, "+14155551234");
    config_release(&cfg);
    unsetenv("TWILIO_VOICE_NUMBER");

    load_ok(write_dotenv("TWILIO_VOICE_NUMBER=+14155550000\n"));
    assert_string_equal(cfg.twilio_phone_number, "+14155550000");
}

static void config_name_wins_over_alias(void **state)
{
    (void)state;
    set("TWILIO_PHONE_NUMBER", "+14155551111");
    set("TWILIO_VOICE_NUMBER", "+14155552222");
    load_ok(NULL);
    assert_string_equal(cfg.twilio_phone_number, "+14155551111");
}

static void config_environment_alias_wins_over_dotenv_name(void **state)
{
    (void)state;
    set("TWILIO_VOICE_NUMBER", "+14155553333");
    load_ok(write_dotenv("TWILIO_PHONE_NUMBER=+14155554444\n"));
    assert_string_equal(cfg.twilio_phone_number, "+14155553333");
}

static void config_alias_value_is_validated(void **state)
{
    (void)state;
    set("TWILIO_VOICE_NUMBER", "4155551234");
    load_fails(NULL, "TWILIO_PHONE_NUMBER: ");
}

static void config_port_range(void **state)
{
    (void)state;
    accepts("PORT", "1");
    accepts("PORT", "65535");
    refuses("PORT", "0");
    refuses("PORT", "65536");
    refuses("PORT", "-1");
    refuses("PORT", "http");
    refuses("PORT", "80 ");
    refuses("PORT", "99999999999999999999999");
}

static void config_port_error_shows_value(void **state)
{
    (void)state;
    set("PORT", "80a");
    load_fails(NULL, "PORT: ");
    assert_string_equal(err.msg, "PORT: must be a whole number from 1 to 65535 (got \"80a\")");
}

static void config_other_integer_ranges(void **state)
{
    (void)state;
    refuses("HTTP_THREADS", "0");
    refuses("HTTP_THREADS", "257");
    accepts("HTTP_THREADS", "256");
    refuses("HTTP_MAX_CONNECTIONS", "3");
    refuses("HTTP_TIMEOUT", "3601");
    accepts("WORKERS", "0");
    refuses("WORKERS", "65");
    refuses("RECORD_MAX_LENGTH", "14401");
    refuses("RECORD_MAX_LENGTH", "1.5");
}

static void config_url_validator(void **state)
{
    (void)state;
    accepts("PUBLIC_BASE_URL", "https://hotline.example.com");
    accepts("PUBLIC_BASE_URL", "http://10.0.0.2:8080/base");
    refuses("PUBLIC_BASE_URL", "ftp://example.com");
    refuses("PUBLIC_BASE_URL", "example.com");
    refuses("PUBLIC_BASE_URL", "http://");
    refuses("PUBLIC_BASE_URL", "https:///path");
    refuses("PUBLIC_BASE_URL", "https://exa mple.com");
    refuses("PUBLIC_BASE_URL", "https://example.com/?x=1");
    refuses("PUBLIC_BASE_URL", "https://example.com/#frag");
    refuses("TWILIO_API_BASE", "api.twilio.com");
    refuses("TTS_BASE_URL", "localhost:5002");
}

static void config_api_base_is_twilio_with_an_account(void **state)
{
    (void)state;
    set("TWILIO_ACCOUNT_SID", SID_AC);
    set("TWILIO_AUTH_TOKEN", TOKEN);
    set("PORT", "9001");
    load_ok(NULL);
    assert_string_equal(cfg.twilio_api_base, "https://api.twilio.com");
    config_release(&cfg);
    unsetenv("TWILIO_ACCOUNT_SID");
    unsetenv("TWILIO_AUTH_TOKEN");
    load_ok(NULL);
    assert_string_equal(cfg.twilio_api_base, "http://127.0.0.1:9001");
}

static void config_url_error_shows_variable_and_value(void **state)
{
    (void)state;
    set("LLM_BASE_URL", "ollama:11434");
    load_fails(NULL, "LLM_BASE_URL: ");
    assert_non_null(strstr(err.msg, "\"ollama:11434\""));
}

static void config_trims_trailing_slashes_of_urls(void **state)
{
    (void)state;
    set("PUBLIC_BASE_URL", "https://hotline.example.com/");
    set("TWILIO_API_BASE", "http://127.0.0.1:9999/fake///");
    load_ok(NULL);
    assert_string_equal(cfg.public_base_url, "https://hotline.example.com");
    assert_string_equal(cfg.twilio_api_base, "http://127.0.0.1:9999/fake");
}

static void config_public_base_url_default_follows_host_and_port(void **state)
{
    (void)state;
    set("HOST", "10.1.2.3");
    set("PORT", "9000");
    load_ok(NULL);
    assert_string_equal(cfg.public_base_url, "http://10.1.2.3:9000");
    config_release(&cfg);

    set("HOST", "0.0.0.0");
    load_ok(NULL);
    assert_string_equal(cfg.public_base_url, "http://127.0.0.1:9000");
}

/* An IPv6 literal (the edge listens on one via getaddrinfo) needs brackets in a URL. */
static void config_public_base_url_default_brackets_ipv6_host(void **state)
{
    (void)state;
    set("HOST", "::1");
    load_ok(NULL);
    assert_string_equal(cfg.public_base_url, "http://[::1]:8080");
}

static void config_explicit_public_base_url_wins(void **state)
{
    (void)state;
    set("HOST", "0.0.0.0");
    set("PUBLIC_BASE_URL", "https://abc.ngrok.io");
    load_ok(NULL);
    assert_string_equal(cfg.public_base_url, "https://abc.ngrok.io");
}

static void config_e164_validator(void **state)
{
    (void)state;
    accepts("TWILIO_PHONE_NUMBER", "+14155551234");
    accepts("TWILIO_PHONE_NUMBER", "+14155551");        /* 8 digits */
    accepts("TWILIO_PHONE_NUMBER", "+123456789012345"); /* 15 digits */
    accepts("OWNER_PHONE", "+447700900321");
    accepts("TWILIO_WHATSAPP_NUMBER", "whatsapp:+14155238886");
    accepts("TWILIO_WHATSAPP_NUMBER", "+14155238886");
    refuses("TWILIO_PHONE_NUMBER", "14155551234");
    refuses("TWILIO_PHONE_NUMBER", "+1415555");          /* 7 digits */
    refuses("TWILIO_PHONE_NUMBER", "+1234567890123456"); /* 16 digits */
    refuses("TWILIO_PHONE_NUMBER", "+04155551234");
    refuses("TWILIO_PHONE_NUMBER", "+1 415 555 1234");
    refuses("TWILIO_PHONE_NUMBER", "+1415555123x");
    refuses("OWNER_PHONE", "whatsapp:");
    refuses("OWNER_PHONE", "+");
}

static void config_e164_error_names_variable(void **state)
{
    (void)state;
    set("OWNER_PHONE", "555-1234");
    load_fails(NULL, "OWNER_PHONE: must be an E.164 number");
    assert_non_null(strstr(err.msg, "555-1234"));
}

static void config_account_sid_validator(void **state)
{
    (void)state;
    set("TWILIO_AUTH_TOKEN", TOKEN);
    accepts("TWILIO_ACCOUNT_SID", SID_AC);
    set("TWILIO_AUTH_TOKEN", TOKEN);
    refuses("TWILIO_ACCOUNT_SID", "AC0123456789ABCDEF0123456789ABCDEF");
    refuses("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcde");
    refuses("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef0");
    refuses("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdeg");
    refuses("TWILIO_ACCOUNT_SID", SID_SK);
    refuses("TWILIO_ACCOUNT_SID", "ac0123456789abcdef0123456789abcdef");
}

static void config_api_key_sid_validator(void **state)
{
    (void)state;
    set("TWILIO_API_KEY_SECRET", KEY_SEC);
    accepts("TWILIO_API_KEY_SID", SID_SK);
    set("TWILIO_API_KEY_SECRET", KEY_SEC);
    refuses("TWILIO_API_KEY_SID", SID_AC);
    refuses("TWILIO_API_KEY_SID", "SK0123456789abcdef0123456789ABCDEF");
    refuses("TWILIO_API_KEY_SID", "SK123");
}

static void config_choice_validator(void **state)
{
    (void)state;
    accepts("LOG_LEVEL", "debug");
    accepts("LOG_LEVEL", "error");
    accepts("LOG_FORMAT", "text");
    accepts("ASR_ENGINE", "none");
    accepts("ASR_ENGINE", "openai");
    accepts("LLM_ENGINE", "ollama");
    refuses("LOG_LEVEL", "verbose");
    refuses("LOG_LEVEL", "INFO");
    refuses("LOG_FORMAT", "xml");
    refuses("TTS_ENGINE", "festival");
    refuses("TTS_ENGINE", "espeak|http");
    refuses("TTS_ENGINE", "esp");
    refuses("LLM_ENGINE", "rule");
}

static void config_boolean_validator(void **state)
{
    static const char *const yes[] = {"true", "1", "yes", "on", "TRUE", "Yes"};
    static const char *const no[] = {"false", "0", "no", "off", "FALSE", "Off"};
    size_t i;

    (void)state;
    for (i = 0; i < 6; i++) {
        set("FEATURE_REQUIRE_RECORDING_CONSENT", yes[i]);
        load_ok(NULL);
        assert_int_equal(cfg.require_recording_consent, 1);
        config_release(&cfg);
        set("FEATURE_REQUIRE_RECORDING_CONSENT", no[i]);
        load_ok(NULL);
        assert_int_equal(cfg.require_recording_consent, 0);
        config_release(&cfg);
    }
    refuses("FEATURE_REQUIRE_RECORDING_CONSENT", "maybe");
    assert_non_null(strstr(err.msg, "must be true or false"));
    refuses("FEATURE_REQUIRE_RECORDING_CONSENT", "2");
    refuses("FEATURE_REQUIRE_RECORDING_CONSENT", "y");
}

static void config_timezone_validator(void **state)
{
    (void)state;
    accepts("TIMEZONE_DEFAULT", "Europe/London");
    accepts("TIMEZONE_DEFAULT", "UTC");
    accepts("TIMEZONE_DEFAULT", "Etc/GMT+5");
    accepts("TIMEZONE_DEFAULT", "America/Argentina/Buenos_Aires");
    accepts("TIMEZONE_DEFAULT", "America/Port-au-Prince");
    refuses("TIMEZONE_DEFAULT", "/etc/passwd");
    refuses("TIMEZONE_DEFAULT", "../../etc/passwd");
    refuses("TIMEZONE_DEFAULT", "Europe/../../etc/shadow");
    refuses("TIMEZONE_DEFAULT", "America/New York");
    refuses("TIMEZONE_DEFAULT", "Europe/London;rm");
}

static void config_full_account_is_not_emulator(void **state)
{
    (void)state;
    set("TWILIO_ACCOUNT_SID", SID_AC);
    set("TWILIO_AUTH_TOKEN", TOKEN);
    set("TWILIO_API_KEY_SID", SID_SK);
    set("TWILIO_API_KEY_SECRET", KEY_SEC);
    load_ok(NULL);
    assert_false(config_emulator_mode(&cfg));
    assert_string_equal(cfg.twilio_account_sid, SID_AC);
    assert_string_equal(cfg.twilio_auth_token, TOKEN);
    assert_string_equal(cfg.twilio_api_key_sid, SID_SK);
    assert_string_equal(cfg.twilio_api_key_secret, KEY_SEC);
}

static void config_account_sid_needs_token(void **state)
{
    (void)state;
    set("TWILIO_ACCOUNT_SID", SID_AC);
    load_fails(NULL, "TWILIO_AUTH_TOKEN: required when TWILIO_ACCOUNT_SID is set");
}

static void config_token_needs_account_sid(void **state)
{
    (void)state;
    set("TWILIO_AUTH_TOKEN", TOKEN);
    load_fails(NULL, "TWILIO_ACCOUNT_SID: required when TWILIO_AUTH_TOKEN is set");
    assert_null(strstr(err.msg, TOKEN));
}

static void config_api_key_sid_needs_secret(void **state)
{
    (void)state;
    set("TWILIO_ACCOUNT_SID", SID_AC);
    set("TWILIO_AUTH_TOKEN", TOKEN);
    set("TWILIO_API_KEY_SID", SID_SK);
    load_fails(NULL, "TWILIO_API_KEY_SECRET: required when TWILIO_API_KEY_SID is set");
}

static void config_api_key_secret_needs_sid(void **state)
{
    (void)state;
    set("TWILIO_API_KEY_SECRET", KEY_SEC);
    load_fails(NULL, "TWILIO_API_KEY_SID: required when TWILIO_API_KEY_SECRET is set");
    assert_null(strstr(err.msg, KEY_SEC));
}

static void config_http_tts_needs_base_url(void **state)
{
    (void)state;
    set("TTS_ENGINE", "http");
    load_fails(NULL, "TTS_BASE_URL: required when TTS_ENGINE=http");
    set("TTS_BASE_URL", "http://127.0.0.1:5002/");
    load_ok(NULL);
    assert_string_equal(cfg.tts_engine, "http");
    assert_string_equal(cfg.tts_base_url, "http://127.0.0.1:5002");
}

static void config_splits_and_trims_api_keys(void **state)
{
    (void)state;
    set("API_KEYS", " key-one , key-two,,\tkey-three\t, ");
    load_ok(NULL);
    assert_int_equal(cfg.api_key_count, 3);
    assert_string_equal(cfg.api_keys[0], "key-one");
    assert_string_equal(cfg.api_keys[1], "key-two");
    assert_string_equal(cfg.api_keys[2], "key-three");
    assert_string_equal(cfg.api_keys_raw, " key-one , key-two,,\tkey-three\t, ");
}

static void config_api_keys_of_only_separators_is_none(void **state)
{
    (void)state;
    set("API_KEYS", " , ,, ");
    load_ok(NULL);
    assert_int_equal(cfg.api_key_count, 0);
    config_release(&cfg);
    set("API_KEYS", "single");
    load_ok(NULL);
    assert_int_equal(cfg.api_key_count, 1);
    assert_string_equal(cfg.api_keys[0], "single");
}

/* Set every secret, then break something else: no secret may show up. */
static void config_error_never_contains_secret(void **state)
{
    static const char *const secrets[] = {TOKEN, KEY_SEC, TTS_KEY, OAI_KEY, "apikey-zzz"};
    size_t i;

    (void)state;
    set("TWILIO_AUTH_TOKEN", TOKEN);
    set("TWILIO_API_KEY_SECRET", KEY_SEC);
    set("TTS_API_KEY", TTS_KEY);
    set("OPENAI_API_KEY", OAI_KEY);
    set("API_KEYS", "apikey-zzz");
    load_fails(NULL, "TWILIO_ACCOUNT_SID: ");
    for (i = 0; i < 5; i++)
        assert_null(strstr(err.msg, secrets[i]));

    set("TWILIO_ACCOUNT_SID", SID_AC);
    load_fails(NULL, "TWILIO_API_KEY_SID: ");
    for (i = 0; i < 5; i++)
        assert_null(strstr(err.msg, secrets[i]));

    set("PORT", "nope");
    load_fails(NULL, "PORT: ");
    for (i = 0; i < 5; i++)
        assert_null(strstr(err.msg, secrets[i]));
}

static void config_broken_secret_line_in_dotenv_hides_value(void **state)
{
    (void)state;
    load_fails(write_dotenv("TWILIO_AUTH_TOKEN=\"" TOKEN "\n"), dotenv_path);
    assert_null(strstr(err.msg, TOKEN));
    load_fails(write_dotenv("TWILIO_AUTH_TOKEN='" TOKEN "' trailing\n"), dotenv_path);
    assert_null(strstr(err.msg, TOKEN));
}

static void config_long_value_is_cut_in_message(void **state)
{
    char value[300];

    (void)state;
    memset(value, 'x', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    memcpy(value, "http", 4);
    set("PUBLIC_BASE_URL", value);
    load_fails(NULL, "PUBLIC_BASE_URL: ");
    assert_true(strlen(err.msg) < 200);
}

static const char *seen[16];
static size_t seen_count;

static void collect_secret(const char *secret)
{
    assert_true(seen_count < 16);
    seen[seen_count++] = secret;
}

static int was_seen(const char *secret)
{
    size_t i;

    for (i = 0; i < seen_count; i++)
        if (strcmp(seen[i], secret) == 0)
            return 1;
    return 0;
}

static void config_each_secret_visits_all_secrets(void **state)
{
    (void)state;
    set("TWILIO_ACCOUNT_SID", SID_AC);
    set("TWILIO_AUTH_TOKEN", TOKEN);
    set("TWILIO_API_KEY_SID", SID_SK);
    set("TWILIO_API_KEY_SECRET", KEY_SEC);
    set("TTS_API_KEY", TTS_KEY);
    set("OPENAI_API_KEY", OAI_KEY);
    set("API_KEYS", "k-one, k-two");
    load_ok(NULL);
    seen_count = 0;
    config_each_secret(&cfg, collect_secret);
    assert_true(was_seen(TOKEN));
    assert_true(was_seen(KEY_SEC));
    assert_true(was_seen(TTS_KEY));
    assert_true(was_seen(OAI_KEY));
    assert_true(was_seen("k-one"));
    assert_true(was_seen("k-two"));
    assert_false(was_seen(SID_AC));
    assert_false(was_seen(SID_SK));
    assert_false(was_seen("127.0.0.1"));
}

static void config_each_secret_skips_unset_secrets(void **state)
{
    (void)state;
    load_ok(NULL);
    seen_count = 0;
    config_each_secret(&cfg, collect_secret);
    assert_int_equal(seen_count, 0);
    config_release(&cfg);

    set("OPENAI_API_KEY", OAI_KEY);
    load_ok(NULL);
    config_each_secret(&cfg, collect_secret);
    assert_int_equal(seen_count, 1);
    assert_string_equal(seen[0], OAI_KEY);
}

/*
 * What config_each_secret is for: register every secret with the logger.
 * With all four credentials and four API keys set, each must be redacted.
 */
static void every_config_secret_is_redacted_in_logs(void **state)
{
    static const char *const secrets[] = {
        TOKEN,          KEY_SEC,        TTS_KEY,          OAI_KEY,
        "apikey-one-1", "apikey-two-2", "apikey-three-3", "apikey-four-4"};
    FILE *f = tmpfile();
    struct stat st;
    char text[4096];
    size_t i;

    (void)state;
    assert_non_null(f);
    set("TWILIO_ACCOUNT_SID", SID_AC);
    set("TWILIO_AUTH_TOKEN", TOKEN);
    set("TWILIO_API_KEY_SID", SID_SK);
    set("TWILIO_API_KEY_SECRET", KEY_SEC);
    set("TTS_API_KEY", TTS_KEY);
    set("OPENAI_API_KEY", OAI_KEY);
    set("API_KEYS", "apikey-one-1,apikey-two-2,apikey-three-3,apikey-four-4");
    load_ok(NULL);
    log_clear_secrets();
    config_each_secret(&cfg, log_add_secret);
    log_setup(LOG_INFO, LOG_JSON, fileno(f));
    for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
        log_info("secret", LOG_S("v", secrets[i]));
    log_setup(LOG_INFO, LOG_JSON, 2);
    log_clear_secrets();
    assert_int_equal(fstat(fileno(f), &st), 0);
    assert_true((size_t)st.st_size < sizeof(text));
    assert_int_equal(pread(fileno(f), text, (size_t)st.st_size, 0), st.st_size);
    text[st.st_size] = '\0';
    fclose(f);
    for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (strstr(text, secrets[i]))
            print_error("secret %zu (%s) reached the log\n", i, secrets[i]);
        assert_null(strstr(text, secrets[i]));
    }
}

static void config_describe_lists_settings_without_secret_values(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    set("TWILIO_AUTH_TOKEN", TOKEN); /* describe prints the table, not the environment */
    config_describe(f);
    fclose(f);
    assert_non_null(strstr(text, "PORT"));
    assert_non_null(strstr(text, "[default: 8080]"));
    assert_non_null(strstr(text, "(espeak|http)"));
    assert_non_null(strstr(text, "TWILIO_AUTH_TOKEN"));
    assert_null(strstr(text, TOKEN));
    free(text);
}

static void config_release_twice_is_harmless(void **state)
{
    (void)state;
    set("API_KEYS", "a,b");
    load_ok(NULL);
    config_release(&cfg);
    config_release(&cfg);
    assert_null(cfg.host);
    assert_int_equal(cfg.api_key_count, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(config_defaults_without_any_setting),
        T(config_reads_dotenv),
        T(config_missing_dotenv_is_fine),
        T(config_environment_wins_over_dotenv),
        T(config_empty_value_means_default),
        T(config_broken_dotenv_names_file_and_line),
        T(config_alias_voice_number),
        T(config_name_wins_over_alias),
        T(config_environment_alias_wins_over_dotenv_name),
        T(config_alias_value_is_validated),
        T(config_port_range),
        T(config_port_error_shows_value),
        T(config_other_integer_ranges),
        T(config_url_validator),
        T(config_api_base_is_twilio_with_an_account),
        T(config_url_error_shows_variable_and_value),
        T(config_trims_trailing_slashes_of_urls),
        T(config_public_base_url_default_follows_host_and_port),
        T(config_public_base_url_default_brackets_ipv6_host),
        T(config_explicit_public_base_url_wins),
        T(config_e164_validator),
        T(config_e164_error_names_variable),
        T(config_account_sid_validator),
        T(config_api_key_sid_validator),
        T(config_choice_validator),
        T(config_boolean_validator),
        T(config_timezone_validator),
        T(config_full_account_is_not_emulator),
        T(config_account_sid_needs_token),
        T(config_token_needs_account_sid),
        T(config_api_key_sid_needs_secret),
        T(config_api_key_secret_needs_sid),
        T(config_http_tts_needs_base_url),
        T(config_splits_and_trims_api_keys),
        T(config_api_keys_of_only_separators_is_none),
        T(config_error_never_contains_secret),
        T(config_broken_secret_line_in_dotenv_hides_value),
        T(config_long_value_is_cut_in_message),
        T(config_each_secret_visits_all_secrets),
        T(config_each_secret_skips_unset_secrets),
        T(every_config_secret_is_redacted_in_logs),
        T(config_describe_lists_settings_without_secret_values),
        T(config_release_twice_is_harmless),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
