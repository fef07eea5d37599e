/*
 * config.h — hotline's settings, read from the environment and a .env file.
 *
 * Every setting is one row of a table (config.c): its variable name, an
 * alias from the guides where one exists, its type, default, validator and
 * whether it is a secret. config_load() reads ".env" in the working directory
 * first, lets the real environment win, validates every value and fills a
 * struct config. A missing or malformed value fails with one line naming the
 * variable and what is wrong; a secret's value never appears in that line.
 */
#ifndef HL_CONFIG_H
#define HL_CONFIG_H

#include <stdio.h>

#include "core/hl.h"

struct config {
    /* listening and public address */
    char *host;
    long port;
    char *public_base_url; /* no trailing slash */
    long http_threads;
    long http_max_connections;
    long http_timeout_s;

    /* Twilio */
    char *twilio_account_sid;
    char *twilio_auth_token;
    char *twilio_api_key_sid;
    char *twilio_api_key_secret;
    char *twilio_phone_number;
    char *twilio_whatsapp_number;
    char *twilio_api_base; /* never NULL after config_load (see TWILIO_API_BASE) */
    long twilio_timeout_s;
    long recording_max_bytes;
    char *sim_account_file;

    /* storage */
    char *database_url;
    char *media_dir;

    /* flows, speech and analysis engines */
    char *flow;
    char *flows_dir;
    char *optout_phrases;
    char *tts_engine;
    char *tts_base_url;
    char *tts_api_key;
    char *tts_default_voice;
    char *asr_engine;
    char *asr_base_url;
    char *asr_phrases;      /* "auto": the flows' vocabulary goes to pocketsphinx; "off" */
    long asr_phrase_weight; /* percent of the phrase model in pocketsphinx's mix */
    char *openai_api_key;
    char *llm_engine;
    char *llm_base_url;
    char *llm_model;
    long workers;
    long job_lease_ms;
    int recordings_delete_after_download;

    /* the business, as the guides name it */
    char *business_name;
    char *company_name;
    char *call_purpose;
    char *owner_phone;
    char *timezone_default;
    int require_recording_consent;

    /* SMS notes (guide 004) */
    int sms_notes;          /* texts that are not keywords are notes; IDEAS answers */
    int encrypted_notes;    /* each note is sealed as a memo, its link sent to OWNER_PHONE */
    long notes_ideas_ttl_s; /* how long a sealed note's ideas stay in memory for IDEAS */

    /* what the voicemail greeting says */
    char *say_voice;
    char *voice_greeting;
    char *voice_thanks;
    long record_max_length;

    /* own API */
    char *api_keys_raw;
    char **api_keys; /* parsed from API_KEYS */
    size_t api_key_count;
    long api_sends_per_minute; /* 0: no limit */
    long api_send_burst;

    /* the emulator */
    long sim_port;
    long sim_rate_limit; /* REST requests per second per account; 0: no limit */

    /* logs */
    char *log_level;
    char *log_format;
};

/*
 * Fill cfg from dotenv_path (may be NULL or missing) and the environment.
 * On failure cfg holds nothing to release and err->msg is one line such as
 * "PORT: must be a whole number from 1 to 65535 (got \"80a\")".
 */
int config_load(struct config *cfg, const char *dotenv_path, struct hl_err *err);

/* Free everything config_load allocated. */
void config_release(struct config *cfg);

/* Is hotline talking to the built-in emulator (no Twilio account configured)? */
int config_emulator_mode(const struct config *cfg);

/* Print the table of settings (name, default, meaning) for --help. */
void config_describe(FILE *out);

/* Call fn for each secret value that is set (to register it with the logger). */
void config_each_secret(const struct config *cfg, void (*fn)(const char *secret));

#endif
