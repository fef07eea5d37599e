/*
 * httpd.h — the HTTP server: hotline's only user of libmicrohttpd.
 *
 * threads event loops, each its own libmicrohttpd daemon polling with epoll
 * on a shared listening socket (see httpd.c). The edge
 * reads a whole request (head and body, within limits), hands it to a single
 * handler, sends the handler's response and writes one access-log line.
 * Limits are answered here so handlers never see them: a body over
 * max_body gets 413, an oversized head 431, a slow or idle client is
 * dropped after timeout_s, and connections past max_connections are refused.
 *
 * httpd_stop() is graceful: it stops accepting, waits (up to grace_ms) for
 * requests already being handled to finish, then closes everything.
 */
#ifndef HL_HTTPD_H
#define HL_HTTPD_H

#include <stddef.h>

#include "core/hl.h"
#include "http/http.h"

struct httpd;

struct httpd_config {
    const char *host; /* IPv4 or IPv6 literal, or "localhost" */
    int port;         /* 0: any free port (see httpd_port) */
    int threads;
    int max_connections;
    int timeout_s;
    size_t max_body;   /* request bodies larger than this get 413 */
    size_t max_header; /* bytes for the request head; larger gets 431 */
    void (*handler)(void *ctx, struct http_request *req, struct http_response *res);
    void *ctx;
    /* Gets the items handlers passed to http_batch() in a round, of one loop or several
     * (batch_group.h); NULL if no handler ever batches. */
    void (*batch)(void *ctx, void **items, size_t n);
};

int httpd_start(struct httpd **out, const struct httpd_config *cfg, struct hl_err *err);

/* The port actually bound. */
int httpd_port(const struct httpd *d);

/* Stop accepting, let in-flight requests finish (at most grace_ms), free d. */
void httpd_stop(struct httpd *d, int grace_ms);

/* The HTTP library's version, for the self-test. */
const char *httpd_library_version(void);

#endif
