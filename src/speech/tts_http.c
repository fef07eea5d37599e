/*
 * tts_http.c — one request to guide 000's TTS API (POST {base}/api/tts).
 *
 * A fresh libcurl easy handle per request: renders are rare (the cache
 * answers repeats) and run on the sender pool, so connection reuse is not
 * worth shared state. The body is capped while it streams in.
 */
#include "speech/tts_http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/banned.h"

struct fetch {
    CURL *curl;
    struct curl_slist *headers;
    char *form;
    struct buf *audio;
};

/* text=...&voice_id=..., percent-encoded. */
static char *form_body(CURL *c, const char *voice_id, const char *text)
{
    char *t = curl_easy_escape(c, text, 0), *v = curl_easy_escape(c, voice_id, 0), *out = NULL;
    struct buf b = BUF_INIT(1 << 20);

    if (t && v && buf_addf(&b, "text=%s&voice_id=%s", t, v) == HL_OK)
        out = buf_detach(&b, NULL);
    buf_release(&b);
    curl_free(t);
    curl_free(v);
    return out;
}

static void add_auth(struct fetch *f, const char *api_key)
{
    struct buf auth = BUF_INIT(4096);

    if (api_key && *api_key && buf_addf(&auth, "Authorization: Bearer %s", api_key) == HL_OK)
        f->headers = curl_slist_append(f->headers, buf_str(&auth));
    buf_release(&auth);
}

static int setup(struct fetch *f, const struct tts_http *h, const char *voice_id, const char *text,
                 struct hl_err *err)
{
    struct buf url = BUF_INIT(4096);
    size_t blen = strlen(h->base_url);

    while (blen && h->base_url[blen - 1] == '/')
        blen--;
    f->curl = curl_easy_init();
    f->form = f->curl ? form_body(f->curl, voice_id, text) : NULL;
    if (!f->form || buf_addf(&url, "%.*s/api/tts", (int)blen, h->base_url) != HL_OK) {
        buf_release(&url);
        return hl_err_set(err, HL_EIO, "cannot set up the TTS request");
    }
    add_auth(f, h->api_key);
    f->headers = curl_slist_append(f->headers, "Accept: audio/mpeg, audio/wav;q=0.9");
    curl_easy_setopt(f->curl, CURLOPT_URL, buf_str(&url));
    curl_easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, f->headers);
    curl_easy_setopt(f->curl, CURLOPT_POSTFIELDS, f->form);
    curl_easy_setopt(f->curl, CURLOPT_TIMEOUT_MS, h->timeout_ms > 0 ? h->timeout_ms : 15000L);
    curl_easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(f->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)TTS_HTTP_MAX_BYTES);
    curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, buf_write_callback);
    curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, f->audio);
    curl_easy_setopt(f->curl, CURLOPT_USERAGENT, "hotline/" HL_VERSION);
    buf_release(&url); /* libcurl copies the URL */
    return HL_OK;
}

/* MP3 or WAV from the answer's Content-Type (parameters ignored); -1 otherwise. */
static int audio_kind(const char *ct)
{
    static const struct {
        const char *type;
        enum tts_audio kind;
    } types[] = {{"audio/mpeg", TTS_AUDIO_MP3}, {"audio/mp3", TTS_AUDIO_MP3},
                 {"audio/wav", TTS_AUDIO_WAV},  {"audio/x-wav", TTS_AUDIO_WAV},
                 {"audio/wave", TTS_AUDIO_WAV}, {"audio/vnd.wave", TTS_AUDIO_WAV}};
    size_t i, n;

    if (!ct)
        return -1;
    n = strcspn(ct, "; \t");
    for (i = 0; i < HL_ARRAY_LEN(types); i++)
        if (strlen(types[i].type) == n && strncasecmp(ct, types[i].type, n) == 0)
            return (int)types[i].kind;
    return -1;
}

static int transfer_error(CURLcode cc, struct hl_err *err)
{
    if (cc == CURLE_WRITE_ERROR || cc == CURLE_FILESIZE_EXCEEDED)
        return hl_err_set(err, HL_ETOOLARGE, "TTS audio is over %u bytes", TTS_HTTP_MAX_BYTES);
    if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST)
        return hl_err_set(err, HL_EUNREACHABLE, "TTS service unreachable: %s",
                          curl_easy_strerror(cc));
    return hl_err_set(err, HL_EUNKNOWN, "TTS request failed: %s", curl_easy_strerror(cc));
}

static int check_answer(struct fetch *f, enum tts_audio *kind, struct hl_err *err)
{
    long status = 0;
    char *ct = NULL;
    int k;

    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &ct);
    if (status < 200 || status > 299)
        return hl_err_set(err, HL_EREMOTE, "TTS service answered HTTP %ld", status);
    if ((k = audio_kind(ct)) < 0)
        return hl_err_set(err, HL_EREMOTE, "TTS service answered %.60s, not MP3 or WAV audio",
                          ct ? ct : "no Content-Type");
    if (f->audio->len == 0)
        return hl_err_set(err, HL_EREMOTE, "TTS service answered no audio");
    *kind = (enum tts_audio)k;
    return HL_OK;
}

int tts_http_fetch(const struct tts_http *h, const char *voice_id, const char *text,
                   struct buf *audio, enum tts_audio *kind, struct hl_err *err)
{
    struct fetch f = {0};
    CURLcode cc;
    int rc;

    f.audio = audio;
    if ((rc = setup(&f, h, voice_id, text, err)) != HL_OK)
        goto out;
    cc = curl_easy_perform(f.curl);
    rc = cc != CURLE_OK ? transfer_error(cc, err) : check_answer(&f, kind, err);
out:
    curl_slist_free_all(f.headers);
    if (f.curl)
        curl_easy_cleanup(f.curl);
    free(f.form);
    return rc;
}
