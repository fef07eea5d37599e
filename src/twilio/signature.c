/*
 * signature.c — X-Twilio-Signature: the signed string, its port variants and
 * the bodySHA256 rule (see signature.h and docs/signatures.md).
 *
 * The signed string is never built in memory: the URL pieces and the sorted
 * parameters are fed to a streaming HMAC one slice at a time, so a webhook
 * costs one qsort of pointers (in the request's arena) and two HMACs.
 *
 * Each thread keeps one HMAC context keyed with the last auth token it
 * signed with and restarts it for each signature: that costs a third of
 * setting up a new context, whose key schedule and OpenSSL provider look-ups
 * were a visible part of a webhook's CPU time.
 */
#include "twilio/signature.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "core/banned.h"

/* This thread's HMAC-SHA1 context and the token it is keyed with. */
struct sig_keyed {
    char *token;
    struct crypto_hmac *h;
};

static pthread_key_t sig_keyed_key;
static pthread_once_t sig_keyed_once = PTHREAD_ONCE_INIT;

static void sig_keyed_forget(struct sig_keyed *k)
{
    crypto_hmac_free(k->h);
    if (k->token) {
        crypto_wipe(k->token, strlen(k->token));
        free(k->token);
    }
    k->h = NULL;
    k->token = NULL;
}

static void sig_keyed_free(void *p)
{
    sig_keyed_forget(p);
    free(p);
}

static void sig_keyed_create_key(void)
{
    if (pthread_key_create(&sig_keyed_key, sig_keyed_free) != 0)
        hl_die("cannot create the signature context key");
}

/* An HMAC-SHA1 keyed with token, ready for a new message; NULL when OpenSSL fails. */
static struct crypto_hmac *sig_hmac(const char *token)
{
    struct sig_keyed *k;

    pthread_once(&sig_keyed_once, sig_keyed_create_key);
    k = pthread_getspecific(sig_keyed_key);
    if (k && k->h && strcmp(k->token, token) == 0 && crypto_hmac_reset(k->h) == HL_OK)
        return k->h;
    if (!k) {
        k = hl_calloc(1, sizeof(*k));
        if (pthread_setspecific(sig_keyed_key, k) != 0)
            hl_die("cannot keep the signature context");
    }
    sig_keyed_forget(k);
    k->h = crypto_hmac_new(CRYPTO_SHA1, token, strlen(token));
    if (k->h)
        k->token = hl_strdup(token);
    return k->h;
}

/*
 * One candidate URL: base[0, cut) + insert + base[resume, base_len) + target.
 * The "as received" candidate has cut == resume == base_len and no insert.
 */
struct sig_url {
    const char *base;
    size_t base_len;
    size_t cut;
    size_t resume;
    const char *insert;
    const char *target;
    size_t target_len;
};

/* Where the port of a URL's authority is, found as twilio-node's splitUrl(). */
struct sig_authority {
    size_t port_at; /* offset of the ':' of the port, or where one would go */
    size_t end;     /* offset just past the authority */
    int has_port;
    int https;
};

static int sig_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int sig_is_scheme_char(char c)
{
    return sig_is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
}

/* Length of a "scheme://" prefix, or 0 when url does not start with one. */
static size_t sig_scheme_len(const char *url, size_t len)
{
    size_t i = 1;

    if (len == 0 || !sig_is_alpha(url[0]))
        return 0;
    while (i < len && sig_is_scheme_char(url[i]))
        i++;
    if (len - i < 3 || memcmp(url + i, "://", 3) != 0)
        return 0;
    return i + 3;
}

/*
 * Find the port as the SDKs do: the authority runs to the first '/', '?' or
 * '#'; user info ends at its last '@'; a ':' starts the port only after the
 * closing ']' of an IPv6 literal. Returns 0 when url has no "scheme://".
 */
