/*
 * httpd.c — the HTTP edge over libmicrohttpd.
 *
 * libmicrohttpd calls the access handler several times per request: once
 * when the head has arrived, once per chunk of body, and once more with no
 * data when the body is complete. An exchange (one per request) carries the
 * state between those calls. It is created by the URI log callback, which is
 * also the only place the raw request-target is seen exactly as the client
 * sent it — Twilio signs that, so it must never be re-encoded.
 *
 * The edge runs its own event loops: HTTP_THREADS threads, each with a
 * libmicrohttpd daemon in external-polling epoll mode, all accepting on one
 * listening socket. A round of a loop is: wait until something is ready, let
 * libmicrohttpd read and parse what is (MHD_run), then hand every request a
 * handler batched (http_batch) to the batch handler at once, on this thread.
 * A batched request simply has no response yet: libmicrohttpd keeps it
 * "ready" and asks for its response again in the next round, when it is
 * there. So webhooks that arrived together share one commit, with no thread
 * hand-over, no suspend/resume (two epoll_ctl and an eventfd write each) and
 * no waiting for a thread to wake up.
 *
 * Taken as it comes, a round's batch is what arrived while the last one was
 * being committed, and under load that settles into many small batches (six
 * or seven webhooks at 32 connections), each paying a whole commit. So, as
 * PostgreSQL's commit_delay does when other transactions are active, a round
 * that follows a batch of more than one gathers: it reads on until every
 * connection of the loop has a request waiting, GATHER_MAX are, or GATHER_US
 * have passed. A lone webhook on a quiet server is committed at once.
 *
 * The loops' batches then meet (batch_group.c): a loop at the end of its
 * round waits, as long as a gather at most, for the other loops holding
 * webhooks or about to, and their batches are committed together. The kernel
 * shares the connections out between the loops however it likes (at 32
 * connections, 32/0 as often as 31/1 or 17/15), and a loop left with one or
 * two of them had committed a transaction for every one or two webhooks.
 */
#define _GNU_SOURCE /* ppoll: a wait shorter than a millisecond */
#include "httpd.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "http/batch_group.h"
#include "core/log.h"
#include "core/banned.h"

enum {
    EXCHANGE_ARENA_LIMIT = 16 << 20,
    GATHER_US = 250, /* longest a busy round waits for its batch to fill */
    GATHER_MAX = 64, /* a batch this large is committed at once (per-row cost is flat past it) */
};

struct exchange;

/* One event loop: a thread and its daemon. */
struct loop {
    struct httpd *d;
    struct MHD_Daemon *daemon;
    pthread_t thread;
    int started;
    int quiesced;          /* no longer accepting: httpd_stop has begun */
    int wake;              /* eventfd: httpd_stop wakes the loop */
    struct exchange *held; /* requests batched in this round, newest first */
    size_t held_count;
    size_t last_batch; /* requests in the round's batch before */
    void **items;      /* their items, for the batch handler */
    size_t items_cap;
};

struct httpd {
    struct loop *loops;
    struct batch_group *group; /* where the loops' batches meet (NULL without a batch handler) */
    int n_loops;
    int listen_fd;
    struct httpd_config cfg;
    atomic_int in_flight;
    atomic_int stopping; /* httpd_stop has begun: nothing new is parked */
    atomic_int exiting;  /* the loops end their last round */
    int port;
};

struct exchange {
    struct httpd *d;
    struct loop *loop;
    struct exchange *next_held;
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
    int late;           /* began after httpd_stop had started: never parked */
    int held;           /* batched: waiting for the end of its round */
    int orphan;         /* its connection ended while it was held: freed after the round */
};

/*
 * Resume x's connection from any thread. In external-polling mode
 * libmicrohttpd does not wake its loop for a resumed connection, so the loop
 * is woken here; its next MHD_run() takes the connection back.
 */
static void resume_exchange(struct exchange *x)
{
    uint64_t one = 1;

    MHD_resume_connection(x->conn);
    (void)!write(x->loop->wake, &one, sizeof(one));
}

