/*
 * rest_internal.h — what the files of the REST client share, and the small
 * pure helpers its unit test reaches (tests/unit/test_rest.c). Not part of
 * the module's interface: only src/twilio/rest*.c and that test include it.
 *
 *   rest.c            the client (options, pool of libcurl handles), the API
 *                     exchange every operation goes through, parameter checks
 *   rest_transport.c  one request with libcurl, and the retry loop around it
 *   rest_json.c       Twilio's JSON answers into result structs; error JSON
 *                     into a message
 *   rest_calls.c      Calls and Messages
 *   rest_recordings.c Recordings: fetch, delete and the audio download
 */
#ifndef HL_REST_INTERNAL_H
#define HL_REST_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/hl.h"
#include "twilio/rest.h"

/* Idle libcurl handles (and so connection caches) a client keeps. */
#define REST_POOL_MAX 8

/* Ceiling on a JSON answer and on a request body. */
#define REST_ANSWER_MAX (1024 * 1024)
#define REST_FORM_MAX   (64 * 1024)

/* Idle connections older than this are not reused (CURLOPT_MAXAGE_CONN, seconds). */
#define REST_CONN_MAX_AGE_S 30L

struct rest_client {
    char *api_base; /* without trailing '/' */
    char *account_sid;
    char *username;
    char *password;
    char *user_agent;
    struct rest_origin {
        char *scheme, *host, *port; /* of api_base, lowercased, port always set */
    } origin;
    long connect_timeout_ms, timeout_ms;
    int max_retries;
    long long media_max_bytes;
    long backoff_base_ms, backoff_cap_ms;
    struct curl_slist *headers; /* Accept, Expect; shared read-only by every handle */
    pthread_mutex_t pool_lock;
    void *idle[REST_POOL_MAX]; /* CURL * */
    size_t idle_count;
};

/* What the write callback ran into, when it stopped a transfer. */
enum rest_sink_error {
    REST_SINK_OK,
    REST_SINK_ANSWER_TOO_LARGE, /* a JSON answer passed REST_ANSWER_MAX */
    REST_SINK_FILE_TOO_LARGE,   /* a download passed media_max_bytes */
    REST_SINK_FILE_WRITE,       /* write() to the download file failed (sink_errno) */
};

/* One request as rest_perform() runs it, retries included. */
struct rest_xfer {
    const char *method; /* "GET", "POST" or "DELETE" */
    const char *url;
    const char *form; /* POST: the urlencoded body */
    size_t form_len;
    int download; /* GET a recording: follow redirects, 2xx body to fd */
    int fd;       /* download: the temporary file */
    /* Filled by rest_perform(): */
    long status;     /* last HTTP status, 0 when none */
    struct buf body; /* the answer (downloads: non-2xx answers only) */
    char content_type[64];
    long long written; /* bytes written to fd */
    enum rest_sink_error sink_error;
    int sink_errno;
    int sends; /* requests libcurl started within the current attempt */
};

/* Set x up for method and url with an empty answer buffer; release with rest_xfer_release(). */
void rest_xfer_init(struct rest_xfer *x, const char *method, const char *url);
void rest_xfer_release(struct rest_xfer *x);

/*
 * Run x with the client's retry rule (rest.h). HL_OK means an HTTP answer
 * came (x->status; a 429 only after the last retry); otherwise
 * HL_EUNREACHABLE, HL_EUNKNOWN, HL_ETOOLARGE (download cap) or HL_EIO, with
 * err set. reply->attempts and reply->http_status are kept up to date.
 */
int rest_perform(struct rest_client *c, struct rest_xfer *x, struct rest_reply *reply,
                 struct hl_err *err);

/* Handles from the client's pool: a fresh one when it is empty. NULL only if libcurl fails. */
void *rest_handle_get(struct rest_client *c);
void rest_handle_put(struct rest_client *c, void *curl);

/*
 * The API exchange of every operation but the download: method on
 * {base}/2010-04-01/Accounts/{AC}/{resource} with form (NULL for none).
 * HL_OK when the answer is 2xx (its body in x->body; the caller releases x
 * either way); an error answer becomes HL_ENOTFOUND/HL_EREMOTE with reply
 * and err filled; transport failures as rest_perform().
 */
