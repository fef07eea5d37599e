/*
 * signature.h — X-Twilio-Signature, checked exactly as Twilio's SDKs check it.
 *
 * Twilio signs every webhook with HMAC-SHA1 keyed by the account's auth
 * token (https://www.twilio.com/docs/usage/webhooks/webhooks-security). The
 * signed string is the full URL Twilio requested — PUBLIC_BASE_URL plus the
 * path and query exactly as received, never decoded or re-encoded — followed,
 * for form-encoded bodies, by every POST parameter as name + value:
 *
 *   - names sorted byte-wise, which for UTF-8 is Unicode code point order
 *     (what Python's sorted() does). twilio-node sorts JavaScript strings,
 *     i.e. by UTF-16 code units; the two orders differ only when a name or
 *     value holds a character outside the Basic Multilingual Plane and
 *     another holds one in U+E000..U+FFFF at the same position;
 *   - a name that repeats contributes each of its distinct values once, in
 *     sorted order (twilio-node: new Set(values).sort());
 *
 * and the base64 of the 20-byte MAC goes in the header. Because Twilio is not
 * consistent about default ports, the URL is tried twice, as node's
 * validateRequest() and python's RequestValidator.validate() do: if the base
 * URL has no port, as given and with the scheme's default port added (":443"
 * for https, ":80" for anything else); if it has a port, as given and with
 * the port removed (whatever the port is).
 *
 * JSON webhooks put bodySHA256=<hex SHA-256 of the body> in the query string.
 * When the query has a parameter of that name, the signature covers the URL
 * alone (no body parameters) and the lowercase hex SHA-256 of the raw body
 * must equal the parameter's (first, percent-decoded) value.
 *
 * All comparisons are constant-time. Nothing here allocates on the heap
 * except one OpenSSL MAC context per thread, kept (with a copy of the token
 * it is keyed with) until the thread ends; the sorted parameter index lives
 * in the caller's arena.
 */
#ifndef HL_SIGNATURE_H
#define HL_SIGNATURE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/hl.h"
#include "http/form.h"

/* A base64 HMAC-SHA1 is 28 characters; with its NUL, 29. */
#define SIG_BASE64_SIZE 29

/* What the HTTP edge knows about one POST to /twilio/... . Nothing is copied. */
struct sig_request {
    /*
     * PUBLIC_BASE_URL, e.g. "https://example.com" or "https://example.com/hl"
     * behind a proxy that strips "/hl". Trailing slashes are ignored.
     */
    const char *base_url;
    /* The request-target as received: "/twilio/status?x=%27a%27", origin-form. */
    const char *target;
    size_t target_len;
    /* The decoded form body; NULL or empty for a JSON body. */
    const struct form *params;
    /* The raw body, hashed only when the query carries bodySHA256. */
    const char *body;
    size_t body_len;
    /* The X-Twilio-Signature header's value, or NULL when there is none. */
    const char *header;
};

/*
 * Check req against auth_token. Returns:
 *
 *   HL_OK         the signature (and the body hash, if any) is right;
 *   HL_EINVAL     no X-Twilio-Signature header: answer 400;
 *   HL_EBADSIG    the signature, or the body's bodySHA256, is wrong: answer 403;
 *   HL_ECONFIG    auth_token is NULL or empty (or base_url is NULL), so nothing
 *                 can be trusted: answer 500 (twilio-node's webhook() does too);
 *   HL_ETOOLARGE  the arena's ceiling was reached while sorting parameters;
 *   HL_EIO        OpenSSL failed.
 *
 * The sorted index of the parameters takes params->count pointers from a
 * (nothing when there are no parameters or the query has bodySHA256). err
 * (may be NULL) gets a message fit for a log line; it never contains the
 * token or any signature.
 */
int sig_validate(const char *auth_token, const struct sig_request *req, struct arena *a,
                 struct hl_err *err);

/*
 * The signature Twilio would send for a POST to url (url_len bytes, exactly as
 * it will be requested, query included) with params (NULL for none, and for
 * JSON webhooks whose url carries bodySHA256). Used by the emulator to sign
 * the webhooks it sends, and by tests. No port variants are made.
 *
 * Writes 28 base64 characters and a NUL to out. An empty auth_token is
 * allowed (it signs with an empty key, like the SDKs). Returns HL_OK,
 * HL_EINVAL for a NULL auth_token, HL_ETOOLARGE or HL_EIO as above. a may be
 * NULL when params is NULL or empty.
 */
int sig_compute(const char *auth_token, const char *url, size_t url_len, const struct form *params,
                struct arena *a, char out[SIG_BASE64_SIZE], struct hl_err *err);

#endif
