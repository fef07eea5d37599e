/*
 * engine.h — running a flow step by step, one webhook at a time.
 *
 * Twilio asks for a call's first TwiML at /twilio/voice and for each next
 * one at a step's action, /twilio/flow/{step}. The engine renders, from a
 * step on, every step that needs nothing from the caller (say, play, tts,
 * sms, redirects to steps) into one TwiML document, and stops at the first
 * that waits for the caller (gather, consent, record, dial) or ends the
 * call. Given the caller's answer at that step (digits, speech, a finished
 * recording, a dial outcome) it picks the next step and renders on.
 *
 * The engine keeps nothing in memory between webhooks: the call's flow,
 * current step and variables (retry counts, consent) come from the store
 * and go back to it, so any instance can answer any step. Whatever goes
 * wrong at run time — an unknown flow or step — is answered with an
 * apology and a hangup, never an error to Twilio.
 */
#ifndef HL_FLOW_ENGINE_H
#define HL_FLOW_ENGINE_H

#include "app/app.h"
#include "flows/flow.h"
#include "twilio/twiml.h"

/*
 * The job a recording queues (see store_recording_received): its kind is
 * FLOW_RECORDING_JOB_PREFIX + the record step's pipeline ("recording.memo",
 * "recording.analyze", "recording.receptionist"), so that a server runs the
 * pipelines it has and leaves the others queued.
 */
#define FLOW_RECORDING_JOB_PREFIX "recording."

/* A call at a step of its flow, as the webhook handler hands it to the engine. */
struct flow_run {
    struct app_request *r;  /* the webhook (its form holds the caller's answer) */
    const struct flow *flow;
    const char *call_sid;
    const char *from, *to;  /* as Twilio sent them */
    int outbound;           /* the call was placed by hotline (Direction outbound-*) */
    json_t *vars;           /* the call's variables (owned by the caller) */
    int consent;            /* STORE_NONE until asked */
    /* filled by the engine */
    struct twiml *doc;
    const char *waiting_at; /* the step the call now waits at (NULL: it ends) */
    int opted_out;
    /* the engine's own */
    const char *contact_name;
    json_t *contact_fields; /* released by flow_run_release */
    int contact_looked_up;
};

/* Release what the engine allocated in run (not run->vars, which is the caller's). */
void flow_run_release(struct flow_run *run);

/* Render the flow from its start. */
void flow_engine_start(struct flow_run *run);

/* The caller answered at step (named in the action URL): act on it and render on. */
void flow_engine_answer(struct flow_run *run, const char *step);

/*
 * Synthesise, in the background on pool, the TTS texts of the inbound flow
 * (FLOW) that are the same on every call, so that callers do not wait for
 * them. Other texts — other flows', and those with {from}, {to} or
 * {contact.*} — are rendered when a call needs them (the caller hears
 * "please wait" meanwhile). A server whose flows never speak with TTS
 * never loads a TTS engine.
 */
struct tts;
struct workpool;
void flow_engine_prepare_audio(const struct flows *fs, const struct config *cfg, struct tts *tts,
                               struct workpool *pool);

/* Apologise and hang up: the safe answer to an impossible state. */
void flow_engine_apologize(struct flow_run *run, const char *why);

#endif
