/*
 * cmd_demo.c — `hotline demo`: every built-in flow, end to end, offline.
 *
 * Starts `hotline serve` in emulator mode on a free loopback port with a
 * temporary database and media folder (its working directory is that
 * folder, so no .env of yours is read), then plays a scripted caller
 * through each built-in flow with `hotline sim call` and prints each
 * transcript under the flow's name. A flow passes when its call completes
 * without an error, its caller was recorded, hotline hung up at the end of
 * the flow, and its own mark shows (the menu choice, the consent...). Then it waits (bounded)
 * for each recording's pipeline job and prints what the pipeline made of the call: the
 * transcript, the analysis (intent, requested time, summary), the booking, and the memo link
 * sent to the owner's phone — here the emulator's outbox (demo_results.c). The server is
 * stopped by its PID and the folder removed. Exit 0 when every flow and every pipeline
 * finished.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/demo_results.h"
#include "core/buf.h"
#include "core/banned.h"

enum { DEMO_START_WAIT_MS = 15000, DEMO_OUTPUT_MAX = 256 << 10, DEMO_PIPELINE_WAIT_MS = 30000 };

/* The owner's phone in the demo: the emulator delivers the memo links to its outbox. */
#define DEMO_OWNER_PHONE "+15005550199"

struct demo_flow {
    const char *flow;
    const char *script[6];
    const char *expect; /* must appear in the transcript, besides the recording and the goodbye */
};

static const struct demo_flow demo_flows[] = {
    {"ivr-tts", {"--digits", "1", "--say", "I would like to check my balance, please."},
     "caller: presses 1"},
    {"receptionist", {"--say", "I need an appointment tomorrow at 3 PM."},
     "We will reply on WhatsApp"},
    {"record-analyze", {"--say", "I am interested in your premium plan."}, "This call is recorded"},
    {"outbound-consent", {"--speech", "yes", "--say", "Yes, next Tuesday works for me."},
     "may I record this call"},
    {"voicemail", {"--say", "Hi, this is Ada. Please call me back tomorrow."},
     "Your message has been saved"},
};

struct demo {
    char dir[64];
    char port[8];
    char exe[4096];
    pid_t server;
};

static int free_port(char out[8])
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
         getsockname(fd, (struct sockaddr *)&a, &len) == 0;
    if (fd >= 0)
        close(fd);
    snprintf(out, 8, "%d", ntohs(a.sin_port));
    return ok ? 0 : -1;
}

/* The environment every child gets: emulator mode, everything under the demo folder. */
static void child_env(const struct demo *d)
{
    static const char *const drop[] = {"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                                       "TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET",
                                       "TWILIO_API_BASE",    "PUBLIC_BASE_URL",
                                       "FLOW",               "FLOWS_DIR",
                                       "DATABASE_URL",       "MEDIA_DIR",
                                       "TTS_ENGINE",         "HTTP_THREADS"};
    char buf[256];
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(drop); i++)
        unsetenv(drop[i]);
    setenv("HOST", "127.0.0.1", 1);
    setenv("PORT", d->port, 1);
    setenv("LOG_LEVEL", "warn", 1);
    snprintf(buf, sizeof(buf), "sqlite:%s/demo.db", d->dir);
    setenv("DATABASE_URL", buf, 1);
    snprintf(buf, sizeof(buf), "%s/media", d->dir);
    setenv("MEDIA_DIR", buf, 1);
    snprintf(buf, sizeof(buf), "%s/emulator-account", d->dir);
    setenv("SIM_ACCOUNT_FILE", buf, 1);
    setenv("OWNER_PHONE", DEMO_OWNER_PHONE, 1);
}

/* Run `hotline ARGS` with stdout to out_fd (or inherited with -1); returns its pid. */
static pid_t spawn(const struct demo *d, char *const argv[], int out_fd, int err_fd)
{
    pid_t pid = fork();

    if (pid != 0)
        return pid;
    if (chdir(d->dir) != 0)
        _exit(126);
    if (out_fd >= 0)
        dup2(out_fd, STDOUT_FILENO);
    if (err_fd >= 0)
        dup2(err_fd, STDERR_FILENO);
    execv(d->exe, argv);
    _exit(127);
}

