/*
 * memo_page.c — the memo page's routes: look the memo up through the store,
 * answer 404 for anything that is not a live memo, and hand out only what
 * is not secret (ciphertext, sizes, the key's hash).
 *
 * File paths are built by memo_locate() from MEDIA_DIR and an id that has
 * already passed memo_id_valid() and been found in the store: no other part
 * of the request ever reaches the file system.
 */
#include "web/memo_page.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/log.h"
#include "memo/memo.h"
#include "web/page.h"
#include "core/banned.h"

/* Ciphertext is read whole into the request's arena, which holds 16 MiB. */
#define MEMO_SERVE_MAX ((size_t)15 << 20)

struct memo_found {
    struct arena *arena;
    int found, deleted;
    const char *kind, *created_at, *key_sha256; /* copies in the request's arena */
};

static void copy_memo(void *ctx, const struct store_memo_row *row)
{
    struct memo_found *f = ctx;

    f->found = 1;
    f->deleted = row->deleted_at != NULL;
    f->kind = arena_strdup(f->arena, row->memo.kind);
    f->created_at = arena_strdup(f->arena, row->created_at);
    f->key_sha256 = arena_strdup(f->arena, row->memo.key_sha256);
}

/*
 * The live memo the path's id names: 1, with its record in f and its file
 * paths in where. 0 when there is none: *status is 404 (malformed id,
 * unknown or erased memo) or 503 (the store failed).
 */
static int find_memo(struct app_request *r, struct memo_found *f, struct memo_sealed *where,
                     int *status)
{
    struct hl_err err = {0};
    int rc;

    memset(f, 0, sizeof(*f));
    f->arena = r->req->arena;
    *status = 404;
    if (memo_locate(r->app->cfg->media_dir, http_param(r->req, "id"), where, &err) != HL_OK)
        return 0;
    rc = store_memo_get(r->app->store, where->id, copy_memo, f, &err);
    if (rc != HL_OK && rc != HL_ENOTFOUND) {
        log_error("memo lookup failed", LOG_S("reason", err.msg));
        *status = 503;
        return 0;
    }
    return f->found && !f->deleted && f->kind && f->key_sha256;
}

/* Size of a memo file, or -1 when it is not there. */
static long long part_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
}

/* A JSON answer for 404 (no such memo), 500 (its file cannot be read) or 503 (store down). */
static void json_refusal(struct app_request *r, int status)
{
    static const char *const texts[][2] = {
        {"not_found", "There is no memo with this id, or it has been erased."},
        {"unreadable", "This memo's file cannot be served."},
        {"unavailable", "The memo store is unavailable; try again shortly."},
    };
    int i = status == 404 ? 0 : status == 500 ? 1 : 2;

    app_json_error(r->res, r->req->arena, status, texts[i][0], texts[i][1]);
    http_add_header(r->res, "Cache-Control", "no-store");
    web_security_headers(r->res);
}

void web_memo_page(struct app_request *r)
{
    struct memo_found f;
    struct memo_sealed where;
    int status;

    if (find_memo(r, &f, &where, &status)) {
        web_page_send(r, 200, "memo.html");
    } else if (status == 404) {
        web_page_send(r, 404, "memo-gone.html");
    } else {
        http_respond_text(r->res, status, "The memo store is unavailable; try again shortly.\n");
        web_security_headers(r->res);
    }
}

/* {"bytes": N, "url": "/voice/ID/PART"} for a part on disk, else JSON null. */
static json_t *part_json(struct arena *a, const char *path, const char *id, const char *part)
{
    long long size = part_size(path);

    if (size < 0)
        return json_null();
    return json_pack("{s:I,s:s}", "bytes", (json_int_t)size, "url",
                     arena_printf(a, "/voice/%s/%s", id, part));
}

void web_memo_json(struct app_request *r)
{
    struct memo_found f;
    struct memo_sealed where;
    struct arena *a = r->req->arena;
    json_t *audio, *meta;
    int status;

    if (!find_memo(r, &f, &where, &status)) {
        json_refusal(r, status);
        return;
    }
    audio = part_json(a, where.audio_path, where.id, "audio");
    meta = part_json(a, where.meta_path, where.id, "meta");
    if (json_is_null(audio) && json_is_null(meta)) { /* its files are gone: erased */
        json_decref(audio);
        json_decref(meta);
        json_refusal(r, 404);
        return;
    }
    app_json(r->res, a, 200,
             json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s,s:{s:o,s:o}}", "id", where.id, "kind", f.kind,
                       "created_at", f.created_at, "key_sha256", f.key_sha256, "format",
                       MEMO_MAGIC, "aad_prefix", MEMO_AAD_PREFIX, "parts", "audio", audio,
                       "meta", meta));
    http_add_header(r->res, "Cache-Control", "no-store");
    web_security_headers(r->res);
}

/* GET /voice/{id}/{part}: the part's HLM1 file, bytes as stored. */
static void serve_part(struct app_request *r, const char *part)
{
    struct memo_found f;
    struct memo_sealed where;
    struct hl_err err = {0};
    char *file = NULL, *body;
    size_t len = 0;
    int status, rc;

    if (!find_memo(r, &f, &where, &status)) {
        json_refusal(r, status);
        return;
    }
    rc = fs_read_all(strcmp(part, "audio") == 0 ? where.audio_path : where.meta_path,
                     MEMO_SERVE_MAX, &file, &len, &err);
    if (rc != HL_OK) {
        if (rc != HL_ENOTFOUND)
            log_error("memo part not read", LOG_S("part", part), LOG_S("reason", err.msg));
        json_refusal(r, rc == HL_ENOTFOUND ? 404 : 500);
        return;
    }
    body = arena_alloc(r->req->arena, len ? len : 1);
    if (body) {
        memcpy(body, file, len);
        http_respond(r->res, 200, "application/octet-stream", body, len);
        http_add_header(r->res, "Cache-Control", "no-store");
        web_security_headers(r->res);
    } else {
        json_refusal(r, 500);
    }
    free(file);
}

void web_memo_audio(struct app_request *r)
{
    serve_part(r, "audio");
}

void web_memo_meta(struct app_request *r)
{
    serve_part(r, "meta");
}
