/*
 * log.c — JSON-lines and text logging with phone masking and secret redaction.
 *
 * Each value is redacted (longest secret first), then masked, then escaped
 * (each value at most LOG_VALUE_MAX bytes), so a line always ends in "}\n":
 * fields that would not fit are dropped and the line says "cut". The line
 * is written with one write(2). Configuration is set once at start-up and only
 * read afterwards, so formatting takes no lock.
 *
 * A busy server writes thousands of lines a second, and a write(2) each cost
 * more than formatting them. So `hotline serve` batches (log_batch_start):
 * lines wait in memory and go out in one write when LOG_BATCH_BYTES have
 * gathered or LOG_BATCH_MS after the first of them, whichever comes first;
 * a warning or an error takes every waiting line out at once, and
 * log_batch_stop() writes the rest. A crash can lose only what was waiting.
 */
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/hl.h"
#include "core/mask.h"
#include "core/banned.h"

enum {
    LOG_VALUE_MAX = 8192,    /* one value as written, after escaping */
    LOG_LINE_MAX = 65536,    /* a whole line */
    LOG_LINE_ROOM = 16384,   /* stop adding fields when less than this is left */
    LOG_BATCH_BYTES = 32768, /* write a batch when it holds this much */
    LOG_BATCH_MS = 20,       /* or this long after its first line */
};

struct log_secret {
    char *text;
    size_t len;
};

static struct {
    enum log_level min_level;
    enum log_format format;
    int fd;
    struct log_secret *secrets;
    size_t secret_count;
} logger = {LOG_INFO, LOG_JSON, 2, NULL, 0};

/* Lines waiting for one write (log_batch_start). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wanted; /* the first line of a batch has arrived, or stop */
    struct buf lines;
    pthread_t flusher;
    atomic_int running;
    int stopping;
} batch = {.lock = PTHREAD_MUTEX_INITIALIZER,
           .wanted = PTHREAD_COND_INITIALIZER,
           .lines = BUF_INIT(LOG_BATCH_BYTES)};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_setup(enum log_level min_level, enum log_format format, int fd)
{
    logger.min_level = min_level;
    logger.format = format;
    logger.fd = fd;
}

void log_add_secret(const char *secret)
{
    if (!secret || strlen(secret) < 4)
        return;
    logger.secrets =
        hl_realloc(logger.secrets, (logger.secret_count + 1) * sizeof(*logger.secrets));
    logger.secrets[logger.secret_count].text = hl_strdup(secret);
    logger.secrets[logger.secret_count++].len = strlen(secret);
}

void log_clear_secrets(void)
{
    while (logger.secret_count)
        free(logger.secrets[--logger.secret_count].text);
    free(logger.secrets);
    logger.secrets = NULL;
}

int log_enabled(enum log_level level)
{
    return level >= logger.min_level;
}

int log_level_parse(const char *name)
{
    size_t i;

    if (strcasecmp(name, "warning") == 0)
        return LOG_WARN;
    for (i = 0; i < HL_ARRAY_LEN(level_names); i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return (int)i;
    return -1;
}

/* Length of the longest registered secret starting at s (0: none). */
static size_t secret_at(const char *s, size_t left)
{
    size_t k, best = 0;

    for (k = 0; k < logger.secret_count; k++) {
        const struct log_secret *secret = &logger.secrets[k];
        if (secret->len > best && secret->len <= left && secret->text[0] == s[0] &&
            memcmp(s, secret->text, secret->len) == 0)
            best = secret->len;
    }
    return best;
}

/* Append s with every registered secret replaced. */
static void add_redacted(struct buf *out, const char *s, size_t len)
{
    size_t i = 0, start = 0, n;

    while (i < len) {
        if (!(n = secret_at(s + i, len - i))) {
            i++;
            continue;
        }
        buf_add(out, s + start, i - start);
        buf_adds(out, "[redacted]");
        i += n;
        start = i;
    }
    buf_add(out, s + start, len - start);
}

/* Length of the valid UTF-8 sequence at s (0 when invalid or truncated). */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xe0) == 0xc0 ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    unsigned cp;
    size_t i;

    if (n == 0 || n > left)
        return 0;
    cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0; /* overlong, out of range, or a surrogate */
    return n;
}

