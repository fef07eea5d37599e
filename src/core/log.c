/*
 * log.c — JSON-lines and text logging with phone masking and secret redaction.
 *
 * Each value is redacted (longest secret first), then masked, then escaped
 * (each value at most LOG_VALUE_MAX bytes), so a line always ends in "}\n":
 * fields that would not fit are dropped and the line says "cut". The line
 * is written with one write(2). Configuration is set once at start-up and only
 * read afterwards, so the hot path takes no lock.
 */
#include "log.h"

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
    LOG_VALUE_MAX = 8192,  /* one value as written, after escaping */
    LOG_LINE_MAX = 65536,  /* a whole line */
    LOG_LINE_ROOM = 16384, /* stop adding fields when less than this is left */
};

static struct {
    enum log_level min_level;
    enum log_format format;
    int fd;
    char **secrets;
    size_t secret_count;
} logger = {LOG_INFO, LOG_JSON, 2, NULL, 0};

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
    logger.secrets = hl_realloc(logger.secrets, (logger.secret_count + 1) * sizeof(char *));
    logger.secrets[logger.secret_count++] = hl_strdup(secret);
}

void log_clear_secrets(void)
{
    while (logger.secret_count)
        free(logger.secrets[--logger.secret_count]);
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
        size_t n = strlen(logger.secrets[k]);
        if (n > best && n <= left && memcmp(s, logger.secrets[k], n) == 0)
            best = n;
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

static void add_time(struct buf *out)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    buf_addf(out, "%s.%03ldZ", stamp, ts.tv_nsec / 1000000);
}

static void add_field(struct buf *out, const struct log_field *f)
{
    if (f->type == LOG_FIELD_STR && !f->str)
        return;
    if (logger.format == LOG_JSON) {
        buf_addf(out, ",\"%s\":", f->key);
        if (f->type == LOG_FIELD_INT) {
            buf_addf(out, "%lld", f->num);
            return;
        }
        buf_addc(out, '"');
        add_value(out, f->str);
        buf_addc(out, '"');
        return;
    }
    buf_addf(out, " %s=", f->key);
    if (f->type == LOG_FIELD_INT)
        buf_addf(out, "%lld", f->num);
    else
        add_value(out, f->str);
}

void log_emit(enum log_level level, const char *msg, const struct log_field *fields, size_t n)
{
    struct buf line = BUF_INIT(LOG_LINE_MAX);
    size_t i;

    if (level < logger.min_level)
        return;
    if (logger.format == LOG_JSON) {
        buf_adds(&line, "{\"time\":\"");
        add_time(&line);
        buf_addf(&line, "\",\"level\":\"%s\",\"msg\":\"", level_names[level]);
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
    if (write(logger.fd, buf_str(&line), line.len) < 0) {
        /* Nowhere left to report a failed log write. */
    }
    buf_release(&line);
}
