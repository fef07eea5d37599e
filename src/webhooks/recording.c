/*
 * recording.c — POST /twilio/recording (a <Record> finished) and
 * POST /twilio/recording-status (its status callback).
 *
 * The recording webhook must answer at once: it stores the recording and
 * queues the pipeline job in one transaction, then thanks the caller. The
 * work itself (download, transcribe, analyse, encrypt, notify) happens in
 * the job workers. A retried webhook finds the recording already received
 * and queues nothing more.
 */
#include "webhooks/webhooks.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "flows/engine.h"
#include "twilio/twiml.h"
#include "core/banned.h"

/*
 * The pipeline a recording posted straight to /twilio/recording (the
 * guides' route, outside any flow step) runs: that of the inbound flow's
 * first record step, else "analyze".
 */
static const char *inbound_pipeline(const struct app *app)
{
    const struct flow *f = app->flows ? flows_inbound(app->flows) : NULL;
    size_t i;

    for (i = 0; f && i < f->n_steps; i++)
        if (f->steps[i].kind == FLOW_RECORD && f->steps[i].pipeline)
            return f->steps[i].pipeline;
    return "analyze";
}

static int fill_recording(struct app_request *r, struct store_recording *rec)
{
    rec->sid = app_require(r, "RecordingSid");
    if (!rec->sid)
        return HL_EINVAL;
    rec->url = form_get(&r->form, "RecordingUrl");
    rec->call_sid = form_get(&r->form, "CallSid");
    if (!rec->call_sid)
        rec->call_sid = http_param(r->req, "CallSid");
    rec->account_sid = form_get(&r->form, "AccountSid");
    rec->status = form_get(&r->form, "RecordingStatus");
    rec->source = form_get(&r->form, "RecordingSource");
    rec->error_code = form_get(&r->form, "ErrorCode");
    rec->duration_s = webhook_int_param(&r->form, "RecordingDuration");
    rec->channels = webhook_int_param(&r->form, "RecordingChannels");
    if (rec->duration_s == WEBHOOK_BAD_INT || rec->channels == WEBHOOK_BAD_INT) {
        http_respond_text(r->res, 400,
                          "RecordingDuration and RecordingChannels must be whole numbers.\n");
        return HL_EINVAL;
    }
    r->res->log_call_sid = rec->call_sid;
    return HL_OK;
}

static const char *job_payload(struct app_request *r, const struct store_recording *rec)
{
    json_t *payload =
        json_pack("{s:s, s:s?, s:s?, s:s}", "recording_sid", rec->sid, "call_sid", rec->call_sid,
                  "recording_url", rec->url, "pipeline", inbound_pipeline(r->app));
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    const char *copy = text ? arena_strdup(r->req->arena, text) : NULL;

    json_decref(payload);
    free(text);
    return copy;
}

static void thank_caller(struct app_request *r)
{
    struct twiml *doc = twiml_new(r->req->arena, TWIML_VOICE);

    twiml_say(doc, twiml_root(doc), r->app->cfg->voice_thanks, r->app->cfg->say_voice, NULL);
    twiml_hangup(doc);
    app_twiml(r, doc);
}

void webhook_recording(struct app_request *r)
{
    struct store_recording rec = STORE_RECORDING_INIT;
    struct hl_err err = {0};
    int inserted = 0;

    if (fill_recording(r, &rec) != HL_OK)
        return;
    if (!rec.url) {
        app_require(r, "RecordingUrl");
        return;
    }
    if (!rec.status)
        rec.status = "completed";
    if (store_recording_received(r->app->store, &rec,
                                 arena_printf(r->req->arena, "%s%s", FLOW_RECORDING_JOB_PREFIX,
                                              inbound_pipeline(r->app)),
                                 job_payload(r, &rec),
                                 &inserted, &err) != HL_OK) {
        log_error("recording not stored", LOG_S("call_sid", rec.call_sid),
                  LOG_S("recording_sid", rec.sid), LOG_S("reason", err.msg));
        http_respond_text(r->res, 503, "Storage unavailable; Twilio will retry.\n");
        return;
    }
    log_info("recording received", LOG_S("call_sid", rec.call_sid), LOG_S("recording_sid", rec.sid),
             LOG_I("duration_s", rec.duration_s), LOG_I("queued", inserted));
    thank_caller(r);
}

void webhook_recording_status(struct app_request *r)
{
    struct store_recording rec = STORE_RECORDING_INIT;
    struct hl_err err = {0};

    if (fill_recording(r, &rec) != HL_OK)
        return;
    if (store_recording_status(r->app->store, &rec, &err) != HL_OK) {
        log_error("recording status not stored", LOG_S("recording_sid", rec.sid),
                  LOG_S("reason", err.msg));
        http_respond_text(r->res, 503, "Storage unavailable; Twilio will retry.\n");
        return;
    }
    log_info("recording_status", LOG_S("call_sid", rec.call_sid), LOG_S("recording_sid", rec.sid),
             LOG_S("recording_status", rec.status), LOG_S("error_code", rec.error_code));
    webhook_empty_answer(r);
}
