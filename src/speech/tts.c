/*
 * tts.c — the TTS engines behind one interface, and the cache of their audio.
 *
 * A render is: map the guide's voice name to the engine's own, compute the
 * media id (a keyed hash of engine, engine voice and text), and if
 * MEDIA_DIR/tts/<id>.wav or .mp3 exists, that is the answer. Otherwise the
 * engine synthesises and the file is written with fs_write_atomic(): two
 * renders of the same id at once both write a temporary file and rename it
 * over the same name, so a reader sees one whole file or none, never a mix.
 * The extension carries the Content-Type, so no sidecar file is needed.
 */
#include "speech/tts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/fs.h"
#include "crypto/crypto.h"
#include "speech/espeak.h"
#include "speech/tts_http.h"
#include "core/banned.h"

/* Longest text and voice name taken (bytes); the API caps text lower. */
enum { TTS_MAX_TEXT = 64 * 1024, TTS_MAX_VOICE = 64, TTS_RATE_HZ = 8000 };

struct tts {
    int http; /* 0: espeak */
    char *base_url, *api_key, *default_voice, *dir, *id_key;
    long timeout_ms;
};

/* ---- Voices ----------------------------------------------------------------------------- */

/*
 * The guides' voices and Twilio's <Say> voices as espeak-ng voices. A name
 * not listed is given to espeak as it is (so "en-us" or "en+m2" work), and
 * espeak refuses one it does not have. Polly and Google names keep their
 * language and sex as far as English variants go; a suffix such as
 * "-Neural" is ignored.
 */
static const struct {
    const char *name;
    const char *espeak;
} voice_map[] = {
    {"naija_female", "en+f3"},     {"naija_male", "en+m3"},
    {"alice", "en-us+f3"},         {"woman", "en-us+f3"},
    {"man", "en-us+m3"},           {"Polly.Joanna", "en-us+f3"},
    {"Polly.Salli", "en-us+f3"},   {"Polly.Kimberly", "en-us+f3"},
    {"Polly.Kendra", "en-us+f3"},  {"Polly.Ivy", "en-us+f3"},
    {"Polly.Ruth", "en-us+f3"},    {"Polly.Danielle", "en-us+f3"},
    {"Polly.Matthew", "en-us+m3"}, {"Polly.Joey", "en-us+m3"},
    {"Polly.Justin", "en-us+m3"},  {"Polly.Kevin", "en-us+m3"},
    {"Polly.Gregory", "en-us+m3"}, {"Polly.Stephen", "en-us+m3"},
    {"Polly.Amy", "en-gb+f3"},     {"Polly.Emma", "en-gb+f3"},
    {"Polly.Brian", "en-gb+m3"},   {"Polly.Arthur", "en-gb+m3"},
    {"Polly.Nicole", "en+f3"},     {"Polly.Olivia", "en+f3"},
    {"Polly.Russell", "en+m3"},    {"Polly.Aditi", "en+f3"},
    {"Polly.Raveena", "en+f3"},
};

/* The espeak voice for a guide or Twilio voice name. */
static const char *espeak_voice(const char *name)
{
    size_t i, n = strcspn(name, "-");

    for (i = 0; i < HL_ARRAY_LEN(voice_map); i++)
        if (strcasecmp(name, voice_map[i].name) == 0 ||
            (strncmp(name, "Polly.", 6) == 0 && strlen(voice_map[i].name) == n &&
             strncasecmp(name, voice_map[i].name, n) == 0))
            return voice_map[i].espeak;
    if (strncmp(name, "Polly.", 6) == 0 || strncmp(name, "Google.", 7) == 0)
        return "en-us";
    return name;
}

/* Letters, digits and _ . + - only: a name goes into a hash and an error message, nothing else. */
static int voice_ok(const char *v)
{
    size_t n = strlen(v);

    return n > 0 && n <= TTS_MAX_VOICE &&
           strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == n;
}

