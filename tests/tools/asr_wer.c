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
 *   asr_wer espeak FILE [options]    each line of FILE ('#' comments), "INTENT | SENTENCE"
 *                                    or just "SENTENCE", is spoken by espeak at 8 kHz and
 *                                    transcribed; labelled lines are also analysed
 * options:
 *   --mulaw               encode the 8 kHz audio as G.711 μ-law, as Twilio records
 *   --phrases FILE        expected phrases (one a line) given to asr_options.phrases
 *   --vocab               the phrases `hotline serve` gives pocketsphinx: flows_vocabulary()
 *                         of the flows the environment's settings load (FLOWS_DIR, ...)
 *   --weight W            the phrase model's weight (asr_options.phrase_weight, 0..1)
 *   --voice V             espeak voice (default en-us)
 *   --set NAME VALUE      a PocketSphinx option (asr_options.sphinx_args), repeatable;
 *                         "-phrase_weight W" sets the phrase model's weight
 *   -v                    print each reference and hypothesis
 * Prints "WER x.xxx (errors/words) RTF y.yyy" last. With labelled sentences it prints
 * before that what src/analysis's rules make of the reference and of the recognised text:
 *   INTENT ref a/n hyp b/n; not "other": ref c/m hyp d/m
 *                                intents equal to the label, of all and of the m
 *                                labelled booking, question, complaint or opt_out
 *   TIME ref t hyp-same u hyp-wrong w hyp-missing m hyp-spurious x
 *                                t references name a date/time; of those the recognised
 *                                text gives the same instant (u), another (w) or none (m);
 *                                x recognised texts name a time their reference does not
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "core/buf.h"
#include "core/config.h"
#include "flows/flow.h"
#include "speech/asr.h"
#include "speech/espeak.h"
#include "speech/wav.h"

#include "core/banned.h"

#define MAX_LINES 512
/* The call time labelled sentences are analysed against: Wednesday 2026-11-18 09:00 in New York. */
#define CALL_TIME ((time_t)1795010400)

struct run {
    struct asr *asr;
    struct analyzer *rules;
    int mulaw, verbose;
    size_t errors, words;
    double audio_s, cpu_s;
    /* labelled sentences */
    size_t labelled, intent_ref, intent_hyp;
    size_t acted, acted_ref, acted_hyp; /* labelled other than "other" */
    size_t time_ref, time_same, time_wrong, time_missing, time_spurious;
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

/* What the rules make of the reference and of the recognised text, against the label. */
static void analyse(struct run *r, const char *label, const char *ref, const char *hyp)
{
    struct analysis a = {0}, b = {0};

    analysis_run(r->rules, ref, CALL_TIME, &a, NULL);
    analysis_run(r->rules, hyp, CALL_TIME, &b, NULL);
    r->labelled++;
    r->intent_ref += strcmp(analysis_intent_name(a.intent), label) == 0;
    r->intent_hyp += strcmp(analysis_intent_name(b.intent), label) == 0;
    if (strcmp(label, "other") != 0) {
        r->acted++;
        r->acted_ref += strcmp(analysis_intent_name(a.intent), label) == 0;
        r->acted_hyp += strcmp(analysis_intent_name(b.intent), label) == 0;
    }
    if (a.has_time) {
        r->time_ref++;
        r->time_same += b.has_time && b.when == a.when;
        r->time_wrong += b.has_time && b.when != a.when;
        r->time_missing += !b.has_time;
    } else {
        r->time_spurious += b.has_time;
    }
    if (r->verbose)
        printf("     intent %s: ref %s, hyp %s; time ref %s, hyp %s\n", label,
               analysis_intent_name(a.intent), analysis_intent_name(b.intent),
               a.has_time ? a.when_local : "-", b.has_time ? b.when_local : "-");
    analysis_release(&a);
    analysis_release(&b);
}

static void score(struct run *r, const char *label, const char *ref, const struct buf *wav8k)
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
    if (label)
        analyse(r, label, ref, res.text ? res.text : "");
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
            score(r, NULL, refs[i], &w8);
        buf_release(&wav);
        buf_release(&w8);
    }
    for (i = 0; i < n; i++)
        free(ids[i]);
    for (i = 0; i < nr; i++)
        free(refs[i]);
}

/* "intent | sentence": the sentence, and the label in *label (NULL without one). */
static char *split_label(char *line, char **label)
{
    char *bar = strchr(line, '|'), *end;

    *label = NULL;
    if (!bar)
        return line;
    for (end = bar; end > line && end[-1] == ' '; end--)
        ;
    *end = '\0';
    *label = line;
    for (bar++; *bar == ' '; bar++)
        ;
    return bar;
}

