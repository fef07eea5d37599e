/*
 * rest.c — the REST client itself: its options, its pool of libcurl handles,
 * the API exchange every operation goes through, and the small checks and
 * encoders the operations share (SIDs, UTF-8, form bodies).
 *
 * The pool is why connections are reused: libcurl keeps a connection cache
 * per easy handle, and curl_easy_reset() keeps it (only options are reset),
 * so a handle taken from the pool speaks over the connection its last
 * request left open. A mutex-protected free list hands each thread its own
 * handle; a burst of concurrent callers simply creates more, and up to
 * REST_POOL_MAX of them are kept afterwards.
 */
#include "twilio/rest.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "twilio/rest_internal.h"
#include "core/banned.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DEFAULT_TIMEOUT_MS         15000L
#define DEFAULT_MAX_RETRIES        3
#define DEFAULT_MEDIA_MAX_BYTES    (100LL * 1024 * 1024)
#define DEFAULT_BACKOFF_BASE_MS    100L  /* twilio-node's DEFAULT_INITIAL_RETRY_INTERVAL_MILLIS */
#define DEFAULT_BACKOFF_CAP_MS     3000L /* and DEFAULT_MAX_RETRY_DELAY */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- Options ---------------------------------------------------------------------------- */

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* api_base: an http(s) URL without credentials, query or fragment. */
static int check_api_base(const char *base, struct rest_origin *o, struct hl_err *err)
{
    if (!base || !*base)
        return hl_err_set(err, HL_EINVAL, "TWILIO_API_BASE: required");
    if (has_control(base) || strchr(base, '@') || strchr(base, '?') || strchr(base, '#') ||
        rest_origin_parse(base, o) != HL_OK)
        return hl_err_set(err, HL_EINVAL,
                          "TWILIO_API_BASE: not an http(s) URL without credentials or query");
    return HL_OK;
}

static int check_options(const struct rest_options *opt, struct rest_origin *o, struct hl_err *err)
{
    int rc;

    if (!opt)
        return hl_err_set(err, HL_EINVAL, "REST options: required");
    if ((rc = check_api_base(opt->api_base, o, err)) != HL_OK)
        return rc;
    if (!rest_sid_valid(opt->account_sid, "AC"))
        return hl_err_set(err, HL_EINVAL, "AccountSid: must be AC followed by 32 hex digits");
    if (!opt->username || !*opt->username || strchr(opt->username, ':') ||
        has_control(opt->username))
        return hl_err_set(err, HL_EINVAL, "REST username: required, without ':'");
    if (!opt->password || !*opt->password)
        return hl_err_set(err, HL_EINVAL, "REST password: required");
    if (opt->connect_timeout_ms < 0 || opt->timeout_ms < 0 || opt->media_max_bytes < 0 ||
        opt->backoff_base_ms < 0 || opt->backoff_cap_ms < 0)
        return hl_err_set(err, HL_EINVAL, "REST options: timeouts, sizes and backoff must be >= 0");
    return HL_OK;
}

static long or_default(long v, long def)
{
    return v ? v : def;
}

static void apply_options(struct rest_client *c, const struct rest_options *opt)
{
    size_t n = strlen(opt->api_base);

    while (n && opt->api_base[n - 1] == '/')
        n--;
    c->api_base = hl_strndup(opt->api_base, n);
    c->account_sid = hl_strdup(opt->account_sid);
    c->username = hl_strdup(opt->username);
    c->password = hl_strdup(opt->password);
    c->connect_timeout_ms = or_default(opt->connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT_MS);
    c->timeout_ms = or_default(opt->timeout_ms, DEFAULT_TIMEOUT_MS);
    c->max_retries = opt->max_retries == 0  ? DEFAULT_MAX_RETRIES
                     : opt->max_retries < 0 ? 0
                                            : opt->max_retries;
    c->media_max_bytes = opt->media_max_bytes ? opt->media_max_bytes : DEFAULT_MEDIA_MAX_BYTES;
    c->backoff_base_ms = or_default(opt->backoff_base_ms, DEFAULT_BACKOFF_BASE_MS);
    c->backoff_cap_ms = or_default(opt->backoff_cap_ms, DEFAULT_BACKOFF_CAP_MS);
}

static struct curl_slist *add_header(struct curl_slist *list, const char *h)
{
    struct curl_slist *next = curl_slist_append(list, h);

    if (!next)
        hl_die("out of memory");
    return next;
}

static void make_user_agent(struct rest_client *c)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    char ua[128];

    snprintf(ua, sizeof(ua), "hotline/%s (libcurl/%s)", HL_VERSION, v ? v->version : "?");
    c->user_agent = hl_strdup(ua);
}

