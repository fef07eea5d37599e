/*
 * note_stage.c — the "sms.note" job: what becomes of an SMS note (guide 004).
 *
 * The SMS webhook stores the message, records it as a note and queues this
 * job in one transaction, and answers at once. The job then does one stage:
 *
 *   memo      (FEATURE_ENCRYPTED_NOTES, the default) analyse the text in
 *             memory, seal {text, analysis} as a memo with a fresh key, text
 *             the link to OWNER_PHONE, then in one transaction record the
 *             memo, mark the note sealed and clear the message's body. The
 *             ideas go to the in-memory cache (notes/ideas.h) for IDEAS.
 *             Like the voicemail memo it is one stage, because no stage
 *             result may hold the key or the text.
 *   analyze   (notes not encrypted) analyse the text and keep the analysis
 *             on the note, where IDEAS reads it.
 *
 * A retry after the note was sealed (a crash between the store's commit and
 * the stage's record) finds it sealed and does nothing more.
 */
#include "pipeline/stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "core/log.h"
#include "crypto/crypto.h"
#include "notes/ideas.h"
#include "core/banned.h"

/* A note as read from the store; body is plaintext: note_release wipes it. */
struct note_copy {
    long long id;
    char *phone, *state, *body, *received_at;
};

static void copy_note(void *ctx, const struct store_note *n)
{
    struct note_copy *c = ctx;

    c->id = n->message_id;
    c->phone = hl_strdup(n->phone ? n->phone : "");
    c->state = hl_strdup(n->state ? n->state : "");
    c->body = n->body ? hl_strdup(n->body) : NULL;
    c->received_at = hl_strdup(n->created_at ? n->created_at : "");
}

static void wipe_free(char *s)
{
    if (s)
        crypto_wipe(s, strlen(s));
    free(s);
}

static void note_release(struct note_copy *c)
{
    free(c->phone);
    free(c->state);
    wipe_free(c->body);
    free(c->received_at);
    memset(c, 0, sizeof(*c));
}

/* The note's ideas, one a line (heap; "" when none); a line break inside an idea is a blank. */
static char *ideas_lines(const struct analysis *a)
{
    size_t i, n = 1;
    char *out, *p;

    for (i = 0; i < a->n_ideas; i++)
        n += strlen(a->ideas[i]) + 1;
    out = p = calloc(1, n);
    if (!out)
        return NULL;
    for (i = 0; i < a->n_ideas; i++) {
        const char *q = a->ideas[i];
        if (!*q)
            continue;
        if (p != out)
            *p++ = '\n';
        for (; *q; q++)
            *p++ = *q == '\n' || *q == '\r' ? ' ' : *q;
    }
    return out;
}

/* Analyse the note: its analysis (JSON) and ideas (lines), both heap, both plaintext. */
static int analyse(struct app *app, const char *text, char **analysis, char **ideas,
                   struct hl_err *err)
{
    struct analysis a;
    size_t i;
    int rc;

    memset(&a, 0, sizeof(a));
    if ((rc = analysis_run(app->analyzer, text, time(NULL), &a, err)) != HL_OK)
        return rc;
    *analysis = analysis_to_json(&a);
    *ideas = ideas_lines(&a);
    for (i = 0; i < a.n_ideas; i++)
        crypto_wipe(a.ideas[i], strlen(a.ideas[i]));
    crypto_wipe(a.summary, sizeof(a.summary));
    analysis_release(&a);
    if (!*analysis || !*ideas) {
        wipe_free(*analysis);
        wipe_free(*ideas);
        return hl_err_set(err, HL_ENOMEM, "out of memory analysing a note");
    }
    return HL_OK;
}

/* {"kind":"sms_note","message_id","from","received_at","text","analysis"}: the sealed part. */
static char *note_meta(const struct note_copy *n, const char *analysis)
{
    json_t *an = json_loads(analysis, 0, NULL);
    json_t *meta = json_pack("{s:s,s:I,s:s,s:s,s:s,s:o}", "kind", "sms_note", "message_id",
                             (json_int_t)n->id, "from", n->phone, "received_at", n->received_at,
                             "text", n->body ? n->body : "", "analysis", an ? an : json_null());
    char *text = meta ? json_dumps(meta, JSON_COMPACT) : NULL;

    json_decref(meta);
    return text;
}

struct note_job {
    struct app *app;
    long long message_id;
    struct note_copy note;
};

