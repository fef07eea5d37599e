/*
 * session.c — the dashboard's login, its sessions and the CSRF checks (see
 * session.h for the rules; docs/web.md for the whole picture).
 */
#include "web/session.h"

#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/ratelimit.h"
#include "core/log.h"
#include "crypto/crypto.h"
#include "core/banned.h"

#define TOKEN_BYTES 32 /* 256 bits */
#define TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */
#define TOKEN_SIZE  CRYPTO_BASE64_SIZE(TOKEN_BYTES)
#define CSRF_LABEL  "hotline dashboard csrf v1"

/* ---- Tokens ---------------------------------------------------------------------------- */

/* The session token of the request's cookie, copied into out; 0 when there is none. */
static int cookie_token(const struct http_request *req, char out[TOKEN_SIZE])
{
    static const char name[] = WEB_SESSION_COOKIE "=";
    const char *p = http_header(req, "Cookie");

    while (p && *p) {
        size_t len;

        p += strspn(p, " ;");
        len = strcspn(p, ";");
        if (len == sizeof(name) - 1 + TOKEN_CHARS && strncmp(p, name, sizeof(name) - 1) == 0) {
            memcpy(out, p + sizeof(name) - 1, TOKEN_CHARS);
            out[TOKEN_CHARS] = '\0';
            return strspn(out,
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                   TOKEN_CHARS;
        }
        p += len;
    }
    return 0;
}

/* What the store knows a session by: SHA-256 of its token, in hex. */
static int token_hash(const char *token, char out[CRYPTO_SHA256_HEX_SIZE])
{
    return crypto_sha256_hex(token, strlen(token), out);
}

/* The session's CSRF token: base64url(HMAC-SHA256(key = session token, CSRF_LABEL)). */
static int csrf_token(const char *token, char out[TOKEN_SIZE])
{
    unsigned char mac[CRYPTO_SHA256_LEN];
    int rc = crypto_hmac(CRYPTO_SHA256, token, strlen(token), CSRF_LABEL, strlen(CSRF_LABEL), mac);

    if (rc == HL_OK)
        rc = crypto_base64url_encode(out, TOKEN_SIZE, mac, sizeof(mac), NULL);
    crypto_wipe(mac, sizeof(mac));
    return rc;
}

/* A fresh token from the CSPRNG. */
static int new_token(char out[TOKEN_SIZE])
{
    unsigned char raw[TOKEN_BYTES];
    int rc = crypto_random(raw, sizeof(raw));

    if (rc == HL_OK)
        rc = crypto_base64url_encode(out, TOKEN_SIZE, raw, sizeof(raw), NULL);
    crypto_wipe(raw, sizeof(raw));
    return rc;
}

/* ---- Cookies and origins --------------------------------------------------------------- */

static int public_url_is_https(const struct app *app)
{
    return strncasecmp(app->cfg->public_base_url, "https://", 8) == 0;
}

/* Set (or, with token NULL, clear) the session cookie. */
static void set_cookie(struct app_request *r, const char *token)
{
    http_add_header(r->res, "Set-Cookie",
                    arena_printf(r->req->arena,
                                 "%s=%s; Path=/voice; Max-Age=%ld; HttpOnly; "
                                 "SameSite=Strict%s",
                                 WEB_SESSION_COOKIE, token ? token : "",
                                 token ? WEB_SESSION_MAX_S : 0,
                                 public_url_is_https(r->app) ? "; Secure" : ""));
}

/* Origin equals scheme://host[:port] of PUBLIC_BASE_URL (case-insensitively)? */
static int origin_is_public_url(const char *origin, const char *base)
{
    const char *host = strstr(base, "://");
    size_t len;

    if (!host)
        return 0;
    len = (size_t)(host + 3 - base) + strcspn(host + 3, "/?#");
    return strlen(origin) == len && strncasecmp(origin, base, len) == 0;
}

/*
 * A browser states where a request comes from in Sec-Fetch-Site (which no
 * page can forge); older browsers send only Origin. Neither: refused.
 */
static int same_origin(struct app_request *r)
{
    const char *site = http_header(r->req, "Sec-Fetch-Site");
    const char *origin = http_header(r->req, "Origin");

    if (site)
        return strcmp(site, "same-origin") == 0;
    return origin && origin_is_public_url(origin, r->app->cfg->public_base_url);
}

static int refuse_cross_origin(struct app_request *r)
{
    app_json_error(r->res, r->req->arena, 403, "cross_origin",
                   "This request must come from the dashboard's own page (same origin).");
    return 0;
}

/* ---- Sessions ------------------------------------------------------------------------- */

/* 1 live, 0 not, -1 the store failed (err says why). */
static int session_state(struct app_request *r, struct hl_err *err)
{
    char token[TOKEN_SIZE], hash[CRYPTO_SHA256_HEX_SIZE];
    int valid = 0;

    if (!cookie_token(r->req, token) || token_hash(token, hash) != HL_OK)
        return 0;
    if (store_session_check(r->app->store, hash, WEB_SESSION_IDLE_S, &valid, err) != HL_OK)
        return -1;
    return valid;
}

int web_session_valid(struct app_request *r)
{
    struct hl_err err = {0};
    int state = session_state(r, &err);

    if (state < 0)
        log_error("dashboard session not checked", LOG_S("reason", err.msg));
    return state > 0;
}

int web_session_require(struct app_request *r)
{
    struct hl_err err = {0};
    int state = session_state(r, &err);

    if (state > 0) {
        http_add_header(r->res, "Cache-Control", "no-store"); /* people's data: never cached */
        return 1;
    }
    if (state < 0) {
        log_error("dashboard session not checked", LOG_S("reason", err.msg));
        app_json_error(r->res, r->req->arena, 503, "unavailable",
                       "Storage is unavailable; try again.");
        return 0;
    }
    app_json_error(r->res, r->req->arena, 401, "unauthorized",
                   "Log in at /voice with an API key first (the session may have expired).");
    return 0;
}

/* The CSRF token the request sent: the X-CSRF-Token header, else a csrf form field. */
static const char *sent_csrf(struct app_request *r)
{
    const char *h = http_header(r->req, "X-CSRF-Token");
    struct form form = {NULL, 0};
    struct hl_err err = {0};

    if (h || !http_content_type_is(r->req, "application/x-www-form-urlencoded"))
        return h;
    if (form_decode(&form, r->req->body, r->req->body_len, r->req->arena, &err) != HL_OK)
        return NULL;
    return form_get(&form, "csrf");
}

int web_session_csrf_ok(struct app_request *r)
{
    char token[TOKEN_SIZE], expected[TOKEN_SIZE];
    const char *sent;

    if (!same_origin(r))
        return refuse_cross_origin(r);
    sent = sent_csrf(r);
    if (cookie_token(r->req, token) && csrf_token(token, expected) == HL_OK && sent &&
        crypto_equal(expected, strlen(expected), sent, strlen(sent)))
        return 1;
    app_json_error(r->res, r->req->arena, 403, "csrf",
                   "The CSRF token is missing or wrong: reload the dashboard and try again.");
    return 0;
}

void web_session_info(struct app_request *r)
{
    char token[TOKEN_SIZE], csrf[TOKEN_SIZE];

    if (!cookie_token(r->req, token) || csrf_token(token, csrf) != HL_OK) {
        app_json_error(r->res, r->req->arena, 500, "internal", "Cannot derive the CSRF token.");
        return;
    }
    app_json(
        r->res, r->req->arena, 200,
        json_pack("{s:s,s:I}", "csrf", csrf, "idle_timeout_s", (json_int_t)WEB_SESSION_IDLE_S));
}

/* ---- Login and logout ----------------------------------------------------------------- */

/* A login attempt may go ahead: same origin, under the rate limit, a form with a key. */
static const char *login_key(struct app_request *r)
{
    struct hl_err err = {0};
    long retry_after = 1;
    const char *key;

    if (!same_origin(r)) {
        refuse_cross_origin(r);
        return NULL;
    }
    if (r->app->login_limit &&
        !ratelimit_peek(r->app->login_limit, 0, http_now_ns(), &retry_after)) {
        http_add_header(r->res, "Retry-After", arena_printf(r->req->arena, "%ld", retry_after));
        app_json_error(r->res, r->req->arena, 429, "rate_limited",
                       arena_printf(r->req->arena, "Too many login attempts; try again in %ld s.",
                                    retry_after));
        return NULL;
    }
    if (!http_content_type_is(r->req, "application/x-www-form-urlencoded") ||
        form_decode(&r->form, r->req->body, r->req->body_len, r->req->arena, &err) != HL_OK) {
        app_json_error(r->res, r->req->arena, 400, "invalid_form",
                       "Send the key as an application/x-www-form-urlencoded form field \"key\".");
        return NULL;
    }
    if (!(key = form_get(&r->form, "key")) || !*key) {
        app_json_error(r->res, r->req->arena, 400, "invalid_field", "key: enter an API key.");
        return NULL;
    }
    return key;
}

void web_login(struct app_request *r)
{
    char token[TOKEN_SIZE], hash[CRYPTO_SHA256_HEX_SIZE];
    const char *key = login_key(r);
    struct hl_err err = {0};
    int index;

    if (!key)
        return;
    if ((index = api_key_index(r->app->cfg, key)) < 0) {
        if (r->app->login_limit) /* only failures spend the budget */
            ratelimit_take(r->app->login_limit, 0, http_now_ns(), NULL);
        log_warn("dashboard login refused", LOG_S("reason", "wrong key"));
        app_json_error(
            r->res, r->req->arena, 401, "wrong_key",
            r->app->cfg->api_key_count
                ? "That key is not one of the API keys (API_KEYS). Check it and try again."
                : "No API keys are configured: set API_KEYS on the server to log in.");
        return;
    }
    if (new_token(token) != HL_OK || token_hash(token, hash) != HL_OK ||
        store_session_add(r->app->store, hash, WEB_SESSION_IDLE_S, WEB_SESSION_MAX_S, &err) !=
            HL_OK) {
        log_error("dashboard session not created", LOG_S("reason", err.msg));
        app_json_error(r->res, r->req->arena, 503, "unavailable",
                       "The session could not be stored; try again.");
        return;
    }
    log_info("dashboard login", LOG_I("key_index", index));
    set_cookie(r, token);
    crypto_wipe(token, sizeof(token));
    app_json(r->res, r->req->arena, 200, json_pack("{s:b}", "ok", 1));
}

void web_logout(struct app_request *r)
{
    char token[TOKEN_SIZE], hash[CRYPTO_SHA256_HEX_SIZE];
    struct hl_err err = {0};

    if (cookie_token(r->req, token) && token_hash(token, hash) == HL_OK &&
        store_session_delete(r->app->store, hash, &err) != HL_OK) {
        log_error("dashboard session not ended", LOG_S("reason", err.msg));
        app_json_error(r->res, r->req->arena, 503, "unavailable",
                       "Storage is unavailable; try again.");
        return;
    }
    set_cookie(r, NULL);
    app_json(r->res, r->req->arena, 200, json_pack("{s:b}", "ok", 1));
}
