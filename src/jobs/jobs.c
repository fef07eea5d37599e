/*
 * jobs.c — worker threads over the store's job queue, and the renewer that
 * keeps their leases.
 */
#include "jobs/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/testhold.h"
#include "crypto/crypto.h"
#include "core/banned.h"

struct job_ctx {
    struct jobs *js;
    struct store_job job; /* strings point into the copies below */
    char *kind, *payload;
    char owner[96];
};

/* One worker and the job it is running (0 when idle), for the renewer. */
struct worker {
    struct jobs *js;
    pthread_t tid;
    long long running; /* job id, guarded by js->lock */
    char owner[96];
};

struct jobs {
    struct jobs_options o;
    char *kinds; /* "a,b" */
    struct job_kind *kind_copy;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    struct worker *workers;
    int n_workers;
    pthread_t renewer;
    int renewer_started;
};

long jobs_backoff_ms(long base_ms, long cap_ms, long long attempts)
{
    long d = base_ms;
    unsigned int r = 0;
    long long i;

    for (i = 1; i < attempts && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    crypto_random(&r, sizeof(r));
    return d / 2 + (long)(r % (unsigned)(d / 2 + 1));
}

long long job_id(const struct job_ctx *job)
{
    return job->job.id;
}

const char *job_payload(const struct job_ctx *job)
{
    return job->payload ? job->payload : "{}";
}

long long job_attempt(const struct job_ctx *job)
{
    return job->job.attempts;
}

static void take_result(void *ctx, const char *result_json)
{
    *(char **)ctx = hl_strdup(result_json ? result_json : "null");
}

int job_stage(struct job_ctx *job, const char *name,
              int (*fn)(struct job_ctx *job, void *arg, char **result_json, struct hl_err *err),
              void *arg, char **result_json, struct hl_err *err)
{
    struct store *s = job->js->o.store;
    char *result = NULL;
    int rc = store_job_stage_get(s, job->job.id, name, take_result, &result, err);

    if (rc == HL_OK) {
        *result_json = result;
        return HL_OK;
    }
    if (rc != HL_ENOTFOUND)
        return rc;
    memset(err, 0, sizeof(*err));
    test_hold(name, "before"); /* the crash test's hold points (core/testhold.h) */
    if ((rc = fn(job, arg, &result, err)) != HL_OK) {
        free(result);
        return rc;
    }
    test_hold(name, "after");
    if ((rc = store_job_stage_done(s, job->job.id, name, result, err)) != HL_OK) {
        free(result);
        return rc;
    }
    *result_json = result;
    return HL_OK;
}

/* ---- one job -------------------------------------------------------------------------- */

static const struct job_kind *kind_of(const struct jobs *js, const char *kind)
{
    size_t i;

    for (i = 0; i < js->o.n_kinds; i++)
        if (strcmp(js->o.kinds[i].kind, kind) == 0)
            return &js->o.kinds[i];
    return NULL;
}

static void claimed(void *ctx, const struct store_job *job)
{
    struct job_ctx *j = ctx;

    j->job = *job;
    j->kind = hl_strdup(job->kind);
    j->payload = job->payload_json ? hl_strdup(job->payload_json) : NULL;
    j->job.kind = j->kind;
    j->job.payload_json = j->payload;
    j->job.state = j->job.run_at = j->job.lease_owner = j->job.lease_expires_at = NULL;
    j->job.last_error = j->job.created_at = j->job.updated_at = NULL;
}

/* Record how the attempt ended. */
static void settle(struct job_ctx *j, int rc, const struct hl_err *err)
{
    struct store *s = j->js->o.store;
    struct hl_err serr = {0};
    int spent = j->job.attempts >= j->job.max_attempts;
    long retry = spent ? -1
                       : jobs_backoff_ms(j->js->o.backoff_base_ms, j->js->o.backoff_cap_ms,
                                         j->job.attempts);

    if (rc == HL_OK) {
        if (store_job_finish(s, j->job.id, j->owner, &serr) != HL_OK)
            log_warn("job done but not recorded", LOG_I("job_id", j->job.id),
                     LOG_S("reason", serr.msg));
        else
            log_info("job done", LOG_I("job_id", j->job.id), LOG_S("kind", j->kind),
                     LOG_I("attempt", j->job.attempts));
        return;
    }
    log_warn(spent ? "job failed for good" : "job failed; will retry", LOG_I("job_id", j->job.id),
             LOG_S("kind", j->kind), LOG_I("attempt", j->job.attempts), LOG_I("retry_ms", retry),
             LOG_S("reason", err->msg));
    if (store_job_fail(s, j->job.id, j->owner, err->msg, retry, &serr) != HL_OK)
        log_warn("job failure not recorded", LOG_I("job_id", j->job.id),
                 LOG_S("reason", serr.msg));
}

static void run_job(struct worker *w, struct job_ctx *j)
{
    const struct job_kind *k = kind_of(w->js, j->kind);
    struct hl_err err = {0};
    int rc;

    pthread_mutex_lock(&w->js->lock);
    w->running = j->job.id;
    pthread_mutex_unlock(&w->js->lock);
    rc = k ? k->run(j, k->ctx, &err) : hl_err_set(&err, HL_ECONFIG, "no handler for %s", j->kind);
    if (rc != HL_OK && !err.code)
        hl_err_set(&err, rc, "%s", hl_strerror(rc));
    settle(j, rc, &err);
    pthread_mutex_lock(&w->js->lock);
    w->running = 0;
    pthread_mutex_unlock(&w->js->lock);
}

/* ---- threads -------------------------------------------------------------------------- */

static void idle_wait(struct jobs *js)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += js->o.poll_ms / 1000;
    until.tv_nsec += (js->o.poll_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&js->lock);
    if (!js->stopping)
        pthread_cond_timedwait(&js->wake, &js->lock, &until);
    pthread_mutex_unlock(&js->lock);
}

