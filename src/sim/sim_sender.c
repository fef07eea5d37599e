/*
 * sim_sender.c — the emulator's callback thread: a queue of signed webhook
 * jobs driven through one libcurl multi handle.
 *
 * Threads: producers (HTTP threads, the call driver, the sender thread's own
 * done functions) append to the queue under s->lock and wake the thread with
 * curl_multi_wakeup(). Everything else — the jobs taken from the queue,
 * transfers, retries — belongs to the sender thread alone, so it needs no
 * lock. The thread runs until it is told to stop and the queue is drained,
 * or the drain deadline passes.
 */
#include "sim/sim_sender.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "crypto/crypto.h"
#include "sim/sim_sid.h"
#include "twilio/signature.h"
#include "core/banned.h"

enum {
    SENDER_MAX_RUNNING = 32,      /* ordinary jobs in flight at once (urgent ones: no cap) */
    SENDER_MAX_ANSWER = 64 << 10, /* bytes of an answer kept */
    SENDER_DEFAULT_TIMEOUT_MS = 5000,
    SENDER_DEFAULT_ATTEMPTS = 3,
    SENDER_BACKOFF_MS = 250,
    SENDER_IDLE_POLL_MS = 1000,
    SENDER_MAX_BODY = 1 << 20, /* a request body or GET URL */
};

struct sim_job {
    struct sim_job *next;
    char *url;
    int use_get;
    struct sim_params params;
    int attempts, max_attempts;
    long timeout_ms;
    int urgent;
    uint64_t due_ns; /* no attempt before this (CLOCK_MONOTONIC) */
    char token[SIM_UUID_SIZE];
    void (*done)(struct sim *sim, void *ctx, const struct sim_result *result);
    void *ctx;
    /* while a transfer runs */
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    char *target; /* the URL requested: url, plus the query for GET */
    struct buf answer;
    char errbuf[CURL_ERROR_SIZE];
};

struct job_list {
    struct sim_job *head, *tail;
};

struct sim_sender {
    struct sim *sim;
    char auth_token[64];
    pthread_t thread;
    pthread_mutex_t lock; /* guards the two queues, queued, stopping and deadline_ns */
    CURLM *multi;
    struct job_list urgent, normal;
    size_t queued;
    int stopping;
    uint64_t deadline_ns;
    /* the sender thread's own */
    struct job_list waiting; /* taken from the queue, not running: new, or waiting for a retry */
    struct sim_job *running[SENDER_MAX_RUNNING * 4];
    size_t running_count;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void list_push(struct job_list *l, struct sim_job *j)
{
    j->next = NULL;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
}

static struct sim_job *list_pop(struct job_list *l)
{
    struct sim_job *j = l->head;

    if (j) {
        l->head = j->next;
        if (!l->head)
            l->tail = NULL;
        j->next = NULL;
    }
    return j;
}

static void job_free(struct sim_job *j)
{
    if (j->easy)
        curl_easy_cleanup(j->easy);
    curl_slist_free_all(j->headers);
    free(j->body);
    free(j->target);
    buf_release(&j->answer);
    sim_params_release(&j->params);
    free(j->url);
    free(j);
}

/* Run done (if any) and free the job. */
static void job_finish(struct sim_sender *s, struct sim_job *j, const struct sim_result *r)
{
    if (j->done)
        j->done(s->sim, j->ctx, r);
    job_free(j);
}

static void job_abort(struct sim_sender *s, struct sim_job *j, const char *why)
{
    struct sim_result r = {0, NULL, "", 0, why, 1};

    job_finish(s, j, &r);
}

static struct sim_job *job_new(const struct sim_job_spec *spec)
{
    struct sim_job *j = hl_calloc(1, sizeof(*j));