static void espeak_set(struct run *r, const char *file, const char *voice)
{
    char *lines[MAX_LINES];
    size_t n = read_lines(file, lines), i;
    struct hl_err err = {0};

    for (i = 0; i < n; i++) {
        struct buf wav = BUF_INIT((size_t)1 << 28), w8 = BUF_INIT((size_t)1 << 28);
        char *label, *sentence = split_label(lines[i], &label);

        if (espeak_synth_wav(voice, sentence, 8000, &wav, &err) != HL_OK)
            fprintf(stderr, "asr_wer: espeak: %s\n", err.msg);
        else if (to_8k(wav.ptr, wav.len, r->mulaw, &w8) == 0)
            score(r, label, sentence, &w8);
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

/* The phrases `hotline serve` would give pocketsphinx with this environment's settings. */
static size_t serve_vocabulary(char ***out)
{
    struct config cfg;
    struct flows *fs = NULL;
    struct hl_err err = {0};
    size_t n;

    if (config_load(&cfg, NULL, &err) != HL_OK || flows_load(&fs, &cfg, &err) != HL_OK) {
        fprintf(stderr, "asr_wer: %s\n", err.msg);
        exit(1);
    }
    n = flows_vocabulary(fs, &cfg, out);
    flows_free(fs);
    config_release(&cfg);
    return n;
}

/* How many of FILE's sentences are themselves one of the phrases (they would be favoured). */
static size_t verbatim(const char *file, char **phrases, size_t n)
{
    char *lines[MAX_LINES], *label;
    size_t nl = read_lines(file, lines), i, k, found = 0;

    for (i = 0; i < nl; i++) {
        const char *sentence = split_label(lines[i], &label);
        for (k = 0; k < n && asr_wer(sentence, phrases[k], NULL, NULL) != 0.0; k++)
            ;
        found += k < n;
        free(lines[i]);
    }
    return found;
}

static void report(const struct run *r)
{
    size_t n = r->labelled;

    if (n) {
        printf("INTENT ref %zu/%zu hyp %zu/%zu; not \"other\": ref %zu/%zu hyp %zu/%zu\n",
               r->intent_ref, n, r->intent_hyp, n, r->acted_ref, r->acted, r->acted_hyp, r->acted);
        printf("TIME ref %zu hyp-same %zu hyp-wrong %zu hyp-missing %zu hyp-spurious %zu\n",
               r->time_ref, r->time_same, r->time_wrong, r->time_missing, r->time_spurious);
    }
    printf("WER %.3f (%zu/%zu) RTF %.3f (%.1f s of audio in %.2f s)\n",
           r->words ? (double)r->errors / r->words : 0.0, r->errors, r->words,
           r->audio_s > 0 ? r->cpu_s / r->audio_s : 0.0, r->audio_s, r->cpu_s);
}

static void usage(void)
{
    fprintf(stderr, "usage: asr_wer librivox DIR | espeak FILE [--mulaw] [--phrases FILE] "
                    "[--vocab] [--weight W] [--voice V] [--set NAME VALUE]... [-v]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct asr_options o = {0};
    struct analysis_options ao = {.engine = "rules", .timezone = "America/New_York"};
    struct run r = {0};
    struct hl_err err = {0};
    const char *sets[64], *voice = "en-us";
    char **phrases = NULL;
    size_t nsets = 0, nphr = 0, k;
    int i, vocab = 0;
    double t0;

    if (argc >= 5 && strcmp(argv[1], "openai") == 0)
        return openai(argc, argv);
    if (argc < 3 || (strcmp(argv[1], "librivox") && strcmp(argv[1], "espeak")))
        usage();
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--mulaw") == 0)
            r.mulaw = 1;
        else if (strcmp(argv[i], "-v") == 0)
            r.verbose = 1;
        else if (strcmp(argv[i], "--vocab") == 0 && !phrases)
            vocab = 1, nphr = serve_vocabulary(&phrases);
        else if (strcmp(argv[i], "--phrases") == 0 && i + 1 < argc && !phrases) {
            phrases = hl_calloc(MAX_LINES, sizeof(*phrases));
            nphr = read_lines(argv[++i], phrases);
        } else if (strcmp(argv[i], "--weight") == 0 && i + 1 < argc)
            o.phrase_weight = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--voice") == 0 && i + 1 < argc)
            voice = argv[++i];
        else if (strcmp(argv[i], "--set") == 0 && i + 2 < argc && nsets + 2 <= 64) {
            sets[nsets++] = argv[++i];
            sets[nsets++] = argv[++i];
        } else {
            fprintf(stderr, "asr_wer: unknown or repeated option %s\n", argv[i]);
            usage();
        }
    }
    o.engine = "pocketsphinx";
    o.phrases = (const char *const *)phrases;
    o.n_phrases = nphr;
    o.sphinx_args = sets;
    o.n_sphinx_args = nsets;
    if (nphr)
        printf("phrases %zu%s", nphr, vocab ? " (serve's vocabulary)" : "");
    if (nphr && argv[1][0] == 'e')
        printf(", %zu of the sentences among them", verbatim(argv[2], phrases, nphr));
    if (nphr)
        printf("\n");
    t0 = now();
    if (asr_new(&r.asr, &o, &err) != HL_OK || analyzer_new(&ao, &r.rules, &err) != HL_OK) {
        fprintf(stderr, "asr_wer: %s\n", err.msg);
        return 1;
    }
    printf("model load %.2f s\n", now() - t0);
    if (argv[1][0] == 'l')
        librivox(&r, argv[2]);
    else
        espeak_set(&r, argv[2], voice);
    report(&r);
    asr_free(r.asr);
    analyzer_free(r.rules);
    if (vocab)
        flows_vocabulary_free(phrases, nphr);
    else {
        for (k = 0; k < nphr; k++)
            free(phrases[k]);
        free(phrases);
    }
    return 0;
}