static int stopping(struct jobs *js)
{
    int s;

    pthread_mutex_lock(&js->lock);
    s = js->stopping;
    pthread_mutex_unlock(&js->lock);
    return s;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct jobs *js = w->js;

    while (!stopping(js)) {
        struct job_ctx j;
        struct hl_err err = {0};
        int found = 0;

        memset(&j, 0, sizeof(j));
        j.js = js;
        snprintf(j.owner, sizeof(j.owner), "%s", w->owner);
        if (store_job_claim(js->o.store, w->owner, js->kinds, js->o.lease_ms, claimed, &j, &found,
                            &err) != HL_OK)
            log_warn("job claim failed", LOG_S("reason", err.msg));
        if (!found) {
            idle_wait(js);
            continue;
        }
        run_job(w, &j);
        free(j.kind);
        free(j.payload);
    }
    return NULL;
}

/* Every third of a lease, renew the lease of every job being run. */
static void *renewer_main(void *arg)
{
    struct jobs *js = arg;
    int i;

    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += js->o.lease_ms / 3000;
        until.tv_nsec += (js->o.lease_ms / 3 % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&js->lock);
        while (!js->stopping && pthread_cond_timedwait(&js->wake, &js->lock, &until) == 0)
            ;
        if (js->stopping) {
            pthread_mutex_unlock(&js->lock);
            return NULL;
        }
        for (i = 0; i < js->n_workers; i++) {
            struct hl_err err = {0};
            long long id = js->workers[i].running;
            if (id && store_job_renew(js->o.store, id, js->workers[i].owner, js->o.lease_ms,
                                      &err) != HL_OK)
                log_warn("job lease not renewed", LOG_I("job_id", id), LOG_S("reason", err.msg));
        }
        pthread_mutex_unlock(&js->lock);
    }
}

static char *kinds_list(const struct jobs_options *o)
{
    struct buf b = BUF_INIT(64 << 10);
    char *s;
    size_t i;

    for (i = 0; i < o->n_kinds; i++)
        buf_addf(&b, "%s%s", i ? "," : "", o->kinds[i].kind);
    s = hl_strdup(b.len ? buf_str(&b) : "");
    buf_release(&b);
    return s;
}

static void defaults(struct jobs_options *o)
{
    o->lease_ms = o->lease_ms > 0 ? o->lease_ms : 60000;
    o->poll_ms = o->poll_ms > 0 ? o->poll_ms : 500;
    o->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : 2000;
    o->backoff_cap_ms = o->backoff_cap_ms > 0 ? o->backoff_cap_ms : 600000;
}

int jobs_start(struct jobs **out, const struct jobs_options *o, struct hl_err *err)
{
    struct jobs *js = hl_calloc(1, sizeof(*js));
    int i;

    js->o = *o;
    js->o.kinds = js->kind_copy = hl_calloc(o->n_kinds ? o->n_kinds : 1, sizeof(*o->kinds));
    memcpy(js->kind_copy, o->kinds, o->n_kinds * sizeof(*o->kinds));
    defaults(&js->o);
    js->kinds = kinds_list(o);
    pthread_mutex_init(&js->lock, NULL);
    pthread_cond_init(&js->wake, NULL);
    js->workers = hl_calloc((size_t)(o->workers > 0 ? o->workers : 1), sizeof(*js->workers));
    *out = js;
    for (i = 0; i < o->workers && o->n_kinds; i++) {
        struct worker *w = &js->workers[i];
        w->js = js;
        snprintf(w->owner, sizeof(w->owner), "%s/w%d", o->owner ? o->owner : "hotline", i);
        if (pthread_create(&w->tid, NULL, worker_main, w) != 0)
            return hl_err_set(err, HL_EIO, "cannot start job worker %d", i);
        js->n_workers++;
    }
    if (js->n_workers && pthread_create(&js->renewer, NULL, renewer_main, js) == 0)
        js->renewer_started = 1;
    return HL_OK;
}

void jobs_notify(struct jobs *js)
{
    if (!js)
        return;
    pthread_mutex_lock(&js->lock);
    pthread_cond_broadcast(&js->wake);
    pthread_mutex_unlock(&js->lock);
}

void jobs_stop(struct jobs *js)
{
    int i;

    if (!js)
        return;
    pthread_mutex_lock(&js->lock);
    js->stopping = 1;
    pthread_cond_broadcast(&js->wake);
    pthread_mutex_unlock(&js->lock);
    for (i = 0; i < js->n_workers; i++)
        pthread_join(js->workers[i].tid, NULL);
    if (js->renewer_started)
        pthread_join(js->renewer, NULL);
    pthread_cond_destroy(&js->wake);
    pthread_mutex_destroy(&js->lock);
    free(js->workers);
    free(js->kinds);
    free(js->kind_copy);
    free(js);
}
