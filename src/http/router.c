/*
 * router.c — segment-by-segment pattern matching.
 */
#include "router.h"

#include <string.h>

#include "http/form.h"
#include "core/banned.h"

/* Length of the segment starting at s (up to '/' or end). */
static size_t segment_len(const char *s, size_t len)
{
    const char *slash = memchr(s, '/', len);

    return slash ? (size_t)(slash - s) : len;
}

static enum router_result bind_param(struct http_request *req, const char *name, size_t name_len,
                                     const char *raw, size_t raw_len)
{
    char *value = arena_alloc(req->arena, raw_len + 1);
    const char *copy = arena_strndup(req->arena, name, name_len);
    long n;

    if (!value || !copy || req->param_count == HTTP_MAX_PATH_PARAMS)
        return ROUTER_TOO_LARGE;
    n = form_unescape(value, raw, raw_len, 0, NULL);
    if (n < 0 || memchr(value, '\0', (size_t)n))
        return ROUTER_BAD_ESCAPE;
    req->params[req->param_count].name = copy;
    req->params[req->param_count].value = value;
    req->param_count++;
    return ROUTER_MATCH;
}

enum router_result router_match(const char *pattern, struct http_request *req)
{
    const char *p = pattern, *s = req->path;
    size_t plen = strlen(pattern), slen = req->path_len;

    req->param_count = 0;
    while (plen && slen) {
        size_t pseg = segment_len(p, plen), sseg = segment_len(s, slen);
        if (pseg > 2 && p[0] == '{' && p[pseg - 1] == '}') {
            if (sseg == 0)
                return ROUTER_NO_MATCH;
            enum router_result bound = bind_param(req, p + 1, pseg - 2, s, sseg);
            if (bound != ROUTER_MATCH)
                return bound;
        } else if (pseg != sseg || memcmp(p, s, pseg) != 0) {
            return ROUTER_NO_MATCH;
        }
        p += pseg, plen -= pseg, s += sseg, slen -= sseg;
        if (plen && slen && *p == '/' && *s == '/')
            p++, plen--, s++, slen--;
        else if (plen || slen)
            return ROUTER_NO_MATCH;
    }
    return (plen == 0 && slen == 0) ? ROUTER_MATCH : ROUTER_NO_MATCH;
}
