/*
 * asr_openai.c — the "openai" ASR engine: one upload to an OpenAI-compatible
 * transcription API (OpenAI's "Create transcription", whisper.cpp's server,
 * faster-whisper servers, ...):
 *
 *     POST {base_url}/v1/audio/transcriptions
 *     Authorization: Bearer {api_key}
 *     Content-Type: multipart/form-data
 *       file=@recording.wav (audio/wav), model=whisper-1, response_format=json
 *       [prompt=the expected phrases]
 *
 * answers {"text": "..."}; errors answer {"error": {"message": ...}}. As in
 * tts_http.c, a fresh easy handle per request, asked once, never retried.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "speech/asr_internal.h"

#include "core/banned.h"

/* The largest answer read: a transcript of an hour is well under this. */
#define ASR_OPENAI_MAX_ANSWER (4u << 20)

struct asr_openai {
    char *url; /* {base_url}/v1/audio/transcriptions */
    char *auth; /* "Authorization: Bearer ..." or NULL */
    char *model;
    char *prompt; /* the phrases joined, or NULL */
    long timeout_ms;
};

static char *join_phrases(const char *const *phrases, size_t n)
{
    struct buf b = BUF_INIT(4096); /* prompts beyond this help nobody */
    size_t i;

    for (i = 0; i < n; i++)
        if (phrases[i] && *phrases[i] && buf_addf(&b, "%s%s", b.len ? ", " : "", phrases[i]))
            break;
    return b.len ? buf_detach(&b, NULL) : (buf_release(&b), NULL);
}

int asr_openai_new(struct asr_openai **out, const struct asr_options *o, struct hl_err *err)
{
    struct asr_openai *c;
    struct buf b = BUF_INIT(4096);
    size_t blen = o->base_url ? strlen(o->base_url) : 0;

    while (blen && o->base_url[blen - 1] == '/')
        blen--;
    if (!blen)
        return hl_err_set(err, HL_ECONFIG, "the openai ASR engine needs a base URL");
    if (buf_addf(&b, "%.*s/v1/audio/transcriptions", (int)blen, o->base_url) != HL_OK) {
        buf_release(&b);
        return hl_err_set(err, HL_ECONFIG, "the ASR base URL is too long");
    }
    c = hl_calloc(1, sizeof(*c));
    c->url = buf_detach(&b, NULL);
    if (o->api_key && *o->api_key && buf_addf(&b, "Authorization: Bearer %s", o->api_key) == HL_OK)
        c->auth = buf_detach(&b, NULL);
    buf_release(&b);
    c->model = hl_strdup(o->model && *o->model ? o->model : "whisper-1");
    c->prompt = join_phrases(o->phrases, o->n_phrases);
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 60000L;
    *out = c;
    return HL_OK;
}

void asr_openai_free(struct asr_openai *c)
{
    if (!c)
        return;
    free(c->url);
    free(c->auth);
    free(c->model);
    free(c->prompt);
    free(c);
}

struct upload {
    CURL *curl;
    curl_mime *mime;
    struct curl_slist *headers;
    struct buf answer;
};

static void add_field(curl_mime *mime, const char *name, const char *value)
{
    curl_mimepart *part = curl_mime_addpart(mime);

    curl_mime_name(part, name);
    curl_mime_data(part, value, CURL_ZERO_TERMINATED);
}

