/*
 * wav.h — RIFF/WAVE files and the sample-rate conversion that speech needs.
 *
 * Writing: mono 16-bit PCM (what espeak renders and Twilio's <Play> takes).
 * Reading: the header of a mono file in 16-bit PCM or 8-bit G.711 μ-law at
 * any rate (Twilio's recordings are 8 kHz), and its samples as 16-bit PCM.
 * Resampling: a band-limited (windowed-sinc) interpolator, which low-passes
 * below the lower Nyquist frequency while it converts, so 22050 Hz speech
 * comes down to 8000 Hz without aliasing.
 *
 * Nothing here keeps state; every function may be called from any thread.
 */
#ifndef HL_SPEECH_WAV_H
#define HL_SPEECH_WAV_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/hl.h"

/* Bytes of the canonical header wav_write_pcm16() writes. */
#define WAV_HEADER_SIZE 44

/* The sample encodings this module reads. */
enum wav_format {
    WAV_PCM16 = 1, /* WAVE_FORMAT_PCM, 16 bits signed little-endian */
    WAV_MULAW = 7, /* WAVE_FORMAT_MULAW, 8 bits G.711 μ-law */
};

/* What wav_parse() found. data points into the parsed bytes. */
struct wav_info {
    enum wav_format format;
    int rate_hz;
    int channels;        /* always 1: other counts are refused */
    int bits;            /* 16 or 8 */
    const uint8_t *data; /* the first sample */
    size_t data_len;     /* bytes of samples (a trailing odd byte of PCM16 is left out) */
    size_t samples;      /* data_len / (bits / 8) */
};

/*
 * Append a whole mono 16-bit PCM WAV file of n samples at rate_hz to out.
 * HL_ETOOLARGE when out's ceiling (or the 4 GiB RIFF limit) is reached;
 * out is then left as it was.
 */
int wav_write_pcm16(struct buf *out, const int16_t *samples, size_t n, int rate_hz);

/*
 * Read the header of a WAV file held in len bytes: the "fmt " and "data"
 * chunks are found wherever they are (LIST and other chunks are skipped).
 * HL_EINVAL, with err saying why, when it is not RIFF/WAVE, is cut short
 * before its data chunk, is not mono, or is not 16-bit PCM or 8-bit μ-law
 * (WAVE_FORMAT_EXTENSIBLE with either subformat is accepted). A data chunk
 * longer than the bytes present is read as far as the bytes go (a file
 * still being written says 0 or 0xFFFFFFFF there).
 */
int wav_parse(const void *data, size_t len, struct wav_info *out, struct hl_err *err);

/*
 * The samples of a parsed file as 16-bit PCM in a new heap array of
 * info->samples values (the caller frees it; NULL when there are none).
 */
int16_t *wav_samples(const struct wav_info *info);

/* G.711 μ-law (ITU-T G.711, the bias-and-segment form): one byte <-> one 16-bit sample. */
int16_t wav_mulaw_decode(uint8_t u);
uint8_t wav_mulaw_encode(int16_t s);

/* How many samples wav_resample() makes of n at from_hz: ceil(n * to / from). */
size_t wav_resample_len(size_t n, int from_hz, int to_hz);

/*
 * Convert n samples at from_hz to to_hz (each 1000..192000), writing
 * wav_resample_len(n, from_hz, to_hz) samples to out. Downsampling filters
 * out what the new rate cannot hold (cut-off at 0.45 of the lower rate);
 * values are clipped to 16 bits. HL_EINVAL for a rate out of range.
 */
int wav_resample(const int16_t *in, size_t n, int from_hz, int to_hz, int16_t *out);

#endif
