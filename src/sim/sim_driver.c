/*
 * sim_driver.c — the call driver's machinery: a pool of threads taking
 * calls from a bounded queue, the transcripts, and the blocking webhook
 * request the verbs use.
 *
 * A call's thread sends its webhooks through the emulator's sender (the
 * emulator's only libcurl user) and waits for the answer on drv->cond. The
 * answer is copied into a waiter shared by the call and the sender job,
 * freed by whichever lets go last: a call stopped by sim_driver_stop() stops
 * waiting at once, and the sender's answer may come after it.
 *
 * Locks never nest: drv->lock is never held while sim->lock is taken, nor
 * while anything is pushed to the sender.
 */
#include "sim/sim_driver_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_sender.h"
#include "core/banned.h"

struct waiter {
    int refs, done;
    struct sim_driver *drv;
    struct sim_answer answer;
};

/* ---- transcripts ---------------------------------------------------------------------------- */

static struct sim_transcript *transcript_find(struct sim_driver *drv, const char *sid)
{
    struct sim_transcript *t;

    for (t = drv->transcripts; t; t = t->next)
        if (strcmp(t->sid, sid) == 0)
            return t;
    return NULL;
}

/* Forget the oldest finished transcript past the cap (with drv->lock held). */
static void transcripts_trim(struct sim_driver *drv)
{
    struct sim_transcript **p, **oldest_done = NULL;

    if (drv->transcript_count <= SIM_DRIVER_TRANSCRIPTS)
        return;
    for (p = &drv->transcripts; *p; p = &(*p)->next)
        if ((*p)->done)
            oldest_done = p;
    if (oldest_done) {
        struct sim_transcript *t = *oldest_done;
        *oldest_done = t->next;
        sim_transcript_free(t);
        drv->transcript_count--;
    }
}

void sim_drive_line(struct sim_drive *d, const char *who, const char *fmt, ...)
{
    char text[SIM_SCRIPT_MAX_TEXT + 1];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&d->drv->lock);
    sim_transcript_add(d->t, who, text);
    pthread_mutex_unlock(&d->drv->lock);
}

static json_t *lines_json(const struct sim_transcript *t, long after)
{
    json_t *lines = json_array();
    size_t i;

    for (i = after > 0 ? (size_t)after : 0; i < t->count; i++) {
        json_t *text = json_string(t->lines[i].text);
        json_array_append_new(lines, json_pack("{s:I, s:s, s:o}", "n", (json_int_t)(i + 1),
                                               "who", t->lines[i].who, "text",
                                               text ? text : json_string("?")));
    }
    return lines;
}

/* The call's status now (a copy), read before drv->lock is taken. */
static void call_status(struct sim *sim, const char *sid, char out[16], int *error_code)
{
    struct sim_call *c;

    pthread_mutex_lock(&sim->lock);
    c = sim_call_find(sim, sid);
    snprintf(out, 16, "%s", c ? c->status : "unknown");
    *error_code = c ? c->error_code : 0;
    pthread_mutex_unlock(&sim->lock);
}

json_t *sim_driver_transcript_json(struct sim_driver *drv, const char *sid, long after)
{
    struct sim_transcript *t;
    char status[16];
    int code;
    json_t *doc = NULL;

    call_status(drv->sim, sid, status, &code);
    pthread_mutex_lock(&drv->lock);
    if ((t = transcript_find(drv, sid))) {
        if (t->done && t->status[0]) {
            snprintf(status, sizeof(status), "%s", t->status);
            code = t->error_code;
        }
        doc = json_pack("{s:o, s:b, s:s, s:o}", "lines", lines_json(t, after), "done", t->done,
                        "status", status, "error_code",
                        code ? json_integer(code) : json_null());
    }
    pthread_mutex_unlock(&drv->lock);
    return doc;
}

/* ---- webhooks ----------------------------------------------------------------------------- */

void sim_answer_release(struct sim_answer *a)
{
    free(a->content_type);
    free(a->body);
    free(a->error);
    memset(a, 0, sizeof(*a));
}

static void answer_copy(struct sim_answer *to, const struct sim_result *r)
{
    to->status = r->http_status;
    to->content_type = r->content_type ? hl_strdup(r->content_type) : NULL;
    to->body = hl_malloc(r->body_len + 1);
    memcpy(to->body, r->body, r->body_len);
    to->body[r->body_len] = '\0';
    to->body_len = r->body_len;
    to->error = r->error ? hl_strdup(r->error) : NULL;
    to->aborted = r->aborted;
}

/* On the sender thread (or the pushing thread, when refused). */
static void waiter_done(struct sim *sim, void *ctx, const struct sim_result *r)
{
    struct waiter *w = ctx;
    struct sim_driver *drv = w->drv;

    (void)sim;
    pthread_mutex_lock(&drv->lock);
    if (w->refs > 1)
        answer_copy(&w->answer, r);
    w->done = 1;
    if (--w->refs == 0) {
        sim_answer_release(&w->answer);
        free(w);
    }
    pthread_cond_broadcast(&drv->cond);
    pthread_mutex_unlock(&drv->lock);
}

static struct waiter *waiter_new(struct sim_driver *drv)
{
    struct waiter *w = hl_calloc(1, sizeof(*w));

    w->refs = 2;
    w->drv = drv;
    return w;
}

