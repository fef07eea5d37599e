/*
 * messages.c — POST /api/messages (send an SMS or WhatsApp message) and
 * GET /api/messages (history).
 */
#include "api/api_internal.h"

#include <string.h>

#include "core/log.h"
#include "core/banned.h"

static void message_run(struct api_send *s)
{
    struct outbound o = {s->r.app->cfg, s->r.app->store, s->r.app->rest, s->r.app->flows};
    struct outbound_result out;
    struct hl_err err = {0};
    int rc = outbound_message(&o, &s->u.message, &out, &err);

    s->r.res->log_message_sid = arena_strdup(s->r.req->arena, out.sid);
    if (rc != HL_OK) {
        api_send_failed(&s->r, rc, &out, &err);
        return;
    }
    app_json(s->r.res, s->r.req->arena, 201,
             json_pack("{s:s,s:I,s:s,s:s,s:o,s:o}", "message_sid", out.sid, "id",
                       (json_int_t)out.message_id, "status", out.status, "channel",
                       s->u.message.whatsapp ? "whatsapp" : "sms", "to", api_number(out.to),
                       "from", api_number(out.from)));
}

/* channel: "sms" (default) or "whatsapp"; a "whatsapp:" prefix on to means WhatsApp too. */
static int read_channel(struct app_request *r, json_t *body, struct outbound_message_request *m)
{
    const char *channel;

    if (api_string(r, body, "channel", &channel))
        return HL_EINVAL;
    if (m->to && strncmp(m->to, "whatsapp:", 9) == 0) {
        m->to += 9;
        m->whatsapp = 1;
    }
    if (channel && strcmp(channel, "whatsapp") == 0)
        m->whatsapp = 1;
    else if (channel && strcmp(channel, "sms") != 0) {
        app_json(r->res, r->req->arena, 400,
                 json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field", "field",
                           "channel", "message", "channel: must be \"sms\" or \"whatsapp\""));
        return HL_EINVAL;
    }
    return HL_OK;
}

/* mediaUrl: one URL or a list of them. */
static int read_media(struct app_request *r, json_t *body, struct api_send *s)
{
    json_t *v = json_object_get(body, "mediaUrl"), *item;
    size_t i;

    if (!v || json_is_null(v))
        return HL_OK;
    if (json_is_string(v)) {
        s->media[0] = json_string_value(v);
        s->u.message.media_count = 1;
    } else if (json_is_array(v) && json_array_size(v) <= HL_ARRAY_LEN(s->media)) {
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item))
                break;
            s->media[i] = json_string_value(item);
        }
        s->u.message.media_count = i;
        if (i == json_array_size(v))
            v = NULL;
    }
    if (v && !json_is_string(v)) {
        app_json(r->res, r->req->arena, 400,
                 json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field", "field",
                           "mediaUrl", "message", "mediaUrl: a URL or a list of at most 10 URLs"));
        return HL_EINVAL;
    }
    s->u.message.media_urls = s->media;
    return HL_OK;
}

/* {to, body, channel?, mediaUrl?, userId?, metadata?} */
static int read_message_request(struct app_request *r, json_t *body, struct api_send *s)
{
    struct outbound_message_request *m = &s->u.message;

    if (api_string(r, body, "to", &m->to) || api_string(r, body, "body", &m->body) ||
        api_string(r, body, "userId", &m->user_id) || api_metadata(r, body, &m->metadata_json))
        return HL_EINVAL;
    if (read_channel(r, body, m) || read_media(r, body, s))
        return HL_EINVAL;
    return HL_OK;
}

void api_messages_create(struct app_request *r)
{
    struct api_send *s = api_send_begin(r, message_run);

    if (s && read_message_request(r, s->body, s) != HL_OK)
        api_send_abort(s);
    else if (s)
        api_defer_send(s);
}

/* ---- History -------------------------------------------------------------------------- */

static json_t *message_json(const struct store_message_row *row)
{
    const struct store_message *m = &row->msg;

    return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
                     (json_int_t)row->id, "sid", api_str(m->sid), "direction",
                     api_str(m->direction), "channel", api_str(m->channel), "from",
                     api_number(m->from_number), "to", api_number(m->to_number), "body",
                     api_str(m->body), "num_media", api_int(m->num_media), "media",
                     api_stored_json(m->media_json), "status", api_str(m->status), "error_code",
                     api_str(m->error_code), "error_message", api_str(m->error_message),
                     "user_id", api_str(m->user_id), "metadata", api_stored_json(m->metadata_json),
                     "created_at", api_str(row->created_at), "updated_at",
                     api_str(row->updated_at));
}

static void add_message(void *ctx, const struct store_message_row *row)
{
    api_page_add(ctx, row->id, message_json(row));
}

void api_messages_list(struct app_request *r)
{
    struct store_list q;
    struct api_page p = {json_array(), 0, 0};
    struct hl_err err = {0};

    if (api_list_query(r, &q) != HL_OK ||
        store_message_list(r->app->store, &q, add_message, &p, &err) != HL_OK) {
        if (err.code)
            api_answer_store_error(r, &err);
        json_decref(p.items);
        return;
    }
    api_answer_page(r, "messages", &p, q.limit);
}