static void add_escaped_byte(struct buf *out, unsigned char c, int json)
{
    if (json && (c == '"' || c == '\\'))
        buf_addf(out, "\\%c", c);
    else if (c == '\n')
        buf_adds(out, "\\n");
    else if (c < 0x20 || c == 0x7f)
        buf_addf(out, json ? "\\u%04x" : "\\x%02x", c);
    else
        buf_addc(out, (char)c);
}

/*
 * Append s escaped so that it stays inside its line: JSON string escapes
 * (bytes that are not UTF-8 become U+FFFD) or, for text logs, \n and \xNN.
 */
static void add_escaped(struct buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    int json = logger.format == LOG_JSON;
    size_t i = 0;

    while (i < len) {
        size_t n = utf8_len(p + i, len - i);
        if (n > 1)
            buf_add(out, s + i, n);
        else if (n == 1)
            add_escaped_byte(out, p[i], json);
        else if (json)
            buf_adds(out, "\\ufffd");
        else
            buf_addf(out, "\\x%02x", p[i]);
        i += n ? n : 1;
    }
}

/* Nothing in s to redact, mask or escape (the common case: routes, SIDs)? */
static int value_is_plain(const char *s, size_t len)
{
    size_t i;

    if (len >= LOG_VALUE_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || secret_at(s + i, len - i))
            return 0;
    }
    return !mask_text_has_phone(s, len);
}

/* Append a string value: redacted, masked, escaped, and cut at LOG_VALUE_MAX. */
static void add_value(struct buf *out, const char *s)
{
    struct buf redacted = BUF_INIT(SIZE_MAX), masked = BUF_INIT(SIZE_MAX);
    struct buf escaped = BUF_INIT(LOG_VALUE_MAX);
    size_t len = strlen(s);

    if (value_is_plain(s, len)) {
        buf_add(out, s, len);
        return;
    }
    add_redacted(&redacted, s, len);
    mask_text(&masked, buf_str(&redacted), redacted.len);
    add_escaped(&escaped, buf_str(&masked), masked.len);
    buf_add(out, buf_str(&escaped), escaped.len);
    if (escaped.len + 16 >= LOG_VALUE_MAX || masked.len > LOG_VALUE_MAX)
        buf_adds(out, "...[cut]");
    buf_release(&redacted);
    buf_release(&masked);
    buf_release(&escaped);
}

/* "2026-11-21T05:35:09.123Z"; the part up to the second is made once a second per thread. */
static void add_time(struct buf *out)
{
    static _Thread_local time_t stamp_second = -1;
    static _Thread_local char stamp[32];
    char millis[6];
    struct timespec ts;
    struct tm tm;
    long ms;

    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != stamp_second) {
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        stamp_second = ts.tv_sec;
    }
    ms = ts.tv_nsec / 1000000;
    millis[0] = '.';
    millis[1] = (char)('0' + ms / 100);
    millis[2] = (char)('0' + ms / 10 % 10);
    millis[3] = (char)('0' + ms % 10);
    millis[4] = 'Z';
    buf_adds(out, stamp);
    buf_add(out, millis, 5);
}

static void add_int(struct buf *out, long long v)
{
    char digits[24], *p = digits + sizeof(digits);
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    buf_add(out, p, (size_t)(digits + sizeof(digits) - p));
}

static void add_field(struct buf *out, const struct log_field *f)
{
    if (f->type == LOG_FIELD_STR && !f->str)
        return;
    int json = logger.format == LOG_JSON;

    buf_adds(out, json ? ",\"" : " ");
    buf_adds(out, f->key);
    buf_adds(out, json ? "\":" : "=");
    if (f->type == LOG_FIELD_INT) {
        add_int(out, f->num);
        return;
    }
    if (json)
        buf_addc(out, '"');
    add_value(out, f->str);
    if (json)
        buf_addc(out, '"');
}