/* Wait for w's answer (or the driver stopping) and let go of w. */
static void waiter_wait(struct sim_driver *drv, struct waiter *w, struct sim_answer *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&drv->lock);
    while (!w->done && !drv->stopping)
        pthread_cond_wait(&drv->cond, &drv->lock);
    if (w->done) {
        *out = w->answer;
        memset(&w->answer, 0, sizeof(w->answer));
    } else {
        out->aborted = 1;
    }
    if (--w->refs == 0)
        free(w);
    pthread_mutex_unlock(&drv->lock);
}

void sim_drive_request(struct sim_drive *d, const char *url, int use_get,
                       struct sim_params *params, long timeout_ms, struct sim_answer *out)
{
    struct waiter *w = waiter_new(d->drv);
    struct sim_job_spec spec = {0};

    memset(out, 0, sizeof(*out));
    spec.url = url;
    spec.use_get = use_get;
    spec.params = params;
    spec.max_attempts = 1;
    spec.timeout_ms = timeout_ms;
    spec.done = waiter_done;
    spec.ctx = w;
    sim_sender_push(d->sim->sender, &spec);
    waiter_wait(d->drv, w, out);
}

int sim_drive_status(struct sim_drive *d, const char *status, long duration_s, struct hl_err *err)
{
    struct waiter *w = waiter_new(d->drv);
    struct sim_answer ans;
    int rc;

    rc = sim_call_set_status_then(d->sim, d->sid, status, duration_s, waiter_done, w, err);
    if (rc != HL_OK) {
        free(w); /* done will never run */
        return rc;
    }
    waiter_wait(d->drv, w, &ans);
    sim_answer_release(&ans);
    return HL_OK;
}

void sim_drive_notify(struct sim_drive *d, const char *url, int use_get, struct sim_params *params)
{
    struct sim_job_spec spec = {0};

    spec.url = url;
    spec.use_get = use_get;
    spec.params = params;
    sim_sender_push(d->sim->sender, &spec);
}

int sim_drive_stopping(struct sim_drive *d)
{
    int stopping;

    pthread_mutex_lock(&d->drv->lock);
    stopping = d->drv->stopping;
    pthread_mutex_unlock(&d->drv->lock);
    return stopping;
}

/* ---- the pool ----------------------------------------------------------------------------- */

static void *driver_main(void *arg)
{
    struct sim_driver *drv = arg;
    struct sim_drive *d;

    for (;;) {
        pthread_mutex_lock(&drv->lock);
        while (!drv->head && !drv->stopping)
            pthread_cond_wait(&drv->cond, &drv->lock);
        if (drv->stopping) {
            pthread_mutex_unlock(&drv->lock);
            return NULL;
        }
        d = drv->head;
        drv->head = d->next;
        if (!drv->head)
            drv->tail = NULL;
        drv->queued--;
        pthread_mutex_unlock(&drv->lock);
        sim_drive_run(d);
        sim_drive_free(d);
    }
}

int sim_driver_new(struct sim_driver **out, struct sim *sim, struct hl_err *err)
{
    struct sim_driver *drv = hl_calloc(1, sizeof(*drv));

    drv->sim = sim;
    pthread_mutex_init(&drv->lock, NULL);
    pthread_cond_init(&drv->cond, NULL);
    for (; drv->nthreads < SIM_DRIVER_THREADS; drv->nthreads++)
        if (pthread_create(&drv->threads[drv->nthreads], NULL, driver_main, drv) != 0) {
            sim_driver_stop(drv);
            sim_driver_free(drv);
            return hl_err_set(err, HL_EIO, "the emulator's call driver could not start");
        }
    *out = drv;
    return HL_OK;
}

int sim_driver_place(struct sim_driver *drv, const char *sid, const char *direction,
                     struct sim_script *script)
{
    struct sim_drive *d = hl_calloc(1, sizeof(*d));
    int rc = HL_OK;

    d->drv = drv;
    d->sim = drv->sim;
    snprintf(d->sid, sizeof(d->sid), "%s", sid);
    d->direction = strcmp(direction, "inbound") == 0 ? "inbound" : "outbound-api";
    if (script) {
        d->script = *script;
        memset(script, 0, sizeof(*script));
    }
    pthread_mutex_lock(&drv->lock);
    if (drv->stopping || drv->queued >= SIM_DRIVER_MAX_QUEUED) {
        rc = HL_EBUSY;
    } else {
        d->t = sim_transcript_new(sid);
        d->t->next = drv->transcripts;
        drv->transcripts = d->t;
        drv->transcript_count++;
        transcripts_trim(drv);
        if (drv->tail)
            drv->tail->next = d;
        else
            drv->head = d;
        drv->tail = d;
        drv->queued++;
        pthread_cond_broadcast(&drv->cond);
    }
    pthread_mutex_unlock(&drv->lock);
    if (rc != HL_OK)
        sim_drive_free(d);
    return rc;
}

void sim_driver_stop(struct sim_driver *drv)
{
    size_t i;

    if (!drv)
        return;
    pthread_mutex_lock(&drv->lock);
    drv->stopping = 1;
    pthread_cond_broadcast(&drv->cond);
    pthread_mutex_unlock(&drv->lock);
    for (i = 0; i < drv->nthreads; i++)
        pthread_join(drv->threads[i], NULL);
    drv->nthreads = 0;
}

void sim_driver_free(struct sim_driver *drv)
{
    struct sim_drive *d;
    struct sim_transcript *t;

    if (!drv)
        return;
    while ((d = drv->head)) {
        drv->head = d->next;
        sim_drive_free(d);
    }
    while ((t = drv->transcripts)) {
        drv->transcripts = t->next;
        sim_transcript_free(t);
    }
    pthread_cond_destroy(&drv->cond);
    pthread_mutex_destroy(&drv->lock);
    free(drv);
}
