/*
 * respond.c — answering from a route: JSON, JSON errors, TwiML, required
 * parameters, and absolute URLs on this server.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "twilio/twiml.h"
#include "core/banned.h"

void app_json(struct http_response *res, struct arena *a, int status, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    const char *copy = text ? arena_strdup(a, text) : NULL;

    free(text);
    json_decref(doc);
    if (!copy) {
        http_respond_text(res, 500, "Internal error rendering JSON.\n");
        return;
    }
    http_respond(res, status, "application/json", copy, strlen(copy));
}

void app_json_error(struct http_response *res, struct arena *a, int status, const char *code,
                    const char *message)
{
    app_json(res, a, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message));
}

void app_twiml(struct app_request *r, struct twiml *doc)
{
    struct buf out = BUF_INIT(TWIML_MAX_SIZE);
    struct hl_err err = {0};

    if (twiml_render(doc, &out, &err) != HL_OK) {
        log_error("twiml not rendered", LOG_S("reason", err.msg),
                  LOG_S("route", r->res->log_route));
        http_respond_text(r->res, 500, "Internal error building TwiML.\n");
        buf_release(&out);
        return;
    }
    http_respond(r->res, 200, TWIML_CONTENT_TYPE, arena_strndup(r->req->arena, out.ptr, out.len),
                 out.len);
    buf_release(&out);
}

const char *app_url(const struct app *app, struct arena *a, const char *path)
{
    return arena_printf(a, "%s%s", app->cfg->public_base_url, path);
}

const char *app_require(struct app_request *r, const char *name)
{
    const char *v = form_get(&r->form, name);

    if (v && *v)
        return v;
    http_respond_text(r->res, 400,
                      arena_printf(r->req->arena, "Missing required parameter %s.\n", name));
    return NULL;
}

const char *app_form_json(const struct form *form, struct arena *a)
{
    json_t *obj = json_object();
    const char *copy;
    char *text;
    size_t i;

    for (i = 0; i < form->count; i++) {
        const struct form_field *f = &form->fields[i];
        json_t *v = json_stringn(f->value, f->value_len);
        if (!v) /* not UTF-8: keep the bytes readable rather than drop the field */
            v = json_string("(invalid utf-8)");
        json_object_setn_new(obj, f->name, f->name_len, v);
    }
    text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    copy = text ? arena_strdup(a, text) : NULL;
    free(text);
    return copy;
}
