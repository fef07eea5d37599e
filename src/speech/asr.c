/*
 * asr.c — the speech-recognition interface (asr.h): picks the engine, turns
 * Twilio's WAV into 8 kHz samples for pocketsphinx, and scores transcripts
 * by word error rate for the measurement tool and the tests.
 */
#include "speech/asr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "speech/asr_internal.h"
#include "speech/wav.h"

#include "core/banned.h"

enum asr_engine { ASR_NONE, ASR_SPHINX, ASR_OPENAI };

struct asr {
    enum asr_engine engine;
    struct asr_sphinx *sphinx;
    struct asr_openai *openai;
};

static const struct {
    const char *name;
    enum asr_engine engine;
} engines[] = {{"pocketsphinx", ASR_SPHINX}, {"openai", ASR_OPENAI}, {"none", ASR_NONE}};

static const char *engine_name(enum asr_engine e)
{
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(engines); i++)
        if (engines[i].engine == e)
            return engines[i].name;
    return "?";
}

int asr_new(struct asr **out, const struct asr_options *o, struct hl_err *err)
{
    const char *name = o && o->engine && *o->engine ? o->engine : "pocketsphinx";
    struct asr *a;
    size_t i;
    int rc = HL_OK;

    *out = NULL;
    for (i = 0; i < HL_ARRAY_LEN(engines); i++)
        if (strcmp(engines[i].name, name) == 0)
            break;
    if (i == HL_ARRAY_LEN(engines))
        return hl_err_set(err, HL_ECONFIG,
                          "unknown ASR engine \"%.40s\" (pocketsphinx, openai or none)", name);
    a = hl_calloc(1, sizeof(*a));
    a->engine = engines[i].engine;
    if (a->engine == ASR_SPHINX) {
        struct asr_options none = {0};
        rc = asr_sphinx_new(&a->sphinx, o ? o : &none, err);
    } else if (a->engine == ASR_OPENAI) {
        rc = o ? asr_openai_new(&a->openai, o, err)
               : hl_err_set(err, HL_ECONFIG, "the openai ASR engine needs a base URL");
    }
    if (rc != HL_OK) {
        asr_free(a);
        return rc;
    }
    *out = a;
    return HL_OK;
}

void asr_free(struct asr *a)
{
    if (!a)
        return;
    asr_sphinx_free(a->sphinx);
    asr_openai_free(a->openai);
    free(a);
}

void asr_result_release(struct asr_result *r)
{
    if (!r)
        return;
    free(r->text);
    memset(r, 0, sizeof(*r));
}

/* The recording's samples at rate in a new array (*n of them; NULL when none). */
static int pcm_at(const struct wav_info *w, int rate, int16_t **pcm, size_t *n,
                  struct hl_err *err)
{
    int16_t *raw = wav_samples(w), *res;
    int rc;

    *pcm = raw;
    *n = w->samples;
    if (!raw || w->rate_hz == rate)
        return HL_OK;
    *n = wav_resample_len(w->samples, w->rate_hz, rate);
    res = hl_malloc(*n * sizeof(*res));
    rc = wav_resample(raw, w->samples, w->rate_hz, rate, res);
    free(raw);
    *pcm = res;
    if (rc != HL_OK)
        return hl_err_set(err, rc, "cannot resample %d Hz audio to %d Hz", w->rate_hz, rate);
    return HL_OK;
}

static int run_sphinx(struct asr *a, const struct wav_info *w, struct asr_result *out,
                      struct hl_err *err)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    int rc;

    if ((rc = pcm_at(w, asr_sphinx_rate(a->sphinx), &pcm, &n, err)) == HL_OK)
        rc = asr_sphinx_run(a->sphinx, pcm, n, out, err);
    free(pcm);
    return rc;
}

int asr_transcribe(struct asr *a, const void *wav, size_t len, struct asr_result *out,
                   struct hl_err *err)
{
    struct wav_info w;
    int rc;

    memset(out, 0, sizeof(*out));
    out->confidence = -1;
    snprintf(out->engine, sizeof(out->engine), "%s", engine_name(a->engine));
    if ((rc = wav_parse(wav, len, &w, err)) != HL_OK)
        return rc;
    out->duration_s = (double)w.samples / w.rate_hz;
    if (out->duration_s > ASR_MAX_SECONDS)
        return hl_err_set(err, HL_ETOOLARGE, "recording of %.0f s is over the %d s limit",
                          out->duration_s, ASR_MAX_SECONDS);
    if (a->engine == ASR_SPHINX)
        rc = run_sphinx(a, &w, out, err);
    else if (a->engine == ASR_OPENAI)
        rc = asr_openai_run(a->openai, wav, len, out, err);
    if (!out->text)
        out->text = hl_strdup("");
    return rc;
}

static int word_char(const char *s, size_t i)
{
    unsigned char c = (unsigned char)s[i];

    if (isalnum(c) || c >= 0x80)
        return 1;
    /* An apostrophe between letters belongs to the word: "don't", "o'clock". */
    return c == '\'' && i > 0 && isalnum((unsigned char)s[i - 1]) &&
           isalnum((unsigned char)s[i + 1]);
}

char *asr_normalize(const char *text)
{
    struct buf b = BUF_INIT((size_t)-1);
    size_t i;
    int gap = 0;

    for (i = 0; text && text[i]; i++) {
        if (!word_char(text, i)) {
            gap = b.len > 0;
            continue;
        }
        if (gap)
            buf_addc(&b, ' ');
        buf_addc(&b, (char)tolower((unsigned char)text[i]));
        gap = 0;
    }
    return buf_detach(&b, NULL);
}

/* Split normalised text into words in place; returns the count, *words a new array. */
static size_t split_words(char *s, char ***words)
{
    size_t n = 0, cap = 8;
    char *p = s;

    *words = hl_malloc(cap * sizeof(**words));
    while (*p) {
        if (n == cap)
            *words = hl_realloc(*words, (cap *= 2) * sizeof(**words));
        (*words)[n++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
    return n;
}

/* Levenshtein distance over words, one row at a time. */
static size_t word_distance(char **r, size_t nr, char **h, size_t nh)
{
    size_t *row = hl_malloc((nh + 1) * sizeof(*row)), i, j, diag, up, d;

    for (j = 0; j <= nh; j++)
        row[j] = j;
    for (i = 1; i <= nr; i++) {
        diag = row[0];
        row[0] = i;
        for (j = 1; j <= nh; j++) {
            up = row[j];
            d = diag + (strcmp(r[i - 1], h[j - 1]) != 0);
            if (up + 1 < d)
                d = up + 1;
            if (row[j - 1] + 1 < d)
                d = row[j - 1] + 1;
            row[j] = d;
            diag = up;
        }
    }
    d = row[nh];
    free(row);
    return d;
}

double asr_wer(const char *ref, const char *hyp, size_t *errors, size_t *ref_words)
{
    char *rs = asr_normalize(ref), *hs = asr_normalize(hyp), **rw, **hw;
    size_t nr = split_words(rs, &rw), nh = split_words(hs, &hw);
    size_t e = word_distance(rw, nr, hw, nh);
    double wer = nr ? (double)e / (double)nr : (nh ? 1.0 : 0.0);

    if (errors)
        *errors = e;
    if (ref_words)
        *ref_words = nr;
    free(rw);
    free(hw);
    free(rs);
    free(hs);
    return wer;
}
