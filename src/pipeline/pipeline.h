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
 *   owner_notice receptionist: OWNER_PHONE hears of the call and its booking
 *   memo_id,     voicemail (guide 004): the memo's id, fixed for the job; then
 *   memo         transcribe, analyse and seal as one memo whose link goes to
 *                OWNER_PHONE (memo_stage.c)
 *
 * Pipelines: "analyze" (guide 002), "receptionist" (guide 001) and "memo"
 * (guide 004). SMS notes (guide 004) are "sms.note" jobs (note_stage.c).
 * A stage that sends a message sends it once, even if the process dies
 * around the request (outbound.h, docs/pipeline.md "Crash safety").
 */
#ifndef HL_PIPELINE_H
#define HL_PIPELINE_H

#include "app/app.h"
#include "jobs/jobs.h"

/* The job an SMS note queues (payload {"message_id": N}); see note_stage.c. */
#define PIPELINE_NOTE_JOB "sms.note"

/* The job kinds this build runs, with app as their context. */
size_t pipeline_kinds(struct app *app, struct job_kind *out, size_t max);

#endif