static int sig_parse_authority(const char *url, size_t len, struct sig_authority *out)
{
    size_t start = sig_scheme_len(url, len), host, i;

    if (start == 0)
        return 0;
    out->https = start == 8 && strncasecmp(url, "https", 5) == 0;
    for (out->end = start; out->end < len; out->end++)
        if (url[out->end] == '/' || url[out->end] == '?' || url[out->end] == '#')
            break;
    host = start;
    for (i = start; i < out->end; i++)
        if (url[i] == '@')
            host = i + 1;
    for (i = host; i < out->end; i++)
        if (url[i] == ']')
            host = i + 1;
    for (out->port_at = host; out->port_at < out->end; out->port_at++)
        if (url[out->port_at] == ':')
            break;
    out->has_port = out->port_at < out->end;
    return 1;
}

/* The URL as received, then (when it has an authority) its port variant. */
static size_t sig_url_variants(const char *base, size_t base_len, const char *target,
                               size_t target_len, struct sig_url out[2])
{
    struct sig_authority auth;

    out[0] = (struct sig_url){base, base_len, base_len, base_len, "", target, target_len};
    if (!sig_parse_authority(base, base_len, &auth))
        return 1;
    out[1] = out[0];
    out[1].cut = auth.port_at;
    if (auth.has_port) {
        out[1].resume = auth.end;
    } else {
        out[1].resume = auth.port_at;
        out[1].insert = auth.https ? ":443" : ":80";
    }
    return 2;
}

/* Byte-wise order, a prefix before its extensions: code point order for UTF-8. */
static int sig_bytes_cmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
    size_t n = a_len < b_len ? a_len : b_len;
    int c = n ? memcmp(a, b, n) : 0;

    if (c != 0)
        return c;
    return (a_len > b_len) - (a_len < b_len);
}

static int sig_field_cmp(const struct form_field *x, const struct form_field *y)
{
    int c = sig_bytes_cmp(x->name, x->name_len, y->name, y->name_len);

    return c ? c : sig_bytes_cmp(x->value, x->value_len, y->value, y->value_len);
}

static int sig_field_qsort_cmp(const void *x, const void *y)
{
    return sig_field_cmp(*(const struct form_field *const *)x,
                         *(const struct form_field *const *)y);
}

/*
 * Sort pointers to the fields by (name, value). Names then come in order and
 * each name's values are sorted, with exact repeats next to each other so
 * that sig_feed_params() can skip them.
 */
static int sig_sort_params(const struct form *params, struct arena *a,
                           const struct form_field ***sorted, size_t *count)
{
    size_t i, n = params ? params->count : 0;

    *sorted = NULL;
    *count = n;
    if (n == 0)
        return HL_OK;
    *sorted = arena_alloc(a, n * sizeof(**sorted));
    if (!*sorted)
        return HL_ETOOLARGE;
    for (i = 0; i < n; i++)
        (*sorted)[i] = &params->fields[i];
    qsort(*sorted, n, sizeof(**sorted), sig_field_qsort_cmp);
    return HL_OK;
}

/*
 * The signed string arrives in a dozen small pieces (URL parts, names,
 * values); an HMAC update costs about as much per call as per block, so the
 * pieces are gathered and fed a buffer at a time.
 */
struct sig_feed {
    struct crypto_hmac *h;
    int rc;
    size_t len;
    char buf[1024];
};

static void sig_flush(struct sig_feed *f)
{
    if (f->rc == HL_OK && f->len)
        f->rc = crypto_hmac_update(f->h, f->buf, f->len);
    f->len = 0;
}

static void sig_feed(struct sig_feed *f, const char *p, size_t n)
{
    if (n > sizeof(f->buf) - f->len)
        sig_flush(f);
    if (f->rc != HL_OK)
        return;
    if (n >= sizeof(f->buf)) {
        f->rc = crypto_hmac_update(f->h, p, n);
        return;
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
}

static void sig_feed_params(struct sig_feed *feed, const struct form_field **sorted, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct form_field *f = sorted[i];
        if (i > 0 && sig_field_cmp(sorted[i - 1], f) == 0)
            continue;
        sig_feed(feed, f->name, f->name_len);
        sig_feed(feed, f->value, f->value_len);
    }
}

