/*
 * memos.c — the memos API: GET /api/memos (metadata, newest first, paged like
 * the other lists), GET /api/memos/{id}, DELETE /api/memos/{id}.
 *
 * Only metadata: hotline never holds a memo's key, so no answer here can
 * carry its audio or transcript — those open only with the owner's link.
 * Numbers are masked. A deletion runs on the sender pool (it may ask Twilio
 * to delete the recording) with the connection parked.
 */
#include "api/api_internal.h"

#include "erasure/erasure.h"
#include "core/banned.h"

static json_t *memo_json(const struct store_memo_row *m)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", m->memo.id, "kind", api_str(m->memo.kind),
                     "call_sid", api_str(m->memo.call_sid), "recording_sid",
                     api_str(m->memo.recording_sid),
                     "message_id", api_int(m->memo.message_id), "phone", api_number(m->phone),
                     "owner_notified_at", api_str(m->owner_notified_at), "created_at",
                     api_str(m->created_at));
}

static void add_memo(void *ctx, const struct store_memo_row *m)
{
    api_page_add(ctx, m->seq, memo_json(m));
}

void api_memos_list(struct app_request *r)
{
    struct store_list q;
    struct api_page p = {json_array(), 0, 0};
    struct hl_err err = {0};

    if (api_list_query(r, &q) != HL_OK ||
        store_memo_list(r->app->store, &q, add_memo, &p, &err) != HL_OK) {
        if (err.code)
            api_answer_store_error(r, &err);
        json_decref(p.items);
        return;
    }
    api_answer_page(r, "memos", &p, q.limit);
}

static void set_memo(void *ctx, const struct store_memo_row *m)
{
    *(json_t **)ctx = memo_json(m);
}

void api_memo_get(struct app_request *r)
{
    const char *id = http_param(r->req, "id");
    json_t *memo = NULL;
    struct hl_err err = {0};
    int rc = store_memo_get(r->app->store, id, set_memo, &memo, &err);

    if (rc == HL_ENOTFOUND)
        app_json_error(r->res, r->req->arena, 404, "not_found", "No memo has this id.");
    else if (rc != HL_OK)
        api_answer_store_error(r, &err);
    else
        app_json(r->res, r->req->arena, 200, memo);
}

static void delete_run(struct api_send *s)
{
    struct app_request *r = &s->r;
    const char *id = http_param(r->req, "id");
    struct erasure_report report;
    struct hl_err err = {0};
    int rc = erasure_memo(r->app, id, &report, &err);
    json_t *doc;

    if (rc == HL_ENOTFOUND) {
        app_json_error(r->res, r->req->arena, 404, "not_found", "No memo has this id.");
        return;
    }
    if (rc != HL_OK) {
        api_answer_store_error(r, &err);
        return;
    }
    doc = api_erasure_json(&report);
    json_object_set_new(doc, "id", json_string(id));
    app_json(r->res, r->req->arena, 200, doc);
}

void api_memo_delete(struct app_request *r)
{
    struct api_send *s = api_work_begin(r, delete_run);

    if (s)
        api_defer_send(s);
}
