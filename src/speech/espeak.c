/* espeak.c — placeholder while the espeak-ng engine is being written. */
#include "speech/espeak.h"

#include "core/banned.h"

int espeak_synth_wav(const char *voice, const char *text, int rate_hz, struct buf *wav,
                     struct hl_err *err)
{
    (void)voice, (void)text, (void)rate_hz, (void)wav;
    return hl_err_set(err, HL_ECONFIG, "espeak-ng is not wired yet");
}
