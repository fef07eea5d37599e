/*
 * assets.h — the web pages, scripts and styles built into the binary.
 *
 * Everything under web/ (and the npm libraries CMakeLists.txt names) is
 * turned into C at build time by tools/embed_assets.c; this module looks the
 * result up by name. Nothing is read from disk at run time, so the binary
 * alone serves every page. See docs/web.md for how to add an asset.
 *
 * Every asset has a hash: the first 32 hex digits of SHA-256 of its bytes.
 * It is the asset's strong ETag ("<hash>", or "<hash>-gz" for the gzip
 * variant) and its version in URLs: pages name assets as
 * /assets/NAME?v=HASH (the build fills "{{asset:NAME}}" placeholders in
 * HTML), so a changed script gets a new URL and may be cached for a year.
 */
#ifndef HL_WEB_ASSETS_H
#define HL_WEB_ASSETS_H

#include <stddef.h>

#define WEB_ASSET_HASH_LEN 32 /* hex digits */

struct web_asset {
    const char *name;         /* "memo.js": its file name under web/ */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    const char *hash;         /* WEB_ASSET_HASH_LEN lowercase hex digits */
    const char *etag;         /* "\"<hash>\"" */
    const char *etag_gzip;    /* "\"<hash>-gz\"" */
    int page;                 /* 1: an HTML page, served by its own route, not under /assets/ */
    const unsigned char *data;
    size_t len;
    const unsigned char *gzip; /* gzip variant, or NULL when not worth it (small, binary) */
    size_t gzip_len;
};

/* The asset named name (len bytes, need not be NUL-terminated), or NULL. */
const struct web_asset *web_asset_find(const char *name, size_t len);

/* The generated table (tools/embed_assets.c writes it); for listings and tests. */
extern const struct web_asset web_asset_table[];
extern const size_t web_asset_count;

#endif