static void sig_feed_url(struct sig_feed *feed, const struct sig_url *u)
{
    sig_feed(feed, u->base, u->cut);
    sig_feed(feed, u->insert, strlen(u->insert));
    sig_feed(feed, u->base + u->resume, u->base_len - u->resume);
    sig_feed(feed, u->target, u->target_len);
}

/* base64(HMAC-SHA1(token, url + sorted params)) into out. */
static int sig_sign(const char *token, const struct sig_url *u, const struct form_field **sorted,
                    size_t n, char out[SIG_BASE64_SIZE])
{
    unsigned char mac[CRYPTO_SHA1_LEN];
    struct sig_feed feed;
    int rc;

    feed.h = sig_hmac(token);
    feed.rc = feed.h ? HL_OK : HL_EIO;
    feed.len = 0;
    sig_feed_url(&feed, u);
    sig_feed_params(&feed, sorted, n);
    sig_flush(&feed);
    rc = feed.rc;
    if (rc == HL_OK)
        rc = crypto_hmac_final(feed.h, mac);
    if (rc == HL_OK)
        rc = crypto_base64_encode(out, SIG_BASE64_SIZE, mac, sizeof(mac), NULL);
    crypto_wipe(mac, sizeof(mac));
    return rc;
}

/*
 * Longest raw bodySHA256 value worth decoding: 64 hex digits, each possibly
 * percent-escaped. Anything longer cannot be a SHA-256 in hex.
 */
enum { SIG_HASH_RAW_MAX = 3 * 2 * CRYPTO_SHA256_LEN, SIG_NAME_RAW_MAX = 3 * 10 };

/* Does the raw query pair name (len bytes) decode to "bodySHA256"? */
static int sig_is_body_hash_name(const char *name, size_t len)
{
    char decoded[SIG_NAME_RAW_MAX + 1];
    long n;

    if (len > SIG_NAME_RAW_MAX)
        return 0;
    n = form_unescape(decoded, name, len, 1, NULL);
    return n == 10 && memcmp(decoded, "bodySHA256", 10) == 0;
}

/*
 * Find the first bodySHA256 parameter in the target's query and decode its
 * value into hash, its length into *hash_len (0 when the value is too long or
 * malformed: it can then never match). Returns 1 when the parameter is there.
 */
static int sig_find_body_hash(const char *target, size_t len, char hash[SIG_HASH_RAW_MAX + 1],
                              size_t *hash_len)
{
    const char *q = memchr(target, '?', len);
    const char *end = target + len, *pair, *amp, *eq;
    long n = -1;

    for (pair = q ? q + 1 : end; pair < end; pair = amp + 1) {
        amp = memchr(pair, '&', (size_t)(end - pair));
        amp = amp ? amp : end;
        eq = memchr(pair, '=', (size_t)(amp - pair));
        eq = eq ? eq : amp;
        if (!sig_is_body_hash_name(pair, (size_t)(eq - pair)))
            continue;
        if (eq < amp && amp - eq - 1 <= SIG_HASH_RAW_MAX)
            n = form_unescape(hash, eq + 1, (size_t)(amp - eq - 1), 1, NULL);
        *hash_len = n < 0 ? 0 : (size_t)n;
        return 1;
    }
    return 0;
}

static int sig_body_matches(const struct sig_request *req, const char *hash, size_t hash_len,
                            struct hl_err *err)
{
    char actual[CRYPTO_SHA256_HEX_SIZE];
    int rc = crypto_sha256_hex(req->body ? req->body : "", req->body_len, actual);

