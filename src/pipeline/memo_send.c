/*
 * memo_send.c — sealing a memo and texting its link to the owner, for the
 * voicemail memo (memo_stage.c) and the SMS note (note_stage.c), once per
 * job even if the process dies on the way (docs/pipeline.md, "Crash safety").
 *
 * The key exists only here, between sealing and the send: it goes into the
 * link, the link into the message body, and all three are wiped. What the
 * database keeps of the message has "#(key withheld)" in place of the key.
 * The memo's id is fixed for the job, its row is written (not yet notified)
 * before the link goes out, and the message is tagged with the job and
 * stage: a retry finds out whether the link went out and either finishes
 * the bookkeeping or seals again under the same id with a new key.
 */
#include "pipeline/stages.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/testhold.h"
#include "crypto/crypto.h"
#include "core/banned.h"

int pipeline_memo_id(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    char id[MEMO_ID_LEN + 1];
    int rc = memo_new_id(id, err);

    (void)job;
    (void)arg;
    return rc ? rc : pipeline_result(json_pack("{s:s}", "memo_id", id), result);
}

int pipeline_memo_link_sent(const struct memo_send *ms, struct hl_err *err)
{
    struct outbound o = {ms->app->cfg, ms->app->store, ms->app->rest, ms->app->flows};
    struct outbound_result before;
    int rc = outbound_message_recover(&o, job_id(ms->job), ms->stage, NULL, &before, err);

    if (rc == HL_ENOTFOUND) {
        memset(err, 0, sizeof(*err));
        return 0;
    }
    return rc == HL_OK ? 1 : rc;
}

/* The owner's text: intro and the link, sent once for the job stage; stored without the key. */
static int send_link(const struct memo_send *ms, const char *link, struct hl_err *err)
{
    const struct config *cfg = ms->app->cfg;
    struct outbound o = {cfg, ms->app->store, ms->app->rest, ms->app->flows};
    struct outbound_message_request rq = {0};
    struct outbound_result out;
    char body[1400], stored[1400];
    const char *hash;
    int rc;

    if (snprintf(body, sizeof(body), "%s %s", ms->intro, link) >= (int)sizeof(body) ||
        !(hash = strchr(body, '#'))) {
        crypto_wipe(body, sizeof(body));
        return hl_err_set(err, HL_ETOOLARGE, "the memo link does not fit a message");
    }
    snprintf(stored, sizeof(stored), "%.*s%s", (int)(hash - body), body, OUTBOUND_KEY_WITHHELD);
    rq.to = cfg->owner_phone;
    rq.body = body;
    rq.stored_body = stored;
    rq.whatsapp = cfg->twilio_whatsapp_number != NULL;
    rq.job_id = job_id(ms->job);
    rq.job_stage = ms->stage;
    rc = outbound_message(&o, &rq, &out, err);
    crypto_wipe(body, sizeof(body));
    return rc;
}

/* The memo's row before its link goes out: not yet notified (a retry may seal it again). */
static int record_pending(const struct memo_send *ms, const struct memo_sealed *sealed,
                          struct hl_err *err)
{
    struct store_memo m = ms->record;

    m.id = sealed->id;
    m.key_sha256 = sealed->key_sha256;
    m.audio_path = sealed->audio_path;
    m.meta_path = sealed->meta_path;
    m.owner_notified = 0;
    return store_memo_add(ms->app->store, &m, err);
}

int pipeline_seal_and_send(const struct memo_send *ms, const void *audio, size_t len,
                           const char *meta, struct memo_sealed *sealed, struct hl_err *err)
{
    const char *media = ms->app->cfg->media_dir;
    unsigned char key[MEMO_KEY_LEN];
    char link[1024];
    int rc;

    if ((rc = memo_remove(media, ms->id, err)) != HL_OK || /* what an interrupted try left */
        (rc = memo_seal_as(media, ms->id, audio, len, meta, sealed, key, err)) != HL_OK)
        return rc;
    if ((rc = record_pending(ms, sealed, err)) == HL_OK) {
        test_hold(ms->stage, "sealed"); /* the crash test (core/testhold.h) */
        rc = memo_link(ms->app->cfg->public_base_url, sealed->id, key, link, sizeof(link));
    }
    crypto_wipe(key, sizeof(key));
    if (rc == HL_OK)
        rc = send_link(ms, link, err);
    crypto_wipe(link, sizeof(link));
    if (rc != HL_OK && rc != HL_EUNKNOWN) { /* nobody can open it: remove it */
        struct hl_err ignored = {0};
        memo_remove(media, ms->id, &ignored);
    }
    return rc == HL_EUNKNOWN ? HL_OK : rc; /* it may have gone out: keep it, never resend */
}
