/*
 * pipeline.c — the recording pipelines as job handlers: the stages in
 * order, each run once (see pipeline.h).
 */
#include "pipeline/pipeline.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/stages.h"
#include "core/banned.h"

/* What a job is about, from its payload. */
static int read_payload(struct job_ctx *job, struct pipeline_job *p, struct hl_err *err)
{
    json_error_t jerr;

    p->payload = json_loads(job_payload(job), 0, &jerr);
    p->recording_sid = json_string_value(json_object_get(p->payload, "recording_sid"));
    p->call_sid = json_string_value(json_object_get(p->payload, "call_sid"));
    p->recording_url = json_string_value(json_object_get(p->payload, "recording_url"));
    p->pipeline = json_string_value(json_object_get(p->payload, "pipeline"));
    if (!p->recording_sid || !p->recording_url || !p->pipeline)
        return hl_err_set(err, HL_EINVAL, "job payload lacks recording_sid, recording_url or "
                                          "pipeline");
    return HL_OK;
}

/* Run a stage and parse its recorded result; *out (may be NULL) owns the JSON. */
static int stage(struct pipeline_job *p, const char *name,
                 int (*fn)(struct job_ctx *, void *, char **, struct hl_err *), json_t **out,
                 struct hl_err *err)
{
    char *result = NULL;
    int rc = job_stage(p->job, name, fn, p, &result, err);

    if (rc == HL_OK && out)
        *out = result ? json_loads(result, JSON_DECODE_ANY, NULL) : NULL;
    free(result);
    return rc;
}

static int run_stages(struct pipeline_job *p, struct hl_err *err)
{
    int receptionist = strcmp(p->pipeline, "receptionist") == 0;
    int rc;

    if ((rc = stage(p, "download", pipeline_download, &p->download, err)) ||
        (p->app->cfg->recordings_delete_after_download &&
         (rc = stage(p, "delete_remote", pipeline_delete_remote, NULL, err))))
        return rc;
    if (strcmp(p->pipeline, "memo") == 0) /* no plaintext stage result: one sealed stage */
        return (rc = stage(p, "memo_id", pipeline_memo_id, &p->memo, err))
                   ? rc
                   : stage(p, "memo", pipeline_memo, NULL, err);
    if ((rc = stage(p, "transcribe", pipeline_transcribe, &p->transcript, err)) ||
        (rc = stage(p, "analyze", pipeline_analyze, &p->analysis, err)) ||
        (rc = stage(p, "store", pipeline_store, NULL, err)))
        return rc;
    if (!receptionist)
        return HL_OK;
    if ((rc = stage(p, "booking", pipeline_booking, &p->booking, err)) != HL_OK ||
        (rc = stage(p, "reply", pipeline_reply, NULL, err)) != HL_OK)
        return rc;
    return stage(p, "owner_notice", pipeline_owner_notice, NULL, err);
}

static int run_recording(struct job_ctx *job, void *ctx, struct hl_err *err)
{
    struct pipeline_job p;
    int rc;

    memset(&p, 0, sizeof(p));
    p.app = ctx;
    p.job = job;
    rc = read_payload(job, &p, err);
    if (rc == HL_OK)
        rc = run_stages(&p, err);
    json_decref(p.payload);
    json_decref(p.booking);
    json_decref(p.download);
    json_decref(p.transcript);
    json_decref(p.analysis);
    json_decref(p.memo);
    return rc;
}

/* The recording pipelines' kinds: "recording.<pipeline>". */
static size_t recording_kinds(struct app *app, struct job_kind *out, size_t max)
{
    static const char *const kinds[] = {"recording.analyze", "recording.receptionist",
                                        "recording.memo"};
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(kinds) && i < max; i++) {
        out[i].kind = kinds[i];
        out[i].run = run_recording;
        out[i].ctx = app;
    }
    return i;
}

size_t pipeline_kinds(struct app *app, struct job_kind *out, size_t max)
{
    size_t n = recording_kinds(app, out, max);

    if (n < max) { /* SMS notes (note_stage.c) */
        out[n].kind = PIPELINE_NOTE_JOB;
        out[n].run = pipeline_run_note;
        out[n++].ctx = app;
    }
    return n;
}
