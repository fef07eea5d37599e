/*
 * rest_transport.c — one HTTP request over libcurl, and the retry rule
 * around it.
 *
 * The rule (documented for callers in rest.h) is the SDKs' auto-retry: a 429
 * answer, or a failure that cannot have delivered the request, is repeated
 * after a full-jitter sleep; anything whose outcome is unknown is reported
 * at once and never repeated, because a repeated "create a call" places a
 * second call.
 *
 * Two libcurl details matter for that promise:
 *
 *  - Whether anything was sent is read from the handle after a failure:
 *    CURLINFO_REQUEST_SIZE counts the request bytes written, and
 *    CURLINFO_PRETRANSFER_TIME_T is stamped once the request is out
 *    (multi.c's before_perform()). Both zero means nothing left this host.
 *  - libcurl re-sends a request by itself when a reused keep-alive
 *    connection closes before any answer byte (Curl_retry_request()). For a
 *    POST that could place a call twice, so CURLOPT_PREREQFUNCTION, which
 *    runs before every request curl sends, counts them and stops a second
 *    one (the transfer then ends as HL_EUNKNOWN). GET and DELETE are
 *    idempotent and keep curl's behaviour. Idle connections are not reused
 *    past REST_CONN_MAX_AGE_S, which keeps the race with servers closing
 *    idle connections rare.
 */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "twilio/rest_internal.h"
#include "core/banned.h"

/* CURLOPT_PREREQFUNCTION is 7.80.0, CURLOPT_PROTOCOLS_STR 7.85.0 (Debian 12 has 7.88.1). */
#if LIBCURL_VERSION_NUM < 0x075500
#error "hotline's REST client needs libcurl 7.85.0 or later"
#endif

/* One attempt's state, shared with the libcurl callbacks. */
struct attempt {
    struct rest_client *c;
    struct rest_xfer *x;
    CURL *h;
    char errbuf[CURL_ERROR_SIZE];
    char detail[CURL_ERROR_SIZE + 64]; /* what went wrong, for the final message */
};

void rest_xfer_init(struct rest_xfer *x, const char *method, const char *url)
{
    memset(x, 0, sizeof(*x));
    x->method = method;
    x->url = url;
    x->fd = -1;
    buf_init(&x->body, REST_ANSWER_MAX);
}

void rest_xfer_release(struct rest_xfer *x)
{
    buf_release(&x->body);
}

/* ---- Backoff ------------------------------------------------------------------------------ */

long rest_backoff_bound(long base_ms, long cap_ms, int n)
{
    long b = base_ms;
    int i;

    for (i = 0; i < n && b < cap_ms; i++)
        b = b > LONG_MAX / 2 ? LONG_MAX : b * 2;
    return b < cap_ms ? b : cap_ms;
}

long rest_backoff_ms(long bound_ms)
{
    uint64_t r;

    if (bound_ms <= 0)
        return 0;
    if (crypto_random(&r, sizeof(r)) != HL_OK)
        return bound_ms;
    return (long)(r % ((uint64_t)bound_ms + 1));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- libcurl callbacks -------------------------------------------------------------------- */

static size_t write_file(struct attempt *a, const char *data, size_t n)
{
    struct rest_xfer *x = a->x;
    size_t done = 0;

    if (x->written + (long long)n > a->c->media_max_bytes) {
        x->sink_error = REST_SINK_FILE_TOO_LARGE;
        return 0;
    }
    while (done < n) {
        ssize_t w = write(x->fd, data + done, n - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            x->sink_error = REST_SINK_FILE_WRITE;
            x->sink_errno = errno;
            return 0;
        }
        done += (size_t)w;
    }
    x->written += (long long)n;
    return n;
}

/* A download's 2xx body goes to its file; a redirect's body is dropped; the rest is kept. */
static size_t on_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct attempt *a = userdata;
    size_t n = size * nmemb;
    long code = 0;

    curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &code);
    if (a->x->download && code >= 300 && code <= 399)
        return n;
    if (a->x->download && code >= 200 && code <= 299)
        return write_file(a, data, n);
    if (buf_add(&a->x->body, data, n) != HL_OK) {
        a->x->sink_error = REST_SINK_ANSWER_TOO_LARGE;
        return 0;
    }
    return n;
}

/* Runs before each request curl sends; a second one in a POST transfer would be a re-send. */
static int on_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                     int local_port)
{
    struct attempt *a = clientp;

    (void)primary_ip, (void)local_ip, (void)primary_port, (void)local_port;
    a->x->sends++;
    if (a->x->sends > 1 && strcmp(a->x->method, "POST") == 0)
        return CURL_PREREQFUNC_ABORT;
    return CURL_PREREQFUNC_OK;
}

/* ---- One attempt -------------------------------------------------------------------------- */

static void set_method(CURL *h, const struct rest_xfer *x)
{
    if (strcmp(x->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->form ? x->form : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->form_len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        if (strcmp(x->method, "GET") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->method);
    }
}

/* Redirects only for downloads, never carrying the credentials to another origin. */
static void set_redirects(CURL *h, const struct rest_client *c, const struct rest_xfer *x)
{
    if (!x->download) {
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        return;
    }
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->media_max_bytes);
}

