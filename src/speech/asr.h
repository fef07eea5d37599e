/*
 * asr.h — speech recognition for the recording pipeline: a WAV recording in,
 * its words out.
 *
 * Three engines behind one interface:
 *
 *   "pocketsphinx"  CMU PocketSphinx linked as a library, with Debian's en-us
 *                   acoustic model fed phone audio resampled to 16 kHz
 *                   (docs/asr.md has the measured figures and why). Nothing to pay for
 *                   and nothing leaves the machine.
 *   "openai"        an OpenAI-compatible API: POST {base_url}/v1/audio/transcriptions
 *                   (multipart/form-data: file, model, response_format=json),
 *                   Authorization: Bearer {api_key}; the answer's "text" is the result.
 *   "none"          recognition switched off: every transcription is empty (HL_OK).
 *
 * Audio is what Twilio records: mono WAV, 8-bit G.711 μ-law or 16-bit PCM, at
 * 8 kHz (other rates are resampled). An asr is created once (pocketsphinx
 * loads its model then, about a second) and may be shared by any number of
 * threads: asr_transcribe() takes a decoder from a small pool or builds one.
 */
#ifndef HL_SPEECH_ASR_H
#define HL_SPEECH_ASR_H

#include <stddef.h>

#include "core/hl.h"

/* The longest recording transcribed; longer ones are HL_ETOOLARGE. */
#define ASR_MAX_SECONDS 3600
/* The largest WAV the openai engine uploads (the API's own limit is 25 MB). */
#define ASR_OPENAI_MAX_BYTES (25u << 20)

struct asr;

struct asr_options {
    const char *engine;   /* "pocketsphinx" (NULL means this), "openai" or "none" */
    const char *base_url; /* openai: e.g. "https://api.openai.com"; no trailing '/' needed */
    const char *api_key;  /* openai: sent as a Bearer token, never logged nor put in hl_err */
    const char *model;    /* openai: NULL means "whisper-1" */
    const char *model_dir; /* pocketsphinx: a directory holding en-us/ (the acoustic model),
                              en-us.lm.bin and cmudict-en-us.dict; NULL means Debian's
                              /usr/share/pocketsphinx/model/en-us */
    /*
     * Words and phrases the caller expects ("yes", "no", "appointment",
     * "next monday at ten"): pocketsphinx mixes a small language model built
     * from them into its general one, so they win close calls. openai sends
     * them joined as the "prompt" field. May be NULL when n_phrases is 0.
     * `hotline serve` passes flows_vocabulary() (flows/flow.h) to pocketsphinx.
     */
    const char *const *phrases;
    size_t n_phrases;
    /* pocketsphinx: the phrase model's share of the mix, between 0 and 1; 0 (or out of
       range) means 0.3 */
    double phrase_weight;
    long timeout_ms; /* openai: the whole request; 0 means 60000 */
    /*
     * pocketsphinx only, for measurement and tuning: name/value pairs of
     * PocketSphinx command-line options ("-lw", "8.0", ...) applied after
     * hotline's own settings. n_sphinx_args counts strings (it is even).
     */
    const char *const *sphinx_args;
    size_t n_sphinx_args;
};

struct asr_result {
    char *text;        /* lowercase words separated by single spaces; "" for silence. The
                          caller releases it with asr_result_release() */
    double confidence; /* 0..1 (pocketsphinx: posterior of the best path); < 0 unknown */
    double duration_s; /* seconds of audio */
    char engine[24];   /* which engine answered */
};

/*
 * Create a recogniser from o (copied: o's strings need not outlive the
 * call). HL_ECONFIG, with err saying why, for an unknown engine, a missing
 * model or an openai engine without base_url; the caller frees *out with
 * asr_free(). pocketsphinx's own log output is switched off (it is
 * process-wide, as the library keeps it).
 */
int asr_new(struct asr **out, const struct asr_options *o, struct hl_err *err);

/* Free a recogniser and its decoders; NULL is fine. No call may be running. */
void asr_free(struct asr *a);

/*
 * Transcribe one WAV file of len bytes into *out (zeroed first; release it
 * with asr_result_release() whatever is returned). HL_EINVAL when the bytes
 * are not a mono PCM16/μ-law WAV; HL_ETOOLARGE past ASR_MAX_SECONDS (or
 * ASR_OPENAI_MAX_BYTES for openai). openai: HL_EUNREACHABLE when the service
 * cannot be reached, HL_EREMOTE for an error answer (401, 5xx, no "text"),
 * HL_EUNKNOWN for a timeout. Safe to call from many threads at once.
 */
int asr_transcribe(struct asr *a, const void *wav, size_t len, struct asr_result *out,
                   struct hl_err *err);

/* Free what a result holds and zero it; a zeroed result is fine. */
void asr_result_release(struct asr_result *r);

/*
 * Word error rate of hyp against ref: (substitutions + deletions +
 * insertions) / words of ref, by Levenshtein distance over words after both
 * are lowercased and stripped of punctuation (an apostrophe inside a word
 * stays: "don't"). *errors and *ref_words (either may be NULL) get the
 * counts. An empty ref gives 0 for an empty hyp and 1 otherwise.
 */
double asr_wer(const char *ref, const char *hyp, size_t *errors, size_t *ref_words);

#endif
