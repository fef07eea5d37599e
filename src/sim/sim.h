/*
 * sim.h — the built-in Twilio emulator: the REST side.
 *
 * A local Twilio that speaks the REST protocol hotline uses, so that every
 * flow runs and is tested offline: Calls, Messages and Recordings under
 * /2010-04-01/Accounts/{AccountSid}/..., with Twilio's Basic auth (account
 * SID + auth token, or API key SID + secret), JSON shapes, status codes and
 * error codes. Outbound messages get signed status callbacks (sent, then
 * delivered), as Twilio sends them.
 *
 * The emulator also has a few routes of its own under /sim/ (same Basic
 * auth) for what a real phone network would do: a person sending the
 * business an SMS or WhatsApp message (delivered to hotline as a signed
 * webhook; STOP there makes later sends to that person fail with 21610, as
 * Twilio's carrier opt-out does).
 *
 * State lives in memory (the emulator is a test double of a remote service,
 * not hotline's data) and is bounded: the oldest resources are forgotten
 * past a cap. `hotline serve` in emulator mode mounts it on its own HTTP
 * edge; `hotline sim serve` runs it alone. docs/emulator.md has the whole
 * list of routes, codes and limits.
 *
 * Calls are placed by the emulator's call driver: it requests the call's
 * voice URL with Twilio's signed webhook, executes the TwiML it gets back
 * (Say, Play, Pause, Gather, Record, Dial, Redirect, Hangup, Reject) against
 * a scripted caller, follows actions and redirects, stores recordings and
 * sends status callbacks, and keeps a transcript of the conversation.
 * POST /sim/Calls.json is a person calling the business with a script
 * (Digits=1, Speech=yes, Say=...); GET /sim/Calls/{Sid}/Transcript.json
 * reads what happened so far.
 *
 * Threads: every function may be called from any thread at once, except
 * sim_free(). Callbacks and webhooks are sent by the emulator's own thread
 * (libcurl), never by the caller's.
 */
#ifndef HL_SIM_H
#define HL_SIM_H

#include "core/hl.h"
#include "http/http.h"
#include "sim/account.h"

struct sim;

/* How many of each resource (calls, messages, recordings, opt-outs) are kept by default. */
#define SIM_DEFAULT_MAX_RESOURCES 100000

struct sim_options {
    const struct sim_account *account; /* the one account it serves (copied) */
    const char *webhook_base;          /* where hotline is: incoming SMS go to {base}/twilio/sms */
    long rate_limit;                   /* REST requests per second per account; 0: no limit */
    /* Added for tests and the call driver (zero is the default): */
    size_t max_resources; /* keep at most this many of each kind; 0: SIM_DEFAULT_MAX_RESOURCES */
    /*
     * Called (from the HTTP thread that created it, with no lock held) with the
     * SID of each call created through the REST API, for a call driver of the
     * caller's own to place it. Must not block. NULL: the emulator's own call
     * driver places every call (fetches its Url or runs its Twiml, see below).
     */
    void (*call_created)(void *ctx, const char *call_sid);
    void *call_created_ctx;
};

/* Start an emulator (its callback sender thread and its call driver's threads). */
int sim_new(struct sim **out, const struct sim_options *opt, struct hl_err *err);

/*
 * The emulator's own address as hotline reaches it ("http://127.0.0.1:8081"),
 * for the absolute RecordingUrl the call driver sends (hotline downloads the
 * recording from there). Until it is set: webhook_base, which is right when
 * the emulator is mounted in `hotline serve` (the same server). Copied.
 */
void sim_set_self_base(struct sim *sim, const char *base);

/*
 * Stop it: callbacks still queued are sent (for at most about 3 s), then
 * everything is freed. A /sim/ request still waiting for hotline's answer is
 * answered 503, so call this before the HTTP edge that parked it is gone (or
 * after that edge has finished its requests, as httpd_stop() does). NULL ignored.
 */
void sim_free(struct sim *sim);

/*
 * The emulator's HTTP routes. Returns 1 when req is for the emulator
 * (its path begins with /2010-04-01/ or /sim/) and res has been filled (or,
 * for POST /sim/Messages.json, deferred with http_defer() until hotline has
 * answered the webhook); 0 when it is not, and res is untouched. Safe from
 * any thread; never blocks on the network.
 */
int sim_handle(struct sim *sim, struct http_request *req, struct http_response *res);

/*
 * Give a call a finished recording (for the call driver and tests): wav is
 * the whole .wav file (copied, at most SIM_MAX_RECORDING_BYTES). sid_out
 * receives the new "RE..." SID. HL_ENOTFOUND when the call is unknown,
 * HL_ETOOLARGE for a larger file.
 */
#define SIM_MAX_RECORDING_BYTES (8u << 20)
int sim_recording_add(struct sim *sim, const char *call_sid, const void *wav, size_t wav_len,
                      long duration_s, char sid_out[35], struct hl_err *err);

/*
 * For the call driver: a copy of one call as it is now. params holds every
 * parameter the call was created with, as given (repeated names such as
 * StatusCallbackEvent kept in order), with later updates applied (Url or
 * Twiml, Method, StatusCallback, StatusCallbackMethod, FallbackUrl,
 * FallbackMethod, TimeLimit). Strings are owned by info:
 * sim_call_info_release() frees them.
 */
struct sim_call_info {
    char sid[35];
    char *to;
    char *from;
    char *status;  /* queued, ringing, in-progress, completed, busy, failed, no-answer, canceled */
    long duration; /* seconds, -1 until the call has ended */
    struct {
        char **names;
        char **values;
        size_t count;
    } params;
};

/* Fill info for call_sid. HL_ENOTFOUND when the call is unknown. */
int sim_call_info(struct sim *sim, const char *call_sid, struct sim_call_info *info,
                  struct hl_err *err);

/* The first value of a parameter in info, or NULL ("Url", "Twiml", "StatusCallback", ...). */
const char *sim_call_param(const struct sim_call_info *info, const char *name);

void sim_call_info_release(struct sim_call_info *info);

/*
 * For the call driver: move a call to status (ringing, in-progress,
 * completed, busy, failed, no-answer, canceled; "initiated" only sends that
 * event's callback, the call stays queued). Start and end times are
 * set as Twilio sets them; duration_s counts for the final statuses. When
 * the call has a StatusCallback subscribed to the matching event
 * (StatusCallbackEvent initiated/ringing/answered/completed; completed only
 * when none was given) a signed callback is queued, as Twilio sends it.
 * HL_ENOTFOUND when the call is unknown, HL_EINVAL for another status or a
 * call that has already ended.
 */
int sim_call_set_status(struct sim *sim, const char *call_sid, const char *status, long duration_s,
                        struct hl_err *err);

/*
 * For the call driver: the Twilio error code (12100, 11200, ...) that ended
 * the call, shown as the call's error_code and sent as ErrorCode in its
 * final status callback; call before the final sim_call_set_status().
 * Unknown calls are ignored.
 */
void sim_call_set_error(struct sim *sim, const char *call_sid, int code);

#endif