static int setup(struct upload *u, const struct asr_openai *c, const void *wav, size_t len)
{
    curl_mimepart *file;

    if (!(u->curl = curl_easy_init()) || !(u->mime = curl_mime_init(u->curl)))
        return HL_EIO;
    file = curl_mime_addpart(u->mime);
    curl_mime_name(file, "file");
    curl_mime_data(file, wav, len); /* libcurl copies the bytes */
    curl_mime_filename(file, "recording.wav");
    curl_mime_type(file, "audio/wav");
    add_field(u->mime, "model", c->model);
    add_field(u->mime, "response_format", "json");
    if (c->prompt)
        add_field(u->mime, "prompt", c->prompt);
    if (c->auth)
        u->headers = curl_slist_append(u->headers, c->auth);
    u->headers = curl_slist_append(u->headers, "Accept: application/json");
    curl_easy_setopt(u->curl, CURLOPT_URL, c->url);
    curl_easy_setopt(u->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(u->curl, CURLOPT_HTTPHEADER, u->headers);
    curl_easy_setopt(u->curl, CURLOPT_MIMEPOST, u->mime);
    curl_easy_setopt(u->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(u->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(u->curl, CURLOPT_WRITEFUNCTION, buf_write_callback);
    curl_easy_setopt(u->curl, CURLOPT_WRITEDATA, &u->answer);
    curl_easy_setopt(u->curl, CURLOPT_USERAGENT, "hotline/" HL_VERSION);
    return HL_OK;
}

static int transfer_error(CURLcode cc, const struct asr_openai *c, struct hl_err *err)
{
    if (cc == CURLE_WRITE_ERROR)
        return hl_err_set(err, HL_EREMOTE, "ASR service answered over %u bytes",
                          ASR_OPENAI_MAX_ANSWER);
    if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST)
        return hl_err_set(err, HL_EUNREACHABLE, "ASR service unreachable: %s",
                          curl_easy_strerror(cc));
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return hl_err_set(err, HL_EUNKNOWN, "ASR service did not answer within %ld ms",
                          c->timeout_ms);
    return hl_err_set(err, HL_EUNKNOWN, "ASR request failed: %s", curl_easy_strerror(cc));
}

/*
 * The service's own words for an error answer, when it gave some and they do
 * not repeat the key (OpenAI's 401 quotes part of a wrong key back).
 */
static const char *remote_message(json_t *root, const struct asr_openai *c)
{
    json_t *e = json_object_get(root, "error");
    const char *m = json_string_value(json_is_object(e) ? json_object_get(e, "message") : e);
    const char *key = c->auth ? c->auth + strlen("Authorization: Bearer ") : NULL;

    if (!m || (key && *key && strstr(m, key)) || strstr(m, "sk-"))
        return "";
    return m;
}

static int read_answer(struct upload *u, const struct asr_openai *c, struct asr_result *out,
                       struct hl_err *err)
{
    long status = 0;
    json_t *root = json_loadb(u->answer.ptr ? u->answer.ptr : "", u->answer.len, 0, NULL);
    json_t *text = json_object_get(root, "text");
    const char *m;
    int rc = HL_OK;

    curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        m = remote_message(root, c);
        rc = hl_err_set(err, HL_EREMOTE, "ASR service answered HTTP %ld%s%.150s%s", status,
                        status == 401 ? " (check the API key)" : "", *m ? ": " : "", m);
    } else if (!json_is_string(text)) {
        rc = hl_err_set(err, HL_EREMOTE, "ASR service answered without a \"text\" string");
    } else {
        out->text = asr_normalize(json_string_value(text));
    }
    json_decref(root);
    return rc;
}

int asr_openai_run(struct asr_openai *c, const void *wav, size_t len, struct asr_result *out,
                   struct hl_err *err)
{
    struct upload u = {0};
    CURLcode cc;
    int rc;

    buf_init(&u.answer, ASR_OPENAI_MAX_ANSWER);
    if (len > ASR_OPENAI_MAX_BYTES) {
        rc = hl_err_set(err, HL_ETOOLARGE, "recording of %zu bytes is over the %u-byte upload limit",
                        len, ASR_OPENAI_MAX_BYTES);
        goto out;
    }
    if ((rc = setup(&u, c, wav, len)) != HL_OK) {
        rc = hl_err_set(err, rc, "cannot set up the ASR request");
        goto out;
    }
    cc = curl_easy_perform(u.curl);
    rc = cc != CURLE_OK ? transfer_error(cc, c, err) : read_answer(&u, c, out, err);
out:
    curl_slist_free_all(u.headers);
    curl_mime_free(u.mime);
    if (u.curl)
        curl_easy_cleanup(u.curl);
    buf_release(&u.answer);
    return rc;
}