    j->url = spec->url ? hl_strdup(spec->url) : NULL;
    j->use_get = spec->use_get;
    if (spec->params) {
        j->params = *spec->params;
        spec->params->items = NULL;
        spec->params->count = 0;
    }
    j->max_attempts = spec->max_attempts > 0 ? spec->max_attempts : SENDER_DEFAULT_ATTEMPTS;
    j->timeout_ms = spec->timeout_ms > 0 ? spec->timeout_ms : SENDER_DEFAULT_TIMEOUT_MS;
    j->urgent = spec->urgent;
    j->done = spec->done;
    j->ctx = spec->ctx;
    buf_init(&j->answer, SENDER_MAX_ANSWER);
    if (sim_uuid_new(j->token) != HL_OK)
        memcpy(j->token, "00000000-0000-4000-8000-000000000000", SIM_UUID_SIZE);
    return j;
}

void sim_sender_push(struct sim_sender *s, const struct sim_job_spec *spec)
{
    struct sim_job *j = job_new(spec);
    int refused;

    pthread_mutex_lock(&s->lock);
    /* while draining, jobs still come in (a message's "delivered" follows its "sent") */
    refused = (s->stopping && now_ns() >= s->deadline_ns) || s->queued >= SIM_SENDER_MAX_JOBS;
    if (!refused) {
        list_push(j->urgent ? &s->urgent : &s->normal, j);
        s->queued++;
    }
    pthread_mutex_unlock(&s->lock);
    if (refused) {
        log_warn("emulator callback dropped", LOG_S("reason", "queue full or stopping"));
        job_abort(s, j, "the emulator's callback queue is full or stopping");
        return;
    }
    curl_multi_wakeup(s->multi);
}

/* ---- one attempt ------------------------------------------------------------------------ */

static size_t on_answer(char *data, size_t size, size_t n, void *ctx)
{
    struct sim_job *j = ctx;

    (void)buf_add(&j->answer, data, size * n); /* past the ceiling the rest is dropped */
    return size * n;
}

/* The URL to request and the body: for GET the form goes in the query. */
static int job_prepare_request(struct sim_job *j)
{
    struct buf form = BUF_INIT(SENDER_MAX_BODY);
    size_t len;

    if (sim_params_encode(&j->params, &form) != HL_OK) {
        buf_release(&form);
        return HL_ETOOLARGE;
    }
    free(j->target);
    free(j->body);
    j->target = j->body = NULL;
    if (j->use_get && form.len) {
        struct buf url = BUF_INIT(SENDER_MAX_BODY);
        int rc = buf_addf(&url, "%s%c%s", j->url, strchr(j->url, '?') ? '&' : '?', buf_str(&form));
        j->target = rc == HL_OK ? buf_detach(&url, &len) : NULL;
        buf_release(&url);
        buf_release(&form);
        return j->target ? HL_OK : HL_ETOOLARGE;
    }
    j->target = hl_strdup(j->url);
    j->body = j->use_get ? NULL : buf_detach(&form, &len);
    buf_release(&form);
    return HL_OK;
}

/* X-Twilio-Signature over the URL requested and, for POST, the sorted parameters. */
static int job_sign(const struct sim_sender *s, const struct sim_job *j, char sig[SIG_BASE64_SIZE])
{
    struct arena a;
    struct form form = {NULL, 0};
    struct hl_err err = {0};
    int rc;

    arena_init(&a, 0);
    rc = j->use_get ? HL_OK : sim_params_as_form(&j->params, &a, &form);
    if (rc == HL_OK)
        rc = sig_compute(s->auth_token, j->target, strlen(j->target), j->use_get ? NULL : &form, &a,
                         sig, &err);
    arena_release(&a);
    return rc;
}

static struct curl_slist *job_headers(const struct sim_job *j, const char *sig)
{
    struct curl_slist *h = NULL;
    char line[128];

