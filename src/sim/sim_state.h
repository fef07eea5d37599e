/*
 * sim_state.h — the emulator's state, shared by its modules (not by the rest
 * of hotline, which sees only sim.h).
 *
 * One struct sim holds the account, four bounded tables (calls, messages,
 * recordings, opt-outs) and the callback sender. Every read or write of a
 * table, or of a resource in it, happens with sim->lock held; the lock is
 * never held while anything is sent or while a sender job's done function
 * runs. Strings in resources are heap copies, freed with the resource when it
 * is deleted or evicted (the table's free function).
 */
#ifndef HL_SIM_STATE_H
#define HL_SIM_STATE_H

#include <pthread.h>
#include <time.h>

#include "sim/sim.h"
#include "sim/sim_params.h"
#include "sim/sim_sid.h"
#include "sim/sim_table.h"

/* The sender a number uses by default (Twilio's magic test number that always "works"). */
#define SIM_DEFAULT_NUMBER "+15005550006"
#define SIM_API_VERSION    "2010-04-01"

struct sim_sender;
struct sim_driver;

struct sim_call {
    struct sim_row row; /* first: key = sid */
    char sid[SIM_SID_SIZE];
    char *to, *from;
    const char *status;                      /* a static string */
    time_t created, updated, started, ended; /* 0: not yet */
    long duration;                           /* -1 until ended */
    long sequence;                           /* SequenceNumber of the next status callback */
    const char *direction;                   /* static: "outbound-api" or "inbound" */
    int error_code;                          /* Twilio's error that ended the call, 0: none */
    struct sim_params params;                /* as created, with updates applied */
    unsigned redirects; /* updates that gave new instructions (Url): the driver follows them */
};

struct sim_message {
    struct sim_row row;
    char sid[SIM_SID_SIZE];
    char *to, *from; /* from is NULL while a Messaging Service has not picked a sender */
    char *body;
    char *messaging_service_sid;
    char *status_callback;
    const char *status, *direction;
    long num_media, num_segments;
    time_t created, updated, sent;
};

struct sim_recording {
    struct sim_row row;
    char sid[SIM_SID_SIZE];
    char call_sid[SIM_SID_SIZE];
    unsigned char *wav;
    size_t wav_len;
    size_t *wav_bytes; /* the emulator's total, which this recording's audio counts in */
    long duration;
    time_t created, started;
};

/* A (recipient, sender) pair that replied STOP: key = "recipient sender". */
struct sim_optout {
    struct sim_row row;
    char *key;
};

struct sim {
    struct sim_account account;
    char channel_install_sid[SIM_SID_SIZE]; /* "XE...": the WhatsApp sender's, in callbacks */
    char *webhook_base;                     /* no trailing slash */
    char *self_base;                        /* its own address, no trailing slash (lock) */
    long rate_limit;
    size_t max_resources;
    void (*call_created)(void *ctx, const char *call_sid);
    void *call_created_ctx;

    pthread_mutex_t lock;
    struct sim_table calls, messages, recordings, optouts;
    size_t wav_bytes; /* audio held by recordings */
    long rate_second; /* the second rate_count counts (CLOCK_MONOTONIC) */
    long rate_count;

    struct sim_sender *sender;
    struct sim_driver *driver; /* places calls (sim_driver.h) */
};

/* Most audio kept over all recordings; the oldest go first past it. */
#define SIM_MAX_WAV_BYTES ((size_t)256 << 20)

/* Lookups by SID with sim->lock held; NULL when unknown. */
struct sim_call *sim_call_find(struct sim *sim, const char *sid);
struct sim_message *sim_message_find(struct sim *sim, const char *sid);
struct sim_recording *sim_recording_find(struct sim *sim, const char *sid);

/* Is (recipient, sender) opted out? Set or clear it. With sim->lock held. */
int sim_optout_check(struct sim *sim, const char *recipient, const char *sender);
void sim_optout_set(struct sim *sim, const char *recipient, const char *sender, int opted_out);

/* Count one request against the per-second rate limit (takes the lock); 0 when over it. */
int sim_rate_allow(struct sim *sim);

/*
 * sim_call_set_status() for the call driver, keeping callbacks in order:
 * when it succeeds, done(ctx) runs once on the sender thread after the
 * status callback has been delivered (or at once there, when there is none
 * to send). When it fails, done never runs.
 */
struct sim_result;
int sim_call_set_status_then(struct sim *sim, const char *call_sid, const char *status,
                             long duration_s,
                             void (*done)(struct sim *, void *, const struct sim_result *),
                             void *ctx, struct hl_err *err);

/*
 * A REST update gave the call new instructions since *seen: 1 with the new
 * Url and Method (heap copies) and *seen moved on; else 0.
 */
int sim_call_take_redirect(struct sim *sim, const char *call_sid, unsigned *seen, char **url,
                           char **method);

/* time(NULL), for every date the emulator shows. */
time_t sim_now(void);

#endif