/* The engine's voice for voice (NULL: the default), or HL_EINVAL naming it. */
static int engine_voice(const struct tts *t, const char *voice, const char **out,
                        struct hl_err *err)
{
    if (!voice || !*voice)
        voice = t->default_voice;
    if (!voice_ok(voice))
        return hl_err_set(err, HL_EINVAL, "voice: \"%.64s\" is not a voice name", voice);
    *out = t->http ? voice : espeak_voice(voice);
    return HL_OK;
}

/* ---- Lifecycle -------------------------------------------------------------------------- */

int tts_new(struct tts **out, const struct tts_options *opt, struct hl_err *err)
{
    struct tts *t;
    struct buf dir = BUF_INIT(4096);
    int rc;

    *out = NULL;
    if (!opt->engine || (strcmp(opt->engine, "espeak") != 0 && strcmp(opt->engine, "http") != 0))
        return hl_err_set(err, HL_ECONFIG, "TTS_ENGINE: \"%s\" is not espeak or http",
                          opt->engine ? opt->engine : "");
    if (strcmp(opt->engine, "http") == 0 && (!opt->base_url || !*opt->base_url))
        return hl_err_set(err, HL_ECONFIG, "TTS_BASE_URL: required when TTS_ENGINE=http");
    if (!opt->media_dir || buf_addf(&dir, "%s/tts", opt->media_dir) != HL_OK)
        return hl_err_set(err, HL_ECONFIG, "MEDIA_DIR: missing or too long");
    if ((rc = fs_mkdirs(buf_str(&dir), 0700, err)) != HL_OK) {
        buf_release(&dir);
        return rc;
    }
    t = hl_calloc(1, sizeof(*t));
    t->http = strcmp(opt->engine, "http") == 0;
    t->base_url = opt->base_url ? hl_strdup(opt->base_url) : NULL;
    t->api_key = opt->api_key ? hl_strdup(opt->api_key) : NULL;
    t->default_voice = hl_strdup(opt->default_voice ? opt->default_voice : "naija_female");
    t->id_key = hl_strdup(opt->id_key ? opt->id_key : "");
    t->dir = buf_detach(&dir, NULL);
    t->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 15000;
    *out = t;
    return HL_OK;
}

void tts_free(struct tts *t)
{
    if (!t)
        return;
    if (t->api_key)
        crypto_wipe(t->api_key, strlen(t->api_key));
    crypto_wipe(t->id_key, strlen(t->id_key));
    free(t->base_url);
    free(t->api_key);
    free(t->default_voice);
    free(t->dir);
    free(t->id_key);
    free(t);
}

/* ---- Ids and files ---------------------------------------------------------------------- */

/* First 32 hex digits of HMAC-SHA256(id_key, engine "\n" voice "\n" text). */
static int media_id(const struct tts *t, const char *voice, const char *text, char id[TTS_ID_SIZE],
                    struct hl_err *err)
{
    struct crypto_hmac *h = crypto_hmac_new(CRYPTO_SHA256, t->id_key, strlen(t->id_key));
    const char *engine = t->http ? "http" : "espeak";
    unsigned char mac[CRYPTO_SHA256_LEN];
    char hex[CRYPTO_SHA256_HEX_SIZE];
    int rc = h ? HL_OK : HL_EIO;

    if (rc == HL_OK &&
        ((rc = crypto_hmac_update(h, engine, strlen(engine))) ||
         (rc = crypto_hmac_update(h, "\n", 1)) ||
         (rc = crypto_hmac_update(h, voice, strlen(voice))) ||
         (rc = crypto_hmac_update(h, "\n", 1)) ||
         (rc = crypto_hmac_update(h, text, strlen(text))) || (rc = crypto_hmac_final(h, mac))))
        rc = HL_EIO;
    crypto_hmac_free(h);
    if (rc != HL_OK)
        return hl_err_set(err, HL_EIO, "cannot compute a media id");
    crypto_hex_encode(hex, mac, 16);
    memcpy(id, hex, TTS_ID_SIZE - 1);
    id[TTS_ID_SIZE - 1] = '\0';
    return HL_OK;
}

