/*
 * sim_driver_rest.c — the call driver's /sim/ routes.
 *
 *   POST /sim/Calls.json
 *       a person calls the business. From (default +14155550100), To
 *       (default +15005550006), Url (default {webhook_base}/twilio/voice;
 *       Flow=NAME adds ?flow=NAME), Method, StatusCallback (default
 *       {webhook_base}/twilio/status, where a Twilio number's "call status
 *       changes" points), StatusCallbackEvent, StatusCallbackMethod, or
 *       Twiml instead of Url; and the script, in order: Digits=1,
 *       Speech=yes, Say=..., Dial=no-answer. Answers 201 with the Call
 *       resource at once; the call runs in the background.
 *   GET /sim/Calls/{CallSid}/Transcript.json?after=N
 *       the conversation from line N+1 on, done, status and error_code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/phone.h"
#include "sim/sim_driver.h"
#include "sim/sim_rest.h"
#include "core/banned.h"

#define SIM_DEFAULT_CALLER "+14155550100"

static const char *const kept[] = {"Method", "StatusCallbackMethod", "Twiml"};

static int is_http_url(const char *url)
{
    return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

/* The voice URL: Url, or hotline's /twilio/voice with ?flow=Flow. */
static const char *voice_url(struct sim_req *r)
{
    const char *url = sim_form(r, "Url"), *flow = sim_form(r, "Flow");
    struct buf escaped = BUF_INIT(4096);
    const char *out;

    if (url && *url)
        return url;
    if (!flow || !*flow)
        return arena_printf(r->req->arena, "%s/twilio/voice", r->sim->webhook_base);
    sim_url_escape(&escaped, flow);
    out = arena_printf(r->req->arena, "%s/twilio/voice?flow=%s", r->sim->webhook_base,
                       buf_str(&escaped));
    buf_release(&escaped);
    return out;
}

/* The call's parameters and the caller's script; answers 400 itself and returns 0 on an error. */
static int read_request(struct sim_req *r, struct sim_params *p, struct sim_script *script)
{
    const char *url = voice_url(r), *cb = sim_form(r, "StatusCallback");
    size_t i;

    if (!is_http_url(url) || (cb && *cb && !is_http_url(cb))) {
        sim_error(r, 400, 21205, "Url and StatusCallback must be http(s) URLs.");
        return 0;
    }
    sim_params_add(p, "Url", sim_form(r, "Twiml") ? NULL : url);
    for (i = 0; i < HL_ARRAY_LEN(kept); i++)
        sim_params_add(p, kept[i], sim_form(r, kept[i]));
    if (!cb)
        cb = arena_printf(r->req->arena, "%s/twilio/status", r->sim->webhook_base);
    sim_params_add(p, "StatusCallback", cb);
    for (i = 0; i < r->form.count; i++) {
        const struct form_field *f = &r->form.fields[i];
        if (strcmp(f->name, "StatusCallbackEvent") == 0)
            sim_params_add(p, f->name, f->value);
        else if (sim_script_add_param(script, f->name, f->value) < 0) {
            sim_error(r, 400, 20001,
                      arena_printf(r->req->arena,
                                   "%s: a script may have %d items, each 1 to %d characters "
                                   "(Digits: 0-9, *, #, w)",
                                   f->name, SIM_SCRIPT_MAX_ITEMS, SIM_SCRIPT_MAX_TEXT));
            return 0;
        }
    }
    return 1;
}

void sim_inbound_call(struct sim_req *r)
{
    const char *from = sim_form(r, "From"), *to = sim_form(r, "To");
    struct sim_params p = SIM_PARAMS_INIT;
    struct sim_script script = {0};
    char sid[SIM_SID_SIZE];
    json_t *doc = NULL;

    from = from && *from ? from : SIM_DEFAULT_CALLER;
    to = to && *to ? to : SIM_DEFAULT_NUMBER;
    if (!phone_is_e164(from))
        sim_error(r, 400, 21212, arena_printf(r->req->arena, "Invalid 'From' Phone Number: %s", from));
    else if (!phone_is_e164(to))
        sim_error(r, 400, 21211, arena_printf(r->req->arena, "Invalid 'To' Phone Number: %s", to));
    else if (read_request(r, &p, &script) && !(doc = sim_call_add(r->sim, to, from, "inbound", &p, sid)))
        sim_error(r, 500, 20500, "Internal Server Error");
    if (doc && sim_driver_place(r->sim->driver, sid, "inbound", &script) != HL_OK) {
        sim_call_set_status(r->sim, sid, "failed", 0, NULL);
        json_decref(doc);
        doc = NULL;
        sim_error(r, 503, 20503, "The emulator's call driver is busy or stopping.");
    }
    if (doc) {
        r->res->log_call_sid = arena_strdup(r->req->arena, sid);
        sim_json(r, 201, doc);
    }
    sim_params_release(&p);
    sim_script_release(&script);
}

void sim_call_transcript(struct sim_req *r)
{
    const char *sid = http_param(r->req, "CallSid"), *after = form_get(&r->query, "after");
    long n = after ? strtol(after, NULL, 10) : 0;
    json_t *doc = sid ? sim_driver_transcript_json(r->sim->driver, sid, n) : NULL;

    if (!doc)
        sim_not_found(r);
    else
        sim_json(r, 200, doc);
}