/* Record the sealed note; if that fails, remove the memo nobody will find. */
static int record_sealed(struct note_job *nj, const struct memo_sealed *sealed, struct hl_err *err)
{
    struct store_memo m = {0};
    int rc;

    m.id = sealed->id;
    m.kind = "sms_note";
    m.message_id = nj->message_id;
    m.key_sha256 = sealed->key_sha256;
    m.audio_path = sealed->audio_path;
    m.meta_path = sealed->meta_path;
    m.owner_notified = 1;
    if ((rc = store_note_sealed(nj->app->store, &m, err)) != HL_OK) {
        unlink(sealed->audio_path);
        unlink(sealed->meta_path);
        rmdir(sealed->dir);
    }
    return rc;
}

static int seal_note(struct note_job *nj, struct memo_sealed *sealed, struct hl_err *err)
{
    char *analysis = NULL, *ideas = NULL, *meta = NULL, intro[300];
    int rc;

    if ((rc = analyse(nj->app, nj->note.body ? nj->note.body : "", &analysis, &ideas, err)) !=
        HL_OK)
        return rc;
    snprintf(intro, sizeof(intro),
             "New note for %.200s (ID: %lld). Read:", nj->app->cfg->business_name, nj->message_id);
    if (!(meta = note_meta(&nj->note, analysis)))
        rc = hl_err_set(err, HL_ENOMEM, "out of memory sealing a note");
    else if ((rc = pipeline_seal_and_send(nj->app, intro, "", 0, meta, sealed, err)) == HL_OK &&
             (rc = record_sealed(nj, sealed, err)) == HL_OK)
        ideas_cache_put(nj->app->ideas, nj->message_id, ideas);
    wipe_free(meta);
    wipe_free(analysis);
    wipe_free(ideas);
    return rc;
}

static int stage_memo(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct note_job *nj = arg;
    struct memo_sealed sealed;
    int rc;

    (void)job;
    if (!nj->note.state)
        return pipeline_result(json_pack("{s:b,s:s}", "sealed", 0, "why", "note erased"), result);
    if (strcmp(nj->note.state, "sealed") == 0)
        return pipeline_result(json_pack("{s:b}", "sealed", 1), result);
    if (!nj->app->cfg->owner_phone)
        return hl_err_set(err, HL_ECONFIG,
                          "OWNER_PHONE is not set: a note's memo link has "
                          "nowhere to go");
    if ((rc = seal_note(nj, &sealed, err)) != HL_OK)
        return rc;
    if (store_scrub(nj->app->store, err) != HL_OK) /* the text's older page images */
        log_warn("note text not yet scrubbed from the write-ahead log", LOG_I("id", nj->message_id),
                 LOG_S("reason", err->msg));
    memset(err, 0, sizeof(*err));
    log_info("note sealed and sent", LOG_S("memo_id", sealed.id), LOG_I("id", nj->message_id));
    return pipeline_result(
        json_pack("{s:b,s:s,s:b}", "sealed", 1, "memo_id", sealed.id, "notified", 1), result);
}

static int stage_analyze(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct note_job *nj = arg;
    char *analysis = NULL, *ideas = NULL;
    int rc;

    (void)job;
    if (!nj->note.state || strcmp(nj->note.state, "pending") != 0)
        return pipeline_result(json_pack("{s:b}", "analysed", nj->note.state != NULL), result);
    if ((rc = analyse(nj->app, nj->note.body ? nj->note.body : "", &analysis, &ideas, err)) !=
        HL_OK)
        return rc;
    rc = store_note_analysed(nj->app->store, nj->message_id, analysis, err);
    free(analysis);
    free(ideas);
    return rc ? rc : pipeline_result(json_pack("{s:b}", "analysed", 1), result);
}

int pipeline_run_note(struct job_ctx *job, void *ctx, struct hl_err *err)
{
    struct note_job nj;
    json_t *payload = json_loads(job_payload(job), 0, NULL);
    char *result = NULL;
    int rc;

    memset(&nj, 0, sizeof(nj));
    nj.app = ctx;
    nj.message_id = json_integer_value(json_object_get(payload, "message_id"));
    json_decref(payload);
    if (nj.message_id <= 0)
        return hl_err_set(err, HL_EINVAL, "note job payload lacks message_id");
    rc = store_note_get(nj.app->store, nj.message_id, copy_note, &nj.note, err);
    if (rc != HL_OK && rc != HL_ENOTFOUND) /* not found: erased before its job ran */
        return rc;
    if (nj.app->cfg->encrypted_notes)
        rc = job_stage(job, "memo", stage_memo, &nj, &result, err);
    else
        rc = job_stage(job, "analyze", stage_analyze, &nj, &result, err);
    free(result);
    note_release(&nj.note);
    return rc;
}
