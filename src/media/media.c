/*
 * media.c — GET /media/{id} (and HEAD): serve a cached TTS file.
 *
 * The id is checked by tts_media_find() (32 lowercase hex digits, never a
 * path), the file is read whole into the request's arena — speech files are
 * small: a minute of 8 kHz 16-bit PCM is under 1 MB — and served with its
 * type. Content is addressed by a hash of what it says, so it never changes
 * under its URL and may be cached by anyone for a year (RFC 8246 immutable).
 * libmicrohttpd answers HEAD with the same headers and no body.
 */
#include "media/media.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "speech/tts.h"
#include "core/banned.h"

/* Read exactly size bytes of path into the arena; NULL (with a log line) when that fails. */
static char *read_into_arena(struct arena *a, const char *path, size_t size)
{
    char *data = arena_alloc(a, size ? size : 1);
    int fd = data ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    size_t got = 0;

    while (fd >= 0 && got < size) {
        ssize_t n = read(fd, data + got, size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    if (got != size || fd < 0) {
        log_error("media not read", LOG_S("path", path),
                  LOG_S("reason", data ? strerror(errno) : "larger than the request arena"));
        return NULL;
    }
    return data;
}

void media_serve(struct app_request *r)
{
    struct tts_media m;
    const char *id = http_param(r->req, "id");
    char *data;

    if (!r->app->tts || tts_media_find(r->app->tts, id, &m, NULL) != HL_OK) {
        http_respond_text(r->res, 404, "Not found.\n");
        return;
    }
    data = read_into_arena(r->req->arena, m.path, (size_t)m.size_bytes);
    if (!data) {
        http_respond_text(r->res, 500, "Media could not be read.\n");
        return;
    }
    http_respond(r->res, 200, arena_strdup(r->req->arena, m.content_type), data,
                 (size_t)m.size_bytes);
    http_add_header(r->res, "Cache-Control", "public, max-age=31536000, immutable");
}
