/*
 * wav.c — RIFF/WAVE writing and reading, G.711 μ-law, and the resampler.
 *
 * The WAV layout is Microsoft's RIFF: "RIFF" size "WAVE", then chunks of
 * id, little-endian size and data padded to an even length; "fmt " says how
 * samples are encoded and "data" holds them. The resampler is Julius Smith's
 * band-limited interpolation (https://ccrma.stanford.edu/~jos/resample/):
 * every output sample is the input convolved with a Blackman-windowed sinc
 * centred on its exact position, the sinc's cut-off set below the lower of
 * the two Nyquist frequencies, so one pass both low-passes and converts.
 */
#include "speech/wav.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* ---- Writing ---------------------------------------------------------------------------- */

static void put_le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)((v >> 8) & 0xff);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, v & 0xffff);
    put_le16(p + 2, v >> 16);
}

static void header_pcm16(uint8_t h[WAV_HEADER_SIZE], uint32_t data_len, int rate_hz)
{
    memcpy(h, "RIFF", 4);
    put_le32(h + 4, 36 + data_len);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le32(h + 16, 16);
    put_le16(h + 20, WAV_PCM16);
    put_le16(h + 22, 1);
    put_le32(h + 24, (uint32_t)rate_hz);
    put_le32(h + 28, (uint32_t)rate_hz * 2);
    put_le16(h + 32, 2);
    put_le16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    put_le32(h + 40, data_len);
}

int wav_write_pcm16(struct buf *out, const int16_t *samples, size_t n, int rate_hz)
{
    uint8_t h[WAV_HEADER_SIZE], chunk[512];
    size_t before = out->len, i = 0, k;

    if (n > (UINT32_MAX - 36) / 2)
        return HL_ETOOLARGE;
    header_pcm16(h, (uint32_t)(n * 2), rate_hz);
    if (buf_add(out, h, sizeof(h)) != HL_OK)
        return HL_ETOOLARGE;
    while (i < n) {
        for (k = 0; k < sizeof(chunk) / 2 && i < n; k++, i++)
            put_le16(chunk + 2 * k, (uint16_t)samples[i]);
        if (buf_add(out, chunk, 2 * k) != HL_OK) {
            out->len = before;
            out->ptr[before] = '\0';
            return HL_ETOOLARGE;
        }
    }
    return HL_OK;
}

/* ---- Reading ---------------------------------------------------------------------------- */

static unsigned get_le16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

/* The "fmt " chunk's body (size bytes). */
static int parse_fmt(const uint8_t *f, uint32_t size, struct wav_info *out, struct hl_err *err)
{
    unsigned tag;

    if (size < 16)
        return hl_err_set(err, HL_EINVAL, "WAV fmt chunk is %u bytes, under 16", (unsigned)size);
    tag = get_le16(f);
    if (tag == 0xFFFE &&
        size >= 40) /* WAVE_FORMAT_EXTENSIBLE: the subformat GUID starts with the tag */
        tag = get_le16(f + 24);
    out->channels = (int)get_le16(f + 2);
    out->rate_hz = (int)get_le32(f + 4);
    out->bits = (int)get_le16(f + 14);
    if (out->channels != 1)
        return hl_err_set(err, HL_EINVAL, "WAV has %d channels; only mono is read", out->channels);
    if (out->rate_hz < 1000 || out->rate_hz > 192000)
        return hl_err_set(err, HL_EINVAL, "WAV sample rate %d Hz is out of range", out->rate_hz);
    if (tag == WAV_PCM16 && out->bits == 16)
        out->format = WAV_PCM16;
    else if (tag == WAV_MULAW && out->bits == 8)
        out->format = WAV_MULAW;
    else
        return hl_err_set(err, HL_EINVAL,
                          "WAV format %u with %d bits is neither 16-bit PCM nor μ-law", tag,
                          out->bits);
    return HL_OK;
}

static void set_data(struct wav_info *out, const uint8_t *p, size_t avail, uint32_t size)
{
    size_t n = size < avail && size != 0 ? size : avail;

    n -= n % (size_t)(out->bits / 8);
    out->data = p;
    out->data_len = n;
    out->samples = n / (size_t)(out->bits / 8);
}