int rest_client_new(struct rest_client **out, const struct rest_options *opt, struct hl_err *err)
{
    struct rest_origin origin = {0};
    struct rest_client *c;
    int rc;

    *out = NULL;
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK)
        return hl_err_set(err, HL_EIO, "libcurl could not be initialised: %s",
                          curl_easy_strerror(curl_init_result));
    if ((rc = check_options(opt, &origin, err)) != HL_OK) {
        rest_origin_release(&origin);
        return rc;
    }
    c = hl_calloc(1, sizeof(*c));
    c->origin = origin;
    apply_options(c, opt);
    make_user_agent(c);
    /* "Expect:" stops curl from waiting for 100-continue before long bodies. */
    c->headers = add_header(add_header(NULL, "Accept: application/json"), "Expect:");
    pthread_mutex_init(&c->pool_lock, NULL);
    *out = c;
    return HL_OK;
}

void rest_client_free(struct rest_client *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->idle_count; i++)
        curl_easy_cleanup(c->idle[i]);
    pthread_mutex_destroy(&c->pool_lock);
    curl_slist_free_all(c->headers);
    crypto_wipe(c->password, strlen(c->password));
    free(c->password);
    free(c->username);
    free(c->account_sid);
    free(c->api_base);
    free(c->user_agent);
    rest_origin_release(&c->origin);
    free(c);
}

/* ---- The handle pool ---------------------------------------------------------------------- */

void *rest_handle_get(struct rest_client *c)
{
    void *h = NULL;

    pthread_mutex_lock(&c->pool_lock);
    if (c->idle_count)
        h = c->idle[--c->idle_count];
    pthread_mutex_unlock(&c->pool_lock);
    return h ? h : curl_easy_init();
}

void rest_handle_put(struct rest_client *c, void *curl)
{
    if (!curl)
        return;
    pthread_mutex_lock(&c->pool_lock);
    if (c->idle_count < REST_POOL_MAX) {
        c->idle[c->idle_count++] = curl;
        curl = NULL;
    }
    pthread_mutex_unlock(&c->pool_lock);
    if (curl)
        curl_easy_cleanup(curl);
}

/* ---- The API exchange --------------------------------------------------------------------- */

int rest_api(struct rest_client *c, const char *method, const char *resource, const char *form,
             struct rest_xfer *x, struct rest_reply *reply, struct hl_err *err)
{
    char *url;
    size_t n = strlen(c->api_base) + strlen(c->account_sid) + strlen(resource) + 32;
    int rc;

    url = hl_malloc(n);
    snprintf(url, n, "%s/2010-04-01/Accounts/%s/%s", c->api_base, c->account_sid, resource);
    rest_xfer_init(x, method, url);
    x->form = form;
    x->form_len = form ? strlen(form) : 0;
    rc = rest_perform(c, x, reply, err);
    x->url = NULL;
    free(url);
    if (rc == HL_OK && (x->status < 200 || x->status > 299))
        rc = rest_answer_error(x->status, buf_str(&x->body), x->body.len, reply->attempts, reply,
                               err);
    return rc;
}

struct rest_reply *rest_reply_start(struct rest_reply *reply, struct rest_reply *scratch)
{
    if (!reply)
        reply = scratch;
    memset(reply, 0, sizeof(*reply));
    return reply;
}

int rest_finish(const struct rest_client *c, int rc, struct hl_err *err)
{
    size_t n = c ? strlen(c->password) : 0;
    char *hit;

    if (rc == HL_OK || !err || !n)
        return rc;
    while ((hit = strstr(err->msg, c->password)) != NULL)
        memset(hit, '*', n);
    return rc;
}

/* ---- Checks and encoders ------------------------------------------------------------------ */

int rest_sid_valid(const char *s, const char *prefix)
{
    size_t i, n = strlen(prefix);

    if (!s || strncmp(s, prefix, n) != 0 || strlen(s) != n + 32)
        return 0;
    for (i = n; s[i]; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return 0;
    return 1;
}

/* Length of the UTF-8 sequence starting with lead byte b and its lowest value; 0: invalid. */
static int utf8_seq(unsigned char b, uint32_t *min, uint32_t *cp)
{
    if (b < 0x80) {
        *cp = b, *min = 0;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        *cp = b & 0x1f, *min = 0x80;
        return 2;
    }
    if (b >= 0xe0 && b <= 0xef) {
        *cp = b & 0x0f, *min = 0x800;
        return 3;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        *cp = b & 0x07, *min = 0x10000;
        return 4;
    }
    return 0;
}

long rest_utf8_chars(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    long count = 0;

    while (i < len) {
        uint32_t min, cp;
        int k, n = utf8_seq(p[i], &min, &cp);

        if (n == 0 || i + (size_t)n > len)
            return -1;
        for (k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        i += (size_t)n;
        count++;
    }
    return count;
}

/* RFC 3986 unreserved characters go as they are, every other byte as %XX. */
static int form_escape(struct buf *form, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = HL_OK;

    for (; *s && rc == HL_OK; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};

        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            rc = buf_addc(form, (char)ch);
        else
            rc = buf_add(form, esc, sizeof(esc));
    }
    return rc;
}

int rest_form_add(struct buf *form, const char *key, const char *value)
{
    int rc = form->len ? buf_addc(form, '&') : HL_OK;

    if (rc == HL_OK)
        rc = form_escape(form, key);
    if (rc == HL_OK)
        rc = buf_addc(form, '=');
    if (rc == HL_OK)
        rc = form_escape(form, value);
    return rc;
}
