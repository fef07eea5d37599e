/*
 * rest_recordings.c — the Recordings resource: metadata, deletion, and the
 * download of the audio itself.
 *
 * A download is where credentials could leak: the URL comes from a webhook
 * parameter (RecordingUrl), and Twilio answers it with a redirect to its
 * media storage. So the URL must be on api_base's origin (scheme, host and
 * port) before anything is sent, and redirects are followed by libcurl with
 * CURLOPT_UNRESTRICTED_AUTH off, which keeps the Basic credentials to the
 * first origin. Audio formats and URLs:
 * https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file
 *
 * The file is written to a temporary name beside the target and renamed into
 * place only once complete; its SHA-256 is computed from the finished file
 * (crypto.h hashes in one shot, so the file is mapped rather than read into
 * the heap).
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "twilio/rest_internal.h"
#include "core/banned.h"

/* ---- Origins ------------------------------------------------------------------------------ */

static char *lowered(char *s)
{
    char *p;

    for (p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

/* Copy a part libcurl allocated into our heap (lowercased), freeing libcurl's copy. */
static char *take_part(CURLU *u, CURLUPart part, unsigned flags)
{
    char *v = NULL, *copy;

    if (curl_url_get(u, part, &v, flags) != CURLUE_OK || !v)
        return NULL;
    copy = lowered(hl_strdup(v));
    curl_free(v);
    return copy;
}

/* The origin of a parsed URL; HL_EINVAL unless http(s) without credentials. */
static int origin_of(CURLU *u, struct rest_origin *o)
{
    char *user = NULL;

    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        curl_free(user);
        return HL_EINVAL;
    }
    o->scheme = take_part(u, CURLUPART_SCHEME, 0);
    o->host = take_part(u, CURLUPART_HOST, 0);
    o->port = take_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    if (!o->scheme || !o->host || !o->port ||
        (strcmp(o->scheme, "http") != 0 && strcmp(o->scheme, "https") != 0)) {
        rest_origin_release(o);
        return HL_EINVAL;
    }
    return HL_OK;
}

static CURLU *parse_url(const char *url)
{
    CURLU *u = curl_url();

    if (!u)
        hl_die("out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return NULL;
    }
    return u;
}

int rest_origin_parse(const char *url, struct rest_origin *o)
{
    CURLU *u = parse_url(url);
    int rc;

    memset(o, 0, sizeof(*o));
    if (!u)
        return HL_EINVAL;
    rc = origin_of(u, o);
    curl_url_cleanup(u);
    return rc;
}

void rest_origin_release(struct rest_origin *o)
{
    free(o->scheme);
    free(o->host);
    free(o->port);
    memset(o, 0, sizeof(*o));
}

static int same_origin(const struct rest_origin *a, const struct rest_origin *b)
{
    return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->host, b->host) == 0 &&
           strcmp(a->port, b->port) == 0;
}

/* ---- The media URL ------------------------------------------------------------------------ */

static int has_audio_suffix(const char *path)
{
    size_t n = strlen(path);

    return n >= 4 &&
           (strcasecmp(path + n - 4, ".wav") == 0 || strcasecmp(path + n - 4, ".mp3") == 0);
}

/* Add ".wav" to u's path unless it names a format already. */
static int add_wav(CURLU *u)
{
    char *path = NULL, *wav;
    size_t n;
    int rc = HL_OK;

    if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        return HL_EINVAL;
    if (!has_audio_suffix(path)) {
        n = strlen(path) + 5;
        wav = hl_malloc(n);
        snprintf(wav, n, "%s.wav", path);
        if (curl_url_set(u, CURLUPART_PATH, wav, 0) != CURLUE_OK)
            rc = HL_EINVAL;
        free(wav);
    }
    curl_free(path);
    return rc;
}

int rest_media_url(const struct rest_client *c, const char *recording_url, char **out,
                   struct hl_err *err)
{
    struct rest_origin o = {0};
    CURLU *u;
    int rc;

    *out = NULL;
    if (!recording_url || !*recording_url)
        return hl_err_set(err, HL_EINVAL, "RecordingUrl: required");
    if (!(u = parse_url(recording_url)) || origin_of(u, &o) != HL_OK) {
        rc = hl_err_set(err, HL_EINVAL, "RecordingUrl: not an http(s) URL without credentials");
        goto out;
    }
    if (!same_origin(&o, &c->origin)) {
        rc = hl_err_set(err, HL_EINVAL, "RecordingUrl: recording URL is not on TWILIO_API_BASE");
        goto out;
    }
    rc = add_wav(u);
    if (rc == HL_OK && curl_url_get(u, CURLUPART_URL, out, 0) != CURLUE_OK)
        rc = HL_EINVAL;
    if (rc != HL_OK)
        hl_err_set(err, rc, "RecordingUrl: cannot add .wav to its path");
out:
    rest_origin_release(&o);
    curl_url_cleanup(u);
    return rc;
}

/* ---- Fetch and delete --------------------------------------------------------------------- */

static int check_recording_sid(const char *sid, char *resource, size_t size, struct hl_err *err)
{
    if (!rest_sid_valid(sid, "RE"))
        return hl_err_set(err, HL_EINVAL, "RecordingSid: must be RE followed by 32 hex digits");
    snprintf(resource, size, "Recordings/%s.json", sid);
    return HL_OK;
}

