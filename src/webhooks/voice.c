/*
 * voice.c — the voice webhooks that run flows: POST /twilio/voice (a call
 * starts) and POST /twilio/flow/{step} (the caller answered at a step; the
 * guide alias /twilio/gather takes the step from ?step= or the call's row).
 *
 * The flow is the URL's ?flow= when hotline placed the call (POST
 * /api/calls puts it there), else the call's stored flow, else FLOW. The
 * call's place in its flow and its variables are read from the store and
 * written back in the webhook's transaction, so any instance can answer
 * the next step. The engine (flows/engine.h) decides the TwiML.
 */
#include "webhooks/webhooks.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "flows/engine.h"
#include "core/banned.h"

/* A query parameter of the webhook's URL, or NULL. */
static const char *query_param(struct app_request *r, const char *name)
{
    struct form query = {NULL, 0};
    struct hl_err err = {0};

    if (form_decode(&query, r->req->query, r->req->query_len, r->req->arena, &err) != HL_OK)
        return NULL;
    return form_get(&query, name);
}

/* What the store knows of the call. */
struct stored_call {
    struct arena *a;
    int found;
    const char *flow, *step, *direction, *from, *to;
    json_t *vars;
    int consent;
};

static void call_found(void *ctx, const struct store_call_row *row)
{
    struct stored_call *c = ctx;
    const struct store_call *x = &row->call;

    c->found = 1;
    c->flow = x->flow ? arena_strdup(c->a, x->flow) : NULL;
    c->step = x->current_step ? arena_strdup(c->a, x->current_step) : NULL;
    c->direction = x->direction ? arena_strdup(c->a, x->direction) : NULL;
    c->from = x->from_number ? arena_strdup(c->a, x->from_number) : NULL;
    c->to = x->to_number ? arena_strdup(c->a, x->to_number) : NULL;
    c->vars = x->variables_json ? json_loads(x->variables_json, 0, NULL) : NULL;
    c->consent = x->consent;
}

static void run_init(struct flow_run *run, struct app_request *r, const char *sid)
{
    const char *direction = form_get(&r->form, "Direction");

    memset(run, 0, sizeof(*run));
    run->r = r;
    run->call_sid = sid;
    run->from = form_get(&r->form, "From");
    run->to = form_get(&r->form, "To");
    run->outbound = direction && strncmp(direction, "outbound", 8) == 0;
    run->consent = STORE_NONE;
}

/* The call's new place in its flow, in the same transaction as everything it stored. */
static void save_call(struct flow_run *run, int first)
{
    struct store_call call = STORE_CALL_INIT;
    struct app_request *r = run->r;
    struct hl_err err = {0};
    char *vars = json_dumps(run->vars, JSON_COMPACT);

    call.sid = run->call_sid;
    if (first) {
        call.account_sid = form_get(&r->form, "AccountSid");
        call.direction = form_get(&r->form, "Direction");
        call.from_number = run->from;
        call.to_number = run->to;
        call.status = form_get(&r->form, "CallStatus");
        call.answered_by = form_get(&r->form, "AnsweredBy");
        call.parent_sid = form_get(&r->form, "ParentCallSid");
    }
    call.flow = run->flow ? run->flow->name : NULL;
    call.current_step = run->waiting_at ? run->waiting_at : "(ended)";
    call.variables_json = vars;
    call.consent = run->consent;
    if (store_call_upsert(r->app->store, &call, &err) != HL_OK)
        log_error("call not stored", LOG_S("call_sid", run->call_sid), LOG_S("reason", err.msg));
    free(vars);
}

static const struct flow *pick_flow(struct app_request *r, const char *stored)
{
    const char *name = query_param(r, "flow");

    if (!name)
        name = stored;
    return name ? flows_get(r->app->flows, name) : flows_inbound(r->app->flows);
}

void webhook_voice(struct app_request *r)
{
    const char *sid = app_require(r, "CallSid");
    struct flow_run run;

    if (!sid)
        return;
    r->res->log_call_sid = sid;
    run_init(&run, r, sid);
    run.vars = json_object();
    run.flow = pick_flow(r, NULL);
    if (!run.flow)
        flow_engine_apologize(&run, "the call asks for a flow this server does not have");
    else
        flow_engine_start(&run);
    save_call(&run, 1);
    app_twiml(r, run.doc);
    flow_run_release(&run);
    json_decref(run.vars);
}

/* POST /twilio/flow/{step} and /twilio/gather */
void webhook_flow_step(struct app_request *r)
{
    const char *sid = app_require(r, "CallSid");
    struct stored_call stored = {r->req->arena, 0, NULL, NULL, NULL, NULL, NULL, NULL, STORE_NONE};
    const char *step = http_param(r->req, "step");
    struct hl_err err = {0};
    struct flow_run run;

    if (!sid)
        return;
    r->res->log_call_sid = sid;
    if (store_call_get(r->app->store, sid, call_found, &stored, &err) == HL_ESTORE)
        log_error("call not read", LOG_S("call_sid", sid), LOG_S("reason", err.msg));
    run_init(&run, r, sid);
    run.vars = stored.vars ? stored.vars : json_object();
    run.consent = stored.consent;
    if (stored.direction)
        run.outbound = strncmp(stored.direction, "outbound", 8) == 0;
    step = step ? step : query_param(r, "step") ? query_param(r, "step") : stored.step;
    run.flow = pick_flow(r, stored.flow);
    if (!run.flow || !step)
        flow_engine_apologize(&run, run.flow ? "no step to go on from" : "unknown flow");
    else
        flow_engine_answer(&run, step);
    save_call(&run, !stored.found);
    app_twiml(r, run.doc);
    flow_run_release(&run);
    json_decref(run.vars);
}