    if (rc != HL_OK)
        return hl_err_set(err, rc, "OpenSSL failed to hash the body");
    if (!crypto_equal(actual, CRYPTO_SHA256_HEX_SIZE - 1, hash, hash_len))
        return hl_err_set(err, HL_EBADSIG,
                          "request body does not match the bodySHA256 it was signed with");
    return HL_OK;
}

/* Try each URL variant; HL_OK when one of them produces the header's value. */
static int sig_match_any(const char *token, const struct sig_url *urls, size_t nurls,
                         const struct form_field **sorted, size_t n, const char *header)
{
    char expected[SIG_BASE64_SIZE];
    size_t i, header_len = strlen(header);
    int rc = HL_EBADSIG;

    for (i = 0; i < nurls && rc == HL_EBADSIG; i++) {
        rc = sig_sign(token, &urls[i], sorted, n, expected);
        if (rc == HL_OK && !crypto_equal(expected, SIG_BASE64_SIZE - 1, header, header_len))
            rc = HL_EBADSIG;
    }
    crypto_wipe(expected, sizeof(expected));
    return rc;
}

/* PUBLIC_BASE_URL without trailing slashes when the target brings its own. */
static size_t sig_base_len(const struct sig_request *req)
{
    size_t len = strlen(req->base_url);

    if (req->target_len > 0 && req->target[0] == '/')
        while (len > 0 && req->base_url[len - 1] == '/')
            len--;
    return len;
}

int sig_validate(const char *auth_token, const struct sig_request *req, struct arena *a,
                 struct hl_err *err)
{
    char hash[SIG_HASH_RAW_MAX + 1];
    const struct form_field **sorted = NULL;
    struct sig_url urls[2];
    size_t n = 0, nurls, base_len, hash_len = 0;
    int body_mode, rc;

    if (!auth_token || !*auth_token || !req->base_url)
        return hl_err_set(err, HL_ECONFIG,
                          "no Twilio auth token or PUBLIC_BASE_URL is configured, so "
                          "X-Twilio-Signature cannot be checked");
    if (!req->header)
        return hl_err_set(err, HL_EINVAL, "missing X-Twilio-Signature header");
    body_mode = sig_find_body_hash(req->target, req->target_len, hash, &hash_len);
    rc = body_mode ? HL_OK : sig_sort_params(req->params, a, &sorted, &n);
    if (rc != HL_OK)
        return hl_err_set(err, rc, "too many form parameters to sort for the signature");
    base_len = sig_base_len(req);
    nurls = sig_url_variants(req->base_url, base_len, req->target, req->target_len, urls);
    rc = sig_match_any(auth_token, urls, nurls, sorted, n, req->header);
    if (rc == HL_EBADSIG)
        return hl_err_set(err, rc,
                          "X-Twilio-Signature does not match a request to %.*s "
                          "(check PUBLIC_BASE_URL)",
                          (int)(base_len < 120 ? base_len : 120), req->base_url);
    if (rc != HL_OK)
        return hl_err_set(err, rc, "OpenSSL failed to compute the signature");
    return body_mode ? sig_body_matches(req, hash, hash_len, err) : HL_OK;
}

int sig_compute(const char *auth_token, const char *url, size_t url_len, const struct form *params,
                struct arena *a, char out[SIG_BASE64_SIZE], struct hl_err *err)
{
    const struct form_field **sorted = NULL;
    struct sig_url u = {url, url_len, url_len, url_len, "", "", 0};
    size_t n = 0;
    int rc;

    out[0] = '\0';
    if (!auth_token)
        return hl_err_set(err, HL_EINVAL, "no auth token to sign with");
    rc = sig_sort_params(params, a, &sorted, &n);
    if (rc != HL_OK)
        return hl_err_set(err, rc, "too many form parameters to sort for the signature");
    rc = sig_sign(auth_token, &u, sorted, n, out);
    if (rc != HL_OK)
        return hl_err_set(err, rc, "OpenSSL failed to compute the signature");
    return HL_OK;
}
