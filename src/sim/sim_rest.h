/*
 * sim_rest.h — what the emulator's route handlers share: the request as a
 * handler sees it, and answers in Twilio's shapes.
 *
 * sim_rest.c authenticates the request, applies the rate limit, finds the
 * route and calls one of the handlers declared here (implemented in
 * sim_calls.c, sim_messages.c, sim_recordings.c and sim_inbound.c). A
 * handler always fills r->res (or defers it), using memory from
 * r->req->arena for everything the answer points to.
 */
#ifndef HL_SIM_REST_H
#define HL_SIM_REST_H

#include <jansson.h>

#include "http/form.h"
#include "http/http.h"
#include "sim/sim_state.h"

struct sim_req {
    struct sim *sim;
    struct http_request *req;
    struct http_response *res;
    struct form form;  /* the decoded body of a POST, else empty */
    struct form query; /* the decoded query string */
    const char *sid;   /* the resource's SID from the path ("CA..." of Calls/CA....json), or NULL */
    const char *path;  /* the path, NUL-terminated, without the query */
};

/*
 * Twilio's error document, {"code":..,"message":..,"more_info":..,"status":..}
 * (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions).
 */
void sim_error(struct sim_req *r, int status, int code, const char *message);

/* 404 / 20404 "The requested resource {path} was not found". */
void sim_not_found(struct sim_req *r);

/* Answer with doc rendered compactly; steals the reference. */
void sim_json(struct sim_req *r, int status, json_t *doc);

/* The first value of a form field, or NULL when absent (an empty value is returned as ""). */
const char *sim_form(const struct sim_req *r, const char *name);

/* "http://{Host}" of the request, for absolute URLs such as a recording's media_url. */
const char *sim_request_base(const struct sim_req *r);

/*
 * Store a new call (for POST /sim/Calls.json): params (moved) are what it
 * keeps, as a REST create's form. sid gets its SID. Returns the call's JSON
 * (a new reference), NULL when no SID could be made.
 */
json_t *sim_call_add(struct sim *sim, const char *to, const char *from, const char *direction,
                     struct sim_params *params, char sid[SIM_SID_SIZE]);

/* The handlers. */
void sim_calls_create(struct sim_req *r);
void sim_calls_list(struct sim_req *r);
void sim_call_fetch(struct sim_req *r);
void sim_call_update(struct sim_req *r);
void sim_messages_create(struct sim_req *r);
void sim_messages_list(struct sim_req *r);
void sim_message_fetch(struct sim_req *r);
void sim_message_delete(struct sim_req *r);
void sim_recordings_list(struct sim_req *r);
void sim_call_recordings_list(struct sim_req *r);
void sim_recording_fetch(struct sim_req *r);
void sim_recording_delete(struct sim_req *r);
void sim_recording_audio(struct sim_req *r);
void sim_recording_mp3(struct sim_req *r);
void sim_inbound_message(struct sim_req *r);
void sim_inbound_call(struct sim_req *r);    /* POST /sim/Calls.json */
void sim_call_transcript(struct sim_req *r); /* GET /sim/Calls/{CallSid}/Transcript.json */

#endif
