/*
 * engine.c — rendering flow steps into TwiML, and acting on the caller's
 * answers. See engine.h for the model; docs/flows.md for the steps.
 */
#include "flows/engine.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "flows/engine_internal.h"
#include "flows/template.h"
#include "core/banned.h"

/* Steps rendered into one document at most: a guard against redirect loops. */
enum { RENDER_MAX_STEPS = 32 };

#define OPTOUT_CONFIRMATION                                                                        \
    "You have been removed from our list and will not be contacted again. Goodbye."
#define APOLOGY "We're sorry, something went wrong on our side. Please call again later. Goodbye."
#define NOT_UNDERSTOOD "Sorry, we could not understand your answer. Goodbye."

/* ---- Texts and URLs ------------------------------------------------------------------- */

static void contact_found(void *ctx, const struct store_contact *c)
{
    struct flow_run *run = ctx;
    struct arena *a = run->r->req->arena;

    run->contact_name = c->name ? arena_strdup(a, c->name) : NULL;
    run->contact_fields = c->fields_json ? json_loads(c->fields_json, 0, NULL) : NULL;
}

/* The other party of the call: the caller of an inbound call, the callee of an outbound one. */
const char *flow_party(const struct flow_run *run)
{
    return run->outbound ? run->to : run->from;
}

const char *flow_text(struct flow_run *run, const char *text)
{
    struct template_vars v = {run->r->app->cfg, run->from, run->to, NULL, NULL};
    struct hl_err err = {0};

    if (template_uses_contact(text) && !run->contact_looked_up) {
        run->contact_looked_up = 1;
        if (flow_party(run))
            store_contact_get(run->r->app->store, flow_party(run), contact_found, run, &err);
    }
    v.contact_name = run->contact_name;
    v.contact_fields = run->contact_fields;
    return template_fill(run->r->req->arena, text, &v);
}

/* PUBLIC_BASE_URL/twilio/flow/{step}?flow=NAME[&noinput=1] */
const char *flow_step_url(struct flow_run *run, const char *step, int noinput)
{
    return arena_concat(run->r->req->arena, run->r->app->cfg->public_base_url, "/twilio/flow/",
                        step, "?flow=", run->flow->name, noinput ? "&noinput=1" : "", NULL);
}

/* ---- Rendering ------------------------------------------------------------------------ */

static void say(struct flow_run *run, struct twiml_node *parent, const struct flow_step *s,
                const char *text)
{
    const char *voice = s->voice ? s->voice : run->r->app->cfg->say_voice;

    twiml_say(run->doc, parent, flow_text(run, text), voice, s->language);
}

/* The step's prompt spoken (or synthesised) under parent; 0 when TTS audio is not ready. */
static int prompt(struct flow_run *run, struct twiml_node *parent, const struct flow_step *s,
                  const char *text)
{
    if (!text)
        return 1;
    if (s->use_tts || s->kind == FLOW_TTS)
        return flow_tts_play(run, parent, s, flow_text(run, text));
    say(run, parent, s, text);
    return 1;
}

static const char *hints(struct flow_run *run, const struct flow_step *s)
{
    struct buf b = BUF_INIT(1024);
    const char *out;
    size_t i, k;

    for (i = 0; i < s->n_branches; i++)
        for (k = 0; k < s->branches[i].n_keywords; k++)
            buf_addf(&b, "%s%s", b.len ? ", " : "", s->branches[i].keywords[k]);
    out = b.len ? arena_strdup(run->r->req->arena, buf_str(&b)) : NULL;
    buf_release(&b);
    return out;
}

/* <Gather> with its prompt, then a redirect back here for "no input". */
static void render_gather(struct flow_run *run, const struct flow_step *s)
{
    struct twiml_node *g;
    const char *input = s->kind == FLOW_CONSENT || (s->dtmf && s->speech) ? "dtmf speech"
                        : s->speech                                      ? "speech"
                                                                         : "dtmf";
    const char *h = hints(run, s);

    if ((s->use_tts && !flow_tts_ready(run, s, flow_text(run, s->prompt)))) {
        flow_please_wait(run, s);
        return;
    }
    g = twiml_add(run->doc, twiml_root(run->doc), TWIML_GATHER, NULL);
    twiml_attr(run->doc, g, "input", input);
    twiml_attr(run->doc, g, "action", flow_step_url(run, s->name, 0));
    twiml_attr(run->doc, g, "method", "POST");
    twiml_attr_int(run->doc, g, "timeout", s->timeout_s ? s->timeout_s : 5);
    if (s->num_digits || s->kind == FLOW_CONSENT)
        twiml_attr_int(run->doc, g, "numDigits", s->num_digits ? s->num_digits : 1);
    if (strcmp(input, "dtmf") != 0)
        twiml_attr(run->doc, g, "speechTimeout", "auto");
    if (h)
        twiml_attr(run->doc, g, "hints", h);
    prompt(run, g, s, s->prompt);
    twiml_redirect(run->doc, flow_step_url(run, s->name, 1), "POST");
    run->waiting_at = s->name;
}

