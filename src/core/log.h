/*
 * log.h — structured logging: one JSON object per line (or readable text).
 *
 * Every line has time, level and msg, then the fields the caller adds:
 *
 *     log_info("webhook", LOG_S("route", "/twilio/voice"), LOG_I("status", 200));
 *
 * Privacy is enforced here, not left to callers: every string value is
 * scanned and phone numbers are masked ("+1***-***-1234"), and any value
 * registered with log_add_secret() is replaced by "[redacted]" wherever it
 * appears. Lines go to one file descriptor whole, so lines from concurrent
 * threads never interleave: each with its own write(2), or, once
 * log_batch_start() has been called, many at a time (see below).
 */
#ifndef HL_LOG_H
#define HL_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_JSON, LOG_TEXT };

enum log_field_type { LOG_FIELD_NONE, LOG_FIELD_STR, LOG_FIELD_INT };

struct log_field {
    const char *key;
    enum log_field_type type;
    const char *str; /* LOG_FIELD_STR; NULL fields are skipped */
    long long num;   /* LOG_FIELD_INT */
};

#define LOG_S(k, v) ((struct log_field){(k), LOG_FIELD_STR, (v), 0})
#define LOG_I(k, v) ((struct log_field){(k), LOG_FIELD_INT, NULL, (long long)(v)})

/* Where and how to log; before this is called, info and above go to stderr as JSON. */
void log_setup(enum log_level min_level, enum log_format format, int fd);

/*
 * Never log this value: it is replaced by "[redacted]" in every field (where
 * two secrets overlap, the longer wins). Call during start-up, before other
 * threads log.
 */
void log_add_secret(const char *secret);

/* Forget every registered secret (tests). */
void log_clear_secrets(void);

int log_enabled(enum log_level level);

/* Write one line; fields[0] is skipped (see the macros below). */
void log_emit(enum log_level level, const char *msg, const struct log_field *fields, size_t n);

/*
 * Batch lines instead of writing each at once: they wait in memory until
 * 32 KiB have gathered or 20 ms have passed since the first of them,
 * whichever comes first, and then go out in one write(2). A warning or an
 * error writes every waiting line, itself included, at once. A crash can
 * lose at most the lines of the last 20 ms (or 32 KiB); log_batch_stop()
 * writes the rest, so a graceful stop loses nothing.
 *
 * Start after log_setup(); lines other threads log while it starts or stops
 * may be written unbatched (whole, never lost). Stop it once they have
 * stopped logging. log_batch_start() returns HL_OK, or HL_EIO when its
 * thread cannot start (lines are then written one by one, as before).
 */
int log_batch_start(void);
void log_batch_stop(void);

/* Parse "debug", "info", "warn"/"warning", "error"; -1 when unknown. */
int log_level_parse(const char *name);

#define LOG_AT(level, msg, ...)                                                                    \
    log_emit((level), (msg), (const struct log_field[]){{0}, __VA_ARGS__},                         \
             sizeof((const struct log_field[]){{0}, __VA_ARGS__}) / sizeof(struct log_field))
#define log_debug(msg, ...) LOG_AT(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...)  LOG_AT(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...)  LOG_AT(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) LOG_AT(LOG_ERROR, msg, __VA_ARGS__)

#endif
