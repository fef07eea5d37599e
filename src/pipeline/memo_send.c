/*
 * memo_send.c — sealing a memo and texting its link to the owner, for the
 * voicemail memo (memo_stage.c) and the SMS note (note_stage.c).
 *
 * The key exists only here, between memo_seal() and the send: it goes into
 * the link, the link into the message body, and all three are wiped. What
 * the database keeps of the message has "#(key withheld)" in place of the
 * key. A send that failed removes the memo (nobody could open it); a send
 * whose outcome is unknown keeps it and is never repeated.
 */
#include "pipeline/stages.h"

#include <stdio.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "core/banned.h"

/* The owner's text: intro and the link; what the database keeps says the key was withheld. */
static int send_link(struct app *app, const char *intro, const char *link, const char *id,
                     struct hl_err *err)
{
    const struct config *cfg = app->cfg;
    struct outbound o = {cfg, app->store, app->rest, app->flows};
    struct outbound_message_request rq = {0};
    struct outbound_result out;
    char body[1400], stored[1400];

    if (snprintf(body, sizeof(body), "%s %s", intro, link) >= (int)sizeof(body))
        return hl_err_set(err, HL_ETOOLARGE, "the memo link does not fit a message");
    snprintf(stored, sizeof(stored), "%s %.900s/voice/%s#(key withheld)", intro,
             cfg->public_base_url, id);
    rq.to = cfg->owner_phone;
    rq.body = body;
    rq.stored_body = stored;
    rq.whatsapp = cfg->twilio_whatsapp_number != NULL;
    {
        int rc = outbound_message(&o, &rq, &out, err);
        crypto_wipe(body, sizeof(body));
        return rc;
    }
}

int pipeline_seal_and_send(struct app *app, const char *intro, const void *audio, size_t len,
                           const char *meta, struct memo_sealed *sealed, struct hl_err *err)
{
    unsigned char key[MEMO_KEY_LEN];
    char link[1024];
    int rc = memo_seal(app->cfg->media_dir, audio, len, meta, sealed, key, err);

    if (rc != HL_OK)
        return rc;
    rc = memo_link(app->cfg->public_base_url, sealed->id, key, link, sizeof(link));
    crypto_wipe(key, sizeof(key));
    if (rc == HL_OK)
        rc = send_link(app, intro, link, sealed->id, err);
    crypto_wipe(link, sizeof(link));
    if (rc != HL_OK && rc != HL_EUNKNOWN) { /* nobody can open it: remove it */
        unlink(sealed->audio_path);
        unlink(sealed->meta_path);
        rmdir(sealed->dir);
    }
    return rc == HL_EUNKNOWN ? HL_OK : rc; /* it may have gone out: keep it, never resend */
}