void http_resume(struct http_pending *pending)
{
    struct exchange *x = (struct exchange *)pending;

    if (!x->res.status)
        http_respond_text(&x->res, 500, "Internal error: no response.\n");
    resume_exchange(x);
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
    struct loop *l = cls;
    struct httpd *d = l->d;
    struct exchange *x = hl_calloc(1, sizeof(*x));

    x->d = d;
    x->loop = l;
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

static void exchange_free(struct exchange *x)
{
    struct httpd *d = x->d;

    buf_release(&x->body);
    arena_release(&x->arena);
    free(x);
    atomic_fetch_sub(&d->in_flight, 1);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct exchange *x = *con_cls;

    (void)cls, (void)conn;
    if (!x)
        return;
    *con_cls = NULL;
    if (x->held) { /* the client left mid-round: its item is still in the batch */
        x->orphan = 1;
        x->conn = NULL;
        return;
    }
    if (x->res.status && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        exchange_log(x);
    else if (x->res.status)
        log_warn("response not delivered", LOG_S("method", x->req.method_name),
                 LOG_I("status", x->res.status), LOG_I("termination", toe));
    exchange_free(x);
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
    if (x->handled && x->held) /* batched: answered at the end of its round */
        return MHD_YES;
    if (x->handled) /* resumed or batched: the answer is ready */
        return exchange_send(x, conn);
    x->req.body = buf_str(&x->body);
    x->req.body_len = x->body.len;
    x->handled = 1;
    x->d->cfg.handler(x->d->cfg.ctx, &x->req, &x->res);
    if (!x->res.status && x->res.batch_item && x->d->cfg.batch) {
        x->held = 1;
        x->next_held = x->loop->held;
        x->loop->held = x;
        if (x->loop->held_count++ == 0)
            batch_group_hold(x->d->group, (int)(x->loop - x->d->loops));
        return MHD_YES; /* no response yet: libmicrohttpd asks again next round */
    }
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
                        socklen_t *addr_len, struct hl_err *err)
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
    *addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return HL_OK;
}

/* The listening socket every loop accepts on (non-blocking, as epoll needs). */
static int open_listener(const struct httpd_config *cfg, int *fd_out, int *port_out,
                         struct hl_err *err)
{
    struct sockaddr_storage addr;
    socklen_t len;
    int one = 1, fd, rc = resolve_host(cfg->host, cfg->port, &addr, &len, err);

    if (rc != HL_OK)
        return rc;
    fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return hl_err_set(err, HL_EIO, "cannot create a socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (addr.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&addr, len) != 0 || listen(fd, SOMAXCONN) != 0) {
        close(fd);
        return hl_err_set(err, HL_EIO, "cannot listen on %s:%d (in use, or not permitted)",
                          cfg->host, cfg->port);
    }
    len = sizeof(addr);
    getsockname(fd, (struct sockaddr *)&addr, &len);
    *port_out = ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                                 : ((struct sockaddr_in *)&addr)->sin_port);
    *fd_out = fd;
    return HL_OK;
}

/* Hand the round's batched requests to the batch handler; they are answered next round. */
static void loop_run_batch(struct loop *l)
{
    struct httpd *d = l->d;
    struct exchange *x, *next;
    size_t n = 0, i;

    for (x = l->held; x; x = x->next_held)
        n++;
    if (n > l->items_cap) {
        l->items_cap = n > 64 ? n : 64;
        l->items = hl_realloc(l->items, l->items_cap * sizeof(*l->items));
    }
    for (x = l->held, i = n; x; x = x->next_held) /* held is newest first */
        l->items[--i] = x->res.batch_item;
    batch_group_run(d->group, (int)(l - d->loops), l->items, n);
    l->last_batch = n;
    l->held_count = 0;
    for (x = l->held, l->held = NULL; x; x = next) {
        next = x->next_held;
        x->held = 0;
        if (x->orphan)
            exchange_free(x);
        else if (!x->res.status)
            http_respond_text(&x->res, 500, "Internal error: no response.\n");
    }
}

/* Wait until the daemon has something to do (or httpd_stop wakes the loop). */
static void loop_wait(struct loop *l, int epoll_fd)
{
    struct pollfd fds[2] = {{epoll_fd, POLLIN, 0}, {l->wake, POLLIN, 0}};
    MHD_UNSIGNED_LONG_LONG timeout_ms;
    int timeout = -1;
    uint64_t drained;

    if (MHD_get_timeout(l->daemon, &timeout_ms) == MHD_YES)
        timeout = timeout_ms > 60000 ? 60000 : (int)timeout_ms;
    if (timeout != 0 && poll(fds, 2, timeout) > 0 && (fds[1].revents & POLLIN))
        (void)!read(l->wake, &drained, sizeof(drained));
}

