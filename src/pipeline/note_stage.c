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
 * the stage's record) finds it sealed and does nothing more; one after the
 * link went out but before the note was recorded sealed finds the link sent
 * and records it with the memo row written before the send (memo_send.c).
 * The memo's id is fixed for the job first (stage memo_id).
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
    char memo_id[MEMO_ID_LEN + 1]; /* fixed for the job (stage memo_id) */
    struct note_copy note;
};

/*
 * Record the sealed note: its memo (owner notified), its state, its cleared
 * body. A failure is retried: the link is out by now, so the retry finds it
 * sent and comes back here with the memo's stored row.
 */
static int record_sealed(struct note_job *nj, const char *key_sha256, const char *audio_path,
                         const char *meta_path, struct hl_err *err)
{
    struct store_memo m = {0};

    m.id = nj->memo_id;
    m.kind = "sms_note";
    m.message_id = nj->message_id;
    m.key_sha256 = key_sha256;
    m.audio_path = audio_path;
    m.meta_path = meta_path;
    m.owner_notified = 1;
    return store_note_sealed(nj->app->store, &m, err);
}

static int seal_note(struct note_job *nj, const struct memo_send *ms, struct hl_err *err)
{
    char *analysis = NULL, *ideas = NULL, *meta = NULL;
    struct memo_sealed sealed;
    int rc;

    if ((rc = analyse(nj->app, nj->note.body ? nj->note.body : "", &analysis, &ideas, err)) !=
        HL_OK)
        return rc;
    if (!(meta = note_meta(&nj->note, analysis)))
        rc = hl_err_set(err, HL_ENOMEM, "out of memory sealing a note");
    else if ((rc = pipeline_seal_and_send(ms, "", 0, meta, &sealed, err)) == HL_OK &&
             (rc = record_sealed(nj, sealed.key_sha256, sealed.audio_path, sealed.meta_path,
                                 err)) == HL_OK)
        ideas_cache_put(nj->app->ideas, nj->message_id, ideas);
    wipe_free(meta);
    wipe_free(analysis);
    wipe_free(ideas);
    return rc;
}

static void sealed_row(void *ctx, const struct store_memo_row *row)
{
    struct store_memo *m = ctx;

    m->key_sha256 = hl_strdup(row->memo.key_sha256);
    m->audio_path = row->memo.audio_path ? hl_strdup(row->memo.audio_path) : NULL;
    m->meta_path = row->memo.meta_path ? hl_strdup(row->memo.meta_path) : NULL;
}

/* The link went out before a crash: record the note sealed with the memo row written then. */
static int finish_sent(struct note_job *nj, struct hl_err *err)
{
    struct store_memo m = {0};
    int rc = store_memo_get(nj->app->store, nj->memo_id, sealed_row, &m, err);

    if (rc == HL_OK)
        rc = record_sealed(nj, m.key_sha256, m.audio_path, m.meta_path, err);
    free((char *)m.key_sha256);
    free((char *)m.audio_path);
    free((char *)m.meta_path);
    return rc;
}

static int stage_memo(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct note_job *nj = arg;
    struct memo_send ms;
    char intro[300];
    int rc;

    if (!nj->note.state)
        return pipeline_result(json_pack("{s:b,s:s}", "sealed", 0, "why", "note erased"), result);
    if (strcmp(nj->note.state, "sealed") == 0) /* by this job, before a crash */
        return pipeline_result(
            json_pack("{s:b,s:s,s:b}", "sealed", 1, "memo_id", nj->memo_id, "notified", 1), result);
    if (!nj->app->cfg->owner_phone)
        return hl_err_set(err, HL_ECONFIG,
                          "OWNER_PHONE is not set: a note's memo link has "
                          "nowhere to go");
    snprintf(intro, sizeof(intro),
             "New note for %.200s (ID: %lld). Read:", nj->app->cfg->business_name, nj->message_id);
    memset(&ms, 0, sizeof(ms));
    ms.app = nj->app;
    ms.job = job;
    ms.stage = "memo";
    ms.id = nj->memo_id;
    ms.intro = intro;
    ms.record.kind = "sms_note";
    ms.record.message_id = nj->message_id;
    if ((rc = pipeline_memo_link_sent(&ms, err)) == 0)
        rc = seal_note(nj, &ms, err);
    else if (rc == 1)
        rc = finish_sent(nj, err);
    if (rc != HL_OK)
        return rc;
    if (store_scrub(nj->app->store, err) != HL_OK) /* the text's older page images */
        log_warn("note text not yet scrubbed from the write-ahead log", LOG_I("id", nj->message_id),
                 LOG_S("reason", err->msg));
    memset(err, 0, sizeof(*err));
    log_info("note sealed and sent", LOG_S("memo_id", nj->memo_id), LOG_I("id", nj->message_id));
    return pipeline_result(
        json_pack("{s:b,s:s,s:b}", "sealed", 1, "memo_id", nj->memo_id, "notified", 1), result);
}

/* The memo's id for this job, chosen once (every retry seals under it). */
static int note_memo_id(struct job_ctx *job, struct note_job *nj, struct hl_err *err)
{
    char *result = NULL;
    json_t *doc;
    const char *id;
    int rc = job_stage(job, "memo_id", pipeline_memo_id, NULL, &result, err);

    if (rc != HL_OK)
        return rc;
    doc = json_loads(result ? result : "{}", 0, NULL);
    id = json_string_value(json_object_get(doc, "memo_id"));
    if (id && memo_id_valid(id, strlen(id)))
        snprintf(nj->memo_id, sizeof(nj->memo_id), "%s", id);
    else
        rc = hl_err_set(err, HL_EINVAL, "the memo_id stage left no id");
    json_decref(doc);
    free(result);
    return rc;
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
    if (!nj.app->cfg->encrypted_notes)
        rc = job_stage(job, "analyze", stage_analyze, &nj, &result, err);
    else if ((rc = note_memo_id(job, &nj, err)) == HL_OK)
        rc = job_stage(job, "memo", stage_memo, &nj, &result, err);
    free(result);
    note_release(&nj.note);
    return rc;
}
