/*
 * http.h — the request and response every handler sees.
 *
 * The edge (httpd.c) fills a struct http_request for each complete request
 * and hands it to one handler, which fills a struct http_response. Handlers
 * never see libmicrohttpd: headers are read with http_header(), and all
 * memory a handler needs comes from req->arena, released when the exchange
 * ends. Strings in a response must live at least that long (the arena, or
 * static storage).
 */
#ifndef HL_HTTP_H
#define HL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_HEAD = 1 << 1,
    HTTP_POST = 1 << 2,
    HTTP_PUT = 1 << 3,
    HTTP_DELETE = 1 << 4,
    HTTP_PATCH = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
    HTTP_OTHER = 1 << 7,
};

/* Most headers a response may add (beyond Content-Type and Content-Length). */
#define HTTP_MAX_RESPONSE_HEADERS 16
#define HTTP_MAX_PATH_PARAMS      4

struct http_param {
    const char *name;
    const char *value; /* percent-decoded */
};

/* Most request headers kept; a request with more gets 431. */
#define HTTP_MAX_REQUEST_HEADERS 64

struct http_header {
    const char *name;
    const char *value;
};

/* A response that is finished later, from any thread (see http_defer). */
struct http_pending;

struct http_request {
    enum http_method method;
    const char *method_name;
    const char *target; /* raw request-target as received: path and query, never re-encoded */
    size_t target_len;
    const char *path; /* raw path: target up to '?' (not NUL-terminated there; use path_len) */
    size_t path_len;
    const char *query; /* raw query after '?', "" when none */
    size_t query_len;
    const char *body; /* NUL-terminated copy of the body; body_len is authoritative */
    size_t body_len;
    struct http_param params[HTTP_MAX_PATH_PARAMS]; /* filled by the router */
    size_t param_count;
    struct http_header headers[HTTP_MAX_REQUEST_HEADERS]; /* copies, in the arena */
    size_t header_count;
    struct arena *arena;
    uint64_t start_ns; /* when the request line arrived (CLOCK_MONOTONIC) */
};

struct http_response {
    int status;
    const char *content_type;
    const char *body;
    size_t body_len;
    struct {
        const char *name;
        const char *value;
    } headers[HTTP_MAX_RESPONSE_HEADERS];
    size_t header_count;
    /* Set by http_defer(): the edge parks the connection, then calls defer_start. */
    void (*defer_start)(void *ctx, struct http_pending *pending);
    void *defer_ctx;
    /* Set by http_batch(): answered after the edge's batch handler has run it. */
    void *batch_item;
    /* Annotations for the access log line; NULL when not known. */
    const char *log_route;
    const char *log_call_sid;
    const char *log_message_sid;
};

/* A request header by case-insensitive name, or NULL. Safe from any thread. */
const char *http_header(const struct http_request *req, const char *name);

/*
 * Answer later. Instead of filling res now, a handler calls http_defer()
 * and returns; the edge parks the connection (its thread goes on serving
 * others) and calls start(ctx, pending). Whoever then holds pending fills
 * res — on any thread, with req and its arena still valid — and calls
 * http_resume(pending) exactly once, after which neither may be touched.
 *
 * When the server is stopping it parks nothing new: it answers 503 itself
 * and calls start(ctx, NULL), which must then only release what ctx holds.
 */
void http_defer(struct http_response *res, void (*start)(void *ctx, struct http_pending *pending),
                void *ctx);
void http_resume(struct http_pending *pending);

/*
 * Answer at the end of this round. Instead of filling res now, a handler
 * calls http_batch() and returns. Each round of its event loop, a thread of
 * the edge reads every request that is ready, then hands the items of all
 * those batched to the batch handler of its httpd_config in one call (with
 * several loops, one call may carry other loops' rounds too, made on any of
 * their threads while the others wait), and only then answers them: what the
 * batch handler does once (a commit) is shared by every request of the round,
 * with no parking. The batch handler must fill each item's res
 * (the edge answers 500 where it did not) and should not block for long:
 * the thread's other connections wait for it.
 */
void http_batch(struct http_response *res, void *item);

/* A path parameter by name, or NULL. */
const char *http_param(const struct http_request *req, const char *name);

/* Set status, type and body (body must outlive the exchange). */
void http_respond(struct http_response *res, int status, const char *content_type, const char *body,
                  size_t len);

/* A plain-text answer ("Not found\n"), for errors outside the JSON API. */
void http_respond_text(struct http_response *res, int status, const char *text);

/* Add a header; silently ignored past HTTP_MAX_RESPONSE_HEADERS (a programming error). */
void http_add_header(struct http_response *res, const char *name, const char *value);

/* Content-Type of the request without parameters matches type (case-insensitive)? */
int http_content_type_is(const struct http_request *req, const char *type);

/* The method as a bit, from its name. */
enum http_method http_method_from_name(const char *name);

/* Microseconds since req->start_ns. */
uint64_t http_elapsed_us(const struct http_request *req);

/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t http_now_ns(void);

#endif
