/*
 * asr_internal.h — what asr.c shares with its engines (private to src/speech/).
 *
 * asr.c owns the public struct and dispatches; asr_sphinx.c and asr_openai.c
 * each keep their own state behind an opaque pointer.
 */
#ifndef HL_SPEECH_ASR_INTERNAL_H
#define HL_SPEECH_ASR_INTERNAL_H

#include <stdint.h>

#include "speech/asr.h"

struct asr_sphinx;
struct asr_openai;

int asr_sphinx_new(struct asr_sphinx **out, const struct asr_options *o, struct hl_err *err);
void asr_sphinx_free(struct asr_sphinx *s);
/* The sample rate the decoder's front end expects (its -samprate). */
int asr_sphinx_rate(const struct asr_sphinx *s);
/* Recognise n samples of 16-bit PCM at that rate into out->text and out->confidence. */
int asr_sphinx_run(struct asr_sphinx *s, const int16_t *pcm, size_t n, struct asr_result *out,
                   struct hl_err *err);

int asr_openai_new(struct asr_openai **out, const struct asr_options *o, struct hl_err *err);
void asr_openai_free(struct asr_openai *c);
/* Upload the WAV as it is; fills out->text. */
int asr_openai_run(struct asr_openai *c, const void *wav, size_t len, struct asr_result *out,
                   struct hl_err *err);

/*
 * Text as asr_result holds it: lowercase, punctuation other than in-word
 * apostrophes dropped, single spaces. A new heap string.
 */
char *asr_normalize(const char *text);

#endif
