/*
 * test_wav.c — WAV files, μ-law and the resampler (src/speech/wav.h).
 *
 * Covers the header written for mono 16-bit PCM byte for byte, write/parse
 * round trips, μ-law files (as Twilio records them) with extra chunks,
 * WAVE_FORMAT_EXTENSIBLE, refusals (not RIFF, stereo, 8-bit PCM, cut short,
 * data before fmt), μ-law encode/decode accuracy, the ceiling, and the
 * resampler: output lengths, a 1 kHz tone keeping its frequency and level
 * at 22050 -> 8000 and 8000 -> 16000, and a 6 kHz tone (above 8 kHz's
 * Nyquist) filtered out instead of folding back as an alias.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "speech/wav.h"
#include "core/banned.h"

static const double PI = 3.14159265358979323846;

static int16_t *tone(size_t n, int rate, double hz, double amp)
{
    int16_t *s = malloc(n * sizeof(*s));
    size_t i;

    for (i = 0; i < n; i++)
        s[i] = (int16_t)lrint(amp * sin(2 * PI * hz * (double)i / rate));
    return s;
}

/* Frequency from rising zero crossings over the middle of the signal (edges skipped). */
static double measure_hz(const int16_t *s, size_t n, int rate)
{
    size_t i, first = 0, last = 0, count = 0;

    for (i = n / 10; i + 1 < n - n / 10; i++)
        if (s[i] < 0 && s[i + 1] >= 0) {
            if (!count)
                first = i;
            last = i;
            count++;
        }
    assert_true(count > 2);
    return (double)(count - 1) * rate / (double)(last - first);
}

static double rms(const int16_t *s, size_t n)
{
    double sum = 0;
    size_t i;

    for (i = n / 10; i < n - n / 10; i++)
        sum += (double)s[i] * s[i];
    return sqrt(sum / (double)(n - 2 * (n / 10)));
}

static void header_is_canonical(void **state)
{
    static const uint8_t expect[WAV_HEADER_SIZE] = {
        'R', 'I', 'F', 'F', 40, 0, 0,   0,   'W', 'A',  'V',  'E', 'f', 'm',  't',
        ' ', 16,  0,   0,   0,  1, 0,   1,   0,   0x40, 0x1f, 0,   0,   0x80, 0x3e,
        0,   0,   2,   0,   16, 0, 'd', 'a', 't', 'a',  4,    0,   0,   0};
    int16_t s[2] = {1, -2};
    struct buf b = BUF_INIT(1024);

    (void)state;
    assert_int_equal(wav_write_pcm16(&b, s, 2, 8000), HL_OK);
    assert_int_equal(b.len, WAV_HEADER_SIZE + 4);
    assert_memory_equal(b.ptr, expect, WAV_HEADER_SIZE);
    assert_memory_equal(b.ptr + WAV_HEADER_SIZE, "\x01\x00\xfe\xff", 4);
    buf_release(&b);
}

static void pcm16_round_trip(void **state)
{
    int16_t *s = tone(1000, 16000, 440, 30000), *back;
    struct buf b = BUF_INIT(1 << 20);
    struct wav_info w;
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(wav_write_pcm16(&b, s, 1000, 16000), HL_OK);
    assert_int_equal(wav_parse(b.ptr, b.len, &w, &err), HL_OK);
    assert_int_equal(w.format, WAV_PCM16);
    assert_int_equal(w.rate_hz, 16000);
    assert_int_equal(w.channels, 1);
    assert_int_equal(w.bits, 16);
    assert_int_equal(w.samples, 1000);
    back = wav_samples(&w);
    assert_memory_equal(back, s, 1000 * sizeof(*s));
    free(back);
    free(s);
    buf_release(&b);
}

static void empty_file_round_trips(void **state)
{
    struct buf b = BUF_INIT(1024);
    struct wav_info w;

    (void)state;
    assert_int_equal(wav_write_pcm16(&b, NULL, 0, 8000), HL_OK);
    assert_int_equal(wav_parse(b.ptr, b.len, &w, NULL), HL_OK);
    assert_int_equal(w.samples, 0);
    assert_null(wav_samples(&w));
    buf_release(&b);
}

