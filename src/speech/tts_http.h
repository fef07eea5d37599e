/*
 * tts_http.h — the "http" TTS engine: guide 000's text-to-speech API over
 * libcurl (private to src/speech/; tts.c is its only caller).
 *
 *     POST {base_url}/api/tts
 *     Authorization: Bearer {api_key}
 *     Content-Type: application/x-www-form-urlencoded
 *     text=...&voice_id=...
 *
 * answers 2xx with the audio (audio/mpeg in the guide; audio/wav is taken
 * too). Anything else is an error: the service is asked once, never retried.
 */
#ifndef HL_SPEECH_TTS_HTTP_H
#define HL_SPEECH_TTS_HTTP_H

#include "core/buf.h"
#include "core/hl.h"

/* The largest audio file accepted. */
#define TTS_HTTP_MAX_BYTES (16u << 20)

struct tts_http {
    const char *base_url; /* no trailing '/' needed */
    const char *api_key;  /* NULL or "": no Authorization header */
    long timeout_ms;      /* the whole request */
};

/* Which cached file an answer becomes. */
enum tts_audio { TTS_AUDIO_WAV, TTS_AUDIO_MP3 };

/*
 * Ask for (voice_id, text); append the audio to audio (whose ceiling should
 * be TTS_HTTP_MAX_BYTES) and say its kind. HL_EUNREACHABLE when the service
 * cannot be reached; HL_EREMOTE for a non-2xx answer, a Content-Type that is
 * not MP3 or WAV audio, or an empty body; HL_ETOOLARGE past the cap;
 * HL_EUNKNOWN for a timeout or a dropped answer. err never holds the key.
 */
int tts_http_fetch(const struct tts_http *h, const char *voice_id, const char *text,
                   struct buf *audio, enum tts_audio *kind, struct hl_err *err);

#endif
