/*
 * espeak.h — the embedded speech synthesiser: espeak-ng, linked as a library.
 *
 * Renders text as a WAV file that Twilio's <Play> accepts (mono 16-bit PCM
 * at the rate asked for: 8000 Hz for phone audio). espeak-ng keeps global
 * state, so calls are serialised inside; any thread may call.
 */
#ifndef HL_SPEECH_ESPEAK_H
#define HL_SPEECH_ESPEAK_H

#include "core/buf.h"
#include "core/hl.h"

/*
 * Append to wav a whole WAV file (RIFF header included) of text spoken by
 * voice (an espeak-ng voice name such as "en-us", "en+f3"; NULL: "en-us"),
 * resampled to rate_hz (8000 or 16000). HL_EINVAL for an unknown voice or
 * empty text; HL_ETOOLARGE when wav's ceiling is reached.
 */
int espeak_synth_wav(const char *voice, const char *text, int rate_hz, struct buf *wav,
                     struct hl_err *err);

#endif