static void write_past_ceiling_leaves_buffer(void **state)
{
    int16_t s[100] = {0};
    struct buf b = BUF_INIT(WAV_HEADER_SIZE + 50);

    (void)state;
    assert_int_equal(buf_add(&b, "x", 1), HL_OK);
    assert_int_equal(wav_write_pcm16(&b, s, 100, 8000), HL_ETOOLARGE);
    assert_int_equal(b.len, 1);
    assert_string_equal(buf_str(&b), "x");
    buf_release(&b);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

/* A μ-law file as Twilio records it, with a LIST chunk (odd size, padded) before "fmt ". */
static size_t mulaw_file(uint8_t *f, const uint8_t *samples, size_t n, uint32_t data_size)
{
    size_t at = 0;

    memcpy(f, "RIFF\0\0\0\0WAVE", 12), at = 12;
    memcpy(f + at, "LIST", 4), put32(f + at + 4, 3), memcpy(f + at + 8, "abc\0", 4), at += 12;
    memcpy(f + at, "fmt ", 4), put32(f + at + 4, 18);
    memcpy(f + at + 8, "\x07\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00\x00\x00",
           18);
    at += 26;
    memcpy(f + at, "data", 4), put32(f + at + 4, data_size), at += 8;
    memcpy(f + at, samples, n);
    put32(f + 4, (uint32_t)(at + n - 8));
    return at + n;
}

static void mulaw_file_parses_and_decodes(void **state)
{
    uint8_t f[256], u[8];
    int16_t in[8] = {0, 100, -100, 1000, -1000, 8000, -8000, 32000}, *out;
    struct wav_info w;
    struct hl_err err = {0};
    size_t i, len;

    (void)state;
    for (i = 0; i < 8; i++)
        u[i] = wav_mulaw_encode(in[i]);
    len = mulaw_file(f, u, 8, 8);
    assert_int_equal(wav_parse(f, len, &w, &err), HL_OK);
    assert_int_equal(w.format, WAV_MULAW);
    assert_int_equal(w.rate_hz, 8000);
    assert_int_equal(w.bits, 8);
    assert_int_equal(w.samples, 8);
    out = wav_samples(&w);
    for (i = 0; i < 8; i++)
        assert_true(abs(out[i] - in[i]) <= abs(in[i]) / 16 + 8);
    free(out);
    /* A recording still being written announces 0 (or too much): read what is there. */
    len = mulaw_file(f, u, 8, 0xFFFFFFFFu);
    assert_int_equal(wav_parse(f, len, &w, &err), HL_OK);
    assert_int_equal(w.samples, 8);
}

static void mulaw_codec_matches_g711(void **state)
{
    int v;

    (void)state;
    assert_int_equal(wav_mulaw_encode(0), 0xFF);
    assert_int_equal(wav_mulaw_decode(0xFF), 0);
    assert_int_equal(wav_mulaw_decode(0x7F), 0);
    assert_int_equal(wav_mulaw_decode(0x00), -32124);
    assert_int_equal(wav_mulaw_decode(0x80), 32124);
    assert_int_equal(wav_mulaw_encode(-32768), 0x00);
    for (v = 0; v < 256; v++) /* every code decodes to a value that encodes back to it */
        if (v != 0x7F)
            assert_int_equal(wav_mulaw_encode(wav_mulaw_decode((uint8_t)v)), v);
}

static void extensible_pcm_is_read(void **state)
{
    uint8_t f[100] = {0};

    (void)state;
    memcpy(f, "RIFF\0\0\0\0WAVEfmt ", 16);
    put32(f + 16, 40);
    memcpy(f + 20, "\xfe\xff\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00\x02\x00\x10\x00", 16);
    f[44] = 1; /* subformat GUID begins 01 00: PCM */
    memcpy(f + 60, "data", 4);
    put32(f + 64, 4);
    {
        struct wav_info w;

        assert_int_equal(wav_parse(f, 72, &w, NULL), HL_OK);
        assert_int_equal(w.format, WAV_PCM16);
        assert_int_equal(w.rate_hz, 22050);
        assert_int_equal(w.samples, 2);
    }
}

static void bad_files_are_refused(void **state)
{
    int16_t s[4] = {0};
    struct buf b = BUF_INIT(1024);
    struct wav_info w;
    struct hl_err err = {0};
    char *p;

    (void)state;
    assert_int_equal(wav_parse("RIFX\0\0\0\0WAVE", 12, &w, &err), HL_EINVAL);
    assert_int_equal(wav_parse("RIFF", 4, &w, &err), HL_EINVAL);
    assert_int_equal(wav_write_pcm16(&b, s, 4, 8000), HL_OK);
    p = b.ptr;
    assert_int_equal(wav_parse(p, 30, &w, &err), HL_EINVAL); /* cut inside fmt */
    assert_int_equal(wav_parse(p, 40, &w, &err), HL_EINVAL); /* no data chunk */
    assert_non_null(strstr(err.msg, "data"));
    p[22] = 2; /* stereo */
    assert_int_equal(wav_parse(p, b.len, &w, &err), HL_EINVAL);
    assert_non_null(strstr(err.msg, "mono"));
    p[22] = 1, p[34] = 8; /* 8-bit PCM */
    assert_int_equal(wav_parse(p, b.len, &w, &err), HL_EINVAL);
    p[34] = 16, memcpy(p + 12, "data", 4); /* data before fmt */
    assert_int_equal(wav_parse(p, b.len, &w, &err), HL_EINVAL);
    buf_release(&b);
}

static void resample_lengths(void **state)
{
    (void)state;
    assert_int_equal(wav_resample_len(22050, 22050, 8000), 8000);
    assert_int_equal(wav_resample_len(1, 22050, 8000), 1);
    assert_int_equal(wav_resample_len(0, 22050, 8000), 0);
    assert_int_equal(wav_resample_len(441, 22050, 8000), 160);
    assert_int_equal(wav_resample_len(442, 22050, 8000), 161);
    assert_int_equal(wav_resample_len(8000, 8000, 16000), 16000);
    assert_int_equal(wav_resample(NULL, 0, 22050, 500, NULL), HL_EINVAL);
}

static void check_tone(int from, int to, double hz)
{
    size_t n = (size_t)from, m = wav_resample_len(n, from, to);
    int16_t *in = tone(n, from, hz, 16000), *out = malloc(m * sizeof(*out));
    double got;

    assert_int_equal(wav_resample(in, n, from, to, out), HL_OK);
    got = measure_hz(out, m, to);
    assert_true(fabs(got - hz) / hz < 0.02);
    assert_true(fabs(rms(out, m) - 16000 / sqrt(2)) < 0.03 * 16000 / sqrt(2));
    free(in);
    free(out);
}

static void tone_keeps_its_frequency(void **state)
{
    (void)state;
    check_tone(22050, 8000, 1000);
    check_tone(22050, 16000, 1000);
    check_tone(8000, 16000, 1000);
}

static void tone_above_new_nyquist_is_filtered(void **state)
{
    size_t n = 22050, m = wav_resample_len(n, 22050, 8000);
    int16_t *in = tone(n, 22050, 6000, 16000), *out = malloc(m * sizeof(*out));

    (void)state;
    assert_int_equal(wav_resample(in, n, 22050, 8000, out), HL_OK);
    /* Unfiltered it would alias to 2 kHz at full level; it must be > 40 dB down. */
    assert_true(rms(out, m) < 16000 / sqrt(2) / 100);
    free(in);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_is_canonical),
        cmocka_unit_test(pcm16_round_trip),
        cmocka_unit_test(empty_file_round_trips),
        cmocka_unit_test(write_past_ceiling_leaves_buffer),
        cmocka_unit_test(mulaw_file_parses_and_decodes),
        cmocka_unit_test(mulaw_codec_matches_g711),
        cmocka_unit_test(extensible_pcm_is_read),
        cmocka_unit_test(bad_files_are_refused),
        cmocka_unit_test(resample_lengths),
        cmocka_unit_test(tone_keeps_its_frequency),
        cmocka_unit_test(tone_above_new_nyquist_is_filtered),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
