/*
 * asr_sphinx.c — the "pocketsphinx" ASR engine: Debian's en-us continuous
 * model run on 8 kHz telephone audio.
 *
 * The model was trained on 16 kHz speech (its feat.params says 130-6800 Hz,
 * 25 mel filters). Phone audio is resampled to 16 kHz and decoded with that
 * front end (base_args below says why an 8 kHz one is worse). The caller's
 * expected phrases become a tiny bigram model interpolated with the general one.
 *
 * A decoder takes about a second and tens of megabytes to build and is not
 * thread-safe, so built decoders wait in a small pool behind a mutex; a call
 * that finds the pool empty builds another, and at most ASR_SPHINX_POOL idle
 * ones are kept.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/lazylib.h"
#include "speech/asr_internal.h"
#include "speech/asr_sphinx.h"

#include "core/banned.h"

/* The PocketSphinx (and sphinxbase) functions hotline calls, loaded on first use. */
#define SPHINX_FUNCTIONS(X)                                                                        \
    X(cmd_ln_free_r)                                                                               \
    X(cmd_ln_parse_r)                                                                              \
    X(err_set_logfp)                                                                               \
    X(logmath_exp)                                                                                 \
    X(ngram_model_free)                                                                            \
    X(ngram_model_read)                                                                            \
    X(ngram_model_set_init)                                                                        \
    X(ps_args)                                                                                     \
    X(ps_end_utt)                                                                                  \
    X(ps_free)                                                                                     \
    X(ps_get_hyp)                                                                                  \
    X(ps_get_logmath)                                                                              \
    X(ps_get_prob)                                                                                 \
    X(ps_init)                                                                                     \
    X(ps_process_raw)                                                                              \
    X(ps_set_lm)                                                                                   \
    X(ps_set_search)                                                                               \
    X(ps_start_utt)
#define SPHINX_SLOT(f) __typeof__(&f) f;
#define SPHINX_SYM(f)  {#f, (void **)&sx.f},

static struct {
    SPHINX_FUNCTIONS(SPHINX_SLOT)
} sx;

#define ASR_SPHINX_POOL       4
#define ASR_SPHINX_MAX_ARGS   64
#define ASR_DEFAULT_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
/* How much of the phrase model is mixed into the general one (measured in docs/asr.md). */
#define ASR_PHRASE_WEIGHT 0.3f

struct asr_sphinx {
    pthread_mutex_t lock;
    ps_decoder_t *idle[ASR_SPHINX_POOL];
    size_t n_idle;
    char *argv[ASR_SPHINX_MAX_ARGS]; /* name/value pairs for cmd_ln_parse_r */
    int argc;
    char *lm_path;
    char *phrase_arpa; /* the phrase bigram model as ARPA text; NULL without phrases */
    float phrase_weight;
};

/*
 * hotline's front end for 8 kHz speech. This PocketSphinx lets the model's
 * feat.params override the command line, and that file says 6800 Hz, which
 * an 8 kHz decoder refuses; so feat.params is replaced by nothing
 * (-featparams /dev/null) and its other settings for Debian's en-us model
 * are given here, so that tuning (asr_options.sphinx_args) can change them.
 * Measured (docs/asr.md): an 8 kHz front end (-samprate 8000 -nfft 256 with
 * the filter bank squeezed into 130/200-3500/3900 Hz) moves the cepstra away
 * from what the 16 kHz model learned and doubles the errors, so phone audio
 * is resampled to 16 kHz and decoded with the model's own filter bank; the
 * empty bands above 4 kHz cost less than a mismatched one.
 */
static const char *const base_args[] = {
    "-featparams", "/dev/null",
    "-samprate",   "16000",
    "-nfft",       "512",
    "-lowerf",     "130",
    "-upperf",     "6800",
    "-nfilt",      "25",
    "-transform",  "dct",
    "-lifter",     "22",
    "-feat",       "1s_c_d_dd",
    "-svspec",     "0-12/13-25/26-38",
    "-agc",        "none",
    "-cmn",        "batch",
    "-varnorm",    "no",
    "-cmninit",    "41.00,-5.29,-0.12,5.09,2.48,-4.07,-1.37,-1.78,-5.08,-2.05,-6.45,-1.42,1.17",
    "-bestpath",   "yes",
};

static pthread_once_t sphinx_once = PTHREAD_ONCE_INIT;
static int sphinx_loaded;
static char sphinx_load_error[200];

