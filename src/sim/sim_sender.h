/*
 * sim_sender.h — the emulator's outgoing HTTP: status callbacks and
 * webhooks, sent by one background thread through libcurl's multi
 * interface, so that many go out at once and none is ever sent from an
 * HTTP thread (the callbacks usually go to the very server whose thread
 * would be waiting).
 *
 * A job is a signed form POST (or GET, the parameters then in the query)
 * to one URL, as Twilio sends webhooks: X-Twilio-Signature computed with the
 * account's auth token over the URL and the sorted parameters
 * (sig_compute), Content-Type application/x-www-form-urlencoded,
 * User-Agent "TwilioProxy/1.1", and an I-Twilio-Idempotency-Token that is
 * the same for every attempt of one job and different between jobs. A job
 * without a URL sends nothing: it just runs its done function on the sender
 * thread, which is how the emulator schedules work off the HTTP thread.
 *
 * A failed attempt (no answer, or 5xx) is logged and retried after a short
 * backoff (250 ms, then 500 ms) up to max_attempts. Then done(ctx, result)
 * runs on the sender thread, without the state lock, exactly once per job;
 * done may push more jobs. A job cut off by sim_sender_stop() gets done with
 * result->aborted set, and so does a job refused by sim_sender_push() (the
 * queue is full, or the drain deadline has passed) — then at once, in the thread
 * that pushed it, which must therefore not hold the state lock either.
 *
 * The queue is bounded (SIM_SENDER_MAX_JOBS); urgent jobs (webhooks whose
 * answer a parked HTTP request is waiting for) start before the others.
 */
#ifndef HL_SIM_SENDER_H
#define HL_SIM_SENDER_H

#include <stddef.h>

#include "core/hl.h"
#include "sim/sim_params.h"

#define SIM_SENDER_MAX_JOBS 10000

struct sim;
struct sim_sender;

struct sim_result {
    long http_status;         /* 0: no answer */
    const char *content_type; /* NULL when none */
    const char *body;         /* the answer's body (at most 64 KiB kept), "" when none */
    size_t body_len;
    const char *error; /* why there was no answer, or NULL */
    int aborted;       /* never attempted, or cut off: the emulator is stopping or full */
};

struct sim_job_spec {
    const char *url;           /* NULL: nothing to send, just run done */
    int use_get;               /* GET with the parameters in the query instead of POST */
    struct sim_params *params; /* moved into the job (left empty); NULL for none */
    int max_attempts;          /* 0: 3 */
    long timeout_ms;           /* 0: 5000 */
    int urgent;
    void (*done)(struct sim *sim, void *ctx, const struct sim_result *result); /* may be NULL */
    void *ctx;
};

int sim_sender_start(struct sim_sender **out, struct sim *sim, const char *auth_token,
                     struct hl_err *err);

/*
 * Stop: keep sending for at most drain_ms, then abort what is left (done
 * runs for each with aborted set), join the thread and free everything.
 */
void sim_sender_stop(struct sim_sender *s, long drain_ms);

/* Queue a job. Never blocks on the network; never fails (see above: done reports). */
void sim_sender_push(struct sim_sender *s, const struct sim_job_spec *spec);

#endif