/* After a busy round: read on until the batch is worth committing (see the top). */
static void loop_gather(struct loop *l, int epoll_fd)
{
    uint64_t deadline = http_now_ns() + GATHER_US * 1000ull;

    for (;;) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        struct pollfd fd = {epoll_fd, POLLIN, 0};
        uint64_t now = http_now_ns();
        struct timespec wait = {0, (long)(deadline - now)};

        if (l->held_count >= GATHER_MAX || (info && l->held_count >= info->num_connections) ||
            now >= deadline || ppoll(&fd, 1, &wait, NULL) <= 0)
            return;
        MHD_run(l->daemon);
    }
}

static void *loop_main(void *arg)
{
    struct loop *l = arg;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    int epoll_fd = info->epoll_fd;

    while (!atomic_load(&l->d->exiting)) {
        loop_wait(l, epoll_fd);
        if (atomic_load(&l->d->stopping) && !l->quiesced) {
            MHD_quiesce_daemon(l->daemon); /* on this thread: it races with MHD_run */
            l->quiesced = 1;
        }
        MHD_run(l->daemon);
        if (l->held && l->last_batch > 1)
            loop_gather(l, epoll_fd);
        if (l->held)
            loop_run_batch(l);
    }
    return NULL;
}

static int loop_start(struct httpd *d, struct loop *l, unsigned connections, struct hl_err *err)
{
    const struct httpd_config *cfg = &d->cfg;
    unsigned flags = MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

    l->d = d;
    l->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    l->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, l, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, d,
        MHD_OPTION_LISTEN_SOCKET, d->listen_fd, MHD_OPTION_CONNECTION_LIMIT, connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        cfg->max_header, MHD_OPTION_URI_LOG_CALLBACK, on_request_line, l,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, l, MHD_OPTION_END);
    if (l->wake < 0 || !l->daemon)
        return hl_err_set(err, HL_EIO, "cannot start the HTTP server on %s:%d", cfg->host,
                          cfg->port);
    if (pthread_create(&l->thread, NULL, loop_main, l) != 0)
        return hl_err_set(err, HL_EIO, "cannot start an HTTP thread");
    l->started = 1;
    return HL_OK;
}

/* Wake every loop for a round (it sees stopping or exiting). */
static void wake_loops(struct httpd *d)
{
    uint64_t one = 1;
    int i;

    for (i = 0; i < d->n_loops; i++)
        if (d->loops[i].wake >= 0)
            (void)!write(d->loops[i].wake, &one, sizeof(one));
}

/* Stop the loops' threads, then their daemons (they close what is left), and the socket. */
static void loops_end(struct httpd *d)
{
    int i;

    atomic_store(&d->exiting, 1);
    wake_loops(d);
    for (i = 0; i < d->n_loops; i++) {
        struct loop *l = &d->loops[i];
        if (l->started)
            pthread_join(l->thread, NULL);
        if (l->daemon) {
            if (!l->quiesced)
                MHD_quiesce_daemon(l->daemon); /* the socket is ours to close */
            MHD_stop_daemon(l->daemon);
        }
        if (l->wake >= 0)
            close(l->wake);
        free(l->items);
    }
    close(d->listen_fd);
    batch_group_free(d->group);
    free(d->loops);
    free(d);
}

int httpd_start(struct httpd **out, const struct httpd_config *cfg, struct hl_err *err)
{
    struct httpd *d = hl_calloc(1, sizeof(*d));
    int i, n = cfg->threads > 0 ? cfg->threads : 1;
    unsigned per_loop = (unsigned)((cfg->max_connections + n - 1) / n);
    int rc = open_listener(cfg, &d->listen_fd, &d->port, err);

    if (rc != HL_OK) {
        free(d);
        return rc;
    }
    d->cfg = *cfg;
    d->loops = hl_calloc((size_t)n, sizeof(*d->loops));
    if (cfg->batch)
        d->group = batch_group_new(cfg->batch, cfg->ctx, n, GATHER_US);
    for (i = 0; i < n; i++)
        d->loops[i].wake = -1;
    d->n_loops = n;
    for (i = 0; i < n && rc == HL_OK; i++)
        rc = loop_start(d, &d->loops[i], per_loop, err);
    if (rc != HL_OK) {
        loops_end(d);
        return rc;
    }
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

    atomic_store(&d->stopping, 1); /* before in_flight is read: see exchange_finish */
    wake_loops(d);                 /* each stops accepting */

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
    loops_end(d);
}

const char *httpd_library_version(void)
{
    return MHD_get_version();
}