/* Open the library (once, on first decode) and silence its log. */
static void sphinx_load(void)
{
    static const struct lazylib_sym syms[] = {SPHINX_FUNCTIONS(SPHINX_SYM)};
    struct hl_err err = {0};

    if (lazylib_open("libpocketsphinx.so.3", syms, HL_ARRAY_LEN(syms), &err) != HL_OK) {
        snprintf(sphinx_load_error, sizeof(sphinx_load_error), "PocketSphinx: %.180s", err.msg);
        return;
    }
    sx.err_set_logfp(NULL);
    sphinx_loaded = 1;
}

static void set_arg(struct asr_sphinx *s, const char *name, const char *value)
{
    int i;

    for (i = 0; i < s->argc; i += 2)
        if (strcmp(s->argv[i], name) == 0) {
            free(s->argv[i + 1]);
            s->argv[i + 1] = hl_strdup(value);
            return;
        }
    if (s->argc + 2 > ASR_SPHINX_MAX_ARGS)
        return;
    s->argv[s->argc++] = hl_strdup(name);
    s->argv[s->argc++] = hl_strdup(value);
}

static int model_args(struct asr_sphinx *s, const char *dir, struct hl_err *err)
{
    static const char *const parts[][2] = {
        {"-hmm", "en-us"}, {"-lm", "en-us.lm.bin"}, {"-dict", "cmudict-en-us.dict"}};
    struct buf path = BUF_INIT(4096);
    size_t i;
    int rc = HL_OK;

    for (i = 0; i < HL_ARRAY_LEN(parts) && rc == HL_OK; i++) {
        buf_reset(&path);
        if (buf_addf(&path, "%s/%s", dir, parts[i][1]) != HL_OK)
            rc = hl_err_set(err, HL_ECONFIG, "ASR model directory name too long");
        else if (access(buf_str(&path), R_OK) != 0)
            rc = hl_err_set(err, HL_ECONFIG, "ASR model: cannot read %.200s: %s", buf_str(&path),
                            strerror(errno));
        else
            set_arg(s, parts[i][0], buf_str(&path));
    }
    buf_release(&path);
    return rc;
}

/* Distinct words (or word pairs "a b") with their counts. */
struct counts {
    char **keys;
    unsigned *n;
    size_t len, cap;
};

static void count(struct counts *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->len; i++)
        if (strcmp(c->keys[i], key) == 0) {
            c->n[i]++;
            return;
        }
    if (c->len == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->keys = hl_realloc(c->keys, c->cap * sizeof(*c->keys));
        c->n = hl_realloc(c->n, c->cap * sizeof(*c->n));
    }
    c->keys[c->len] = hl_strdup(key);
    c->n[c->len++] = 1;
}

static void counts_release(struct counts *c)
{
    size_t i;

    for (i = 0; i < c->len; i++)
        free(c->keys[i]);
    free(c->keys);
    free(c->n);
}

/* Count the words and word pairs of one phrase, with <s> and </s> around it. */
static void count_phrase(const char *phrase, struct counts *uni, struct counts *bi)
{
    char *norm = asr_normalize(phrase), *w = norm, *next;
    struct buf pair = BUF_INIT(512);
    const char *prev = "<s>";
    char prevbuf[128] = "<s>";

    if (!*norm) {
        free(norm);
        return;
    }
    count(uni, "<s>");
    for (; w; w = next) {
        next = strchr(w, ' ');
        if (next)
            *next++ = '\0';
        count(uni, w);
        buf_reset(&pair);
        if (buf_addf(&pair, "%s %s", prev, w) == HL_OK)
            count(bi, buf_str(&pair));
        snprintf(prevbuf, sizeof(prevbuf), "%s", w);
        prev = prevbuf;
    }
    count(uni, "</s>");
    buf_reset(&pair);
    if (buf_addf(&pair, "%s </s>", prev) == HL_OK)
        count(bi, buf_str(&pair));
    buf_release(&pair);
    free(norm);
}

/* How often word w starts a pair: the history count of a bigram. */
static unsigned history(const struct counts *bi, const char *w)
{
    size_t i, n = strlen(w);
    unsigned h = 0;

    for (i = 0; i < bi->len; i++)
        if (strncmp(bi->keys[i], w, n) == 0 && bi->keys[i][n] == ' ')
            h += bi->n[i];
    return h;
}

/*
 * An ARPA bigram model of the phrases: maximum-likelihood estimates with
 * half of each history's mass left to back off to the unigrams. Crude, but
 * it only has to make the expected words likelier than the general model
 * thinks; the interpolation weight bounds its influence.
 */
