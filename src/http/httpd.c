/*
 * httpd.c — the HTTP edge over libmicrohttpd.
 *
 * libmicrohttpd calls the access handler several times per request: once
 * when the head has arrived, once per chunk of body, and once more with no
 * data when the body is complete. An exchange (one per request) carries the
 * state between those calls. It is created by the URI log callback, which is
 * also the only place the raw request-target is seen exactly as the client
 * sent it — Twilio signs that, so it must never be re-encoded.
 */
#include "httpd.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/banned.h"

enum { EXCHANGE_ARENA_LIMIT = 16 << 20 };

struct httpd {
    struct MHD_Daemon *daemon;
    struct httpd_config cfg;
    atomic_int in_flight;
    atomic_int stopping; /* httpd_stop has begun: nothing new is parked */
    int port;
};

struct exchange {
    struct httpd *d;
    struct MHD_Connection *conn;
    struct arena arena;
    struct http_request req;
    struct http_response res;
    struct buf body;
    int started;
    int too_large;
    int head_too_large; /* more headers than HTTP_MAX_REQUEST_HEADERS */
    int handled;        /* the handler has run (its answer may have been deferred) */
    int sent;           /* a response is queued */
    int late; /* began after httpd_stop had started: never parked */
};

void http_resume(struct http_pending *pending)
{
    struct exchange *x = (struct exchange *)pending;

    if (!x->res.status)
        http_respond_text(&x->res, 500, "Internal error: no response.\n");
    MHD_resume_connection(x->conn);
}

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *name,
                                   const char *value)
{
    struct exchange *x = cls;
    struct http_header *h;

    (void)kind;
    if (x->req.header_count == HTTP_MAX_REQUEST_HEADERS) {
        x->head_too_large = 1;
        return MHD_NO;
    }
    h = &x->req.headers[x->req.header_count];
    h->name = arena_strdup(&x->arena, name);
    h->value = arena_strdup(&x->arena, value ? value : "");
    if (!h->name || !h->value) {
        x->head_too_large = 1;
        return MHD_NO;
    }
    x->req.header_count++;
    return MHD_YES;
}

/* Split the raw target into path and query. */
static void exchange_set_target(struct exchange *x, const char *uri)
{
    size_t len = strlen(uri);
    const char *copy = arena_strndup(&x->arena, uri, len);
    const char *q = memchr(copy, '?', len);

    x->req.target = copy;
    x->req.target_len = len;
    x->req.path = copy;
    x->req.path_len = q ? (size_t)(q - copy) : len;
    x->req.query = q ? q + 1 : "";
    x->req.query_len = q ? len - x->req.path_len - 1 : 0;
}

static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct httpd *d = cls;
    struct exchange *x = hl_calloc(1, sizeof(*x));

    x->d = d;
    arena_init(&x->arena, EXCHANGE_ARENA_LIMIT);
    buf_init(&x->body, d->cfg.max_body);
    x->req.arena = &x->arena;
    x->req.start_ns = http_now_ns();
    x->conn = conn;
    exchange_set_target(x, uri ? uri : "/");
    atomic_fetch_add(&d->in_flight, 1);
    x->late = atomic_load(&d->stopping); /* after the count: see httpd_stop */
    return x;
}

