/*
 * page.c — HTML pages and /assets/{name}, with their security, cache and
 * compression headers (see page.h for the rules, docs/web.md for why).
 *
 * Header values are parsed by hand and leniently: a malformed
 * Accept-Encoding only means "no gzip", a malformed If-None-Match only
 * means "send the asset".
 */
#include "web/page.h"

#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "web/assets.h"
#include "core/banned.h"

#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"

void web_security_headers(struct http_response *res)
{
    http_add_header(res, "Content-Security-Policy", WEB_CSP);
    http_add_header(res, "Referrer-Policy", "no-referrer");
}

/* The next comma-separated element of *list, trimmed; 0 when there is none. */
static int next_element(const char **list, const char **start, size_t *len)
{
    const char *p = *list, *end;

    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    if (!*p)
        return 0;
    end = p;
    while (*end && *end != ',')
        end++;
    *list = end;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *start = p;
    *len = (size_t)(end - p);
    return 1;
}

/* A coding's q value is zero ("gzip;q=0", "gzip; q=0.000"): refused. */
static int quality_is_zero(const char *params, size_t len)
{
    const char *q = NULL;
    size_t i;

    for (i = 0; i + 1 < len; i++)
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=')
            q = params + i + 2;
    if (!q)
        return 0;
    for (i = (size_t)(q - params); i < len && params[i] != ';'; i++)
        if (params[i] != '0' && params[i] != '.' && params[i] != ' ')
            return 0;
    return 1;
}

int web_accepts_gzip(const struct http_request *req)
{
    const char *list = http_header(req, "Accept-Encoding"), *el;
    size_t len, name_len;

    if (!list)
        return 0;
    while (next_element(&list, &el, &len)) {
        const char *semi = memchr(el, ';', len);

        name_len = semi ? (size_t)(semi - el) : len;
        while (name_len && el[name_len - 1] == ' ')
            name_len--;
        if ((name_len == 4 && strncasecmp(el, "gzip", 4) == 0) ||
            (name_len == 6 && strncasecmp(el, "x-gzip", 6) == 0))
            return !quality_is_zero(el + name_len, len - name_len);
    }
    return 0;
}

/* If-None-Match names one of the asset's ETags (weak comparison, RFC 9110 §13.1.2), or "*". */
static int etag_matches(const struct http_request *req, const struct web_asset *a)
{
    const char *list = http_header(req, "If-None-Match"), *el;
    size_t len;

    if (!list)
        return 0;
    while (next_element(&list, &el, &len)) {
        if (len >= 2 && el[0] == 'W' && el[1] == '/') {
            el += 2;
            len -= 2;
        }
        if ((len == 1 && el[0] == '*') ||
            (len == strlen(a->etag) && memcmp(el, a->etag, len) == 0) ||
            (len == strlen(a->etag_gzip) && memcmp(el, a->etag_gzip, len) == 0))
            return 1;
    }
    return 0;
}

/* The query names this version of the asset: "v=<hash>" among its parameters. */
static int query_names_version(const struct http_request *req, const struct web_asset *a)
{
    const char *q = req->query, *end = req->query + req->query_len;
    size_t hash_len = strlen(a->hash);

    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        size_t len = amp ? (size_t)(amp - q) : (size_t)(end - q);

        if (len == 2 + hash_len && memcmp(q, "v=", 2) == 0 && memcmp(q + 2, a->hash, hash_len) == 0)
            return 1;
        q += len + 1;
    }
    return 0;
}

/* Body and Content-Encoding: the gzip variant when there is one and the client takes it. */
static void send_body(struct app_request *r, int status, const struct web_asset *a)
{
    if (a->gzip && web_accepts_gzip(r->req)) {
        http_respond(r->res, status, a->content_type, (const char *)a->gzip, a->gzip_len);
        http_add_header(r->res, "Content-Encoding", "gzip");
    } else {
        http_respond(r->res, status, a->content_type, (const char *)a->data, a->len);
    }
    if (a->gzip)
        http_add_header(r->res, "Vary", "Accept-Encoding");
}

void web_page_send(struct app_request *r, int status, const char *name)
{
    const struct web_asset *a = web_asset_find(name, strlen(name));

    if (!a || !a->page) {
        log_error("page missing from the build", LOG_S("page", name));
        http_respond_text(r->res, 500, "This page is missing from the build.\n");
        return;
    }
    send_body(r, status, a);
    http_add_header(r->res, "Cache-Control", "no-store");
    web_security_headers(r->res);
}

void web_assets_serve(struct app_request *r)
{
    const char *name = http_param(r->req, "name");
    const struct web_asset *a = name ? web_asset_find(name, strlen(name)) : NULL;
    int gz;

    web_security_headers(r->res);
    if (!a || a->page) {
        http_respond_text(r->res, 404, "No such asset.\n");
        return;
    }
    gz = a->gzip && web_accepts_gzip(r->req);
    if (etag_matches(r->req, a))
        http_respond(r->res, 304, NULL, NULL, 0);
    else
        send_body(r, 200, a);
    if (r->res->status == 304 && a->gzip)
        http_add_header(r->res, "Vary", "Accept-Encoding");
    http_add_header(r->res, "ETag", gz ? a->etag_gzip : a->etag);
    http_add_header(r->res, "Cache-Control",
                    query_names_version(r->req, a) ? CACHE_IMMUTABLE : "no-cache");
}
