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
                                never be stored); NULL: body */
};

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

/* Is name a flow a call can run (in o->flows, or built in)? */
int outbound_flow_known(const struct outbound *o, const char *name);

#endif
