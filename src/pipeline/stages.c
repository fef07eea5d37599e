/*
 * stages.c — the recording pipeline's stages: download, delete from Twilio,
 * transcribe, analyse, store, book, reply.
 */
#include "pipeline/stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "core/fs.h"
#include "core/log.h"
#include "outbound/outbound.h"
#include "speech/asr.h"
#include "twilio/rest.h"
#include "core/banned.h"

/* A JSON result as heap text for job_stage; steals doc. */
static int result_of(json_t *doc, char **result)
{
    *result = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return HL_OK;
}

/* The temporary files (RE....wav.tmpXXXXXX) of this recording's interrupted downloads. */
static int remove_partial_downloads(const char *media_dir, const char *recording_sid,
                                    struct hl_err *err)
{
    char dir[1024], prefix[96];

    snprintf(dir, sizeof(dir), "%s/recordings", media_dir);
    snprintf(prefix, sizeof(prefix), "%s.wav.tmp", recording_sid);
    return fs_remove_prefixed(dir, prefix, err);
}

int pipeline_download(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    const struct config *cfg = p->app->cfg;
    struct store_recording rec = STORE_RECORDING_INIT;
    struct rest_download dl;
    char path[1024];
    int rc;

    (void)job;
    snprintf(path, sizeof(path), "%s/recordings/%s.wav", cfg->media_dir, p->recording_sid);
    if ((rc = fs_mkdirs_for(path, 0700, err)) != HL_OK ||
        (rc = remove_partial_downloads(cfg->media_dir, p->recording_sid, err)) != HL_OK ||
        (rc = rest_recording_download(p->app->rest, p->recording_url, path, &dl, NULL, err)) !=
            HL_OK)
        return rc;
    rec.sid = p->recording_sid;
    rec.local_path = path;
    rec.sha256 = dl.sha256;
    rec.size_bytes = dl.size_bytes;
    if ((rc = store_recording_status(p->app->store, &rec, err)) != HL_OK)
        return rc;
    return result_of(json_pack("{s:s,s:s,s:I}", "path", path, "sha256", dl.sha256, "bytes",
                               (json_int_t)dl.size_bytes),
                     result);
}

int pipeline_delete_remote(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    struct store_recording rec = STORE_RECORDING_INIT;
    struct rest_reply reply = {0};
    int rc = rest_recording_delete(p->app->rest, p->recording_sid, &reply, err);

    (void)job;
    if (rc != HL_OK && rc != HL_ENOTFOUND) /* already gone is what we wanted */
        return rc;
    rec.sid = p->recording_sid;
    rec.deleted_remote = 1;
    if ((rc = store_recording_status(p->app->store, &rec, err)) != HL_OK)
        return rc;
    return result_of(json_pack("{s:b}", "deleted", 1), result);
}

int pipeline_transcribe(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    const char *path = json_string_value(json_object_get(p->download, "path"));
    struct asr_result out = {0};
    char *wav = NULL;
    size_t len = 0;
    int rc;

    (void)job;
    if (!path)
        return hl_err_set(err, HL_EINVAL, "the download stage left no file");
    if ((rc = fs_read_all(path, 256u << 20, &wav, &len, err)) != HL_OK)
        return rc;
    rc = asr_transcribe(p->app->asr, wav, len, &out, err);
    free(wav);
    if (rc != HL_OK)
        return rc;
    result_of(json_pack("{s:s,s:f,s:f,s:s}", "text", out.text ? out.text : "", "confidence",
                        out.confidence, "duration_s", out.duration_s, "engine", out.engine),
              result);
    asr_result_release(&out);
    return HL_OK;
}

int pipeline_analyze(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    const char *text = json_string_value(json_object_get(p->transcript, "text"));
    struct analysis a;
    int rc;

    (void)job;
    memset(&a, 0, sizeof(a));
    if ((rc = analysis_run(p->app->analyzer, text ? text : "", time(NULL), &a, err)) != HL_OK)
        return rc;
    *result = analysis_to_json(&a);
    analysis_release(&a);
    return HL_OK;
}

int pipeline_store(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    struct store_transcription t = {0};
    char *analysis = p->analysis ? json_dumps(p->analysis, JSON_COMPACT) : NULL;
    int inserted = 0, rc;

    (void)job;
    t.recording_sid = p->recording_sid;
    t.call_sid = p->call_sid;
    t.engine = json_string_value(json_object_get(p->transcript, "engine"));
    t.text = json_string_value(json_object_get(p->transcript, "text"));
    t.confidence = json_number_value(json_object_get(p->transcript, "confidence"));
    t.duration_s = json_number_value(json_object_get(p->transcript, "duration_s"));
    t.analysis_json = analysis;
    if (!t.engine)
        t.engine = "unknown";
    rc = store_transcription_add(p->app->store, &t, &inserted, err);
    free(analysis);
    return rc ? rc : result_of(json_pack("{s:b}", "stored", inserted), result);
}