static char *phrase_arpa(const char *const *phrases, size_t n)
{
    struct counts uni = {0}, bi = {0};
    struct buf b = BUF_INIT(8u << 20);
    unsigned total = 0;
    size_t i;

    for (i = 0; i < n; i++)
        if (phrases[i])
            count_phrase(phrases[i], &uni, &bi);
    for (i = 0; i < uni.len; i++)
        total += uni.n[i];
    buf_addf(&b, "\\data\\\nngram 1=%zu\nngram 2=%zu\n\n\\1-grams:\n", uni.len, bi.len);
    for (i = 0; i < uni.len; i++)
        buf_addf(&b, "%.4f %s %.4f\n",
                 strcmp(uni.keys[i], "<s>") == 0 ? -99.0 : log10((double)uni.n[i] / total),
                 uni.keys[i], log10(0.5));
    buf_adds(&b, "\n\\2-grams:\n");
    for (i = 0; i < bi.len; i++) {
        char first[128];
        size_t k = strcspn(bi.keys[i], " ");

        snprintf(first, sizeof(first), "%.*s", (int)k, bi.keys[i]);
        buf_addf(&b, "%.4f %s\n", log10(0.5 * bi.n[i] / history(&bi, first)), bi.keys[i]);
    }
    buf_adds(&b, "\n\\end\\\n");
    counts_release(&uni);
    counts_release(&bi);
    return buf_detach(&b, NULL);
}

/* Read the ARPA text through a temporary file: sphinxbase reads models only by name. */
static ngram_model_t *read_arpa(cmd_ln_t *config, logmath_t *lmath, const char *arpa)
{
    char path[] = "/tmp/hotline-asr-XXXXXX";
    int fd = mkstemp(path);
    size_t len = strlen(arpa), off = 0;
    ngram_model_t *lm = NULL;
    ssize_t w = 0;

    if (fd < 0)
        return NULL;
    while (off < len && (w = write(fd, arpa + off, len - off)) > 0)
        off += (size_t)w;
    if (close(fd) == 0 && off == len)
        lm = sx.ngram_model_read(config, path, NGRAM_ARPA, lmath);
    unlink(path);
    return lm;
}

/* Replace the decoder's search with general + phrase models, interpolated. */
static int add_phrases(struct asr_sphinx *s, ps_decoder_t *ps, cmd_ln_t *config)
{
    logmath_t *lmath = sx.ps_get_logmath(ps);
    ngram_model_t *models[2], *set;
    char *names[2] = {"general", "phrases"};
    float32 weights[2] = {1.0f - s->phrase_weight, s->phrase_weight};

    models[0] = sx.ngram_model_read(config, s->lm_path, NGRAM_AUTO, lmath);
    models[1] = models[0] ? read_arpa(config, lmath, s->phrase_arpa) : NULL;
    if (!models[1]) {
        if (models[0])
            sx.ngram_model_free(models[0]);
        return HL_EIO;
    }
    set = sx.ngram_model_set_init(config, models, names, weights, 2);
    sx.ngram_model_free(models[0]); /* the set holds its own references */
    sx.ngram_model_free(models[1]);
    if (!set || sx.ps_set_lm(ps, "phrases", set) != 0 || sx.ps_set_search(ps, "phrases") != 0) {
        if (set)
            sx.ngram_model_free(set);
        return HL_EIO;
    }
    sx.ngram_model_free(set); /* the search keeps its own reference */
    return HL_OK;
}

static ps_decoder_t *build(struct asr_sphinx *s, struct hl_err *err)
{
    cmd_ln_t *config;
    ps_decoder_t *ps;

    pthread_once(&sphinx_once, sphinx_load);
    if (!sphinx_loaded) {
        hl_err_set(err, HL_ECONFIG, "%s", sphinx_load_error);
        return NULL;
    }
    config = sx.cmd_ln_parse_r(NULL, sx.ps_args(), s->argc, s->argv, TRUE);
    ps = config ? sx.ps_init(config) : NULL;

    if (ps && s->phrase_arpa && add_phrases(s, ps, config) != HL_OK) {
        sx.ps_free(ps);
        ps = NULL;
    }
    if (config)
        sx.cmd_ln_free_r(config); /* the decoder holds its own reference */
    if (!ps)
        hl_err_set(err, HL_ECONFIG, "PocketSphinx could not load its model or settings");
    return ps;
}

