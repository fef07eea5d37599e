/*
 * memo_stage.c — the voicemail memo (guide 004): transcribe and analyse the
 * recording, seal audio and meta with a fresh key, send the owner the link,
 * record the memo, and forget the key and the plaintext.
 *
 * It is one stage because the key exists only in memory between sealing
 * and sending the link: nothing of it (nor of the transcript) may be
 * recorded on the way, not even in a stage result. The memo's id is chosen
 * once per job (stage memo_id), so a retry knows its files: if the link
 * went out before a crash (outbound_message_recover() finds it, in our row
 * or at Twilio) only the bookkeeping is finished; otherwise what the crash
 * left is removed and the memo sealed again, under the same id with a new
 * key. The owner gets exactly one link, to a memo whose files are whole.
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
#include "core/testhold.h"
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

int pipeline_memo_id(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    char id[MEMO_ID_LEN + 1];
    json_t *doc;
    int rc = memo_new_id(id, err);

    (void)job;
    (void)arg;
    if (rc != HL_OK)
        return rc;
    doc = json_pack("{s:s}", "memo_id", id);
    *result = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return HL_OK;
}

/* The owner's text with the link, sent once for this job; what the database keeps withholds the key. */
static int send_link(struct pipeline_job *p, const char *link, struct hl_err *err)
{
    const struct config *cfg = p->app->cfg;
    struct outbound o = {cfg, p->app->store, p->app->rest, p->app->flows};
    struct outbound_message_request rq = {0};
    struct outbound_result out;
    char body[1400], stored[1400];
    const char *hash;
    int rc;

    if (snprintf(body, sizeof(body), "New voicemail for %.200s. Listen: %s", cfg->business_name,
                 link) >= (int)sizeof(body) || !(hash = strchr(body, '#'))) {
        crypto_wipe(body, sizeof(body));
        return hl_err_set(err, HL_ETOOLARGE, "the memo link does not fit a message");
    }
    snprintf(stored, sizeof(stored), "%.*s%s", (int)(hash - body), body, OUTBOUND_KEY_WITHHELD);
    rq.to = cfg->owner_phone;
    rq.body = body;
    rq.stored_body = stored;
    rq.whatsapp = cfg->twilio_whatsapp_number != NULL;
    rq.job_id = job_id(p->job);
    rq.job_stage = "memo";
    rc = outbound_message(&o, &rq, &out, err);
    crypto_wipe(body, sizeof(body));
    return rc;
}

/* The memo's record before its link goes out: not yet notified. */
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
    m.owner_notified = 0;
    return store_memo_add(p->app->store, &m, err);
}

/* Seal the audio and meta under id with a fresh key, record the memo, send the link. */
static int seal_and_send(struct pipeline_job *p, const char *id, const void *wav, size_t len,
                         const char *meta, struct hl_err *err)
{
    const char *media = p->app->cfg->media_dir;
    unsigned char key[MEMO_KEY_LEN];
    struct memo_sealed sealed;
    char link[1024];
    int rc;

    if ((rc = memo_remove(media, id, err)) != HL_OK || /* what an interrupted try left */
        (rc = memo_seal_as(media, id, wav, len, meta, &sealed, key, err)) != HL_OK)
        return rc;
    if ((rc = record_memo(p, &sealed, err)) == HL_OK) {
        test_hold("memo", "sealed");
        rc = memo_link(p->app->cfg->public_base_url, id, key, link, sizeof(link));
    }
    crypto_wipe(key, sizeof(key));
    if (rc == HL_OK)
        rc = send_link(p, link, err);
    crypto_wipe(link, sizeof(link));
    if (rc != HL_OK && rc != HL_EUNKNOWN) { /* nobody can open it: remove it */
        struct hl_err ignored = {0};
        memo_remove(media, id, &ignored);
    }
    return rc == HL_EUNKNOWN ? HL_OK : rc; /* it may have gone out: keep it, never resend */
}

/* Transcribe, analyse and seal the downloaded recording, and send its link. */
static int make_memo(struct pipeline_job *p, const char *id, const char *path,
                     struct hl_err *err)
{
    char *wav = NULL, *meta = NULL;
    size_t len = 0;
    int rc;

    if (!path)
        return hl_err_set(err, HL_EINVAL, "the download stage left no file");
    if ((rc = fs_read_all(path, 256u << 20, &wav, &len, err)) != HL_OK)
        return rc;
    rc = (meta = memo_meta(p, wav, len, err)) ? seal_and_send(p, id, wav, len, meta, err)
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
    const char *id = json_string_value(json_object_get(p->memo, "memo_id"));
    struct outbound o = {p->app->cfg, p->app->store, p->app->rest, p->app->flows};
    struct outbound_result sent;
    json_t *done;
    int rc;

    if (!p->app->cfg->owner_phone)
        return hl_err_set(err, HL_ECONFIG, "OWNER_PHONE is not set: a memo's link has nowhere "
                                           "to go");
    if (!id)
        return hl_err_set(err, HL_EINVAL, "the memo_id stage left no id");
    /* A try that died after the link went out: the owner has it; only the bookkeeping is left. */
    rc = outbound_message_recover(&o, job_id(job), "memo", &sent, err);
    if (rc == HL_ENOTFOUND)
        rc = make_memo(p, id, path, err);
    if (rc != HL_OK || (rc = store_memo_notified(p->app->store, id, err)) != HL_OK)
        return rc;
    if (path)
        unlink(path); /* no plaintext of a memo stays on disk */
    log_info("memo sealed and sent", LOG_S("memo_id", id), LOG_S("call_sid", p->call_sid));
    done = json_pack("{s:s,s:b}", "memo_id", id, "notified", 1);
    *result = json_dumps(done, JSON_COMPACT);
    json_decref(done);
    return HL_OK;
}