static const struct {
    const char *ext;
    const char *content_type;
} media_types[] = {{"wav", "audio/x-wav"}, {"mp3", "audio/mpeg"}};

/* Stat MEDIA_DIR/tts/<id>.<ext> for each known type; fill out with the first found. */
static int find_file(const struct tts *t, const char *id, struct tts_media *out)
{
    struct stat st;
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(media_types); i++) {
        int n = snprintf(out->path, sizeof(out->path), "%s/%s.%s", t->dir, id, media_types[i].ext);

        if (n < 0 || (size_t)n >= sizeof(out->path))
            return HL_ENOTFOUND;
        if (stat(out->path, &st) == 0 && S_ISREG(st.st_mode)) {
            snprintf(out->content_type, sizeof(out->content_type), "%s",
                     media_types[i].content_type);
            out->size_bytes = (long long)st.st_size;
            return HL_OK;
        }
    }
    return HL_ENOTFOUND;
}

/* Exactly 32 lowercase hex digits: anything else never reaches the file system. */
static int id_ok(const char *id)
{
    return id && strlen(id) == TTS_ID_SIZE - 1 && strspn(id, "0123456789abcdef") == TTS_ID_SIZE - 1;
}

int tts_media_find(struct tts *t, const char *id, struct tts_media *out, struct hl_err *err)
{
    if (!id_ok(id) || find_file(t, id, out) != HL_OK)
        return hl_err_set(err, HL_ENOTFOUND, "no such media");
    return HL_OK;
}

/* The id of (voice, text) after checking both. */
static int prepare(struct tts *t, const char *voice, const char *text, const char **ev,
                   char id[TTS_ID_SIZE], struct hl_err *err)
{
    int rc;

    if (!text || !*text)
        return hl_err_set(err, HL_EINVAL, "text: required");
    if (strlen(text) > TTS_MAX_TEXT)
        return hl_err_set(err, HL_EINVAL, "text: longer than %d bytes", TTS_MAX_TEXT);
    if ((rc = engine_voice(t, voice, ev, err)) != HL_OK)
        return rc;
    return media_id(t, *ev, text, id, err);
}

int tts_lookup(struct tts *t, const char *voice, const char *text, char id[TTS_ID_SIZE],
               struct hl_err *err)
{
    struct tts_media m;
    const char *ev;
    int rc = prepare(t, voice, text, &ev, id, err);

    if (rc == HL_OK && find_file(t, id, &m) != HL_OK)
        rc = hl_err_set(err, HL_ENOTFOUND, "not cached");
    return rc;
}

/* ---- Rendering -------------------------------------------------------------------------- */

static int synthesise(struct tts *t, const char *ev, const char *text, struct buf *audio,
                      const char **ext, struct hl_err *err)
{
    struct tts_http h = {t->base_url, t->api_key, t->timeout_ms};
    enum tts_audio kind = TTS_AUDIO_WAV;
    int rc;

    if (!t->http) {
        *ext = "wav";
        return espeak_synth_wav(ev, text, TTS_RATE_HZ, audio, err);
    }
    rc = tts_http_fetch(&h, ev, text, audio, &kind, err);
    *ext = kind == TTS_AUDIO_MP3 ? "mp3" : "wav";
    return rc;
}

int tts_render(struct tts *t, const char *voice, const char *text, char id[TTS_ID_SIZE],
               struct hl_err *err)
{
    struct buf audio = BUF_INIT(TTS_HTTP_MAX_BYTES);
    struct tts_media m;
    const char *ev, *ext = "wav";
    int rc = prepare(t, voice, text, &ev, id, err);

    if (rc != HL_OK || find_file(t, id, &m) == HL_OK)
        return rc;
    rc = synthesise(t, ev, text, &audio, &ext, err);
    if (rc == HL_OK) {
        snprintf(m.path, sizeof(m.path), "%s/%s.%s", t->dir, id, ext);
        rc = fs_write_atomic(m.path, audio.ptr, audio.len, 0600, err);
    }
    buf_release(&audio);
    return rc;
}
