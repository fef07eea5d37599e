/*
 * analysis.c — the analyzer: options, the choice of engine with its fallback
 * to the rules, releasing results and their JSON form.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/log.h"
#include "core/banned.h"

static const char *const intent_names[] = {"booking", "question", "complaint", "opt_out", "other"};

const char *analysis_intent_name(enum analysis_intent intent)
{
    return (unsigned)intent <= ANALYSIS_OTHER ? intent_names[intent] : "other";
}

static char *dup_or(const char *s, const char *fallback)
{
    return s && *s ? hl_strdup(s) : fallback ? hl_strdup(fallback) : NULL;
}

int analyzer_new(const struct analysis_options *opt, struct analyzer **out, struct hl_err *err)
{
    const char *engine = opt->engine && *opt->engine ? opt->engine : "rules";
    const char *zone = opt->timezone && *opt->timezone ? opt->timezone : "America/New_York";
    struct analyzer *z;
    int ollama = !strcmp(engine, "ollama");

    *out = NULL;
    if (strcmp(engine, "rules") && !ollama && strcmp(engine, "openai"))
        return hl_err_set(err, HL_ECONFIG, "unknown analysis engine \"%.20s\"", engine);
    if (!tz_valid(zone))
        return hl_err_set(err, HL_ECONFIG, "unknown time zone \"%.60s\"", zone);
    z = hl_calloc(1, sizeof(*z));
    snprintf(z->engine, sizeof(z->engine), "%s", engine);
    snprintf(z->timezone, sizeof(z->timezone), "%s", zone);
    z->base_url =
        dup_or(opt->base_url, ollama ? "http://127.0.0.1:11434" : "https://api.openai.com");
    z->model = dup_or(opt->model, ollama ? "llama3.2" : "gpt-4o-mini");
    z->api_key = dup_or(opt->api_key, NULL);
    z->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 20000;
    *out = z;
    return HL_OK;
}

void analyzer_free(struct analyzer *z)
{
    if (!z)
        return;
    free(z->base_url);
    free(z->model);
    if (z->api_key) {
        memset(z->api_key, 0, strlen(z->api_key));
        free(z->api_key);
    }
    free(z);
}

const char *analyzer_engine(const struct analyzer *z)
{
    return z->engine;
}

int analysis_run(struct analyzer *z, const char *transcript, time_t call_time, struct analysis *out,
                 struct hl_err *err)
{
    struct hl_err why = {0};

    memset(out, 0, sizeof(*out));
    if (!transcript)
        return hl_err_set(err, HL_EINVAL, "no transcript");
    if (strcmp(z->engine, "rules") != 0) {
        if (llm_analyze(z, transcript, call_time, out, &why) == HL_OK)
            return HL_OK;
        log_warn("analysis: LLM answer not used, the rules answer instead",
                 LOG_S("engine", z->engine), LOG_S("reason", why.msg));
    }
    rules_analyze(z, transcript, call_time, out);
    return HL_OK;
}

void analysis_release(struct analysis *a)
{
    size_t i;

    for (i = 0; i < a->n_ideas; i++)
        free(a->ideas[i]);
    free(a->ideas);
    memset(a, 0, sizeof(*a));
}

static json_t *when_utc(const struct analysis *a)
{
    struct civil c;
    long days = (long)(a->when / 86400), secs = (long)(a->when % 86400);
    char s[32];

    if (secs < 0)
        secs += 86400, days--;
    civil_from_days(days, &c.y, &c.m, &c.d);
    snprintf(s, sizeof(s), "%04d-%02d-%02dT%02ld:%02ld:%02ldZ", c.y, c.m, c.d, secs / 3600,
             secs % 3600 / 60, secs % 60);
    return json_string(s);
}

/* A JSON string of s; bytes of invalid UTF-8 become '?' rather than losing the field. */
static json_t *text_json(const char *s)
{
    json_t *j = json_string(s);
    char *copy;
    size_t i;

    if (j)
        return j;
    copy = hl_strdup(s);
    for (i = 0; copy[i]; i++)
        if ((unsigned char)copy[i] >= 0x80)
            copy[i] = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

char *analysis_to_json(const struct analysis *a)
{
    json_t *o = json_object(), *ideas = json_array();
    char *s;
    size_t i;

    for (i = 0; i < a->n_ideas; i++)
        json_array_append_new(ideas, text_json(a->ideas[i]));
    json_object_set_new(o, "intent", json_string(analysis_intent_name(a->intent)));
    json_object_set_new(o, "when", a->has_time ? when_utc(a) : json_null());
    json_object_set_new(o, "when_local", a->has_time ? json_string(a->when_local) : json_null());
    json_object_set_new(o, "summary", text_json(a->summary));
    json_object_set_new(o, "ideas", ideas);
    json_object_set_new(o, "engine", json_string(a->engine));
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}
