/*
 * sms_notes.c — a note's record and job, and the IDEAS reply (sms_notes.h).
 *
 * IDEAS answers from the sender's newest note: still pending (its job has
 * not run), analysed (notes not encrypted: the ideas are in the store) or
 * sealed (encrypted: the ideas are in this process's memory for
 * NOTES_IDEAS_TTL seconds after sealing, then only in the memo). The reply
 * is built in the request's arena and sent as TwiML; it is not stored.
 */
#include "webhooks/sms_notes.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "crypto/crypto.h"
#include "notes/ideas.h"
#include "pipeline/pipeline.h"
#include "core/banned.h"

#define SMS_REPLY_MAX 1601 /* one message: 1,600 characters and a NUL */

int sms_note_received(struct app_request *r, long long id, const char *phone, struct hl_err *err)
{
    char payload[64];
    int inserted = 0, rc;

    snprintf(payload, sizeof(payload), "{\"message_id\":%lld}", id);
    rc = store_note_received(r->app->store, id, phone, PIPELINE_NOTE_JOB, payload, &inserted, err);
    if (rc == HL_OK && inserted)
        log_debug("note queued", LOG_I("id", id), LOG_S("message_sid", r->res->log_message_sid));
    return rc;
}

struct last_note {
    struct arena *arena;
    long long id;
    char state[16];
    const char *ideas; /* analysed notes: one a line */
};

/* The "ideas" array of an analysis, one a line, in the arena. */
static const char *ideas_of(struct arena *a, const char *analysis_json)
{
    json_t *doc = json_loads(analysis_json, 0, NULL), *idea;
    struct buf lines = BUF_INIT(IDEAS_TEXT_MAX);
    const char *copy;
    size_t i;

    json_array_foreach(json_object_get(doc, "ideas"), i, idea)
    {
        if (json_string_length(idea) && (lines.len == 0 || buf_addc(&lines, '\n') == HL_OK))
            buf_add(&lines, json_string_value(idea), json_string_length(idea));
    }
    copy = arena_strdup(a, buf_str(&lines));
    buf_release(&lines);
    json_decref(doc);
    return copy;
}

static void found_note(void *ctx, const struct store_note *n)
{
    struct last_note *l = ctx;

    l->id = n->message_id;
    snprintf(l->state, sizeof(l->state), "%s", n->state ? n->state : "");
    if (n->analysis_json)
        l->ideas = ideas_of(l->arena, n->analysis_json);
}

/* "5 minutes", "90 seconds": how long sealed notes' ideas are kept. */
static const char *ttl_words(struct arena *a, long s)
{
    if (s % 60 == 0)
        return arena_printf(a, "%ld minute%s", s / 60, s == 60 ? "" : "s");
    return arena_printf(a, "%ld second%s", s, s == 1 ? "" : "s");
}

/* A sealed note's ideas, while this process still holds them. */
static const char *sealed_answer(struct app_request *r, long long id)
{
    struct arena *a = r->req->arena;
    char ideas[IDEAS_TEXT_MAX + 1], *out;

    if (!ideas_cache_get(r->app->ideas, id, ideas, sizeof(ideas)))
        return arena_printf(
            a,
            "Your note (ID: %lld) is encrypted. Its ideas are kept here only for %s "
            "after it is saved; now they are in its memo, which only the owner's "
            "link opens.",
            id, ttl_words(a, r->app->cfg->notes_ideas_ttl_s));
    if ((out = arena_alloc(a, SMS_REPLY_MAX)) != NULL)
        ideas_reply(id, ideas, out, SMS_REPLY_MAX);
    crypto_wipe(ideas, sizeof(ideas));
    return out;
}

const char *sms_ideas_answer(struct app_request *r, const char *phone, struct hl_err *err)
{
    struct arena *a = r->req->arena;
    struct last_note last = {a, 0, "", NULL};
    int rc = store_note_last(r->app->store, phone, found_note, &last, err);
    char *out;

    if (rc == HL_ENOTFOUND) {
        memset(err, 0, sizeof(*err));
        return "You have no notes yet. Text us a note, then reply IDEAS for its ideas.";
    }
    if (rc != HL_OK)
        return NULL;
    if (strcmp(last.state, "sealed") == 0)
        return sealed_answer(r, last.id);
    if (strcmp(last.state, "analysed") != 0 && r->app->cfg->encrypted_notes &&
        !r->app->cfg->owner_phone) /* its job cannot seal it until OWNER_PHONE is set */
        return arena_printf(a,
                            "Your note (ID: %lld) is saved and waits to be sealed; its ideas come "
                            "once it is.",
                            last.id);
    if (strcmp(last.state, "analysed") != 0)
        return arena_printf(a,
                            "Your note (ID: %lld) is still being read. Reply IDEAS again in a "
                            "moment.",
                            last.id);
    if ((out = arena_alloc(a, SMS_REPLY_MAX)) != NULL)
        ideas_reply(last.id, last.ideas, out, SMS_REPLY_MAX);
    return out;
}