    snprintf(line, sizeof(line), "X-Twilio-Signature: %s", sig);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof(line), "I-Twilio-Idempotency-Token: %s", j->token);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Accept: */*");
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    if (!j->use_get)
        h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
    return h;
}

static CURL *job_easy(struct sim_job *j)
{
    CURL *e = curl_easy_init();

    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, j->target);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "TwilioProxy/1.1");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, j->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, j->timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (j->use_get) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(j->body));
    }
    return e;
}

/* Start an attempt; HL_OK, or a result code when it could not even be built. */
static int job_start(struct sim_sender *s, struct sim_job *j)
{
    char sig[SIG_BASE64_SIZE];

    buf_reset(&j->answer);
    j->errbuf[0] = '\0';
    j->attempts++;
    if (job_prepare_request(j) != HL_OK || job_sign(s, j, sig) != HL_OK)
        return HL_ETOOLARGE;
    curl_slist_free_all(j->headers);
    j->headers = job_headers(j, sig);
    j->easy = job_easy(j);
    if (!j->easy || curl_multi_add_handle(s->multi, j->easy) != CURLM_OK)
        return HL_EIO;
    s->running[s->running_count++] = j;
    return HL_OK;
}

/* ---- the thread -------------------------------------------------------------------------- */

/* Move queued jobs to the thread's list: every urgent one, ordinary ones while there is room. */
static void take_queued(struct sim_sender *s, int *stopping, uint64_t *deadline)
{
    struct sim_job *j;
    size_t held = s->running_count;

    for (j = s->waiting.head; j; j = j->next)
        held++;
    pthread_mutex_lock(&s->lock);
    while ((j = list_pop(&s->urgent))) {
        list_push(&s->waiting, j);
        s->queued--;
    }
    while (held < SENDER_MAX_RUNNING && (j = list_pop(&s->normal))) {
        list_push(&s->waiting, j);
        s->queued--;
        held++;
    }
    *stopping = s->stopping;
    *deadline = s->deadline_ns;
    pthread_mutex_unlock(&s->lock);
}

static void run_without_url(struct sim_sender *s, struct sim_job *j)
{
    struct sim_result r = {0, NULL, "", 0, NULL, 0};

    job_finish(s, j, &r);
}

/* Start every waiting job that is due (run those without a URL). */
static void start_due(struct sim_sender *s, uint64_t now)
{
    struct job_list later = {NULL, NULL};
    struct sim_job *j;

    while ((j = list_pop(&s->waiting))) {
        if (j->due_ns > now || s->running_count == HL_ARRAY_LEN(s->running)) {
            list_push(&later, j);
        } else if (!j->url) {
            run_without_url(s, j);
        } else if (job_start(s, j) != HL_OK) {
            log_error("emulator callback not sent", LOG_S("url", j->url),
                      LOG_S("reason", "could not build the request"));
            job_abort(s, j, "could not build the request");
        }
    }
    s->waiting = later;
}

static void running_remove(struct sim_sender *s, struct sim_job *j)
{
    size_t i;

    for (i = 0; i < s->running_count; i++)
        if (s->running[i] == j) {
            s->running[i] = s->running[--s->running_count];
            break;
        }
    curl_multi_remove_handle(s->multi, j->easy);
}

static void log_attempt(const struct sim_job *j, long status, CURLcode cc)
{
    log_warn("emulator callback failed", LOG_S("url", j->url), LOG_I("attempt", j->attempts),
             LOG_I("of", j->max_attempts), LOG_I("status", status),
             LOG_S("reason",
                   cc != CURLE_OK ? (j->errbuf[0] ? j->errbuf : curl_easy_strerror(cc)) : NULL));
}

/* One transfer ended: hand its result over, or schedule the next attempt. */
static void transfer_done(struct sim_sender *s, struct sim_job *j, CURLcode cc)
{
    long status = 0;
    char *ctype = NULL;
    struct sim_result r = {0, NULL, "", 0, NULL, 0};

    running_remove(s, j);
    if (cc == CURLE_OK)
        curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status >= 300)
        log_attempt(j, status, cc);
    if ((cc != CURLE_OK || status >= 500) && j->attempts < j->max_attempts) {
        curl_easy_cleanup(j->easy);
        j->easy = NULL;
        j->due_ns = now_ns() + ((uint64_t)SENDER_BACKOFF_MS * 1000000u << (j->attempts - 1));
        list_push(&s->waiting, j);
        return;
    }
    curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &ctype);
    r.http_status = status;
    r.content_type = ctype;
    r.body = buf_str(&j->answer);
    r.body_len = j->answer.len;
    r.error = cc != CURLE_OK ? (j->errbuf[0] ? j->errbuf : curl_easy_strerror(cc)) : NULL;
    job_finish(s, j, &r);
}