/* The caller's number, from the call's row. */
static void found_caller(void *ctx, const struct store_call_row *row)
{
    char *out = ctx;

    snprintf(out, 32, "%s", row->call.from_number ? row->call.from_number : "");
}

static const char *caller_of(struct pipeline_job *p, char out[32])
{
    struct hl_err err = {0};

    out[0] = '\0';
    if (p->call_sid)
        store_call_get(p->app->store, p->call_sid, found_caller, out, &err);
    return out[0] ? out : NULL;
}

const char *pipeline_caller(struct pipeline_job *p, char out[32])
{
    return caller_of(p, out);
}

int pipeline_result(json_t *doc, char **result)
{
    return result_of(doc, result);
}

/* "2026-11-24T20:00:00.000Z" from the analysis's UTC instant. */
static int booking_time(json_t *analysis, char out[32])
{
    const char *when = json_string_value(json_object_get(analysis, "when"));

    if (!when || strlen(when) < 19)
        return 0;
    snprintf(out, 32, "%.19s.000Z", when);
    return 1;
}

int pipeline_booking(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    const char *intent = json_string_value(json_object_get(p->analysis, "intent"));
    struct store_booking b = {0};
    char phone[32], starts[32];
    int inserted = 0, rc;

    (void)job;
    if (!intent || strcmp(intent, "booking") != 0 || !booking_time(p->analysis, starts))
        return result_of(json_pack("{s:b}", "booked", 0), result);
    b.call_sid = p->call_sid;
    b.phone = caller_of(p, phone);
    b.starts_at = starts;
    b.timezone = p->app->cfg->timezone_default;
    b.summary = json_string_value(json_object_get(p->analysis, "summary"));
    rc = store_booking_add(p->app->store, &b, &inserted, err);
    return rc ? rc : result_of(json_pack("{s:b,s:s}", "booked", 1, "starts_at", starts), result);
}

/* What the receptionist texts back (guide 001): the booking, or that we heard them. */
static char *reply_text(struct pipeline_job *p)
{
    const char *intent = json_string_value(json_object_get(p->analysis, "intent"));
    const char *when = json_string_value(json_object_get(p->analysis, "when_local"));
    const char *summary = json_string_value(json_object_get(p->analysis, "summary"));
    const char *business = p->app->cfg->business_name;
    char text[600];

    if (intent && strcmp(intent, "booking") == 0 && when && *when)
        snprintf(text, sizeof(text),
                 "Thanks for calling %s! We have your appointment request for %.16s and will "
                 "confirm it shortly.",
                 business, when);
    else
        snprintf(text, sizeof(text), "Thanks for calling %s! We got your message (%s) and will "
                                     "get back to you soon.",
                 business, summary && *summary ? summary : "no words we could make out");
    return hl_strdup(text);
}

int pipeline_reply(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    struct outbound o = {p->app->cfg, p->app->store, p->app->rest, p->app->flows};
    struct outbound_message_request rq = {0};
    struct outbound_result out;
    char phone[32], *text;
    int rc;

    if (!(rq.to = caller_of(p, phone)))
        return result_of(json_pack("{s:b}", "sent", 0), result);
    text = reply_text(p);
    rq.body = text;
    rq.whatsapp = p->app->cfg->twilio_whatsapp_number != NULL;
    rq.job_id = job_id(job); /* sent once, even across crashes (outbound.h) */
    rq.job_stage = "reply";
    rc = outbound_message(&o, &rq, &out, err);
    free(text);
    return pipeline_send_result(rc, &out, err, result);
}

int pipeline_send_result(int rc, const struct outbound_result *out, struct hl_err *err,
                         char **result)
{
    if (rc == HL_EREFUSED) /* opted out: never contacted, and that is the outcome */
        return result_of(json_pack("{s:b,s:s}", "sent", 0, "why", "opted out"), result);
    if (rc == HL_EUNKNOWN) /* it may have gone out: never send a second one */
        return result_of(json_pack("{s:s,s:s}", "sent", "unknown", "why", err->msg), result);
    if (rc != HL_OK)
        return rc;
    return result_of(
        json_pack("{s:b,s:s,s:b}", "sent", 1, "message_sid", out->sid, "recovered", out->recovered),
        result);
}
