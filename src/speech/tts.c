/* tts.c — placeholder while the TTS engines and cache are being written. */
#include "speech/tts.h"

#include <stdlib.h>

#include "core/banned.h"

struct tts {
    int unused;
};

int tts_new(struct tts **out, const struct tts_options *opt, struct hl_err *err)
{
    (void)opt, (void)err;
    *out = hl_calloc(1, sizeof(**out));
    return HL_OK;
}

void tts_free(struct tts *t)
{
    free(t);
}

int tts_lookup(struct tts *t, const char *voice, const char *text, char id[TTS_ID_SIZE],
               struct hl_err *err)
{
    (void)t, (void)voice, (void)text, (void)id;
    return hl_err_set(err, HL_ENOTFOUND, "not cached");
}

int tts_render(struct tts *t, const char *voice, const char *text, char id[TTS_ID_SIZE],
               struct hl_err *err)
{
    (void)t, (void)voice, (void)text, (void)id;
    return hl_err_set(err, HL_ECONFIG, "TTS is not wired yet");
}

int tts_media_find(struct tts *t, const char *id, struct tts_media *out, struct hl_err *err)
{
    (void)t, (void)id, (void)out;
    return hl_err_set(err, HL_ENOTFOUND, "no such media");
}
