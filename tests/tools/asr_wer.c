/*
 * asr_wer.c — measures the speech recogniser (src/speech/asr.h): word error
 * rate and real-time factor on a set of recordings, at 8 kHz as on a phone.
 *
 *   asr_wer librivox DIR [options]   DIR holds fileids, transcription and <id>.wav
 *                                    (PocketSphinx's test data layout); the audio
 *                                    is resampled to 8 kHz first
 *   asr_wer openai URL KEY WAV [TIMEOUT_MS]
 *                                    transcribe WAV with the openai engine; prints
 *                                    "TEXT <text>" or "ERROR <code> <message>"
 *   asr_wer espeak FILE [options]    each line of FILE ('#' comments) is spoken by
 *                                    espeak at 8 kHz and transcribed
 * options:
 *   --mulaw               encode the 8 kHz audio as G.711 μ-law, as Twilio records
 *   --phrases FILE        expected phrases (one a line) given to asr_options.phrases
 *   --voice V             espeak voice (default en-us)
 *   --set NAME VALUE      a PocketSphinx option (asr_options.sphinx_args), repeatable;
 *                         "-phrase_weight W" sets the phrase model's weight
 *   -v                    print each reference and hypothesis
 * Prints "WER x.xxx (errors/words) RTF y.yyy" last.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "speech/asr.h"
#include "speech/espeak.h"
#include "speech/wav.h"

#include "core/banned.h"

#define MAX_LINES 512

struct run {
    struct asr *asr;
    int mulaw, verbose;
    size_t errors, words;
    double audio_s, cpu_s;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A mono 8-bit μ-law WAV (format tag 7) of n samples. */
static void mulaw_wav(struct buf *out, const int16_t *s, size_t n, int rate)
{
    uint8_t h[44];
    uint32_t v[] = {(uint32_t)(36 + n), 16, (uint32_t)rate, (uint32_t)rate, (uint32_t)n};
    size_t i;

    memcpy(h, "RIFF....WAVEfmt ....", 20);
    memcpy(h + 36, "data", 4);
    memcpy(h + 4, &v[0], 4);
    memcpy(h + 16, &v[1], 4);
    h[20] = 7, h[21] = 0, h[22] = 1, h[23] = 0;
    memcpy(h + 24, &v[2], 4);
    memcpy(h + 28, &v[3], 4);
    h[32] = 1, h[33] = 0, h[34] = 8, h[35] = 0;
    memcpy(h + 40, &v[4], 4);
    buf_add(out, h, sizeof(h));
    for (i = 0; i < n; i++)
        buf_addc(out, (char)wav_mulaw_encode(s[i]));
}

/* Any WAV as an 8 kHz one (PCM16 or μ-law) in out. */
static int to_8k(const void *wav, size_t len, int mulaw, struct buf *out)
{
    struct wav_info w;
    struct hl_err err = {0};
    int16_t *raw, *pcm;
    size_t n;

    if (wav_parse(wav, len, &w, &err) != HL_OK) {
        fprintf(stderr, "asr_wer: %s\n", err.msg);
        return -1;
    }
    raw = wav_samples(&w);
    n = wav_resample_len(w.samples, w.rate_hz, 8000);
    pcm = hl_calloc(n ? n : 1, sizeof(*pcm));
    if (raw)
        wav_resample(raw, w.samples, w.rate_hz, 8000, pcm);
    if (mulaw)
        mulaw_wav(out, pcm, n, 8000);
    else
        wav_write_pcm16(out, pcm, n, 8000);
    free(raw);
    free(pcm);
    return 0;
}

static void score(struct run *r, const char *ref, const struct buf *wav8k)
{
    struct asr_result res;
    struct hl_err err = {0};
    size_t e = 0, w = 0;
    double t0 = now();
    int rc = asr_transcribe(r->asr, wav8k->ptr, wav8k->len, &res, &err);

    r->cpu_s += now() - t0;
    if (rc != HL_OK)
        fprintf(stderr, "asr_wer: %s\n", err.msg);
    asr_wer(ref, res.text, &e, &w);
    r->errors += e;
    r->words += w;
    r->audio_s += res.duration_s;
    if (r->verbose)
        printf("REF: %s\nHYP: %s  (%zu/%zu, conf %.2f)\n", ref, res.text ? res.text : "", e, w,
               res.confidence);
    asr_result_release(&res);
}

/* The lines of a file, '#' comments and blanks skipped; returns the count. */
static size_t read_lines(const char *path, char **lines)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t n = 0;

    if (!f) {
        perror(path);
        exit(2);
    }
    while (n < MAX_LINES && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && line[0] != '#')
            lines[n++] = hl_strdup(line);
    }
    fclose(f);
    return n;
}

static int read_file(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t got;

    if (!f)
        return -1;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(out, chunk, got);
    fclose(f);
    return 0;
}

/* "<s> words </s> (id)" -> "words". */
static void strip_transcript(char *line)
{
    char *p = strrchr(line, '(');

    if (p)
        *p = '\0';
    while ((p = strstr(line, "<s>")) || (p = strstr(line, "</s>")))
        memset(p, ' ', p[1] == '/' ? 4 : 3);
}

