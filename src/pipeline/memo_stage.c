/*
 * memo_stage.c — the voicemail memo (guide 004): transcribe and analyse the
 * recording, seal audio and meta with a fresh key, send the owner the link,
 * record the memo, and forget the key and the plaintext.
 *
 * It is one stage because the key exists only in memory between sealing
 * and sending the link: nothing of it (nor of the transcript) may be
 * recorded on the way, not even in a stage result. A retry after a failure
 * seals a new memo with a new key. A crash after the link went out and
 * before the stage was recorded sends a second link (to a second memo) on
 * the retry: that window is the send's own round trip.
 */
#include "pipeline/stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/mask.h"
#include "crypto/crypto.h"
#include "memo/memo.h"
#include "outbound/outbound.h"
#include "speech/asr.h"
#include "core/banned.h"

/* {"transcript", "confidence", "duration_s", "analysis", "call_sid", "recording_sid"} */
static char *memo_meta(struct pipeline_job *p, const void *wav, size_t len, struct hl_err *err)
{
    struct asr_result t = {0};
    struct analysis a;
    json_t *meta, *analysis = NULL;
    char *text = NULL, *an;

    memset(&a, 0, sizeof(a));
    if (asr_transcribe(p->app->asr, wav, len, &t, err) != HL_OK)
        return NULL;
    if (analysis_run(p->app->analyzer, t.text ? t.text : "", time(NULL), &a, err) == HL_OK) {
        an = analysis_to_json(&a);
        analysis = an ? json_loads(an, 0, NULL) : NULL;
        free(an);
        analysis_release(&a);
    }
    meta = json_pack("{s:s,s:f,s:f,s:o,s:s?,s:s}", "transcript", t.text ? t.text : "",
                     "confidence", t.confidence, "duration_s", t.duration_s, "analysis",
                     analysis ? analysis : json_null(), "call_sid", p->call_sid, "recording_sid",
                     p->recording_sid);
    text = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
    json_decref(meta);
    asr_result_release(&t);
    return text;
}

static int record_memo(struct pipeline_job *p, const struct memo_sealed *sealed,
                       struct hl_err *err)
{
    struct store_memo m = {0};

    m.id = sealed->id;
    m.kind = "voicemail";
    m.call_sid = p->call_sid;
    m.recording_sid = p->recording_sid;
    m.message_id = STORE_NONE;
    m.key_sha256 = sealed->key_sha256;
    m.audio_path = sealed->audio_path;
    m.meta_path = sealed->meta_path;
    m.owner_notified = 1;
    return store_memo_add(p->app->store, &m, err);
}

int pipeline_memo(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    const char *path = json_string_value(json_object_get(p->download, "path"));
    struct memo_sealed sealed;
    char *wav = NULL, *meta = NULL, intro[256];
    size_t len = 0;
    int rc;

    (void)job;
    if (!p->app->cfg->owner_phone)
        return hl_err_set(err, HL_ECONFIG, "OWNER_PHONE is not set: a memo's link has nowhere "
                                           "to go");
    if (!path || (rc = fs_read_all(path, 256u << 20, &wav, &len, err)) != HL_OK)
        return path ? rc : hl_err_set(err, HL_EINVAL, "the download stage left no file");
    snprintf(intro, sizeof(intro), "New voicemail for %.200s. Listen:", p->app->cfg->business_name);
    rc = (meta = memo_meta(p, wav, len, err))
             ? pipeline_seal_and_send(p->app, intro, wav, len, meta, &sealed, err)
             : err->code;
    if (meta)
        crypto_wipe(meta, strlen(meta));
    free(meta);
    crypto_wipe(wav, len);
    free(wav);
    if (rc == HL_OK && (rc = record_memo(p, &sealed, err)) == HL_OK)
        unlink(path); /* no plaintext of a memo stays on disk */
    if (rc != HL_OK)
        return rc;
    log_info("memo sealed and sent", LOG_S("memo_id", sealed.id), LOG_S("call_sid", p->call_sid));
    {
        json_t *done = json_pack("{s:s,s:b}", "memo_id", sealed.id, "notified", 1);
        *result = json_dumps(done, JSON_COMPACT);
        json_decref(done);
    }
    return HL_OK;
}
