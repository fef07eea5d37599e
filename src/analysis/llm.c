/*
 * llm.c — asking a language model for the analysis, as strict JSON.
 *
 * Two wire protocols over libcurl: Ollama's POST {base}/api/chat with
 * "format":"json" and "stream":false (the answer's message.content), and the
 * OpenAI-compatible POST {base}/v1/chat/completions with a bearer key and
 * response_format json_object (choices[0].message.content). The content must
 * be exactly {"intent","when_local","summary","ideas"}; anything else, an
 * HTTP error or a timeout is an error here, and analysis.c falls back to the
 * rules. Error messages never carry the key or the transcript.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/buf.h"
#include "core/banned.h"

#define LLM_MAX_ANSWER  (1 << 20)
#define LLM_MAX_SUMMARY 512

static const char system_prompt[] =
    "You analyse the transcript of a phone call to a business. Answer with one JSON object and "
    "nothing else, with exactly these four keys: \"intent\": one of \"booking\", \"question\", "
    "\"complaint\", \"opt_out\", \"other\" (a caller who asks not to be contacted again is "
    "\"opt_out\" whatever else they say; cancelling or moving a visit is \"booking\"); "
    "\"when_local\": the date and time the caller asked for, as ISO-8601 local time with its UTC "
    "offset in the caller's time zone (for example 2026-11-24T15:00:00-05:00), resolved against "
    "the call time, or null if they named none (null for a cancellation; the new time for a "
    "move); "
    "\"summary\": one sentence of at most 200 characters; \"ideas\": an array of strings, the "
    "actionable sentences (tasks, suggestions, things to remember), empty if there are none.";

struct llm_call {
    CURL *curl;
    struct curl_slist *headers;
    char *body;
    struct buf answer;
};

static int is_openai(const struct analyzer *z)
{
    return strcmp(z->engine, "openai") == 0;
}

static char *user_message(const struct analyzer *z, const char *transcript, time_t call_time)
{
    static const char *const wd[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};
    struct buf b = BUF_INIT(LLM_MAX_ANSWER);
    char local[40];
    struct civil c = {0};

    tz_format(z->timezone, call_time, local);
    tz_to_civil(z->timezone, call_time, &c);
    buf_addf(&b, "Call time: %s (%s), time zone %s.\nTranscript:\n", local,
             wd[civil_weekday(civil_days(c.y, c.m, c.d))], z->timezone);
    buf_add(&b, transcript, strnlen(transcript, LLM_MAX_ANSWER / 2));
    return buf_detach(&b, NULL);
}

static json_t *message(const char *role, const char *content)
{
    return json_pack("{s:s, s:s}", "role", role, "content", content);
}

static char *request_body(const struct analyzer *z, const char *user)
{
    json_t *msgs = json_array(), *o;
    char *s;

    json_array_append_new(msgs, message("system", system_prompt));
    json_array_append_new(msgs, message("user", user));
    if (is_openai(z))
        o = json_pack("{s:s, s:o, s:{s:s}, s:i}", "model", z->model, "messages", msgs,
                      "response_format", "type", "json_object", "temperature", 0);
    else
        o = json_pack("{s:s, s:b, s:s, s:o, s:{s:i}}", "model", z->model, "stream", 0, "format",
                      "json", "messages", msgs, "options", "temperature", 0);
    s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return s;
}

static void add_auth(struct llm_call *c, const char *api_key)
{
    struct buf auth = BUF_INIT(4096);

    if (api_key && buf_addf(&auth, "Authorization: Bearer %s", api_key) == HL_OK)
        c->headers = curl_slist_append(c->headers, buf_str(&auth));
    if (auth.ptr)
        memset(auth.ptr, 0, auth.len);
    buf_release(&auth);
}

static int setup(struct llm_call *c, const struct analyzer *z, const char *user, struct hl_err *err)
{
    struct buf url = BUF_INIT(4096);
    size_t blen = strlen(z->base_url);

    while (blen && z->base_url[blen - 1] == '/')
        blen--;
    c->curl = curl_easy_init();
    c->body = request_body(z, user);
    if (!c->curl || !c->body ||
        buf_addf(&url, "%.*s%s", (int)blen, z->base_url,
                 is_openai(z) ? "/v1/chat/completions" : "/api/chat") != HL_OK) {
        buf_release(&url);
        return hl_err_set(err, HL_EIO, "cannot set up the LLM request");
    }
    if (is_openai(z))
        add_auth(c, z->api_key);
    c->headers = curl_slist_append(c->headers, "Content-Type: application/json");
    curl_easy_setopt(c->curl, CURLOPT_URL, buf_str(&url));
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, c->body);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, z->timeout_ms);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, buf_write_callback);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->answer);
    curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "hotline/" HL_VERSION);
    buf_release(&url);
    return HL_OK;
}

static int perform(struct llm_call *c, struct hl_err *err)
{
    CURLcode cc = curl_easy_perform(c->curl);
    long status = 0;

    if (cc == CURLE_WRITE_ERROR)
        return hl_err_set(err, HL_ETOOLARGE, "LLM answer is over %d bytes", LLM_MAX_ANSWER);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return hl_err_set(err, HL_EUNKNOWN, "LLM request timed out");
    if (cc != CURLE_OK)
        return hl_err_set(err, HL_EUNREACHABLE, "LLM request failed: %s", curl_easy_strerror(cc));
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299)
        return hl_err_set(err, HL_EREMOTE, "LLM service answered HTTP %ld", status);
    return HL_OK;
}

/* The model's text: message.content (Ollama) or choices[0].message.content (OpenAI). */
static json_t *answer_content(const struct analyzer *z, const char *answer, struct hl_err *err)
{
    json_t *root = json_loads(answer, 0, NULL), *msg, *content;
    char *copy;

    msg = is_openai(z)
              ? json_object_get(json_array_get(json_object_get(root, "choices"), 0), "message")
              : json_object_get(root, "message");
    content = json_object_get(msg, "content");
    if (!json_is_string(content)) {
        json_decref(root);
        hl_err_set(err, HL_EREMOTE, "LLM answer has no %s",
                   is_openai(z) ? "choices[0].message.content" : "message.content");
        return NULL;
    }
    copy = hl_strdup(json_string_value(content));
    json_decref(root);
    root = json_loads(copy, JSON_REJECT_DUPLICATES, NULL);
    free(copy);
    if (!json_is_object(root)) {
        json_decref(root);
        hl_err_set(err, HL_EREMOTE, "LLM content is not a JSON object");
        return NULL;
    }
    return root;
}

