/*
 * speech.c — POST /api/tts (text to audio, answered with the audio) and
 * POST /api/calls/{sid}/say (speak into a live call).
 *
 * /api/tts parks the connection and renders on the sender pool (espeak or
 * the http engine may take a while), like a send. /say follows guide 000's
 * "async TTS with live call update": the 202 goes out at once with the URL
 * the audio will have; a sender thread then renders it and redirects the
 * call with rest_call_update() to <Response><Play>URL</Play></Response>.
 * Its outcome is only logged — nobody is waiting for it.
 */
#include "api/api_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/workpool.h"
#include "speech/tts.h"
#include "twilio/rest.h"
#include "twilio/twiml.h"
#include "core/banned.h"

/* Longest text taken, in characters (Unicode code points). */
enum { SPEECH_MAX_CHARS = 4096 };

static void speech_field_error(struct app_request *r, const char *name, const char *what)
{
    app_json(r->res, r->req->arena, 400,
             json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field", "field", name,
                       "message", arena_printf(r->req->arena, "%s: %s", name, what)));
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* {text, voice?} of body; HL_EINVAL after answering 400. */
static int read_speech(struct app_request *r, json_t *body, const char **text, const char **voice)
{
    if (api_string(r, body, "text", text) || api_string(r, body, "voice", voice))
        return HL_EINVAL;
    if (!*text || !**text) {
        speech_field_error(r, "text", "required");
        return HL_EINVAL;
    }
    if (utf8_chars(*text) > SPEECH_MAX_CHARS) {
        speech_field_error(
            r, "text", arena_printf(r->req->arena, "longer than %d characters", SPEECH_MAX_CHARS));
        return HL_EINVAL;
    }
    return HL_OK;
}

/* Answer a render that failed: 400 naming the field, 502 for the engine, 500 otherwise. */
static void speech_failed(struct app_request *r, int rc, const struct hl_err *err)
{
    const char *colon = strchr(err->msg, ':');

    if (rc == HL_EINVAL && colon &&
        (strncmp(err->msg, "voice:", 6) == 0 || strncmp(err->msg, "text:", 5) == 0)) {
        char *field = arena_strndup(r->req->arena, err->msg, (size_t)(colon - err->msg));

        speech_field_error(r, field, colon[1] == ' ' ? colon + 2 : colon + 1);
        return;
    }
    log_error("speech not rendered", LOG_S("reason", err->msg));
    if (rc == HL_EREMOTE || rc == HL_EUNREACHABLE || rc == HL_EUNKNOWN)
        app_json_error(r->res, r->req->arena, 502, "tts_error", err->msg);
    else
        app_json_error(r->res, r->req->arena, 500, "tts_error", "Speech could not be rendered.");
}

/* ---- POST /api/tts ---------------------------------------------------------------------- */

/* A render waiting for the sender pool; s must stay first (run gets &s). */
struct speech_job {
    struct api_send s;
    const char *text, *voice;
};

/* Serve the cached file of id as the answer, with its media URL. */
static void answer_audio(struct app_request *r, const char *id)
{
    struct tts_media m;
    struct hl_err err = {0};
    char *data = NULL;
    size_t len = 0;

    if (tts_media_find(r->app->tts, id, &m, &err) == HL_OK)
        fs_read_all(m.path, (size_t)m.size_bytes + 1, &data, &len, &err);
    if (!data) {
        log_error("speech not read back", LOG_S("reason", err.msg));
        app_json_error(r->res, r->req->arena, 500, "tts_error", "Speech could not be read.");
        return;
    }
    http_respond(r->res, 200, arena_strdup(r->req->arena, m.content_type),
                 arena_strndup(r->req->arena, data, len), len);
    free(data);
    http_add_header(r->res, "X-Media-Url",
                    app_url(r->app, r->req->arena, arena_printf(r->req->arena, "/media/%s", id)));
    http_add_header(r->res, "Cache-Control", "no-store");
}

static void tts_run(struct api_send *s)
{
    struct speech_job *j = (struct speech_job *)s;
    char id[TTS_ID_SIZE];
    struct hl_err err = {0};
    int rc = tts_render(s->r.app->tts, j->voice, j->text, id, &err);

    if (rc != HL_OK) {
        speech_failed(&s->r, rc, &err);
        return;
    }
    log_info("speech rendered", LOG_S("media_id", id));
    answer_audio(&s->r, id);
}

void api_tts_create(struct app_request *r)
{
    struct speech_job *j;
    json_t *body = api_body_object(r);

    if (!body)
        return;
    j = arena_zalloc(r->req->arena, sizeof(*j));
    if (!j || read_speech(r, body, &j->text, &j->voice) != HL_OK) {
        if (!j)
            app_json_error(r->res, r->req->arena, 413, "too_large", "Request too large.");
        json_decref(body);
        return;
    }
    j->s.r = *r;
    j->s.body = body;
    j->s.run = tts_run;
    api_defer_send(&j->s);
}

