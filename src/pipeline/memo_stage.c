/*
 * memo_stage.c — the voicemail memo (guide 004): transcribe and analyse the
 * recording, seal audio and meta with a fresh key, send the owner the link,
 * record the memo, and forget the key and the plaintext.
 *
 * It is one stage because the key exists only in memory between sealing
 * and sending the link: nothing of it (nor of the transcript) may be
 * recorded on the way, not even in a stage result. The memo's id is chosen
 * once per job (stage memo_id), so a retry knows its files: if the link
 * went out before a crash only the bookkeeping is finished; otherwise what
 * the crash left is removed and the memo sealed again, under the same id
 * with a new key (memo_send.c). The owner gets exactly one link.
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

/* Transcribe, analyse and seal the downloaded recording, and send its link. */
static int make_memo(struct pipeline_job *p, const struct memo_send *ms, const char *path,
                     struct hl_err *err)
{
    struct memo_sealed sealed;
    char *wav = NULL, *meta = NULL;
    size_t len = 0;
    int rc;

    if (!path)
        return hl_err_set(err, HL_EINVAL, "the download stage left no file");
    if ((rc = fs_read_all(path, 256u << 20, &wav, &len, err)) != HL_OK)
        return rc;
    rc = (meta = memo_meta(p, wav, len, err))
             ? pipeline_seal_and_send(ms, wav, len, meta, &sealed, err)
             : err->code;
    if (meta)
        crypto_wipe(meta, strlen(meta));
    free(meta);
    crypto_wipe(wav, len);
    free(wav);
    return rc;
}

int pipeline_memo(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    const char *path = json_string_value(json_object_get(p->download, "path"));
    struct memo_send ms;
    char intro[256];
    int rc;

    if (!p->app->cfg->owner_phone)
        return hl_err_set(err, HL_ECONFIG, "OWNER_PHONE is not set: a memo's link has nowhere "
                                           "to go");
    memset(&ms, 0, sizeof(ms));
    ms.app = p->app;
    ms.job = job;
    ms.stage = "memo";
    if (!(ms.id = json_string_value(json_object_get(p->memo, "memo_id"))))
        return hl_err_set(err, HL_EINVAL, "the memo_id stage left no id");
    snprintf(intro, sizeof(intro), "New voicemail for %.200s. Listen:", p->app->cfg->business_name);
    ms.intro = intro;
    ms.record.kind = "voicemail";
    ms.record.call_sid = p->call_sid;
    ms.record.recording_sid = p->recording_sid;
    ms.record.message_id = STORE_NONE;
    /* A try that died after the link went out: the owner has it; only the bookkeeping is left. */
    if ((rc = pipeline_memo_link_sent(&ms, err)) == 0)
        rc = make_memo(p, &ms, path, err);
    else if (rc == 1)
        rc = HL_OK;
    if (rc != HL_OK || (rc = store_memo_notified(p->app->store, ms.id, err)) != HL_OK)
        return rc;
    if (path)
        unlink(path); /* no plaintext of a memo stays on disk */
    log_info("memo sealed and sent", LOG_S("memo_id", ms.id), LOG_S("call_sid", p->call_sid));
    return pipeline_result(json_pack("{s:s,s:b}", "memo_id", ms.id, "notified", 1), result);
}
