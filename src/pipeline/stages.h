/*
 * stages.h — the recording pipeline's stages (private to src/pipeline/).
 * Each runs once per job (job_stage) and returns its result as JSON.
 */
#ifndef HL_PIPELINE_STAGES_H
#define HL_PIPELINE_STAGES_H

#include <jansson.h>

#include "pipeline/pipeline.h"

struct pipeline_job {
    struct app *app;
    struct job_ctx *job;
    json_t *payload;
    const char *recording_sid, *call_sid, *recording_url, *pipeline;
    json_t *download;   /* {"path","sha256","bytes"} */
    json_t *transcript; /* {"text","confidence","duration_s","engine"} */
    json_t *analysis;   /* analysis_to_json() */
    json_t *memo;       /* {"memo_id"} */
};

int pipeline_download(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_delete_remote(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_transcribe(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_analyze(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_store(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_booking(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_memo_id(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_memo(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_reply(struct job_ctx *job, void *arg, char **result, struct hl_err *err);

#endif