int rest_api(struct rest_client *c, const char *method, const char *resource, const char *form,
             struct rest_xfer *x, struct rest_reply *reply, struct hl_err *err);

/* reply to fill: reply itself, or *scratch when the caller passed NULL; zeroed. */
struct rest_reply *rest_reply_start(struct rest_reply *reply, struct rest_reply *scratch);

/* Remove every copy of the client's password from err->msg; returns rc. */
int rest_finish(const struct rest_client *c, int rc, struct hl_err *err);

/* ---- Pure helpers (unit-tested) ---------------------------------------------------------- */

/* 1 when s is prefix followed by exactly 32 hex digits (either case). */
int rest_sid_valid(const char *s, const char *prefix);

/*
 * Number of code points in the UTF-8 text s of len bytes, or -1 when it is
 * not well-formed UTF-8 (overlong forms, surrogates and values past
 * U+10FFFF are not).
 */
long rest_utf8_chars(const char *s, size_t len);

/* Append "&key=value" (no '&' for the first pair) percent-encoded; HL_ETOOLARGE past the ceiling.
 */
int rest_form_add(struct buf *form, const char *key, const char *value);

/* Upper bound of the sleep before retry n (1, 2, ...): min(cap, base * 2^n) ms. */
long rest_backoff_bound(long base_ms, long cap_ms, int n);

/* A uniformly random sleep in [0, bound] ms drawn from the CSPRNG. */
long rest_backoff_ms(long bound_ms);

/*
 * 1 when a failed libcurl transfer cannot have delivered the request: curl
 * code (a CURLcode), the bytes of request it wrote (CURLINFO_REQUEST_SIZE)
 * and its pre-transfer time in microseconds (CURLINFO_PRETRANSFER_TIME_T).
 */
int rest_failed_before_sending(int code, long request_bytes, long long pretransfer_us);

/*
 * Turn an error answer (status, body of len bytes) into HL_ENOTFOUND (404)
 * or HL_EREMOTE: reply->twilio_code and reply->more_info from Twilio's error
 * JSON and err->msg a sentence (see rest.h). attempts is how many requests
 * were made (mentioned after a 429).
 */
int rest_answer_error(long status, const char *body, size_t len, int attempts,
                      struct rest_reply *reply, struct hl_err *err);

/* Copy src into dst[size], cut at a UTF-8 character boundary; NULL gives "". */
void rest_copy_text(char *dst, size_t size, const char *src);

/* Parse a 2xx JSON answer into out. HL_EINVAL when it is not a JSON object with a "sid". */
int rest_parse_call(const char *body, size_t len, struct rest_call *out);
int rest_parse_message(const char *body, size_t len, struct rest_message *out);
int rest_parse_recording(const char *body, size_t len, struct rest_recording *out);

/*
 * A page of a list ("messages": [...], "next_page_uri"): each message to each
 * (with its body) until each returns nonzero (*stopped set). next gets the part
 * of next_page_uri after "/Accounts/{AC}/" ("" on the last page). HL_EINVAL
 * when it is not such a page.
 */
int rest_parse_message_page(const char *body, size_t len,
                            int (*each)(void *ctx, const struct rest_message *m, const char *body),
                            void *ctx, int *stopped, char *next, size_t next_size);

/* The "answer is not what was expected" failure for a 2xx (HL_EUNKNOWN). */
int rest_bad_answer(long status, struct hl_err *err);

/*
 * The URL to download for recording_url (".wav" added to its path unless it
 * ends in .wav or .mp3), checked to be on the client's origin. HL_OK with
 * *out to free() with curl_free(); HL_EINVAL otherwise.
 */
int rest_media_url(const struct rest_client *c, const char *recording_url, char **out,
                   struct hl_err *err);

/* Parse an http(s) URL's origin: lowercased scheme and host, port (default filled in). */
int rest_origin_parse(const char *url, struct rest_origin *o);
void rest_origin_release(struct rest_origin *o);

#endif