static void render_record(struct flow_run *run, const struct flow_step *s)
{
    struct twiml_node *rec;
    const struct config *cfg = run->r->app->cfg;

    if (s->prompt)
        say(run, twiml_root(run->doc), s, s->prompt);
    rec = twiml_add(run->doc, twiml_root(run->doc), TWIML_RECORD, NULL);
    twiml_attr(run->doc, rec, "action", flow_step_url(run, s->name, 0));
    twiml_attr(run->doc, rec, "method", "POST");
    twiml_attr_int(run->doc, rec, "maxLength", s->max_length_s);
    twiml_attr_int(run->doc, rec, "timeout", s->timeout_s);
    twiml_attr_bool(run->doc, rec, "playBeep", s->play_beep);
    if (s->finish_on_key)
        twiml_attr(run->doc, rec, "finishOnKey", s->finish_on_key);
    twiml_attr(run->doc, rec, "recordingStatusCallback",
               arena_concat(run->r->req->arena, cfg->public_base_url, "/twilio/recording-status",
                            NULL));
    twiml_attr(run->doc, rec, "recordingStatusCallbackMethod", "POST");
    /* Twilio goes on past <Record> only when nothing was recorded. */
    twiml_redirect(run->doc, flow_step_url(run, s->name, 1), "POST");
    run->waiting_at = s->name;
}

static void render_dial(struct flow_run *run, const struct flow_step *s)
{
    struct twiml_node *dial = twiml_add(run->doc, twiml_root(run->doc), TWIML_DIAL, NULL);

    twiml_attr(run->doc, dial, "action", flow_step_url(run, s->name, 0));
    twiml_attr(run->doc, dial, "method", "POST");
    twiml_attr_int(run->doc, dial, "timeout", s->timeout_s);
    twiml_add(run->doc, dial, TWIML_NUMBER, flow_text(run, s->number));
    run->waiting_at = s->name;
}

/* A record step on an outbound call without a "yes" is skipped when consent is required. */
static int recording_allowed(const struct flow_run *run)
{
    return !run->outbound || !run->r->app->cfg->require_recording_consent || run->consent == 1;
}

/* Render s; returns the step to render next in the same document, or NULL to stop. */
static const struct flow_step *render_step(struct flow_run *run, const struct flow_step *s)
{
    struct twiml_node *root = twiml_root(run->doc);

    switch (s->kind) {
    case FLOW_SAY:
        say(run, root, s, s->text);
        break;
    case FLOW_PLAY:
        twiml_play(run->doc, root, s->url);
        break;
    case FLOW_TTS:
        if (!prompt(run, root, s, s->text)) {
            flow_please_wait(run, s);
            return NULL;
        }
        break;
    case FLOW_SMS:
        flow_send_sms(run, s);
        break;
    case FLOW_REDIRECT:
        if (s->step)
            return flow_find(run->flow, s->step);
        twiml_redirect(run->doc, s->url, "POST");
        return NULL;
    case FLOW_HANGUP:
        if (s->text)
            say(run, root, s, s->text);
        twiml_hangup(run->doc);
        return NULL;
    case FLOW_GATHER:
    case FLOW_CONSENT:
        render_gather(run, s);
        return NULL;
    case FLOW_RECORD:
        if (!recording_allowed(run)) {
            log_info("recording skipped: no consent", LOG_S("call_sid", run->call_sid));
            break;
        }
        render_record(run, s);
        return NULL;
    case FLOW_DIAL:
        render_dial(run, s);
        return NULL;
    }
    if (!s->next)
        twiml_hangup(run->doc);
    return s->next ? flow_find(run->flow, s->next) : NULL;
}

void flow_render_from(struct flow_run *run, const struct flow_step *s)
{
    int n;

    run->waiting_at = NULL;
    for (n = 0; s && n < RENDER_MAX_STEPS; n++)
        s = render_step(run, s);
    if (s) {
        log_error("flow loops without waiting for the caller", LOG_S("flow", run->flow->name),
                  LOG_S("step", s->name), LOG_S("call_sid", run->call_sid));
        flow_engine_apologize(run, "redirect loop");
    }
}

void flow_engine_start(struct flow_run *run)
{
    run->doc = twiml_new(run->r->req->arena, TWIML_VOICE);
    flow_render_from(run, flow_find(run->flow, run->flow->start));
}

void flow_run_release(struct flow_run *run)
{
    json_decref(run->contact_fields);
    run->contact_fields = NULL;
}

void flow_engine_apologize(struct flow_run *run, const char *why)
{
    log_error("flow cannot go on", LOG_S("reason", why), LOG_S("call_sid", run->call_sid),
              LOG_S("flow", run->flow ? run->flow->name : NULL));
    run->doc = twiml_new(run->r->req->arena, TWIML_VOICE);
    twiml_say(run->doc, twiml_root(run->doc), APOLOGY, run->r->app->cfg->say_voice, NULL);
    twiml_hangup(run->doc);
    run->waiting_at = NULL;
}

