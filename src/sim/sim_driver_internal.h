/*
 * sim_driver_internal.h — what the call driver's files share: the driver,
 * one call being driven (struct sim_drive), and the steps verbs use.
 *
 * sim_driver.c owns the thread pool, the queue, the transcripts and the
 * blocking webhook request; sim_driver_call.c a call's life from ringing to
 * its end; sim_driver_verbs.c what each TwiML verb does. A drive belongs to
 * the one thread running it; only its transcript is shared (drv->lock).
 */
#ifndef HL_SIM_DRIVER_INTERNAL_H
#define HL_SIM_DRIVER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "sim/sim_driver.h"
#include "sim/sim_params.h"
#include "sim/sim_state.h"
#include "sim/sim_twiml.h"

struct sim_drive;

struct sim_driver {
    struct sim *sim;
    pthread_mutex_t lock; /* the queue, stopping, transcripts, waiters */
    pthread_cond_t cond;  /* broadcast on each of those changes */
    pthread_t threads[SIM_DRIVER_THREADS];
    size_t nthreads;
    int stopping;
    struct sim_drive *head, *tail;
    size_t queued;
    struct sim_transcript *transcripts; /* newest first */
    size_t transcript_count;
};

/* A webhook's answer, copied out of the sender. */
struct sim_answer {
    long status; /* 0: no answer */
    char *content_type;
    char *body;
    size_t body_len;
    char *error;
    int aborted; /* the emulator is stopping */
};

struct sim_drive {
    struct sim_drive *next; /* the queue */
    struct sim_driver *drv;
    struct sim *sim;
    char sid[SIM_SID_SIZE];
    const char *direction; /* "inbound" or "outbound-api" */
    char *from, *to;
    struct sim_script script;
    struct sim_transcript *t;
    long sim_ms;          /* simulated time spent in the call */
    uint64_t deadline_ns; /* CLOCK_MONOTONIC */
    long time_limit_ms;   /* TimeLimit, simulated; 0: none */
    int documents, answered, hung_up;
    char *doc_url; /* the document being executed (NULL for inline TwiML) */
    char *next_url;
    int next_get;
    struct sim_params next_params; /* what the next request adds (Digits, RecordingUrl...) */
    const char *end_status;        /* NULL: completed */
    int error_code;
    unsigned redirects_seen; /* REST updates of the call already followed */
};

enum sim_step { SIM_STEP_NEXT, SIM_STEP_GOTO, SIM_STEP_END };

/* ---- sim_driver.c ---- */

/* A transcript line (printf format); takes drv->lock. */
void sim_drive_line(struct sim_drive *d, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Send a signed webhook and wait for the answer (never holding a lock);
 * params (may be NULL) are moved. out is filled (release with
 * sim_answer_release); out->aborted when the emulator stops meanwhile.
 */
void sim_drive_request(struct sim_drive *d, const char *url, int use_get,
                       struct sim_params *params, long timeout_ms, struct sim_answer *out);

/* Send a signed callback and do not wait (recording status callbacks). params moved. */
void sim_drive_notify(struct sim_drive *d, const char *url, int use_get, struct sim_params *params);

void sim_answer_release(struct sim_answer *a);

/*
 * Move the call to status (sim_call_set_status) and wait until its status
 * callback has been delivered, so that callbacks arrive in order.
 */
int sim_drive_status(struct sim_drive *d, const char *status, long duration_s, struct hl_err *err);

/* Is the driver stopping? */
int sim_drive_stopping(struct sim_drive *d);

/* ---- sim_driver_call.c ---- */

void sim_drive_run(struct sim_drive *d);
void sim_drive_free(struct sim_drive *d);

/* url made absolute against the current document's URL (or webhook_base); heap. */
char *sim_drive_resolve(const struct sim_drive *d, const char *url);

/* Go to url next (method "GET" or POST), with extra parameters (moved; NULL: none). */
enum sim_step sim_drive_goto(struct sim_drive *d, const char *url, const char *method,
                             struct sim_params *extra);

/* End the call with Twilio's error code (0: none) and a transcript line. */
enum sim_step sim_drive_fail(struct sim_drive *d, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Has the call been ended from outside (REST update), or run past its limits? */
int sim_drive_over(struct sim_drive *d);

/*
 * Has a REST update (Url) redirected the live call? Then the next document
 * is that URL (as sim_drive_goto) and this returns SIM_STEP_GOTO; else
 * SIM_STEP_NEXT. Checked between verbs and during pauses, as Twilio stops
 * the current TwiML at once.
 */
enum sim_step sim_drive_redirected(struct sim_drive *d);

/* ---- sim_driver_verbs.c ---- */

/* Execute a parsed document: SIM_STEP_GOTO to follow next_url, or SIM_STEP_END. */
enum sim_step sim_drive_execute(struct sim_drive *d, const struct sim_twiml_node *root);

#endif
