/*
 * page.h — answering browsers: HTML pages and the assets they load, with the
 * same security and cache headers everywhere (docs/web.md).
 *
 * Every answer built here carries
 *
 *     Content-Security-Policy   WEB_CSP: scripts, styles, images, media and
 *                               fetches from this origin only, no inline
 *                               script or style, no framing, no <base>
 *     Referrer-Policy           no-referrer
 *     X-Content-Type-Options    nosniff (added by the HTTP edge to every answer)
 *
 * Pages are never cached (Cache-Control: no-store): they may change with
 * the data behind them. Assets are cached by version: a request that names
 * the asset's current hash (?v=HASH, as pages do) may be kept for a year
 * (public, max-age=31536000, immutable); any other is revalidated
 * (no-cache) with its strong ETag, and If-None-Match gets 304. Text assets
 * go gzip-compressed when the client accepts gzip and it is smaller
 * (Vary: Accept-Encoding).
 */
#ifndef HL_WEB_PAGE_H
#define HL_WEB_PAGE_H

#include "app/app.h"

#define WEB_CSP                                                                                 \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "   \
    "media-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; "        \
    "frame-ancestors 'none'"

/* Add the security headers above (CSP, Referrer-Policy) to res. */
void web_security_headers(struct http_response *res);

/*
 * Answer with the embedded HTML page name (e.g. "memo.html") and status
 * (200, or 404 for a "not found" page): security headers, no-store, gzip
 * when accepted. A page missing from the build is a 500 with a log line.
 */
void web_page_send(struct app_request *r, int status, const char *name);

/* GET /assets/{name}: an embedded script, style or image (never a page). */
void web_assets_serve(struct app_request *r);

/* 1 when the request's Accept-Encoding allows gzip (a "gzip" coding with q > 0). */
int web_accepts_gzip(const struct http_request *req);

#endif
