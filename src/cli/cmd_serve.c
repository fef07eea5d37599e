/*
 * cmd_serve.c — `hotline serve`: run the HTTP server until told to stop.
 *
 * Signals are blocked before any thread starts, so only this thread receives
 * SIGTERM/SIGINT (through sigwait) and shutdown runs here in order: stop
 * accepting, finish the requests in flight, close the store, write the log
 * lines still batched. Lines are batched only once the server is up, so a
 * failed start reads in order with the errors printed to stderr.
 *
 * glibc gives every thread that allocates an arena of its own (up to eight
 * per core), each keeping the memory it once held; serve's threads share
 * two (see docs/performance.md, peak RSS).
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "app/app.h"
#include "cli/runtime.h"
#include "core/log.h"
#include "http/httpd.h"
#include "core/banned.h"

enum {
    SERVE_MAX_BODY = 1 << 20,
    SERVE_MAX_HEAD = 16 << 10,
    SERVE_GRACE_MS = 10000,
    SERVE_MALLOC_ARENAS = 2,
};

static int start_http(struct runtime *rt, struct httpd **httpd)
{
    struct hl_err err = {0};
    struct httpd_config hc = {0};

    hc.host = rt->cfg.host;
    hc.port = (int)rt->cfg.port;
    hc.threads = (int)rt->cfg.http_threads;
    hc.max_connections = (int)rt->cfg.http_max_connections;
    hc.timeout_s = (int)rt->cfg.http_timeout_s;
    hc.max_body = SERVE_MAX_BODY;
    hc.max_header = SERVE_MAX_HEAD;
    hc.handler = app_handle;
    hc.batch = app_handle_batch;
    hc.ctx = &rt->app;
    if (httpd_start(httpd, &hc, &err) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int wait_for_stop(const sigset_t *set)
{
    int sig = 0;

    sigwait(set, &sig);
    return sig;
}

int cmd_serve(int argc, char **argv)
{
    struct runtime rt;
    struct httpd *httpd = NULL;
    sigset_t set;
    int rc, sig;

    (void)argc, (void)argv;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    mallopt(M_ARENA_MAX, SERVE_MALLOC_ARENAS); /* before any thread starts */
    if ((rc = runtime_open(&rt, RUNTIME_MIGRATE | RUNTIME_SERVE)) != 0)
        return rc;
    if ((rc = start_http(&rt, &httpd)) != 0) {
        runtime_close(&rt);
        return rc;
    }
    log_batch_start(); /* if it cannot start, lines are written one by one */
    log_info("listening", LOG_S("address", rt.cfg.host), LOG_I("port", httpd_port(httpd)),
             LOG_S("public_base_url", rt.cfg.public_base_url),
             LOG_S("twilio", config_emulator_mode(&rt.cfg) ? "emulator" : "account"),
             LOG_S("version", HL_VERSION));
    sig = wait_for_stop(&set);
    log_info("stopping", LOG_S("signal", sig == SIGINT ? "SIGINT" : "SIGTERM"));
    httpd_stop(httpd, SERVE_GRACE_MS);
    runtime_close(&rt);
    log_info("stopped");
    log_batch_stop();
    return 0;
}
