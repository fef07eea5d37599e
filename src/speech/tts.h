/*
 * tts.h — text-to-speech for calls: the engine hotline speaks with, and the
 * cache of what it has said.
 *
 * Two engines (TTS_ENGINE): "espeak", the embedded one (espeak.h), and
 * "http", guide 000's API (POST {TTS_BASE_URL}/api/tts, Bearer TTS_API_KEY,
 * form fields text and voice_id; audio back). Voices are the guides' names
 * (naija_female, naija_male, ...) mapped to each engine's own.
 *
 * Audio is cached under MEDIA_DIR/tts/ by an id that is a keyed hash of
 * engine, voice and text: the same words are synthesised once, every
 * instance sharing MEDIA_DIR and the key finds them, and ids cannot be
 * guessed from the text. GET /media/{id} serves them.
 */
#ifndef HL_SPEECH_TTS_H
#define HL_SPEECH_TTS_H

#include "core/hl.h"

/* A media id: 32 lowercase hex digits and NUL. */
#define TTS_ID_SIZE 33

struct tts;

struct tts_options {
    const char *engine;        /* "espeak" or "http" */
    const char *base_url;      /* http engine */
    const char *api_key;       /* http engine's bearer key */
    const char *default_voice; /* used when a call passes NULL */
    const char *media_dir;     /* cache root; tts/ is made under it */
    const char *id_key;        /* secret that keys media ids (the auth token) */
    long timeout_ms;           /* http engine, whole request; 0: 15000 */
};

int tts_new(struct tts **out, const struct tts_options *opt, struct hl_err *err);
void tts_free(struct tts *t);

/*
 * The id of (voice, text) when its audio is already cached; HL_ENOTFOUND
 * when not — id is filled then too, so a caller can hand out the media URL
 * before rendering (POST /api/calls/{sid}/say does). HL_EINVAL, with err
 * starting "text:" or "voice:", for empty or over-long text or a voice name
 * that is not letters, digits and _ . + - (whether espeak-ng has the voice is
 * only known when rendering). Cheap (no synthesis): safe on any thread.
 */
int tts_lookup(struct tts *t, const char *voice, const char *text, char id[TTS_ID_SIZE],
               struct hl_err *err);

/*
 * Synthesise (voice, text) unless cached, store it atomically, and give its
 * id. Blocks for the synthesis or the HTTP request: never call it on an
 * HTTP thread or the store's writer thread. Errors: HL_EINVAL as for
 * tts_lookup() and for a voice espeak-ng does not have ("voice: ...");
 * the http engine's HL_EREMOTE, HL_EUNREACHABLE, HL_EUNKNOWN and
 * HL_ETOOLARGE (speech/tts_http.h); HL_EIO when the file cannot be written.
 */
int tts_render(struct tts *t, const char *voice, const char *text, char id[TTS_ID_SIZE],
               struct hl_err *err);

/* A cached file: its path (valid until tts_free) and Content-Type. HL_ENOTFOUND if none. */
struct tts_media {
    char path[512];
    char content_type[64];
    long long size_bytes;
};
int tts_media_find(struct tts *t, const char *id, struct tts_media *out, struct hl_err *err);

#endif
