/*
 * erasure.c — erasure of a person or a memo: the store's transaction, then
 * the files and Twilio's copies, and the cleanup job that retries what could
 * not be removed at once (see erasure.h).
 */
#include "erasure/erasure.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "memo/memo.h"
#include "twilio/rest.h"
#include "core/banned.h"

struct cleanup {
    struct app *app;
    struct erasure_report *report;
};

/* Is path a file under MEDIA_DIR (never elsewhere, never through "..")? */
static int under_media_dir(const struct config *cfg, const char *path)
{
    size_t n = cfg->media_dir ? strlen(cfg->media_dir) : 0;
    const char *p;

    if (!n || strncmp(path, cfg->media_dir, n) != 0 || path[n] != '/')
        return 0;
    for (p = path + n; (p = strstr(p, "/..")) != NULL; p += 3)
        if (p[3] == '/' || p[3] == '\0')
            return 0;
    return 1;
}

/* A memo's folder, MEDIA_DIR/memos/<id>, once its last file is gone. */
static void remove_memo_dir(const char *path)
{
    char dir[MEMO_PATH_MAX];
    const char *slash = strrchr(path, '/'), *up;
    size_t n = slash ? (size_t)(slash - path) : 0;

    if (!n || n >= sizeof(dir))
        return;
    memcpy(dir, path, n);
    dir[n] = '\0';
    up = strrchr(dir, '/');
    if (up && up - dir >= 6 && strncmp(up - 6, "/memos", 6) == 0 &&
        memo_id_valid(up + 1, strlen(up + 1)))
        rmdir(dir); /* fails, harmlessly, while its sibling file is still there */
}

/* Remove one file: 1 when it is gone (or was), 0 when the cleanup job must try again. */
static int remove_file(const struct config *cfg, const char *path)
{
    if (!under_media_dir(cfg, path)) {
        log_warn("erasure: a file outside MEDIA_DIR was left alone", LOG_S("path", path));
        return 1; /* not ours to remove: retrying would not change that */
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        log_warn("erasure: file not removed; the cleanup job will retry", LOG_S("path", path),
                 LOG_S("reason", strerror(errno)));
        return 0;
    }
    remove_memo_dir(path);
    return 1;
}

/* Delete one recording at Twilio: 1 when it is gone (or was), 0 to retry. */
static int delete_remote(struct app *app, const char *sid)
{
    struct rest_reply reply = {0};
    struct hl_err err = {0};
    int rc = app->rest ? rest_recording_delete(app->rest, sid, &reply, &err) : HL_ECONFIG;

    if (rc == HL_OK || rc == HL_ENOTFOUND)
        return 1;
    log_warn("erasure: recording not deleted at Twilio; the cleanup job will retry",
             LOG_S("recording_sid", sid), LOG_S("reason", app->rest ? err.msg : "no REST client"));
    return 0;
}

static void on_erased(void *ctx, enum store_erased what, const char *value)
{
    struct cleanup *c = ctx;
    int gone;

    if (what == STORE_ERASED_FILE) {
        gone = remove_file(c->app->cfg, value);
        c->report->files_removed += gone;
    } else {
        gone = delete_remote(c->app, value);
        c->report->twilio_deleted += gone;
    }
    c->report->left += !gone;
}

static void log_erasure(const char *what, const struct erasure_report *r)
{
    const struct store_erasure *e = &r->erased;

    log_info(what, LOG_I("erasure_id", e->id), LOG_I("calls", e->calls),
             LOG_I("messages", e->messages), LOG_I("recordings", e->recordings),
             LOG_I("memos", e->memos), LOG_I("files_removed", r->files_removed),
             LOG_I("twilio_deleted", r->twilio_deleted), LOG_I("left_to_cleanup", r->left));
}

int erasure_phone(struct app *app, const char *phone, struct erasure_report *out,
                  struct hl_err *err)
{
    struct cleanup c = {app, out};
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_erase_phone(app->store, phone, ERASURE_CLEANUP_KIND, &out->erased, on_erased, &c,
                           err);
    if (rc == HL_OK) {
        log_erasure("erasure: a number's data was erased", out);
        jobs_notify(app->jobs);
    }
    return rc;
}

int erasure_memo(struct app *app, const char *id, struct erasure_report *out,
                 struct hl_err *err)
{
    struct cleanup c = {app, out};
    int rc;

    memset(out, 0, sizeof(*out));
    if (!id || !memo_id_valid(id, strlen(id)))
        return hl_err_set(err, HL_ENOTFOUND, "no memo has this id");
    rc = store_erase_memo(app->store, id, ERASURE_CLEANUP_KIND, &out->erased, on_erased, &c, err);
    if (rc == HL_OK) {
        log_erasure("erasure: a memo was erased", out);
        jobs_notify(app->jobs);
    }
    return rc;
}

/* ---- The cleanup job ------------------------------------------------------------------ */

/* Remove what the job lists; an error (retried with backoff) while anything is left. */
static int run_cleanup(struct job_ctx *job, void *ctx, struct hl_err *err)
{
    struct erasure_report report;
    struct cleanup c = {ctx, &report};
    json_t *payload = json_loads(job_payload(job), 0, NULL), *v;
    size_t i;

    memset(&report, 0, sizeof(report));
    if (!payload)
        return hl_err_set(err, HL_EINVAL, "the cleanup job's payload is not JSON");
    json_array_foreach(json_object_get(payload, "files"), i, v)
        if (json_is_string(v))
            on_erased(&c, STORE_ERASED_FILE, json_string_value(v));
    json_array_foreach(json_object_get(payload, "recordings"), i, v)
        if (json_is_string(v))
            on_erased(&c, STORE_ERASED_TWILIO_RECORDING, json_string_value(v));
    json_decref(payload);
    if (report.left)
        return hl_err_set(err, HL_EIO, "%lld erased files or recordings are still there",
                          report.left);
    return HL_OK;
}

size_t erasure_kinds(struct app *app, struct job_kind *out, size_t max)
{
    if (max < 1)
        return 0;
    out[0].kind = ERASURE_CLEANUP_KIND;
    out[0].run = run_cleanup;
    out[0].ctx = app;
    return 1;
}
