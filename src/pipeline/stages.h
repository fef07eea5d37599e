/*
 * stages.h — the recording pipeline's stages (private to src/pipeline/).
 * Each runs once per job (job_stage) and returns its result as JSON.
 */
#ifndef HL_PIPELINE_STAGES_H
#define HL_PIPELINE_STAGES_H

#include <jansson.h>

#include "memo/memo.h"
#include "outbound/outbound.h"
#include "pipeline/pipeline.h"

struct pipeline_job {
    struct app *app;
    struct job_ctx *job;
    json_t *payload;
    json_t *booking; /* receptionist: {"booked", "starts_at"} */
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
int pipeline_memo(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_reply(struct job_ctx *job, void *arg, char **result, struct hl_err *err);
int pipeline_owner_notice(struct job_ctx *job, void *arg, char **result, struct hl_err *err);

/* The "sms.note" job (note_stage.c): seal an SMS note as a memo, or analyse it. */
int pipeline_run_note(struct job_ctx *job, void *ctx, struct hl_err *err);

/* A JSON result as heap text for job_stage (*result); steals doc. HL_OK. */
int pipeline_result(json_t *doc, char **result);

/* The caller of the job's call (its row's From), in out; NULL when unknown. */
const char *pipeline_caller(struct pipeline_job *p, char out[32]);

/*
 * A send's outcome as a stage result: {"sent":1,"message_sid"} when it went
 * out, {"sent":0,"why":"opted out"} when the number opted out, {"sent":
 * "unknown"} when it may have gone out (never resent); other errors are
 * returned to retry the stage.
 */
int pipeline_send_result(int rc, const struct outbound_result *out, struct hl_err *err,
                         char **result);

/*
 * A memo and its link, sent by one job stage (the voicemail's "memo", the SMS
 * note's "memo"). The memo's id is fixed for the job before anything is
 * sealed (pipeline_memo_id), so that a retry after a crash knows its files;
 * the link is sent once (outbound.h): see docs/pipeline.md, "Crash safety".
 */
struct memo_send {
    struct app *app;
    struct job_ctx *job;
    const char *stage;        /* the stage's name, which tags its message */
    const char *id;           /* the memo's id (pipeline_memo_id) */
    const char *intro;        /* the text before the link */
    struct store_memo record; /* kind, call_sid, recording_sid, message_id of its row */
};

/* A fresh memo id as a stage result, {"memo_id"}: every later try uses the same one. */
int pipeline_memo_id(struct job_ctx *job, void *arg, char **result, struct hl_err *err);

/*
 * Did this memo's link go out on an earlier try (the process died after)?
 * 1: yes — the owner has it; the memo's files and row (not yet notified) are
 * whole, only the bookkeeping is left. 0: no. Else an error (Twilio could not
 * be asked): retry later.
 */
int pipeline_memo_link_sent(const struct memo_send *ms, struct hl_err *err);

/*
 * Seal audio (may be empty) and meta under ms->id with a fresh key (removing
 * what an interrupted try left first), store the memo's row not yet
 * notified, and text its link to OWNER_PHONE as "<intro> <link>" (WhatsApp
 * when TWILIO_WHATSAPP_NUMBER is set); the database keeps the text with the
 * key withheld, and the key is wiped. On failure the memo's files are
 * removed, except when the send's outcome is unknown (then HL_OK: the link
 * may be out, it is never resent). The caller stamps the owner notified.
 */
int pipeline_seal_and_send(const struct memo_send *ms, const void *audio, size_t len,
                           const char *meta, struct memo_sealed *sealed, struct hl_err *err);

#endif