int wav_parse(const void *data, size_t len, struct wav_info *out, struct hl_err *err)
{
    const uint8_t *p = data;
    size_t at = 12;
    int have_fmt = 0, rc;

    memset(out, 0, sizeof(*out));
    if (len < 12 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WAVE", 4) != 0)
        return hl_err_set(err, HL_EINVAL, "not a RIFF/WAVE file");
    while (len - at >= 8) {
        uint32_t size = get_le32(p + at + 4);
        const uint8_t *body = p + at + 8;
        size_t avail = len - at - 8;

        if (memcmp(p + at, "fmt ", 4) == 0) {
            if (size > avail)
                break;
            if ((rc = parse_fmt(body, size, out, err)) != HL_OK)
                return rc;
            have_fmt = 1;
        } else if (memcmp(p + at, "data", 4) == 0) {
            if (!have_fmt)
                return hl_err_set(err, HL_EINVAL, "WAV data chunk comes before its fmt chunk");
            set_data(out, body, avail, size);
            return HL_OK;
        }
        if (size > avail)
            break;
        at += 8 + (size_t)size + (size & 1);
        if (at > len)
            break;
    }
    return hl_err_set(err, HL_EINVAL, "WAV file ends before its %s chunk",
                      have_fmt ? "data" : "fmt");
}

int16_t *wav_samples(const struct wav_info *info)
{
    int16_t *s;
    size_t i;

    if (info->samples == 0)
        return NULL;
    s = hl_malloc(info->samples * sizeof(*s));
    for (i = 0; i < info->samples; i++)
        s[i] = info->format == WAV_MULAW ? wav_mulaw_decode(info->data[i])
                                         : (int16_t)get_le16(info->data + 2 * i);
    return s;
}

/* ---- μ-law ------------------------------------------------------------------------------ */

enum { MULAW_BIAS = 0x84, MULAW_CLIP = 32635 };

int16_t wav_mulaw_decode(uint8_t u)
{
    int v, sample;

    v = (uint8_t)~u;
    sample = (((v & 0x0F) << 3) + MULAW_BIAS) << ((v >> 4) & 7);
    sample -= MULAW_BIAS;
    return (int16_t)(v & 0x80 ? -sample : sample);
}

uint8_t wav_mulaw_encode(int16_t s)
{
    int v = s, sign = 0, exp = 7, mant;

    if (v < 0) {
        v = -v;
        sign = 0x80;
    }
    if (v > MULAW_CLIP)
        v = MULAW_CLIP;
    v += MULAW_BIAS;
    while (exp > 0 && !(v & (0x4000 >> (7 - exp))))
        exp--;
    mant = (v >> (exp + 3)) & 0x0F;
    return (uint8_t) ~(sign | exp << 4 | mant);
}

/* ---- Resampling ------------------------------------------------------------------------- */

/*
 * The kernel is tabulated in units of its zero crossings: KERNEL_ZEROS on
 * each side (the window's half-width), KERNEL_RES points between two, read
 * with linear interpolation. 10 crossings with a Blackman window put the
 * stop band about 70 dB down, plenty for 16-bit telephone audio.
 */
enum { KERNEL_ZEROS = 10, KERNEL_RES = 256 };
#define KERNEL_CUTOFF 0.45 /* of the lower sample rate */

static const double PI = 3.14159265358979323846;

static double *kernel_table(void)
{
    size_t n = KERNEL_ZEROS * KERNEL_RES + 2, j;
    double *t = hl_malloc(n * sizeof(*t));

    for (j = 0; j < n; j++) {
        double u = (double)j / KERNEL_RES, w = u / KERNEL_ZEROS;
        double sinc = j == 0 ? 1.0 : sin(PI * u) / (PI * u);
        double win = w >= 1.0 ? 0.0 : 0.42 + 0.5 * cos(PI * w) + 0.08 * cos(2 * PI * w);

        t[j] = sinc * win;
    }
    return t;
}

/* The kernel at u zero crossings from its centre. */
static double kernel_at(const double *t, double u)
{
    double pos = fabs(u) * KERNEL_RES, frac;
    size_t j;

    if (pos >= KERNEL_ZEROS * KERNEL_RES)
        return 0.0;
    j = (size_t)pos;
    frac = pos - (double)j;
    return t[j] + frac * (t[j + 1] - t[j]);
}

size_t wav_resample_len(size_t n, int from_hz, int to_hz)
{
    if (from_hz <= 0 || to_hz <= 0)
        return 0;
    return (size_t)(((unsigned long long)n * (unsigned)to_hz + (unsigned)from_hz - 1) /
                    (unsigned)from_hz);
}

static int16_t clip16(double v)
{
    if (v > 32767.0)
        return 32767;
    if (v < -32768.0)
        return -32768;
    return (int16_t)lrint(v);
}

/* One output sample at input position t; fc is the cut-off in cycles per input sample. */
static int16_t interpolate(const int16_t *in, size_t n, double t, double fc, const double *tab)
{
    double half = KERNEL_ZEROS / (2.0 * fc), sum = 0.0;
    long k = (long)ceil(t - half), last = (long)floor(t + half);

    if (k < 0)
        k = 0;
    if (last >= (long)n)
        last = (long)n - 1;
    for (; k <= last; k++)
        sum += in[k] * kernel_at(tab, 2.0 * fc * (t - (double)k));
    return clip16(2.0 * fc * sum);
}

int wav_resample(const int16_t *in, size_t n, int from_hz, int to_hz, int16_t *out)
{
    size_t m = wav_resample_len(n, from_hz, to_hz), i;
    double fc, step;
    double *tab;

    if (from_hz < 1000 || from_hz > 192000 || to_hz < 1000 || to_hz > 192000)
        return HL_EINVAL;
    if (from_hz == to_hz) {
        if (n)
            memcpy(out, in, n * sizeof(*in));
        return HL_OK;
    }
    fc = KERNEL_CUTOFF * (from_hz < to_hz ? from_hz : to_hz) / from_hz;
    step = (double)from_hz / to_hz;
    tab = kernel_table();
    for (i = 0; i < m; i++)
        out[i] = interpolate(in, n, (double)i * step, fc, tab);
    free(tab);
    return HL_OK;
}