static void librivox(struct run *r, const char *dir)
{
    char *ids[MAX_LINES], *refs[MAX_LINES], path[4096];
    size_t n, nr, i;

    snprintf(path, sizeof(path), "%s/fileids", dir);
    n = read_lines(path, ids);
    snprintf(path, sizeof(path), "%s/transcription", dir);
    nr = read_lines(path, refs);
    for (i = 0; i < n && i < nr; i++) {
        struct buf wav = BUF_INIT((size_t)1 << 30), w8 = BUF_INIT((size_t)1 << 30);

        strip_transcript(refs[i]);
        snprintf(path, sizeof(path), "%s/%s.wav", dir, ids[i]);
        if (read_file(path, &wav) == 0 && to_8k(wav.ptr, wav.len, r->mulaw, &w8) == 0)
            score(r, refs[i], &w8);
        buf_release(&wav);
        buf_release(&w8);
    }
    for (i = 0; i < n; i++)
        free(ids[i]);
    for (i = 0; i < nr; i++)
        free(refs[i]);
}

static void espeak_set(struct run *r, const char *file, const char *voice)
{
    char *lines[MAX_LINES];
    size_t n = read_lines(file, lines), i;
    struct hl_err err = {0};

    for (i = 0; i < n; i++) {
        struct buf wav = BUF_INIT((size_t)1 << 28), w8 = BUF_INIT((size_t)1 << 28);

        if (espeak_synth_wav(voice, lines[i], 8000, &wav, &err) != HL_OK)
            fprintf(stderr, "asr_wer: espeak: %s\n", err.msg);
        else if (to_8k(wav.ptr, wav.len, r->mulaw, &w8) == 0)
            score(r, lines[i], &w8);
        buf_release(&wav);
        buf_release(&w8);
        free(lines[i]);
    }
}

static int openai(int argc, char **argv)
{
    struct asr_options o = {.engine = "openai", .base_url = argv[2], .api_key = argv[3]};
    struct buf wav = BUF_INIT((size_t)1 << 28);
    struct asr_result r = {0};
    struct hl_err err = {0};
    struct asr *a = NULL;
    int rc;

    o.timeout_ms = argc > 5 ? strtol(argv[5], NULL, 10) : 0;
    if (read_file(argv[4], &wav) != 0 || (rc = asr_new(&a, &o, &err)) != HL_OK ||
        (rc = asr_transcribe(a, wav.ptr, wav.len, &r, &err)) != HL_OK)
        printf("ERROR %d %s\n", err.code, err.msg);
    else
        printf("TEXT %s\n", r.text);
    asr_result_release(&r);
    asr_free(a);
    buf_release(&wav);
    return 0;
}

int main(int argc, char **argv)
{
    struct asr_options o = {0};
    struct run r = {0};
    struct hl_err err = {0};
    const char *sets[64], *voice = "en-us";
    char *phrases[MAX_LINES];
    size_t nsets = 0, nphr = 0, k;
    int i;
    double t0;

    if (argc >= 5 && strcmp(argv[1], "openai") == 0)
        return openai(argc, argv);
    if (argc < 3 || (strcmp(argv[1], "librivox") && strcmp(argv[1], "espeak"))) {
        fprintf(stderr, "usage: asr_wer librivox DIR | espeak FILE [--mulaw] [--phrases FILE] "
                        "[--voice V] [--set NAME VALUE]... [-v]\n");
        return 2;
    }
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--mulaw") == 0)
            r.mulaw = 1;
        else if (strcmp(argv[i], "-v") == 0)
            r.verbose = 1;
        else if (strcmp(argv[i], "--phrases") == 0 && i + 1 < argc)
            nphr = read_lines(argv[++i], phrases);
        else if (strcmp(argv[i], "--voice") == 0 && i + 1 < argc)
            voice = argv[++i];
        else if (strcmp(argv[i], "--set") == 0 && i + 2 < argc && nsets + 2 <= 64) {
            sets[nsets++] = argv[++i];
            sets[nsets++] = argv[++i];
        } else {
            fprintf(stderr, "asr_wer: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    o.engine = "pocketsphinx";
    o.phrases = (const char *const *)phrases;
    o.n_phrases = nphr;
    o.sphinx_args = sets;
    o.n_sphinx_args = nsets;
    t0 = now();
    if (asr_new(&r.asr, &o, &err) != HL_OK) {
        fprintf(stderr, "asr_wer: %s\n", err.msg);
        return 1;
    }
    printf("model load %.2f s\n", now() - t0);
    if (argv[1][0] == 'l')
        librivox(&r, argv[2]);
    else
        espeak_set(&r, argv[2], voice);
    printf("WER %.3f (%zu/%zu) RTF %.3f (%.1f s of audio in %.2f s)\n",
           r.words ? (double)r.errors / r.words : 0.0, r.errors, r.words,
           r.audio_s > 0 ? r.cpu_s / r.audio_s : 0.0, r.audio_s, r.cpu_s);
    asr_free(r.asr);
    for (k = 0; k < nphr; k++)
        free(phrases[k]);
    return 0;
}