int asr_sphinx_new(struct asr_sphinx **out, const struct asr_options *o, struct hl_err *err)
{
    struct asr_sphinx *s = hl_calloc(1, sizeof(*s));
    const char *dir = o->model_dir && *o->model_dir ? o->model_dir : ASR_DEFAULT_MODEL_DIR;
    size_t i;
    int rc;

    pthread_mutex_init(&s->lock, NULL);
    s->phrase_weight = o->phrase_weight > 0 && o->phrase_weight < 1 ? (float)o->phrase_weight
                                                                    : ASR_PHRASE_WEIGHT;
    if ((rc = model_args(s, dir, err)) != HL_OK)
        goto fail;
    for (i = 0; i < HL_ARRAY_LEN(base_args); i += 2)
        set_arg(s, base_args[i], base_args[i + 1]);
    for (i = 0; i + 1 < o->n_sphinx_args; i += 2)
        if (strcmp(o->sphinx_args[i], "-phrase_weight") == 0)
            s->phrase_weight = strtof(o->sphinx_args[i + 1], NULL);
        else
            set_arg(s, o->sphinx_args[i], o->sphinx_args[i + 1]);
    for (i = 0; i < (size_t)s->argc; i += 2)
        if (strcmp(s->argv[i], "-lm") == 0)
            s->lm_path = hl_strdup(s->argv[i + 1]);
    if (o->n_phrases && s->phrase_weight > 0)
        s->phrase_arpa = phrase_arpa(o->phrases, o->n_phrases);
    /*
     * Decoders are built on first use (take()): a loaded model is about 100 MB,
     * which a server that never transcribes should not carry.
     */
    *out = s;
    return HL_OK;
fail:
    asr_sphinx_free(s);
    return rc;
}

void asr_sphinx_free(struct asr_sphinx *s)
{
    int i;

    if (!s)
        return;
    while (s->n_idle)
        sx.ps_free(s->idle[--s->n_idle]);
    for (i = 0; i < s->argc; i++)
        free(s->argv[i]);
    free(s->lm_path);
    free(s->phrase_arpa);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int asr_sphinx_rate(const struct asr_sphinx *s)
{
    int i;

    for (i = 0; i < s->argc; i += 2)
        if (strcmp(s->argv[i], "-samprate") == 0)
            return (int)strtol(s->argv[i + 1], NULL, 10);
    return 8000;
}

static ps_decoder_t *take(struct asr_sphinx *s, struct hl_err *err)
{
    ps_decoder_t *ps = NULL;

    pthread_mutex_lock(&s->lock);
    if (s->n_idle)
        ps = s->idle[--s->n_idle];
    pthread_mutex_unlock(&s->lock);
    return ps ? ps : build(s, err);
}

static void give_back(struct asr_sphinx *s, ps_decoder_t *ps)
{
    pthread_mutex_lock(&s->lock);
    if (s->n_idle < ASR_SPHINX_POOL) {
        s->idle[s->n_idle++] = ps;
        ps = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    if (ps)
        sx.ps_free(ps);
}

/* Feed the samples in pieces (the decoder copes with any size, this bounds its buffers). */
static int decode(ps_decoder_t *ps, const int16_t *pcm, size_t n)
{
    const size_t step = 8000 * 10;
    size_t off;

    if (sx.ps_start_utt(ps) < 0)
        return -1;
    for (off = 0; off < n; off += step)
        if (sx.ps_process_raw(ps, pcm + off, n - off < step ? n - off : step, FALSE, FALSE) < 0)
            return -1;
    return sx.ps_end_utt(ps);
}

int asr_sphinx_run(struct asr_sphinx *s, const int16_t *pcm, size_t n, struct asr_result *out,
                   struct hl_err *err)
{
    ps_decoder_t *ps = take(s, err);
    const char *hyp;
    int32 score, prob;

    if (!ps)
        return HL_ECONFIG;
    if (decode(ps, pcm, n) < 0) {
        sx.ps_free(ps); /* in an unknown state: not worth keeping */
        return hl_err_set(err, HL_EIO, "PocketSphinx could not decode the recording");
    }
    hyp = sx.ps_get_hyp(ps, &score);
    out->text = asr_normalize(hyp ? hyp : "");
    if (*out->text) {
        prob = sx.ps_get_prob(ps);
        out->confidence = sx.logmath_exp(sx.ps_get_logmath(ps), prob);
        if (!(out->confidence >= 0 && out->confidence <= 1))
            out->confidence = -1;
    }
    give_back(s, ps);
    return HL_OK;
}