/* ---- POST /api/calls/{sid}/say ---------------------------------------------------------- */

/* What the sender thread needs after the request is gone: heap copies. */
struct say_job {
    struct app *app;
    char call_sid[35];
    char id[TTS_ID_SIZE];
    char *text, *voice, *media_url;
};

static void say_job_free(struct say_job *j)
{
    free(j->text);
    free(j->voice);
    free(j->media_url);
    free(j);
}

/* rest_call_update() with <Response><Play>url</Play></Response>. */
static int play_in_call(struct say_job *j, struct hl_err *err)
{
    struct arena a;
    struct buf xml = BUF_INIT(TWIML_MAX_SIZE);
    struct twiml *doc;
    struct rest_call_update u = {0};
    int rc;

    arena_init(&a, 1 << 16);
    doc = twiml_new(&a, TWIML_VOICE);
    twiml_play(doc, twiml_root(doc), j->media_url);
    if ((rc = twiml_render(doc, &xml, err)) == HL_OK) {
        u.twiml = buf_str(&xml);
        rc = rest_call_update(j->app->rest, j->call_sid, &u, NULL, NULL, err);
    }
    buf_release(&xml);
    arena_release(&a);
    return rc;
}

static void say_run(void *ctx)
{
    struct say_job *j = ctx;
    struct hl_err err = {0};
    char id[TTS_ID_SIZE];
    int rc = tts_render(j->app->tts, j->voice, j->text, id, &err);

    if (rc != HL_OK) {
        log_error("say failed: speech not rendered", LOG_S("call_sid", j->call_sid),
                  LOG_S("media_id", j->id), LOG_S("reason", err.msg));
    } else if ((rc = play_in_call(j, &err)) != HL_OK) {
        log_error("say failed: call not updated", LOG_S("call_sid", j->call_sid),
                  LOG_S("media_id", j->id), LOG_S("reason", err.msg));
    } else {
        log_info("say played", LOG_S("call_sid", j->call_sid), LOG_S("media_id", j->id),
                 LOG_S("media_url", j->media_url));
    }
    say_job_free(j);
}

/* CA and 32 hex digits, as Twilio writes a call's sid. */
static int call_sid_ok(const char *sid)
{
    return sid && strlen(sid) == 34 && sid[0] == 'C' && sid[1] == 'A' &&
           strspn(sid + 2, "0123456789abcdefABCDEF") == 32;
}

/* The job for sid, text and voice; NULL after answering 400 (unknown voice, bad text). */
static struct say_job *say_prepare(struct app_request *r, const char *sid, const char *text,
                                   const char *voice)
{
    struct say_job *j = hl_calloc(1, sizeof(*j));
    struct hl_err err = {0};
    int rc = tts_lookup(r->app->tts, voice, text, j->id, &err);

    if (rc != HL_OK && rc != HL_ENOTFOUND) {
        speech_failed(r, rc, &err);
        free(j);
        return NULL;
    }
    j->app = r->app;
    memcpy(j->call_sid, sid, sizeof(j->call_sid));
    j->text = hl_strdup(text);
    j->voice = voice ? hl_strdup(voice) : NULL;
    j->media_url =
        hl_strdup(app_url(r->app, r->req->arena, arena_printf(r->req->arena, "/media/%s", j->id)));
    return j;
}

void api_call_say(struct app_request *r)
{
    const char *sid = http_param(r->req, "sid"), *text, *voice;
    struct say_job *j = NULL;
    json_t *body;

    if (!call_sid_ok(sid)) {
        app_json_error(r->res, r->req->arena, 404, "not_found",
                       "A call sid is CA and 32 hex digits.");
        return;
    }
    r->res->log_call_sid = sid;
    if (!(body = api_body_object(r)))
        return;
    if (read_speech(r, body, &text, &voice) == HL_OK && (j = say_prepare(r, sid, text, voice))) {
        /* The answer is built first: once submitted, j belongs to the sender thread. */
        json_t *doc = json_pack("{s:s,s:s,s:s}", "call_sid", sid, "status", "rendering",
                                "media_url", j->media_url);

        if (workpool_submit(r->app->senders, say_run, j) == HL_OK) {
            app_json(r->res, r->req->arena, 202, doc);
        } else {
            json_decref(doc);
            say_job_free(j);
            http_add_header(r->res, "Retry-After", "1");
            app_json_error(r->res, r->req->arena, 503, "busy",
                           "Too many sends are waiting; try again shortly.");
        }
    }
    json_decref(body);
}