static int check_keys(const json_t *o, struct hl_err *err)
{
    static const char *const keys[] = {"intent", "when_local", "summary", "ideas"};
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(keys); i++)
        if (!json_object_get(o, keys[i]))
            return hl_err_set(err, HL_EREMOTE, "LLM content lacks \"%s\"", keys[i]);
    if (json_object_size(o) != HL_ARRAY_LEN(keys))
        return hl_err_set(err, HL_EREMOTE, "LLM content has keys besides the four asked for");
    return HL_OK;
}

static int take_intent(const json_t *v, struct analysis *a, struct hl_err *err)
{
    const char *s = json_string_value(v);
    int i;

    for (i = 0; s && i <= ANALYSIS_OTHER; i++)
        if (!strcmp(s, analysis_intent_name((enum analysis_intent)i))) {
            a->intent = (enum analysis_intent)i;
            return HL_OK;
        }
    return hl_err_set(err, HL_EREMOTE, "LLM intent is not one of the five");
}

static int take_when(const struct analyzer *z, const json_t *v, struct analysis *a,
                     struct hl_err *err)
{
    if (json_is_null(v))
        return HL_OK;
    if (!json_is_string(v) || tz_parse_iso(json_string_value(v), &a->when) != 0)
        return hl_err_set(err, HL_EREMOTE, "LLM when_local is not ISO-8601 with an offset");
    a->has_time = 1;
    tz_format(z->timezone, a->when, a->when_local);
    return HL_OK;
}

static int take_summary(const json_t *v, struct analysis *a, struct hl_err *err)
{
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;

    if (!s || !n || n > LLM_MAX_SUMMARY || strlen(s) != n)
        return hl_err_set(err, HL_EREMOTE, "LLM summary is not a string of 1 to %d bytes",
                          LLM_MAX_SUMMARY);
    if (n >= sizeof(a->summary))
        for (n = sizeof(a->summary) - 1; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80;)
            n--;
    memcpy(a->summary, s, n);
    a->summary[n] = '\0';
    return HL_OK;
}

static int take_ideas(const json_t *v, struct analysis *a, struct hl_err *err)
{
    size_t i;
    json_t *idea;

    if (!json_is_array(v))
        return hl_err_set(err, HL_EREMOTE, "LLM ideas is not an array");
    json_array_foreach(v, i, idea)
    {
        if (!json_is_string(idea))
            return hl_err_set(err, HL_EREMOTE, "LLM ideas has a member that is not a string");
    }
    json_array_foreach(v, i, idea)
    {
        analysis_add_idea(a, json_string_value(idea), strlen(json_string_value(idea)));
    }
    return HL_OK;
}

static int validate(const struct analyzer *z, const json_t *o, struct analysis *a,
                    struct hl_err *err)
{
    int rc;

    if ((rc = check_keys(o, err)) != HL_OK ||
        (rc = take_intent(json_object_get(o, "intent"), a, err)) != HL_OK ||
        (rc = take_when(z, json_object_get(o, "when_local"), a, err)) != HL_OK ||
        (rc = take_summary(json_object_get(o, "summary"), a, err)) != HL_OK)
        return rc;
    return take_ideas(json_object_get(o, "ideas"), a, err);
}

int llm_analyze(const struct analyzer *z, const char *transcript, time_t call_time,
                struct analysis *out, struct hl_err *err)
{
    struct llm_call c = {0};
    char *user = user_message(z, transcript, call_time);
    json_t *content = NULL;
    int rc;

    buf_init(&c.answer, LLM_MAX_ANSWER);
    memset(out, 0, sizeof(*out));
    if ((rc = setup(&c, z, user, err)) != HL_OK || (rc = perform(&c, err)) != HL_OK)
        goto out;
    if (!(content = answer_content(z, buf_str(&c.answer), err))) {
        rc = HL_EREMOTE;
        goto out;
    }
    if ((rc = validate(z, content, out, err)) == HL_OK)
        snprintf(out->engine, sizeof(out->engine), "%s", z->engine);
out:
    if (rc != HL_OK)
        analysis_release(out);
    json_decref(content);
    curl_slist_free_all(c.headers);
    if (c.curl)
        curl_easy_cleanup(c.curl);
    buf_release(&c.answer);
    free(c.body);
    free(user);
    return rc;
}