static void collect_finished(struct sim_sender *s)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(s->multi, &left))) {
        struct sim_job *j = NULL;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        if (j)
            transfer_done(s, j, msg->data.result);
    }
}

/* How long to wait for the next event, in ms. */
static int poll_ms(const struct sim_sender *s, uint64_t now, int stopping, uint64_t deadline)
{
    uint64_t wait = (uint64_t)SENDER_IDLE_POLL_MS * 1000000u;
    const struct sim_job *j;

    for (j = s->waiting.head; j; j = j->next)
        if (j->due_ns <= now + wait)
            wait = j->due_ns > now ? j->due_ns - now : 0;
    if (stopping && deadline > now && deadline - now < wait)
        wait = deadline - now;
    return (int)(wait / 1000000u) + (wait % 1000000u ? 1 : 0);
}

static int queue_empty(struct sim_sender *s)
{
    int empty;

    pthread_mutex_lock(&s->lock);
    empty = s->queued == 0;
    pthread_mutex_unlock(&s->lock);
    return empty && !s->waiting.head && !s->running_count;
}

/* Past the drain deadline: abort everything still queued, waiting or in flight. */
static void abort_all(struct sim_sender *s)
{
    struct sim_job *j;

    while (s->running_count) {
        j = s->running[0];
        running_remove(s, j);
        job_abort(s, j, "the emulator stopped before an answer came");
    }
    for (;;) {
        pthread_mutex_lock(&s->lock);
        if (!(j = list_pop(&s->urgent)) && !(j = list_pop(&s->normal)))
            j = list_pop(&s->waiting);
        else
            s->queued--;
        pthread_mutex_unlock(&s->lock);
        if (!j)
            break;
        job_abort(s, j, "the emulator stopped before it was sent");
    }
}

static void *sender_main(void *arg)
{
    struct sim_sender *s = arg;
    int stopping = 0, still = 0;
    uint64_t deadline = 0, now;

    for (;;) {
        take_queued(s, &stopping, &deadline);
        now = now_ns();
        if (stopping && (now >= deadline || queue_empty(s)))
            break;
        start_due(s, now);
        curl_multi_perform(s->multi, &still);
        collect_finished(s);
        if (stopping && queue_empty(s))
            continue; /* the jobs just run may have been the last: no need to wait */
        curl_multi_poll(s->multi, NULL, 0, poll_ms(s, now_ns(), stopping, deadline), NULL);
        curl_multi_perform(s->multi, &still);
        collect_finished(s);
    }
    abort_all(s);
    return NULL;
}

int sim_sender_start(struct sim_sender **out, struct sim *sim, const char *auth_token,
                     struct hl_err *err)
{
    struct sim_sender *s;

    if (strlen(auth_token) >= sizeof(s->auth_token))
        return hl_err_set(err, HL_EINVAL, "auth token too long");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return hl_err_set(err, HL_EIO, "libcurl could not be initialised");
    s = hl_calloc(1, sizeof(*s));
    s->sim = sim;
    memcpy(s->auth_token, auth_token, strlen(auth_token) + 1);
    pthread_mutex_init(&s->lock, NULL);
    s->multi = curl_multi_init();
    if (!s->multi || pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        if (s->multi)
            curl_multi_cleanup(s->multi);
        pthread_mutex_destroy(&s->lock);
        free(s);
        curl_global_cleanup();
        return hl_err_set(err, HL_EIO, "the emulator's callback thread could not start");
    }
    *out = s;
    return HL_OK;
}

void sim_sender_stop(struct sim_sender *s, long drain_ms)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    s->deadline_ns = now_ns() + (uint64_t)drain_ms * 1000000u;
    pthread_mutex_unlock(&s->lock);
    curl_multi_wakeup(s->multi);
    pthread_join(s->thread, NULL);
    curl_multi_cleanup(s->multi);
    pthread_mutex_destroy(&s->lock);
    crypto_wipe(s->auth_token, sizeof(s->auth_token));
    free(s);
    curl_global_cleanup();
}