/* One write(2) for the whole of data, unless it is cut short. */
static void log_write(const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(logger.fd, data, len);
        if (n <= 0)
            return; /* nowhere left to report a failed log write */
        data += n;
        len -= (size_t)n;
    }
}

static void log_output(enum log_level level, const char *line, size_t len);

void log_emit(enum log_level level, const char *msg, const struct log_field *fields, size_t n)
{
    struct buf line = BUF_INIT(LOG_LINE_MAX);
    size_t i;

    if (level < logger.min_level)
        return;
    if (logger.format == LOG_JSON) {
        buf_adds(&line, "{\"time\":\"");
        add_time(&line);
        buf_adds(&line, "\",\"level\":\"");
        buf_adds(&line, level_names[level]);
        buf_adds(&line, "\",\"msg\":\"");
        add_value(&line, msg);
        buf_addc(&line, '"');
    } else {
        add_time(&line);
        buf_addf(&line, " %-5s ", level_names[level]);
        add_value(&line, msg);
    }
    for (i = 1; i < n; i++) {
        if (line.len > LOG_LINE_MAX - LOG_LINE_ROOM) {
            buf_adds(&line, logger.format == LOG_JSON ? ",\"cut\":true" : " cut=true");
            break;
        }
        add_field(&line, &fields[i]);
    }
    buf_adds(&line, logger.format == LOG_JSON ? "}\n" : "\n");
    log_output(level, line.ptr, line.len);
    buf_release(&line);
}

/* ---- Batched output ------------------------------------------------------------------- */

/* Write batch.lines out (batch.lock held). */
static void batch_flush(void)
{
    log_write(batch.lines.ptr, batch.lines.len);
    buf_reset(&batch.lines);
}

/* Writes waiting lines LOG_BATCH_MS after the first of them arrives. */
static void *batch_flusher_main(void *arg)
{
    struct timespec pause = {0, LOG_BATCH_MS * 1000000L};

    (void)arg;
    pthread_mutex_lock(&batch.lock);
    while (!batch.stopping) {
        if (!batch.lines.len) {
            pthread_cond_wait(&batch.wanted, &batch.lock);
            continue;
        }
        pthread_mutex_unlock(&batch.lock);
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&batch.lock);
        batch_flush();
    }
    batch_flush();
    pthread_mutex_unlock(&batch.lock);
    return NULL;
}

static void log_output(enum log_level level, const char *line, size_t len)
{
    if (!atomic_load(&batch.running)) {
        log_write(line, len);
        return;
    }
    pthread_mutex_lock(&batch.lock);
    if (batch.lines.len + len > LOG_BATCH_BYTES)
        batch_flush();
    if (len > LOG_BATCH_BYTES) {
        log_write(line, len);
    } else {
        if (!batch.lines.len)
            pthread_cond_signal(&batch.wanted);
        buf_add(&batch.lines, line, len);
    }
    if (level >= LOG_WARN)
        batch_flush();
    pthread_mutex_unlock(&batch.lock);
}

int log_batch_start(void)
{
    batch.stopping = 0;
    if (pthread_create(&batch.flusher, NULL, batch_flusher_main, NULL) != 0)
        return HL_EIO;
    atomic_store(&batch.running, 1);
    return HL_OK;
}

void log_batch_stop(void)
{
    if (!atomic_load(&batch.running))
        return;
    pthread_mutex_lock(&batch.lock);
    batch.stopping = 1;
    pthread_cond_signal(&batch.wanted);
    pthread_mutex_unlock(&batch.lock);
    pthread_join(batch.flusher, NULL);
    atomic_store(&batch.running, 0);
    buf_release(&batch.lines);
}
