/*
 * engine_effects.c — what flow steps do beyond TwiML: audio synthesised for
 * tts steps (guide 000's async pattern), texts sent during a call, and
 * recordings handed to the pipeline.
 *
 * Webhooks run on the store's writer thread, which must never wait on a
 * TTS engine or on Twilio: synthesis and sends go to the app's sender pool.
 * When audio is not cached yet the caller hears "please wait" and a pause;
 * once the audio is ready the live call is redirected back to the step
 * through the REST API (and the pause ends in the same redirect anyway, in
 * case the update is lost).
 */
#include "flows/engine_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/workpool.h"
#include "outbound/outbound.h"
#include "flows/template.h"
#include "speech/tts.h"
#include "twilio/rest.h"
#include "core/banned.h"

enum { PLEASE_WAIT_PAUSE_S = 8 };

static const char *tts_voice(struct flow_run *run, const struct flow_step *s)
{
    return s->voice ? s->voice : run->r->app->cfg->tts_default_voice;
}

/* ---- TTS ------------------------------------------------------------------------------ */

struct tts_job {
    struct tts *tts;
    struct rest_client *rest;
    char *voice, *text, *call_sid, *resume_url;
};

static void tts_job_free(struct tts_job *j)
{
    free(j->voice);
    free(j->text);
    free(j->call_sid);
    free(j->resume_url);
    free(j);
}

static void tts_job_run(void *ctx)
{
    struct tts_job *j = ctx;
    struct rest_call_update u = {0};
    struct rest_call call;
    struct hl_err err = {0};
    char id[TTS_ID_SIZE];

    if (tts_render(j->tts, j->voice, j->text, id, &err) != HL_OK) {
        log_error("tts failed", LOG_S("call_sid", j->call_sid), LOG_S("reason", err.msg));
    } else if (j->rest && j->call_sid) {
        u.url = j->resume_url;
        u.method = "POST";
        if (rest_call_update(j->rest, j->call_sid, &u, &call, NULL, &err) != HL_OK)
            log_warn("live call not redirected", LOG_S("call_sid", j->call_sid),
                     LOG_S("reason", err.msg));
    }
    tts_job_free(j);
}

static void start_render(struct flow_run *run, const struct flow_step *s, const char *text)
{
    struct tts_job *j = hl_calloc(1, sizeof(*j));
    struct app *app = run->r->app;

    j->tts = app->tts;
    j->rest = app->rest;
    j->voice = hl_strdup(tts_voice(run, s));
    j->text = hl_strdup(text);
    j->call_sid = run->call_sid ? hl_strdup(run->call_sid) : NULL;
    j->resume_url =
        hl_strdup(arena_printf(run->r->req->arena, "%s&render=1", flow_step_url(run, s->name, 0)));
    if (!app->senders || workpool_submit(app->senders, tts_job_run, j) != HL_OK) {
        log_warn("tts not started: no free worker", LOG_S("call_sid", run->call_sid));
        tts_job_free(j);
    }
}

int flow_tts_ready(struct flow_run *run, const struct flow_step *s, const char *text)
{
    struct hl_err err = {0};
    char id[TTS_ID_SIZE];

    if (tts_lookup(run->r->app->tts, tts_voice(run, s), text, id, &err) == HL_OK)
        return 1;
    start_render(run, s, text);
    return 0;
}

int flow_tts_play(struct flow_run *run, struct twiml_node *parent, const struct flow_step *s,
                  const char *text)
{
    struct hl_err err = {0};
    char id[TTS_ID_SIZE];

    if (tts_lookup(run->r->app->tts, tts_voice(run, s), text, id, &err) != HL_OK) {
        start_render(run, s, text);
        return 0;
    }
    twiml_play(run->doc, parent,
               arena_printf(run->r->req->arena, "%s/media/%s", run->r->app->cfg->public_base_url,
                            id));
    return 1;
}

void flow_please_wait(struct flow_run *run, const struct flow_step *s)
{
    struct twiml_node *root = twiml_root(run->doc);

    twiml_say(run->doc, root, "Please wait while we prepare your message.",
              run->r->app->cfg->say_voice, NULL);
    twiml_pause(run->doc, root, PLEASE_WAIT_PAUSE_S);
    twiml_redirect(run->doc,
                   arena_printf(run->r->req->arena, "%s&render=1", flow_step_url(run, s->name, 0)),
                   "POST");
    run->waiting_at = s->name;
}

/* ---- Texts during a call -------------------------------------------------------------- */

struct sms_job {
    struct outbound o;
    char *to, *body;
    int whatsapp;
};

static void sms_job_run(void *ctx)
{
    struct sms_job *j = ctx;
    struct outbound_message_request rq = {0};
    struct outbound_result out;
    struct hl_err err = {0};

    rq.to = j->to;
    rq.body = j->body;
    rq.whatsapp = j->whatsapp;
    if (outbound_message(&j->o, &rq, &out, &err) != HL_OK)
        log_warn("flow message not sent", LOG_S("to", j->to), LOG_S("reason", err.msg));
    free(j->to);
    free(j->body);
    free(j);
}