/* curl_easy_reset() clears options only: the handle's connection cache survives it. */
static void set_options(struct attempt *a)
{
    CURL *h = a->h;
    const struct rest_client *c = a->c;

    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, a->x->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, REST_CONN_MAX_AGE_S);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(h, CURLOPT_PREREQDATA, a);
    set_method(h, a->x);
    set_redirects(h, c, a->x);
}

/* Forget what a previous attempt received. */
static int reset_xfer(struct rest_xfer *x, struct hl_err *err)
{
    buf_reset(&x->body);
    x->status = 0;
    x->content_type[0] = '\0';
    x->written = 0;
    x->sink_error = REST_SINK_OK;
    x->sends = 0;
    if (x->fd >= 0 && (ftruncate(x->fd, 0) != 0 || lseek(x->fd, 0, SEEK_SET) != 0))
        return hl_err_set(err, HL_EIO, "cannot reset the download file: %s", strerror(errno));
    return HL_OK;
}

int rest_failed_before_sending(int code, long request_bytes, long long pretransfer_us)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    case CURLE_OK:
        return 0;
    default:
        return request_bytes == 0 && pretransfer_us == 0;
    }
}

/* The curl failure cc as a message; *retry when nothing was sent. */
static int classify_failure(struct attempt *a, CURLcode cc, int *retry, struct hl_err *err)
{
    struct rest_xfer *x = a->x;
    long request_bytes = 0;
    curl_off_t pretransfer = 0;
    const char *why = a->errbuf[0] ? a->errbuf : curl_easy_strerror(cc);

    if (x->sink_error == REST_SINK_FILE_TOO_LARGE || cc == CURLE_FILESIZE_EXCEEDED)
        return hl_err_set(err, HL_ETOOLARGE, "the recording is larger than %lld bytes",
                          a->c->media_max_bytes);
    if (x->sink_error == REST_SINK_FILE_WRITE)
        return hl_err_set(err, HL_EIO, "cannot write the recording: %s", strerror(x->sink_errno));
    curl_easy_getinfo(a->h, CURLINFO_REQUEST_SIZE, &request_bytes);
    curl_easy_getinfo(a->h, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    if (x->sends <= 1 && rest_failed_before_sending(cc, request_bytes, pretransfer)) {
        *retry = 1;
        snprintf(a->detail, sizeof(a->detail), "%s", why);
        return HL_EUNREACHABLE;
    }
    if (x->sink_error == REST_SINK_ANSWER_TOO_LARGE)
        why = "the answer is larger than 1 MiB";
    else if (x->sends > 1 && strcmp(x->method, "POST") == 0)
        why = "the connection closed before an answer; libcurl was stopped from sending it again";
    else if (cc == CURLE_OPERATION_TIMEDOUT)
        return hl_err_set(err, HL_EUNKNOWN,
                          "no answer from Twilio within %ld ms; the request may have been "
                          "carried out, the outcome is unknown and it was not repeated",
                          a->c->timeout_ms);
    return hl_err_set(err, HL_EUNKNOWN,
                      "no usable answer from Twilio (%.100s); the request may have been carried "
                      "out, the outcome is unknown and it was not repeated",
                      why);
}

static int attempt_run(struct attempt *a, int *retry, struct hl_err *err)
{
    struct rest_xfer *x = a->x;
    const char *type = NULL;
    CURLcode cc;
    int rc;

    *retry = 0;
    a->errbuf[0] = '\0';
    if ((rc = reset_xfer(x, err)) != HL_OK)
        return rc;
    set_options(a);
    cc = curl_easy_perform(a->h);
    if (cc != CURLE_OK)
        return classify_failure(a, cc, retry, err);
    curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &x->status);
    if (curl_easy_getinfo(a->h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
        rest_copy_text(x->content_type, sizeof(x->content_type), type);
    *retry = x->status == 429;
    return HL_OK;
}

/* ---- The retry loop ----------------------------------------------------------------------- */

int rest_perform(struct rest_client *c, struct rest_xfer *x, struct rest_reply *reply,
                 struct hl_err *err)
{
    struct attempt a = {.c = c, .x = x, .h = rest_handle_get(c)};
    int n, rc, retry = 0;

    if (!a.h)
        return hl_err_set(err, HL_EIO, "libcurl could not make a handle");
    for (n = 1;; n++) {
        rc = attempt_run(&a, &retry, err);
        reply->attempts = n;
        reply->http_status = (int)x->status;
        if (!retry || n > c->max_retries)
            break;
        sleep_ms(rest_backoff_ms(rest_backoff_bound(c->backoff_base_ms, c->backoff_cap_ms, n)));
    }
    if (rc == HL_EUNREACHABLE)
        hl_err_set(err, rc, "cannot reach Twilio after %d attempt%s (%.120s); nothing was sent", n,
                   n == 1 ? "" : "s", a.detail);
    curl_easy_reset(a.h); /* drop the pointers into this stack frame; connections stay */
    rest_handle_put(c, a.h);
    return rc;
}
