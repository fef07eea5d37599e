/*
 * auth.c — bearer keys and the per-key send rate of the JSON API.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/ratelimit.h"
#include "crypto/crypto.h"
#include "core/banned.h"

/* The token of "Authorization: Bearer <token>", or NULL. */
static const char *bearer_token(const struct http_request *req)
{
    const char *h = http_header(req, "Authorization");

    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

int api_key_index(const struct config *cfg, const char *key)
{
    size_t i, len = strlen(key);
    int match = -1;

    /* No early exit: the time taken does not depend on which key matched. */
    for (i = 0; i < cfg->api_key_count; i++)
        if (crypto_equal(cfg->api_keys[i], strlen(cfg->api_keys[i]), key, len) && match < 0)
            match = (int)i;
    return match;
}

int api_authorize(struct app_request *r)
{
    const struct config *cfg = r->app->cfg;
    const char *token = bearer_token(r->req);
    int match;

    if (!token) {
        http_add_header(r->res, "WWW-Authenticate", "Bearer realm=\"hotline\"");
        app_json_error(r->res, r->req->arena, 401, "unauthorized",
                       "Send Authorization: Bearer <key> with a key from API_KEYS.");
        return -1;
    }
    if ((match = api_key_index(cfg, token)) < 0)
        app_json_error(r->res, r->req->arena, 403, "forbidden",
                       cfg->api_key_count ? "The API key is not valid."
                                          : "No API keys are configured: set API_KEYS.");
    return match;
}

int api_allow_send(struct app_request *r, int key)
{
    long retry_after = 1;

    if (ratelimit_take(r->app->send_limit, (size_t)key, http_now_ns(), &retry_after))
        return 1;
    http_add_header(r->res, "Retry-After", arena_printf(r->req->arena, "%ld", retry_after));
    app_json_error(r->res, r->req->arena, 429, "rate_limited",
                   arena_printf(r->req->arena,
                                "Too many sends with this key; try again in %ld s.", retry_after));
    return 0;
}
