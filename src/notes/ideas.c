/*
 * ideas.c — a small bounded cache with a time to live, for the ideas of
 * sealed notes (ideas.h), and the IDEAS reply built from them.
 *
 * A fixed table of entries scanned linearly: it holds a few hundred notes
 * at most and is touched once per note and per IDEAS text, so a scan costs
 * less than anything cleverer. Time is CLOCK_MONOTONIC, so a change of the
 * wall clock neither keeps ideas longer nor drops them early.
 */
#include "notes/ideas.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "core/banned.h"

struct ideas_entry {
    long long note_id; /* 0: free */
    long long expires_ms;
    char text[IDEAS_TEXT_MAX + 1];
};

struct ideas_cache {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t sweeper;
    int stopping;
    long ttl_ms;
    size_t max;
    struct ideas_entry *entries;
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void entry_wipe(struct ideas_entry *e)
{
    crypto_wipe(e, sizeof(*e));
}

/* Wipe what has expired; the earliest expiry still held (0: none). Lock held. */
static long long sweep(struct ideas_cache *c, long long now)
{
    long long next = 0;
    size_t i;

    for (i = 0; i < c->max; i++) {
        struct ideas_entry *e = &c->entries[i];
        if (!e->note_id)
            continue;
        if (e->expires_ms <= now)
            entry_wipe(e);
        else if (!next || e->expires_ms < next)
            next = e->expires_ms;
    }
    return next;
}

/* Sleep until the next entry expires (or a put wakes us), wipe, repeat. */
static void *sweeper_main(void *arg)
{
    struct ideas_cache *c = arg;

    pthread_mutex_lock(&c->lock);
    while (!c->stopping) {
        long long next = sweep(c, now_ms());
        if (!next) {
            pthread_cond_wait(&c->wake, &c->lock);
        } else {
            struct timespec at = {(time_t)(next / 1000), (long)(next % 1000) * 1000000L};
            pthread_cond_timedwait(&c->wake, &c->lock, &at);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

int ideas_cache_new(struct ideas_cache **out, size_t max_entries, long ttl_ms, struct hl_err *err)
{
    struct ideas_cache *c = calloc(1, sizeof(*c));
    pthread_condattr_t attr;

    *out = NULL;
    if (!c || max_entries < 1 || ttl_ms < 1 ||
        !(c->entries = calloc(max_entries, sizeof(*c->entries)))) {
        free(c);
        return hl_err_set(err, HL_EINVAL, "an ideas cache needs room and a time to live");
    }
    c->max = max_entries;
    c->ttl_ms = ttl_ms;
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&c->sweeper, NULL, sweeper_main, c) != 0) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        free(c->entries);
        free(c);
        return hl_err_set(err, HL_EIO, "cannot start the ideas cache's sweeper thread");
    }
    *out = c;
    return HL_OK;
}

void ideas_cache_free(struct ideas_cache *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->sweeper, NULL);
    crypto_wipe(c->entries, c->max * sizeof(*c->entries));
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c->entries);
    free(c);
}

/* The note's entry, else a free one, else the one that expires first. Lock held. */
static struct ideas_entry *slot_for(struct ideas_cache *c, long long note_id)
{
    struct ideas_entry *free_slot = NULL, *oldest = &c->entries[0];
    size_t i;

    for (i = 0; i < c->max; i++) {
        struct ideas_entry *e = &c->entries[i];
        if (e->note_id == note_id)
            return e;
        if (!e->note_id && !free_slot)
            free_slot = e;
        if (e->expires_ms < oldest->expires_ms)
            oldest = e;
    }
    return free_slot ? free_slot : oldest;
}

/* Copy text into out, cut at the last whole line that fits. */
static void copy_lines(char *out, size_t out_size, const char *text)
{
    size_t n = strlen(text);

    if (n >= out_size) {
        n = out_size - 1;
        while (n > 0 && text[n] != '\n')
            n--;
    }
    memcpy(out, text, n);
    out[n] = '\0';
}

void ideas_cache_put(struct ideas_cache *c, long long note_id, const char *ideas)
{
    struct ideas_entry *e;

    if (!c || note_id <= 0)
        return;
    pthread_mutex_lock(&c->lock);
    sweep(c, now_ms());
    e = slot_for(c, note_id);
    entry_wipe(e);
    e->note_id = note_id;
    e->expires_ms = now_ms() + c->ttl_ms;
    copy_lines(e->text, sizeof(e->text), ideas ? ideas : "");
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

int ideas_cache_get(struct ideas_cache *c, long long note_id, char *out, size_t out_size)
{
    int found = 0;
    size_t i;

    if (out_size)
        out[0] = '\0';
    if (!c || note_id <= 0 || !out_size)
        return 0;
    pthread_mutex_lock(&c->lock);
    sweep(c, now_ms());
    for (i = 0; i < c->max && !found; i++)
        if (c->entries[i].note_id == note_id) {
            copy_lines(out, out_size, c->entries[i].text);
            found = 1;
        }
    pthread_mutex_unlock(&c->lock);
    return found;
}

size_t ideas_cache_count(struct ideas_cache *c)
{
    size_t i, n = 0;

    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->max; i++)
        n += c->entries[i].note_id != 0;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void ideas_reply(long long note_id, const char *ideas, char *out, size_t out_size)
{
    const char *p = ideas ? ideas : "";
    size_t len;
    int k = 0;

    if (out_size > 1601)
        out_size = 1601; /* one message: 1,600 characters */
    if (!*p) {
        snprintf(out, out_size, "Your note (ID: %lld) has no ideas we could find.", note_id);
        return;
    }
    len = (size_t)snprintf(out, out_size, "Ideas from your note (ID: %lld):", note_id);
    while (*p && len < out_size) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int w = snprintf(out + len, out_size - len, "\n%d. %.*s", ++k, (int)n, p);
        if (w < 0 || (size_t)w >= out_size - len) {
            out[len] = '\0'; /* this idea does not fit: stop at the last whole one */
            break;
        }
        len += (size_t)w;
        p = end ? end + 1 : p + n;
    }
}
