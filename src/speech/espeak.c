/*
 * espeak.c — espeak-ng as a library: text to a WAV file for <Play>.
 *
 * espeak-ng keeps its state in globals (the current voice, the synth
 * callback, its phoneme tables), so it is initialised once and every
 * synthesis runs under one mutex. Output is synchronous: espeak_Synth()
 * returns after handing every block of 16-bit samples, at its native rate
 * (22050 Hz), to synth_cb(); the samples are collected, then resampled to
 * the rate asked for (wav.h) and written as a WAV file — outside the lock.
 * Text is read as plain UTF-8, never SSML, so a caller cannot smuggle markup.
 * The library itself is opened on first use (core/lazylib.h).
 */
#include "speech/espeak.h"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lazylib.h"
#include "speech/wav.h"
#include "core/banned.h"

/* Longest speech kept: 10 minutes at espeak's rate; more is "too large". */
#define ESPEAK_MAX_SECONDS 600

static pthread_once_t espeak_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t espeak_lock = PTHREAD_MUTEX_INITIALIZER;
static int espeak_rate;             /* native sample rate; 0 when initialisation failed */
static char espeak_init_error[200]; /* why it failed */

/* The espeak-ng functions hotline calls, loaded by espeak_init(). */
#define ESPEAK_FUNCTIONS(X)                                                                        \
    X(espeak_ng_InitializePath)                                                                    \
    X(espeak_ng_Initialize)                                                                        \
    X(espeak_ng_InitializeOutput)                                                                  \
    X(espeak_ng_GetStatusCodeMessage)                                                              \
    X(espeak_ng_ClearErrorContext)                                                                 \
    X(espeak_SetSynthCallback)                                                                     \
    X(espeak_ng_GetSampleRate)                                                                     \
    X(espeak_SetVoiceByName)                                                                       \
    X(espeak_Synth)
#define ESPEAK_SLOT(f) __typeof__(&f) f;
#define ESPEAK_SYM(f)  {#f, (void **)&es.f},

static struct {
    ESPEAK_FUNCTIONS(ESPEAK_SLOT)
} es;

/* Samples collected from one espeak_Synth() call. */
struct pcm {
    int16_t *s;
    size_t len, cap, max;
    int overflow;
};

static int synth_cb(short *wav, int numsamples, espeak_EVENT *events)
{
    struct pcm *p = events ? events->user_data : NULL;
    size_t n = numsamples > 0 ? (size_t)numsamples : 0;

    if (!p || !wav || n == 0)
        return 0;
    if (p->len + n > p->max) {
        p->overflow = 1;
        return 1; /* stop synthesis */
    }
    if (p->len + n > p->cap) {
        p->cap = (p->len + n) * 2;
        p->s = hl_realloc(p->s, p->cap * sizeof(*p->s));
    }
    memcpy(p->s + p->len, wav, n * sizeof(*p->s));
    p->len += n;
    return 0;
}

static void espeak_init(void)
{
    static const struct lazylib_sym syms[] = {ESPEAK_FUNCTIONS(ESPEAK_SYM)};
    espeak_ng_ERROR_CONTEXT ctx = NULL;
    espeak_ng_STATUS st;
    struct hl_err err = {0};

    if (lazylib_open("libespeak-ng.so.1", syms, HL_ARRAY_LEN(syms), &err) != HL_OK) {
        snprintf(espeak_init_error, sizeof(espeak_init_error), "espeak-ng: %.180s", err.msg);
        return;
    }
    es.espeak_ng_InitializePath(NULL);
    st = es.espeak_ng_Initialize(&ctx);
    if (st == ENS_OK)
        st = es.espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
    if (st != ENS_OK) {
        char msg[160];

        es.espeak_ng_GetStatusCodeMessage(st, msg, sizeof(msg));
        snprintf(espeak_init_error, sizeof(espeak_init_error), "espeak-ng: %s", msg);
        es.espeak_ng_ClearErrorContext(&ctx);
        return;
    }
    es.espeak_SetSynthCallback(synth_cb);
    espeak_rate = es.espeak_ng_GetSampleRate();
}

/* Synthesise text with voice into p, under the lock. */
static int synth_locked(const char *voice, const char *text, struct pcm *p, struct hl_err *err)
{
    espeak_ERROR e;

    if (es.espeak_SetVoiceByName(voice) != EE_OK)
        return hl_err_set(err, HL_EINVAL, "voice: espeak-ng has no voice \"%s\"", voice);
    e = es.espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, p);
    if (e != EE_OK)
        return hl_err_set(err, HL_EIO, "espeak-ng could not synthesise (error %d)", (int)e);
    if (p->overflow)
        return hl_err_set(err, HL_ETOOLARGE, "text: speech longer than %d seconds",
                          ESPEAK_MAX_SECONDS);
    return HL_OK;
}

/* Resample p to rate_hz and append the WAV file to wav. */
static int write_wav(const struct pcm *p, int rate_hz, struct buf *wav, struct hl_err *err)
{
    size_t n = wav_resample_len(p->len, espeak_rate, rate_hz);
    int16_t *out = hl_malloc((n ? n : 1) * sizeof(*out));
    int rc = wav_resample(p->s, p->len, espeak_rate, rate_hz, out);

    if (rc == HL_OK && wav_write_pcm16(wav, out, n, rate_hz) != HL_OK)
        rc = hl_err_set(err, HL_ETOOLARGE, "speech WAV is over %zu bytes", wav->max);
    else if (rc != HL_OK)
        hl_err_set(err, rc, "cannot resample from %d to %d Hz", espeak_rate, rate_hz);
    free(out);
    return rc;
}

int espeak_synth_wav(const char *voice, const char *text, int rate_hz, struct buf *wav,
                     struct hl_err *err)
{
    struct pcm p = {0};
    int rc;

    if (!text || !*text)
        return hl_err_set(err, HL_EINVAL, "text: empty");
    if (rate_hz != 8000 && rate_hz != 16000)
        return hl_err_set(err, HL_EINVAL, "rate: %d Hz (8000 or 16000)", rate_hz);
    pthread_once(&espeak_once, espeak_init);
    if (espeak_rate <= 0)
        return hl_err_set(err, HL_ECONFIG, "%s", espeak_init_error);
    p.max = (size_t)espeak_rate * ESPEAK_MAX_SECONDS;
    pthread_mutex_lock(&espeak_lock);
    rc = synth_locked(voice ? voice : "en-us", text, &p, err);
    pthread_mutex_unlock(&espeak_lock);
    if (rc == HL_OK)
        rc = write_wav(&p, rate_hz, wav, err);
    free(p.s);
    return rc;
}
