/*
 * sim_recordings.c — the Recordings resource: list (all, or one call's),
 * fetch, delete, and the audio itself.
 *
 * Twilio serves a recording's audio at its URI without ".json": as WAV by
 * default or with ".wav", as MP3 with ".mp3"
 * (https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file).
 * The emulator keeps only the WAV the call driver made, so ".mp3" is 404.
 */
#include <string.h>

#include "sim/sim_json.h"
#include "sim/sim_page.h"
#include "sim/sim_rest.h"
#include "core/banned.h"

static int recording_matches(const struct sim_req *r, const struct sim_row *row)
{
    const char *call_sid = http_param(r->req, "CallSid");
    const char *filter = call_sid ? call_sid : form_get(&r->query, "CallSid");

    return !filter || strcmp(filter, ((const struct sim_recording *)row)->call_sid) == 0;
}

static json_t *recording_render(const struct sim_req *r, const struct sim_row *row)
{
    return sim_json_recording(r->sim, (const struct sim_recording *)row, sim_request_base(r));
}

void sim_recordings_list(struct sim_req *r)
{
    struct sim_list list = {"recordings",
                            &r->sim->recordings,
                            {"CallSid", NULL, NULL, NULL},
                            recording_matches,
                            recording_render};

    sim_list_respond(r, &list);
}

void sim_call_recordings_list(struct sim_req *r)
{
    struct sim_list list = {"recordings",
                            &r->sim->recordings,
                            {NULL, NULL, NULL, NULL},
                            recording_matches,
                            recording_render};
    int known;

    pthread_mutex_lock(&r->sim->lock);
    known = sim_call_find(r->sim, http_param(r->req, "CallSid")) != NULL;
    pthread_mutex_unlock(&r->sim->lock);
    if (!known)
        sim_not_found(r);
    else
        sim_list_respond(r, &list);
}

void sim_recording_fetch(struct sim_req *r)
{
    const char *base = sim_request_base(r);
    struct sim_recording *rec;
    json_t *doc = NULL;

    pthread_mutex_lock(&r->sim->lock);
    if ((rec = sim_recording_find(r->sim, r->sid)))
        doc = sim_json_recording(r->sim, rec, base);
    pthread_mutex_unlock(&r->sim->lock);
    if (!doc)
        sim_not_found(r);
    else
        sim_json(r, 200, doc);
}

void sim_recording_delete(struct sim_req *r)
{
    struct sim_recording *rec;
    int found;

    pthread_mutex_lock(&r->sim->lock);
    rec = sim_recording_find(r->sim, r->sid);
    found = rec != NULL;
    if (rec)
        sim_table_delete(&r->sim->recordings, &rec->row);
    pthread_mutex_unlock(&r->sim->lock);
    if (!found)
        sim_not_found(r);
    else
        http_respond(r->res, 204, "application/json", "", 0);
}

void sim_recording_audio(struct sim_req *r)
{
    struct sim_recording *rec;
    char *copy = NULL;
    size_t len = 0;
    int found;

    pthread_mutex_lock(&r->sim->lock);
    rec = sim_recording_find(r->sim, r->sid);
    found = rec != NULL;
    if (rec && (copy = arena_alloc(r->req->arena, rec->wav_len ? rec->wav_len : 1))) {
        memcpy(copy, rec->wav, rec->wav_len);
        len = rec->wav_len;
    }
    pthread_mutex_unlock(&r->sim->lock);
    if (!found)
        sim_not_found(r);
    else if (!copy)
        sim_error(r, 500, 20500, "Internal Server Error");
    else
        http_respond(r->res, 200, "audio/x-wav", copy, len);
}

void sim_recording_mp3(struct sim_req *r)
{
    sim_not_found(r);
}