static void exchange_log(const struct exchange *x)
{
    char path[512];
    size_t n = x->req.path_len < sizeof(path) - 1 ? x->req.path_len : sizeof(path) - 1;

    memcpy(path, x->req.path, n);
    path[n] = '\0';
    log_info("request", LOG_S("method", x->req.method_name), LOG_S("path", path),
             LOG_S("route", x->res.log_route), LOG_I("status", x->res.status),
             LOG_I("duration_us", http_elapsed_us(&x->req)), LOG_S("call_sid", x->res.log_call_sid),
             LOG_S("message_sid", x->res.log_message_sid));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct httpd *d = cls;
    struct exchange *x = *con_cls;

    (void)conn;
    if (!x)
        return;
    if (x->res.status && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        exchange_log(x);
    else if (x->res.status)
        log_warn("response not delivered", LOG_S("method", x->req.method_name),
                 LOG_I("status", x->res.status), LOG_I("termination", toe));
    buf_release(&x->body);
    arena_release(&x->arena);
    free(x);
    *con_cls = NULL;
    atomic_fetch_sub(&d->in_flight, 1);
}

static enum MHD_Result exchange_send(struct exchange *x, struct MHD_Connection *conn)
{
    struct http_response *res = &x->res;
    struct MHD_Response *r;
    enum MHD_Result ok;
    size_t i;

    r = MHD_create_response_from_buffer(res->body_len, (void *)(res->body ? res->body : ""),
                                        MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (res->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    for (i = 0; i < res->header_count; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    ok = MHD_queue_response(conn, (unsigned)res->status, r);
    x->sent = 1;
    MHD_destroy_response(r);
    return ok;
}

static void respond_error(struct exchange *x, int status, const char *text)
{
    http_respond_text(&x->res, status, text);
    http_add_header(&x->res, "Connection", "close");
}

/* The head has arrived: refuse a declared body that is too large at once. */
static enum MHD_Result exchange_begin(struct exchange *x, struct MHD_Connection *conn,
                                      const char *method)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");

    x->started = 1;
    x->req.method_name = arena_strdup(&x->arena, method);
    x->req.method = http_method_from_name(method);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, copy_header, x);
    if (x->head_too_large) {
        respond_error(x, 431, "Too many request headers.\n");
        return exchange_send(x, conn);
    }
    if (cl && strtoull(cl, NULL, 10) > x->d->cfg.max_body) {
        respond_error(x, 413, "Request body too large: the limit is 1 MiB.\n");
        return exchange_send(x, conn);
    }
    return MHD_YES;
}

static enum MHD_Result exchange_finish(struct exchange *x, struct MHD_Connection *conn)
{
    if (x->too_large) {
        respond_error(x, 413, "Request body too large: the limit is 1 MiB.\n");
        return exchange_send(x, conn);
    }
    if (x->handled) /* resumed: the deferred answer is ready */
        return exchange_send(x, conn);
    x->req.body = buf_str(&x->body);
    x->req.body_len = x->body.len;
    x->handled = 1;
    x->d->cfg.handler(x->d->cfg.ctx, &x->req, &x->res);
    if (!x->res.status && x->res.defer_start && x->late) {
        /*
         * It began after stopping did: the wait for requests in flight may
         * be over, and libmicrohttpd must not be stopped under a parked
         * connection. Nothing has been done for it yet. (Requests that began
         * before are counted, and the stop waits for them.)
         */
        x->res.defer_start(x->res.defer_ctx, NULL); /* let it release what it holds */
        http_add_header(&x->res, "Retry-After", "5");
        respond_error(x, 503, "The server is stopping; try again shortly.\n");
        return exchange_send(x, conn);
    }
    if (!x->res.status && x->res.defer_start) {
        MHD_suspend_connection(conn); /* before start: it may resume at once */
        x->res.defer_start(x->res.defer_ctx, (struct http_pending *)x);
        return MHD_YES;
    }
    if (!x->res.status)
        respond_error(x, 500, "Internal error: no response.\n");
    return exchange_send(x, conn);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct exchange *x = *con_cls;

    (void)cls, (void)url, (void)version;
    if (!x)
        return MHD_NO;
    if (x->sent) { /* answered early (413): discard what is still coming */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!x->started)
        return exchange_begin(x, conn, method);
    if (*upload_data_size) {
        if (!x->too_large && buf_add(&x->body, upload_data, *upload_data_size) != HL_OK)
            x->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return exchange_finish(x, conn);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_debug("http edge", LOG_S("detail", msg));
}

static int resolve_host(const char *host, int port, struct sockaddr_storage *addr,
                        struct hl_err *err)
{
    struct addrinfo hints = {0}, *res = NULL;
    char service[16];
    int rc;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(service, sizeof(service), "%d", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0)
        return hl_err_set(err, HL_ECONFIG, "HOST: cannot use \"%s\": %s", host, gai_strerror(rc));
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return HL_OK;
}

int httpd_start(struct httpd **out, const struct httpd_config *cfg, struct hl_err *err)
{
    struct sockaddr_storage addr;
    struct httpd *d;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    const union MHD_DaemonInfo *info;
    int rc = resolve_host(cfg->host, cfg->port, &addr, err);

    if (rc != HL_OK)
        return rc;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    d = hl_calloc(1, sizeof(*d));
    d->cfg = *cfg;
    d->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_access, d, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, d, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        cfg->max_header, MHD_OPTION_URI_LOG_CALLBACK, on_request_line, d,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, d, MHD_OPTION_END);
    if (!d->daemon) {
        free(d);
        return hl_err_set(err, HL_EIO, "cannot listen on %s:%d (in use, or not permitted)",
                          cfg->host, cfg->port);
    }
    info = MHD_get_daemon_info(d->daemon, MHD_DAEMON_INFO_BIND_PORT);
    d->port = info ? info->port : cfg->port;
    *out = d;
    return HL_OK;
}

int httpd_port(const struct httpd *d)
{
    return d->port;
}

/* How much longer than the grace a stop waits for parked requests (a REST timeout and more). */
enum { HTTPD_STOP_EXTRA_MS = 30000 };

void httpd_stop(struct httpd *d, int grace_ms)
{
    struct timespec pause = {0, 10 * 1000000};
    int waited = 0;

    MHD_socket listener;

    atomic_store(&d->stopping, 1); /* before in_flight is read: see exchange_finish */
    listener = MHD_quiesce_daemon(d->daemon);

    while (atomic_load(&d->in_flight) > 0 && waited < grace_ms) {
        nanosleep(&pause, NULL);
        waited += 10;
    }
    /*
     * A parked request (a send waiting on Twilio) still owes its answer:
     * libmicrohttpd must not be stopped under it, so wait on, up to a hard
     * limit, saying why.
     */
    while (atomic_load(&d->in_flight) > 0 && waited < grace_ms + HTTPD_STOP_EXTRA_MS) {
        if (waited % 5000 == 0)
            log_warn("waiting for requests in flight before stopping",
                     LOG_I("in_flight", atomic_load(&d->in_flight)));
        nanosleep(&pause, NULL);
        waited += 10;
    }
    MHD_stop_daemon(d->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    free(d);
}

const char *httpd_library_version(void)
{
    return MHD_get_version();
}
