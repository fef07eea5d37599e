/*
 * jobs.h — the workers that run durable background jobs (the recording
 * pipeline and what follows from it).
 *
 * Jobs live in the store (store.h, "Jobs"): a worker claims one with a
 * lease, a renewer thread keeps the lease alive while the handler runs, and
 * the outcome is recorded — done, or failed and queued again after a capped
 * exponential backoff with jitter, or parked as failed once its attempts
 * are spent. A job whose server died keeps its row; when its lease runs out
 * any worker of any instance takes it again.
 *
 * A handler is written as stages (job_stage): each stage's result is
 * recorded when it finishes, so a retried job skips the stages it already
 * did — no second download, no second message.
 */
#ifndef HL_JOBS_H
#define HL_JOBS_H

#include "core/hl.h"
#include "store/store.h"

struct jobs;
struct job_ctx;

/* Runs one job; HL_OK when it is done, else an error to retry with (err says why). */
typedef int (*job_handler)(struct job_ctx *job, void *ctx, struct hl_err *err);

struct job_kind {
    const char *kind;
    job_handler run;
    void *ctx;
};

struct jobs_options {
    struct store *store;
    const struct job_kind *kinds; /* the kinds this server runs (copied); others stay queued */
    size_t n_kinds;
    int workers;            /* threads; 0: none start */
    const char *owner;      /* lease holder prefix, unique per instance (host:pid) */
    long lease_ms;          /* 0: 60000 */
    long poll_ms;           /* idle wait between claims; 0: 500 */
    long backoff_base_ms;   /* 0: 2000 */
    long backoff_cap_ms;    /* 0: 600000 */
};

int jobs_start(struct jobs **out, const struct jobs_options *o, struct hl_err *err);

/* Wake idle workers (a job was just queued). Safe from any thread; NULL ignored. */
void jobs_notify(struct jobs *js);

/* Let running jobs finish, stop the threads, free js. NULL ignored. */
void jobs_stop(struct jobs *js);

/* ---- inside a handler ----------------------------------------------------------------- */

long long job_id(const struct job_ctx *job);
const char *job_payload(const struct job_ctx *job); /* JSON text */
long long job_attempt(const struct job_ctx *job);   /* 1 on the first try */

/*
 * Run stage name of the job once. If a previous attempt finished it, its
 * recorded result is given back in *result_json (heap, the caller frees)
 * and fn is not called. Otherwise fn runs; when it succeeds its result
 * (JSON text, heap, may be NULL) is recorded before job_stage returns.
 */
int job_stage(struct job_ctx *job, const char *name,
              int (*fn)(struct job_ctx *job, void *arg, char **result_json, struct hl_err *err),
              void *arg, char **result_json, struct hl_err *err);

/* The delay before attempt n+1 after n failed: random in [d/2, d], d = min(cap, base * 2^(n-1)). */
long jobs_backoff_ms(long base_ms, long cap_ms, long long attempts);

#endif
