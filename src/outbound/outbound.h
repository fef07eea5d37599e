/*
 * outbound.h — placing calls and sending messages.
 *
 * The one path by which hotline reaches out to a person, taken by the JSON
 * API (POST /api/calls, /api/messages) and by `hotline call` / `hotline sms`
 * alike:
 *
 *   validate the request  →  refuse a number that opted out  →
 *   store the row  →  ask Twilio (the REST client)  →  store the outcome.
 *
 * The row is written before Twilio is asked, so a crash in between leaves a
 * visible call or message with status "requesting", never an untracked one.
 * A request whose outcome Twilio never confirmed (a timeout after sending)
 * is stored as "unknown" and not repeated: repeating could call someone
 * twice. Callbacks (status, recordings, the flow's TwiML) come back to
 * PUBLIC_BASE_URL.
 *
 * These functions block on the network: call them from a worker thread or a
 * command, never from an HTTP thread.
 */
#ifndef HL_OUTBOUND_H
#define HL_OUTBOUND_H

#include <stddef.h>

#include "core/config.h"
#include "core/hl.h"
#include "store/store.h"

struct rest_client;
struct flows;

/* What the outbound path needs; every pointer borrowed. */
struct outbound {
    const struct config *cfg;
    struct store *store;
    struct rest_client *rest;
    const struct flows *flows; /* the flows a call may run; NULL: the built-in ones */
};

/* The caller ID / sender the emulator gives every account (Twilio's magic test number). */
#define OUTBOUND_EMULATOR_NUMBER "+15005550006"

struct outbound_call_request {
    const char *to;            /* E.164, required */
    const char *message;       /* said to the callee; or */
    const char *flow;          /* a built-in flow to run (default: outbound-consent) */
    int record;                /* record the whole call */
    const char *user_id;       /* kept with the call */
    const char *metadata_json; /* a JSON object, kept with the call */
};

struct outbound_message_request {
    const char *to;   /* E.164 */
    const char *body; /* up to 1,600 characters; may be empty when media is given */
    int whatsapp;     /* send on WhatsApp instead of SMS */
    const char *const *media_urls;
    size_t media_count; /* at most 10 */
    const char *user_id;
    const char *metadata_json;
    const char *stored_body; /* kept in the database instead of body (a memo link's key must
                                never be stored); NULL: body. One ending in
                                OUTBOUND_KEY_WITHHELD stands for body up to its '#'. */
    long long job_id;        /* > 0: a job stage's message, sent at most once (see below) */
    const char *job_stage;   /* with job_id */
};

/* What a stored body says in place of a memo link's key ("...#(key withheld)"). */
#define OUTBOUND_KEY_WITHHELD "#(key withheld)"

struct outbound_result {
    char sid[STORE_SID_SIZE]; /* Twilio's CallSid/MessageSid; "" when none */
    char local_sid[STORE_SID_SIZE]; /* calls: the row's provisional sid before Twilio's */
    long long message_id;           /* messages: the row's id */
    char status[24];                /* as stored */
    char from[64];                  /* full numbers: mask before showing them */
    char to[64];
    const char *field;  /* HL_EINVAL: the request field at fault ("to", "body", ...) */
    int twilio_code;    /* Twilio's error code, 0 when none */
    int twilio_status;  /* the HTTP status Twilio answered with, 0 when none */
    int recovered;      /* 1: a job stage's message that had gone out before; none sent now */
};

/*
 * Results: HL_OK (stored, and Twilio accepted it); HL_EINVAL (out->field
 * names what is wrong; nothing stored or sent); HL_EREFUSED (the number
 * opted out, here or at Twilio: code 21610); HL_ECONFIG (no sender number
 * configured); HL_EREMOTE (Twilio refused: twilio_code and err say why);
 * HL_EUNKNOWN (no answer came: stored as "unknown", not repeated);
 * HL_EUNREACHABLE (Twilio could not be reached; nothing was sent, the row
 * says "failed"); HL_ESTORE/HL_EBUSY (the database failed; nothing sent).
 */
int outbound_call(const struct outbound *o, const struct outbound_call_request *rq,
                  struct outbound_result *out, struct hl_err *err);
int outbound_message(const struct outbound *o, const struct outbound_message_request *rq,
                     struct outbound_result *out, struct hl_err *err);

/*
 * A job stage's message (rq->job_id, rq->job_stage) is sent at most once per
 * stage, however often the stage runs: its row carries the job and stage, and
 * outbound_message() first asks outbound_message_recover() whether an
 * earlier run's message went out. If it did, nothing is sent: HL_OK with
 * out->recovered 1 and that message's sid. If it did not, the earlier row is
 * sent (no second row). A lookup that cannot reach Twilio is its error, and
 * nothing is sent.
 *
 * outbound_message_recover() — did this job stage's message go out?
 *   no row, or a row Twilio definitely refused ("failed"): HL_ENOTFOUND,
 *     out->message_id 0;
 *   a row with Twilio's sid: HL_OK (out: sid, message_id, status, numbers);
 *   a row without one ("requesting": the process died around the REST
 *     request; "unknown": it timed out): Twilio's Messages list (To, From,
 *     newest first, back to a few minutes before the row was written) is
 *     searched for the same From and To, and a Body that is body (the text
 *     the stage sends now; NULL when it cannot be made again) or the stored
 *     one (for a withheld key: the same text up to '#', then a key — the
 *     stored text may differ from the sent one, as the owner's notice masks
 *     the caller's number). Found: the row takes its sid and status,
 *     HL_OK. Not found: it never reached Twilio; HL_ENOTFOUND with
 *     out->message_id that row, to send it;
 *   anything else (the store, Twilio unreachable): that error.
 */
int outbound_message_recover(const struct outbound *o, long long job_id, const char *stage,
                             const char *body, struct outbound_result *out, struct hl_err *err);

/* Is name a flow a call can run (in o->flows, or built in)? */
int outbound_flow_known(const struct outbound *o, const char *name);

#endif
