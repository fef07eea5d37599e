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
 * edge; `hotline sim serve` runs it alone.
 */
#ifndef HL_SIM_H
#define HL_SIM_H

#include "core/hl.h"
#include "http/http.h"
#include "sim/account.h"

struct sim;

struct sim_options {
    const struct sim_account *account; /* the one account it serves (copied) */
    const char *webhook_base;          /* where hotline is: incoming SMS go to {base}/twilio/sms */
    long rate_limit;                   /* REST requests per second per account; 0: no limit */
};

/* Start an emulator (and its callback sender thread). */
int sim_new(struct sim **out, const struct sim_options *opt, struct hl_err *err);

/* Stop it: callbacks still queued are sent (for at most a few seconds), then freed. NULL ignored. */
void sim_free(struct sim *sim);

/*
 * The emulator's HTTP routes. Returns 1 when req is for the emulator
 * (its path begins with /2010-04-01/ or /sim/) and res has been filled;
 * 0 when it is not, and res is untouched. Safe from any thread; never blocks
 * on the network.
 */
int sim_handle(struct sim *sim, struct http_request *req, struct http_response *res);

/*
 * Give a call a finished recording (for the call driver and tests): wav is
 * the whole .wav file (copied). sid_out receives the new "RE..." SID.
 * HL_ENOTFOUND when the call is unknown.
 */
int sim_recording_add(struct sim *sim, const char *call_sid, const void *wav, size_t wav_len,
                      long duration_s, char sid_out[35], struct hl_err *err);

#endif