/* ---- Answers -------------------------------------------------------------------------- */

/* The caller said an opt-out phrase: record it, confirm, hang up. */
static void opt_out(struct flow_run *run, const char *phrase)
{
    struct hl_err err = {0};
    const char *number = flow_party(run);

    if (number && store_optout_set(run->r->app->store, number, phrase, &err) != HL_OK)
        log_error("opt-out not stored", LOG_S("call_sid", run->call_sid), LOG_S("reason", err.msg));
    log_info("caller opted out", LOG_S("call_sid", run->call_sid), LOG_S("phrase", phrase));
    twiml_say(run->doc, twiml_root(run->doc), OPTOUT_CONFIRMATION, run->r->app->cfg->say_voice,
              NULL);
    twiml_hangup(run->doc);
    run->opted_out = 1;
    run->waiting_at = NULL;
}

/* No (or invalid) input at s: say why, ask again, or after the retries fall back. */
static void retry(struct flow_run *run, const struct flow_step *s, const char *why)
{
    int tries = flow_var_tries(run, s->name) + 1;

    flow_var_set_tries(run, s->name, tries);
    if (tries > s->retries) {
        flow_var_set_tries(run, s->name, 0);
        if (s->fallback) {
            flow_render_from(run, flow_find(run->flow, s->fallback));
            return;
        }
        twiml_say(run->doc, twiml_root(run->doc), NOT_UNDERSTOOD, run->r->app->cfg->say_voice,
                  NULL);
        twiml_hangup(run->doc);
        return;
    }
    if (why)
        say(run, twiml_root(run->doc), s, why);
    flow_render_from(run, s);
}

static void go(struct flow_run *run, const struct flow_step *at, const char *next)
{
    flow_var_set_tries(run, at->name, 0);
    if (!next) {
        twiml_hangup(run->doc);
        run->waiting_at = NULL;
        return;
    }
    flow_render_from(run, flow_find(run->flow, next));
}

static void answer_gather(struct flow_run *run, const struct flow_step *s,
                          const struct flow_input *in)
{
    const struct flow_branch *b;

    if (!in->digits && !in->speech) {
        retry(run, s, NULL);
        return;
    }
    b = flow_match_branch(s, in);
    if (b)
        go(run, s, b->next);
    else if (s->default_next)
        go(run, s, s->default_next);
    else
        retry(run, s, s->invalid ? s->invalid : "Sorry, that is not an option.");
}

static void answer_consent(struct flow_run *run, const struct flow_step *s,
                           const struct flow_input *in)
{
    int yes = flow_consent_answer(in);
    struct hl_err err = {0};
    struct store_call call = STORE_CALL_INIT;

    if (yes < 0) {
        retry(run, s, in->digits || in->speech ? "Please say yes or no." : NULL);
        return;
    }
    run->consent = yes;
    call.sid = run->call_sid;
    call.consent = yes;
    if (store_call_upsert(run->r->app->store, &call, &err) != HL_OK)
        log_error("consent not stored", LOG_S("call_sid", run->call_sid), LOG_S("reason", err.msg));
    log_info("recording consent", LOG_S("call_sid", run->call_sid), LOG_I("consent", yes));
    go(run, s, yes ? s->yes : s->no);
}

static void answer_dial(struct flow_run *run, const struct flow_step *s,
                        const struct flow_input *in)
{
    const char *status = form_get(&run->r->form, "DialCallStatus");

    (void)in;
    if (status && strcmp(status, "completed") == 0)
        go(run, s, s->next);
    else
        go(run, s, s->fallback ? s->fallback : s->next);
}

void flow_engine_answer(struct flow_run *run, const char *step)
{
    const struct flow_step *s = flow_find(run->flow, step);
    struct flow_input in;
    const char *phrase;

    run->doc = twiml_new(run->r->req->arena, TWIML_VOICE);
    if (!s) {
        flow_engine_apologize(run, "the call is at a step its flow does not have");
        return;
    }
    flow_read_input(run, &in);
    if (in.rerender) {
        flow_render_from(run, s);
        return;
    }
    if (in.speech && (phrase = flow_optout_phrase(run->r->app->cfg, in.speech)) != NULL) {
        opt_out(run, phrase);
        return;
    }
    switch (s->kind) {
    case FLOW_GATHER:
        answer_gather(run, s, &in);
        return;
    case FLOW_CONSENT:
        answer_consent(run, s, &in);
        return;
    case FLOW_RECORD:
        flow_store_recording(run, s);
        go(run, s, s->next);
        return;
    case FLOW_DIAL:
        answer_dial(run, s, &in);
        return;
    default: /* back after "please wait", or a redirect to this step */
        flow_render_from(run, s);
    }
}