int rest_recording_fetch(struct rest_client *c, const char *recording_sid,
                         struct rest_recording *out, struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    struct rest_recording rec;
    struct rest_xfer x;
    char resource[64];
    int rc;

    reply = rest_reply_start(reply, &scratch);
    if ((rc = check_recording_sid(recording_sid, resource, sizeof(resource), err)) != HL_OK)
        return rest_finish(c, rc, err);
    rc = rest_api(c, "GET", resource, NULL, &x, reply, err);
    if (rc == HL_OK && rest_parse_recording(buf_str(&x.body), x.body.len, &rec) != HL_OK)
        rc = rest_bad_answer(x.status, err);
    if (rc == HL_OK && out)
        *out = rec;
    rest_xfer_release(&x);
    return rest_finish(c, rc, err);
}

int rest_recording_delete(struct rest_client *c, const char *recording_sid,
                          struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    struct rest_xfer x;
    char resource[64];
    int rc;

    reply = rest_reply_start(reply, &scratch);
    if ((rc = check_recording_sid(recording_sid, resource, sizeof(resource), err)) != HL_OK)
        return rest_finish(c, rc, err);
    rc = rest_api(c, "DELETE", resource, NULL, &x, reply, err);
    rest_xfer_release(&x);
    return rest_finish(c, rc, err);
}

/* ---- Download ----------------------------------------------------------------------------- */

/* The temporary file a download writes, beside its final path. */
struct partial {
    char *tmp; /* NULL until the file exists */
    int fd;
    int renamed;
};

static int partial_open(struct partial *p, const char *path, struct hl_err *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = hl_malloc(n);

    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    p->fd = mkstemp(tmp);
    if (p->fd < 0) {
        hl_err_set(err, HL_EIO, "cannot create a file beside %s: %s", path, strerror(errno));
        free(tmp);
        return HL_EIO;
    }
    p->tmp = tmp;
    if (fchmod(p->fd, 0600) != 0 || fcntl(p->fd, F_SETFD, FD_CLOEXEC) != 0)
        return hl_err_set(err, HL_EIO, "cannot set up %s: %s", p->tmp, strerror(errno));
    return HL_OK;
}

/* Close and, unless it was renamed into place, remove the temporary file. */
static void partial_discard(struct partial *p)
{
    if (p->fd >= 0)
        close(p->fd);
    if (p->tmp && !p->renamed)
        unlink(p->tmp);
    free(p->tmp);
}

/* SHA-256 of the size bytes of fd, mapped rather than copied. */
static int file_sha256(int fd, long long size, char hex[CRYPTO_SHA256_HEX_SIZE], struct hl_err *err)
{
    void *map;
    int rc;

    if (size == 0)
        return crypto_sha256_hex("", 0, hex) == HL_OK ? HL_OK
                                                      : hl_err_set(err, HL_EIO, "SHA-256 failed");
    map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return hl_err_set(err, HL_EIO, "cannot map the recording: %s", strerror(errno));
    rc = crypto_sha256_hex(map, (size_t)size, hex);
    munmap(map, (size_t)size);
    return rc == HL_OK ? HL_OK : hl_err_set(err, HL_EIO, "SHA-256 failed");
}

/* The whole answer is in the file: make it durable, hash it, put it in place. */
static int partial_commit(struct partial *p, const struct rest_xfer *x, const char *path,
                          struct rest_download *out, struct hl_err *err)
{
    struct rest_download d = {.size_bytes = x->written};
    int rc;

    if (fsync(p->fd) != 0)
        return hl_err_set(err, HL_EIO, "cannot write %s: %s", p->tmp, strerror(errno));
    if ((rc = file_sha256(p->fd, x->written, d.sha256, err)) != HL_OK)
        return rc;
    rc = close(p->fd);
    p->fd = -1;
    if (rc != 0)
        return hl_err_set(err, HL_EIO, "cannot write %s: %s", p->tmp, strerror(errno));
    if (rename(p->tmp, path) != 0)
        return hl_err_set(err, HL_EIO, "cannot rename to %s: %s", path, strerror(errno));
    p->renamed = 1;
    rest_copy_text(d.content_type, sizeof(d.content_type), x->content_type);
    if (out)
        *out = d;
    return HL_OK;
}

static int download_to(struct rest_client *c, const char *url, struct partial *p, const char *path,
                       struct rest_download *out, struct rest_reply *reply, struct hl_err *err)
{
    struct rest_xfer x;
    int rc;

    rest_xfer_init(&x, "GET", url);
    x.download = 1;
    x.fd = p->fd;
    rc = rest_perform(c, &x, reply, err);
    if (rc == HL_OK && (x.status < 200 || x.status > 299))
        rc = rest_answer_error(x.status, buf_str(&x.body), x.body.len, reply->attempts, reply, err);
    if (rc == HL_OK)
        rc = partial_commit(p, &x, path, out, err);
    rest_xfer_release(&x);
    return rc;
}

int rest_recording_download(struct rest_client *c, const char *recording_url, const char *path,
                            struct rest_download *out, struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    struct partial p = {NULL, -1, 0};
    char *url = NULL;
    int rc;

    reply = rest_reply_start(reply, &scratch);
    if (!path || !*path)
        rc = hl_err_set(err, HL_EINVAL, "path: required");
    else if ((rc = rest_media_url(c, recording_url, &url, err)) == HL_OK &&
             (rc = partial_open(&p, path, err)) == HL_OK)
        rc = download_to(c, url, &p, path, out, reply, err);
    partial_discard(&p);
    curl_free(url);
    return rest_finish(c, rc, err);
}
