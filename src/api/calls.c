/*
 * calls.c — POST /api/calls (place a call), GET /api/calls (history) and
 * GET /api/calls/{sid} (one call with its events, recordings and
 * transcripts).
 */
#include "api/api_internal.h"

#include <string.h>

#include "core/log.h"
#include "core/banned.h"

/* ---- Placing a call ------------------------------------------------------------------- */

static void call_run(struct api_send *s)
{
    struct outbound o = {s->r.app->cfg, s->r.app->store, s->r.app->rest, s->r.app->flows};
    struct outbound_result out;
    struct hl_err err = {0};
    int rc = outbound_call(&o, &s->u.call, &out, &err);

    s->r.res->log_call_sid = arena_strdup(s->r.req->arena, out.sid[0] ? out.sid : out.local_sid);
    if (rc != HL_OK) {
        api_send_failed(&s->r, rc, &out, &err);
        return;
    }
    app_json(s->r.res, s->r.req->arena, 201,
             json_pack("{s:s,s:s,s:o,s:o}", "call_sid", out.sid, "status", out.status, "to",
                       api_number(out.to), "from", api_number(out.from)));
}

/* {to, message?, flow?, record?, userId?, metadata?} */
static int read_call_request(struct app_request *r, json_t *body, struct outbound_call_request *c)
{
    json_t *record = json_object_get(body, "record");

    if (api_string(r, body, "to", &c->to) || api_string(r, body, "message", &c->message) ||
        api_string(r, body, "flow", &c->flow) || api_string(r, body, "userId", &c->user_id) ||
        api_metadata(r, body, &c->metadata_json))
        return HL_EINVAL;
    if (record && !json_is_boolean(record) && !json_is_null(record)) {
        app_json_error(r->res, r->req->arena, 400, "invalid_field", "record: must be true or false");
        return HL_EINVAL;
    }
    c->record = json_is_true(record);
    return HL_OK;
}

void api_calls_create(struct app_request *r)
{
    struct api_send *s = api_send_begin(r, call_run);

    if (s && read_call_request(r, s->body, &s->u.call) != HL_OK)
        api_send_abort(s);
    else if (s)
        api_defer_send(s);
}

/* ---- History -------------------------------------------------------------------------- */

static json_t *call_json(const struct store_call_row *row)
{
    const struct store_call *c = &row->call;
    json_t *error = row->error_code || row->error_message
                        ? json_pack("{s:o,s:o}", "code", api_str(row->error_code), "message",
                                    api_str(row->error_message))
                        : json_null();

    return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
                     (json_int_t)row->id, "sid", api_str(c->sid), "direction",
                     api_str(c->direction), "from", api_number(c->from_number), "to",
                     api_number(c->to_number), "status", api_str(c->status), "flow",
                     api_str(c->flow), "duration_s", api_int(c->duration_s), "answered_by",
                     api_str(c->answered_by), "consent", api_int(c->consent), "user_id",
                     api_str(c->user_id), "metadata", api_stored_json(c->metadata_json), "error",
                     error, "created_at", api_str(row->created_at), "updated_at",
                     api_str(row->updated_at));
}

static void add_call(void *ctx, const struct store_call_row *row)
{
    api_page_add(ctx, row->id, call_json(row));
}

void api_calls_list(struct app_request *r)
{
    struct store_list q;
    struct api_page p = {json_array(), 0, 0};
    struct hl_err err = {0};

    if (api_list_query(r, &q) != HL_OK || store_call_list(r->app->store, &q, add_call, &p, &err)) {
        if (err.code)
            api_answer_store_error(r, &err);
        json_decref(p.items);
        return;
    }
    api_answer_page(r, "calls", &p, q.limit);
}

/* ---- One call ------------------------------------------------------------------------- */

static void set_call(void *ctx, const struct store_call_row *row)
{
    *(json_t **)ctx = call_json(row);
}

static void add_event(void *ctx, const struct store_event_row *e)
{
    json_array_append_new(ctx, json_pack("{s:o,s:o,s:o,s:o}", "status", api_str(e->status),
                                         "sequence", api_int(e->sequence), "timestamp",
                                         api_str(e->timestamp), "received_at",
                                         api_str(e->received_at)));
}

static void add_recording(void *ctx, const struct store_recording_row *row)
{
    const struct store_recording *x = &row->rec;

    json_array_append_new(ctx, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "sid", api_str(x->sid),
                                         "status", api_str(x->status), "duration_s",
                                         api_int(x->duration_s), "size_bytes",
                                         api_int(x->size_bytes), "sha256", api_str(x->sha256),
                                         "created_at", api_str(row->created_at)));
}

static json_t *api_real(double v)
{
    return v < 0 ? json_null() : json_real(v);
}

static void add_transcription(void *ctx, const struct store_transcription_row *t)
{
    json_array_append_new(
        ctx, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "recording_sid", api_str(t->recording_sid),
                       "engine", api_str(t->engine), "text", api_str(t->text), "confidence",
                       api_real(t->confidence), "duration_s", api_real(t->duration_s), "analysis",
                       api_stored_json(t->analysis_json), "created_at", api_str(t->created_at)));
}

/* The call's events, recordings and transcriptions into its JSON. */
static int add_details(struct store *st, const char *sid, json_t *call, struct hl_err *err)
{
    json_t *events = json_array(), *recs = json_array(), *texts = json_array();
    int rc;

    json_object_set_new(call, "events", events);
    json_object_set_new(call, "recordings", recs);
    json_object_set_new(call, "transcriptions", texts);
    if ((rc = store_call_events(st, sid, add_event, events, err)) ||
        (rc = store_call_recordings(st, sid, add_recording, recs, err)))
        return rc;
    return store_call_transcriptions(st, sid, add_transcription, texts, err);
}

void api_call_get(struct app_request *r)
{
    const char *sid = http_param(r->req, "sid");
    json_t *call = NULL;
    struct hl_err err = {0};
    int rc = store_call_get(r->app->store, sid, set_call, &call, &err);

    if (rc == HL_ENOTFOUND) {
        app_json_error(r->res, r->req->arena, 404, "not_found", "No call has this sid.");
        return;
    }
    if (rc == HL_OK)
        rc = add_details(r->app->store, sid, call, &err);
    if (rc != HL_OK) {
        json_decref(call);
        api_answer_store_error(r, &err);
        return;
    }
    app_json(r->res, r->req->arena, 200, call);
}