static int server_healthy(const struct demo *d)
{
    CURL *c = curl_easy_init();
    char url[64];
    long status = 0;

    snprintf(url, sizeof(url), "http://127.0.0.1:%s/health", d->port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 500L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return status == 200;
}

static int start_server(struct demo *d)
{
    char *argv[] = {d->exe, "serve", NULL};
    char log_path[128];
    int fd, waited;

    snprintf(log_path, sizeof(log_path), "%s/server.log", d->dir);
    fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    d->server = spawn(d, argv, fd, fd);
    if (fd >= 0)
        close(fd);
    for (waited = 0; waited < DEMO_START_WAIT_MS; waited += 50) {
        int status;
        if (server_healthy(d))
            return 0;
        if (waitpid(d->server, &status, WNOHANG) == d->server) {
            d->server = 0;
            break;
        }
        usleep(50 * 1000);
    }
    fprintf(stderr, "hotline: demo: the server did not start (see %s)\n", log_path);
    return 1;
}

static void stop_server(struct demo *d)
{
    int status;

    if (d->server > 0) {
        kill(d->server, SIGTERM);
        waitpid(d->server, &status, 0);
    }
    d->server = 0;
}

/* Read all of fd into out, echoing it indented. */
static void relay(int fd, struct buf *out)
{
    char chunk[4096];
    ssize_t n;

    while ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR)) {
        if (n <= 0)
            continue;
        buf_add(out, chunk, (size_t)n);
        fwrite(chunk, 1, (size_t)n, stdout);
        fflush(stdout);
    }
}

/* The RecordingSid in "twilio: recording 2 s (RE...)" of a transcript, into out. */
static void recording_sid_of(const char *transcript, char *out, size_t size)
{
    const char *at = strstr(transcript, "twilio: recording ");

    out[0] = '\0';
    if (at && (at = strstr(at, "(RE")) != NULL)
        snprintf(out, size, "%.*s", (int)strspn(at + 1, "RE0123456789abcdef"), at + 1);
}

static int run_flow(const struct demo *d, const struct demo_flow *f, struct demo_call *call)
{
    char *argv[16] = {(char *)d->exe, "sim", "call", "--flow", (char *)f->flow};
    struct buf out = BUF_INIT(DEMO_OUTPUT_MAX);
    int fds[2], status = 0, ok;
    size_t i, n = 5;
    pid_t pid;

    for (i = 0; i < HL_ARRAY_LEN(f->script) && f->script[i]; i++)
        argv[n++] = (char *)f->script[i];
    printf("\n=== %s ===\n", f->flow);
    fflush(stdout);
    if (pipe(fds) != 0)
        return 0;
    pid = spawn(d, argv, fds[1], fds[1]);
    close(fds[1]);
    relay(fds[0], &out);
    close(fds[0]);
    waitpid(pid, &status, 0);
    ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && out.len &&
         strstr(buf_str(&out), f->expect) && strstr(buf_str(&out), "twilio: recording ") &&
         strstr(buf_str(&out), "hotline: hangs up");
    call->flow = f->flow;
    recording_sid_of(out.len ? buf_str(&out) : "", call->recording_sid,
                     sizeof(call->recording_sid));
    printf("--- %s: %s\n", f->flow, ok ? "reached its end" : "FAILED");
    buf_release(&out);
    return ok;
}

static void remove_dir(const struct demo *d)
{
    char *argv[] = {"rm", "-rf", (char *)d->dir, NULL};
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        execv("/bin/rm", argv);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, &status, 0);
}

/* Wait for the pipelines and print their results; how many finished. */
static size_t show_results(const struct demo *d, const struct demo_call *calls, size_t n)
{
    char db[128], media[128], base[64], account[128];
    struct demo_place place = {db, media, base, account};

    snprintf(db, sizeof(db), "sqlite:%s/demo.db", d->dir);
    snprintf(media, sizeof(media), "%s/media", d->dir);
    snprintf(base, sizeof(base), "http://127.0.0.1:%s", d->port);
    snprintf(account, sizeof(account), "%s/emulator-account", d->dir);
    return demo_print_results(&place, calls, n, DEMO_PIPELINE_WAIT_MS);
}

int cmd_demo(int argc, char **argv)
{
    struct demo d = {{0}, {0}, {0}, 0};
    struct demo_call calls[HL_ARRAY_LEN(demo_flows)];
    ssize_t n = readlink("/proc/self/exe", d.exe, sizeof(d.exe) - 1);
    size_t i, passed = 0, finished = 0, total = HL_ARRAY_LEN(demo_flows);
    struct timespec t0, t1;

    (void)argv;
    if (argc > 1)
        return fprintf(stderr, "usage: hotline demo\n"), 2;
    snprintf(d.dir, sizeof(d.dir), "/tmp/hotline-demo-XXXXXX");
    if (n <= 0 || !mkdtemp(d.dir) || free_port(d.port) != 0)
        return fprintf(stderr, "hotline: demo: cannot prepare a temporary server\n"), 1;
    memset(calls, 0, sizeof(calls));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    signal(SIGPIPE, SIG_IGN);
    child_env(&d);
    if (start_server(&d) == 0) {
        for (i = 0; i < total; i++)
            passed += (size_t)run_flow(&d, &demo_flows[i], &calls[i]);
        finished = show_results(&d, calls, total);
    }
    stop_server(&d);
    remove_dir(&d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("\n%zu of %zu flows reached their end, %zu of %zu pipelines finished, in %.1f s\n",
           passed, total, finished, total,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return passed == total && finished == total ? 0 : 1;
}
