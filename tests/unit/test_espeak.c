/*
 * test_espeak.c — the embedded synthesiser (src/speech/espeak.h).
 *
 * A sentence becomes a valid 8 kHz mono 16-bit WAV whose length is
 * plausible for its words and which is not silence; 16 kHz works too;
 * unknown voices, empty text and other rates are refused; four threads
 * rendering at once all succeed (the library is serialised inside); and the
 * speed is measured as a multiple of real time and printed, with only a
 * loose floor asserted so that a loaded CI machine cannot fail it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/buf.h"
#include "speech/espeak.h"
#include "speech/wav.h"
#include "core/banned.h"

static const char SENTENCE[] =
    "Welcome to Example Dental. Your appointment is confirmed for Tuesday at three in the "
    "afternoon. Press one to speak with the front desk, or stay on the line to leave a message.";

/* Seconds of audio in a WAV that must parse as mono 16-bit at rate. */
static double wav_seconds(const struct buf *b, int rate)
{
    struct wav_info w;
    struct hl_err err = {0};

    assert_int_equal(wav_parse(b->ptr, b->len, &w, &err), HL_OK);
    assert_int_equal(w.format, WAV_PCM16);
    assert_int_equal(w.channels, 1);
    assert_int_equal(w.rate_hz, rate);
    assert_int_equal(w.data_len + WAV_HEADER_SIZE, b->len);
    return (double)w.samples / rate;
}

static double peak(const struct buf *b)
{
    struct wav_info w;
    int16_t *s;
    size_t i;
    int max = 0;

    assert_int_equal(wav_parse(b->ptr, b->len, &w, NULL), HL_OK);
    s = wav_samples(&w);
    for (i = 0; i < w.samples; i++)
        if (abs(s[i]) > max)
            max = abs(s[i]);
    free(s);
    return max;
}

static void sentence_renders_plausible_wav(void **state)
{
    struct buf b = BUF_INIT(16 << 20);
    struct hl_err err = {0};
    double secs;

    (void)state;
    assert_int_equal(espeak_synth_wav("en+f3", SENTENCE, 8000, &b, &err), HL_OK);
    secs = wav_seconds(&b, 8000);
    /* 32 words: 2-4 words a second is normal speech. */
    assert_true(secs > 6.0 && secs < 20.0);
    assert_true(peak(&b) > 1000);
    buf_release(&b);
}

static void sixteen_khz_and_default_voice(void **state)
{
    struct buf b = BUF_INIT(16 << 20);
    struct hl_err err = {0};
    double secs;

    (void)state;
    assert_int_equal(espeak_synth_wav(NULL, "Hello there.", 16000, &b, &err), HL_OK);
    secs = wav_seconds(&b, 16000);
    assert_true(secs > 0.4 && secs < 3.0);
    buf_release(&b);
}

static void bad_requests_are_refused(void **state)
{
    struct buf b = BUF_INIT(16 << 20);
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(espeak_synth_wav("no-such-voice-xyz", "Hello", 8000, &b, &err), HL_EINVAL);
    assert_non_null(strstr(err.msg, "no-such-voice-xyz"));
    assert_int_equal(espeak_synth_wav("en-us", "", 8000, &b, &err), HL_EINVAL);
    assert_int_equal(espeak_synth_wav("en-us", "Hello", 44100, &b, &err), HL_EINVAL);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void ceiling_is_too_large(void **state)
{
    struct buf b = BUF_INIT(1000);
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(espeak_synth_wav("en-us", SENTENCE, 8000, &b, &err), HL_ETOOLARGE);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void *render_thread(void *arg)
{
    struct buf b = BUF_INIT(16 << 20);
    struct hl_err err = {0};
    int *rc = arg;

    *rc = espeak_synth_wav(*rc % 2 ? "en+m3" : "en+f3", SENTENCE, 8000, &b, &err);
    if (*rc == HL_OK && b.len < 8000 * 2 * 5)
        *rc = -100;
    buf_release(&b);
    return NULL;
}

static void four_threads_at_once(void **state)
{
    pthread_t t[4];
    int rc[4] = {0, 1, 2, 3}, i;

    (void)state;
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, render_thread, &rc[i]), 0);
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(rc[i], HL_OK);
    }
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void speed_is_measured(void **state)
{
    struct buf b = BUF_INIT(16 << 20);
    double audio = 0, t0, elapsed;
    int i;

    (void)state;
    t0 = now_s();
    for (i = 0; i < 5; i++) {
        buf_reset(&b);
        assert_int_equal(espeak_synth_wav("en+f3", SENTENCE, 8000, &b, NULL), HL_OK);
        audio += wav_seconds(&b, 8000);
    }
    elapsed = now_s() - t0;
    printf("espeak: %.1f s of audio in %.3f s = %.0fx real time (8 kHz WAV, resampling included)\n",
           audio, elapsed, audio / elapsed);
    assert_true(audio / elapsed >= 2.0);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sentence_renders_plausible_wav),
        cmocka_unit_test(sixteen_khz_and_default_voice),
        cmocka_unit_test(bad_requests_are_refused),
        cmocka_unit_test(ceiling_is_too_large),
        cmocka_unit_test(four_threads_at_once),
        cmocka_unit_test(speed_is_measured),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
