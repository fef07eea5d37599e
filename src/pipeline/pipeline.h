/*
 * pipeline.h — what happens to a recording after the call: the jobs that
 * "recording.<pipeline>" names, run by the job workers (jobs/jobs.h).
 *
 * Each job is a series of stages, each recorded when done so that a retry
 * skips it (no second download, no second message):
 *
 *   download     the .wav through the REST client into MEDIA_DIR/recordings/
 *                (size cap, SHA-256 kept on the recording row); then, with
 *                RECORDINGS_DELETE_AFTER_DOWNLOAD, delete it from Twilio
 *   transcribe   the ASR engine (ASR_ENGINE)
 *   analyze      intent, date and time, summary, ideas (LLM_ENGINE, rules)
 *   store        the transcript and its analysis, once per recording
 *   booking      receptionist: a booking from a booking request with a time
 *   reply        receptionist: the caller hears back on WhatsApp or SMS
 *   memo_id,     voicemail (guide 004): the memo's id, then the sealed memo
 *   memo         and the owner's link, in one stage (memo_stage.c)
 *
 * A stage that sends a message sends it once, even if the process dies
 * around the request (outbound.h, docs/pipeline.md "Crash safety").
 */
#ifndef HL_PIPELINE_H
#define HL_PIPELINE_H

#include "app/app.h"
#include "jobs/jobs.h"

/* The job kinds this build runs, with app as their context. */
size_t pipeline_kinds(struct app *app, struct job_kind *out, size_t max);

#endif