void flow_send_sms(struct flow_run *run, const struct flow_step *s)
{
    struct app *app = run->r->app;
    struct sms_job *j = hl_calloc(1, sizeof(*j));

    j->o.cfg = app->cfg;
    j->o.store = app->store;
    j->o.rest = app->rest;
    j->o.flows = app->flows;
    j->to = hl_strdup(flow_text(run, s->to ? s->to : run->outbound ? "{to}" : "{from}"));
    j->body = hl_strdup(flow_text(run, s->text));
    j->whatsapp = s->whatsapp;
    if (!app->senders || workpool_submit(app->senders, sms_job_run, j) != HL_OK) {
        log_warn("flow message not queued: no free worker", LOG_S("call_sid", run->call_sid));
        free(j->to);
        free(j->body);
        free(j);
    }
}

/* ---- Recordings ----------------------------------------------------------------------- */

/* A whole number of seconds Twilio sent, or STORE_NONE. */
static long long seconds_param(const struct form *f, const char *name)
{
    const char *v = form_get(f, name);
    char *end;
    long long n;

    if (!v || !*v)
        return STORE_NONE;
    n = strtoll(v, &end, 10);
    return *end == '\0' && n >= 0 ? n : STORE_NONE;
}

static const char *job_payload(struct flow_run *run, const struct flow_step *s,
                               const struct store_recording *rec)
{
    json_t *p = json_pack("{s:s,s:s?,s:s?,s:s,s:s,s:s}", "recording_sid", rec->sid, "call_sid",
                          rec->call_sid, "recording_url", rec->url, "pipeline",
                          s->pipeline ? s->pipeline : "analyze", "flow", run->flow->name, "step",
                          s->name);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    const char *copy = text ? arena_strdup(run->r->req->arena, text) : NULL;

    json_decref(p);
    free(text);
    return copy;
}

void flow_store_recording(struct flow_run *run, const struct flow_step *s)
{
    struct store_recording rec = STORE_RECORDING_INIT;
    const struct form *f = &run->r->form;
    struct hl_err err = {0};
    int inserted = 0, rc;

    rec.sid = form_get(f, "RecordingSid");
    rec.url = form_get(f, "RecordingUrl");
    if (!rec.sid || !*rec.sid || !rec.url)
        return; /* nothing was recorded */
    rec.call_sid = run->call_sid;
    rec.account_sid = form_get(f, "AccountSid");
    rec.status = "completed";
    rec.source = "RecordVerb";
    rec.duration_s = seconds_param(f, "RecordingDuration");
    if (s->pipeline && strcmp(s->pipeline, "none") == 0)
        rc = store_recording_status(run->r->app->store, &rec, &err);
    else
        rc = store_recording_received(
            run->r->app->store, &rec,
            arena_printf(run->r->req->arena, "%s%s", FLOW_RECORDING_JOB_PREFIX,
                         s->pipeline ? s->pipeline : "analyze"),
            job_payload(run, s, &rec), &inserted, &err);
    if (rc != HL_OK)
        log_error("recording not stored", LOG_S("call_sid", run->call_sid),
                  LOG_S("recording_sid", rec.sid), LOG_S("reason", err.msg));
    else
        log_info("recording received", LOG_S("call_sid", run->call_sid),
                 LOG_S("recording_sid", rec.sid), LOG_S("pipeline", s->pipeline),
                 LOG_I("queued", inserted));
}

/* ---- Warming the TTS cache -------------------------------------------------------------- */

struct warm_job {
    struct tts *tts;
    char *voice, *text;
};

static void warm_job_run(void *ctx)
{
    struct warm_job *j = ctx;
    struct hl_err err = {0};
    char id[TTS_ID_SIZE];

    if (tts_render(j->tts, j->voice, j->text, id, &err) != HL_OK)
        log_warn("tts not prepared", LOG_S("reason", err.msg));
    free(j->voice);
    free(j->text);
    free(j);
}

/* A text whose words are the same on every call (no caller, callee or contact in it). */
static int same_for_every_call(const char *text)
{
    return text && !strstr(text, "{from}") && !strstr(text, "{to}") && !strstr(text, "{contact.");
}

static void warm_step(const struct flow_step *s, const struct config *cfg, struct tts *tts,
                      struct workpool *pool, struct arena *a)
{
    const char *text = s->kind == FLOW_TTS ? s->text : s->use_tts ? s->prompt : NULL;
    struct template_vars v = {cfg, NULL, NULL, NULL, NULL};
    struct warm_job *j;

    if (!same_for_every_call(text))
        return;
    j = hl_calloc(1, sizeof(*j));
    j->tts = tts;
    j->voice = hl_strdup(s->voice ? s->voice : cfg->tts_default_voice);
    j->text = hl_strdup(template_fill(a, text, &v));
    if (workpool_submit(pool, warm_job_run, j) != HL_OK) {
        free(j->voice);
        free(j->text);
        free(j);
    }
}

void flow_engine_prepare_audio(const struct flows *fs, const struct config *cfg, struct tts *tts,
                               struct workpool *pool)
{
    struct arena a;
    size_t i;

    arena_init(&a, 1 << 20);
    if (flows_inbound(fs))
        for (i = 0; i < flows_inbound(fs)->n_steps; i++)
            warm_step(&flows_inbound(fs)->steps[i], cfg, tts, pool, &a);
    arena_release(&a);
}
