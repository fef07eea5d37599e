/*
 * cmd_sim.c — `hotline sim`: the built-in Twilio emulator from the command line.
 *
 *   hotline sim serve [--port N]
 *       runs the emulator alone on HOST:SIM_PORT with its own HTTP edge, until
 *       SIGTERM/SIGINT (the same signal pattern as `hotline serve`). Its
 *       webhooks go to PUBLIC_BASE_URL, where hotline is expected.
 *   hotline sim sms --from +1... [--to +1...] [--whatsapp] TEXT
 *       a phone texts the business: POST {TWILIO_API_BASE}/sim/Messages.json
 *       with the emulator account's credentials, and print hotline's reply.
 *   hotline sim call [--flow NAME] [--from +1...] [--to +1...] [--url URL]
 *                    [--digits 1] [--speech TEXT] [--say TEXT] [--dial STATUS] ...
 *       a phone calls the business: POST {TWILIO_API_BASE}/sim/Calls.json with
 *       the script (options repeatable, order kept), then print the transcript
 *       as it happens (polled every 100 ms). Exit 0 when the call ended
 *       without an error, 1 when it ended with one (12100 ...) or the emulator
 *       could not be reached, 2 on wrong usage.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/log.h"
#include "http/httpd.h"
#include "sim/sim.h"
#include "core/banned.h"

enum { SIM_MAX_BODY = 1 << 20, SIM_MAX_HEAD = 32 << 10, SIM_GRACE_MS = 10000 };
enum { SMS_TIMEOUT_S = 20, SMS_MAX_ANSWER = 1 << 20 };

static int usage(const char *problem)
{
    fprintf(stderr, "hotline: sim: %s\n", problem);
    fputs(cli_find("sim")->usage, stderr);
    return 2;
}

/* A port number from text, or -1. */
static long parse_port(const char *text)
{
    char *end;
    long n = strtol(text, &end, 10);

    return *text && !*end && n >= 1 && n <= 65535 ? n : -1;
}

static int load_account(const struct config *cfg, struct sim_account *acct)
{
    struct hl_err err = {0};

    if (sim_account_load(acct, cfg->sim_account_file, &err) != HL_OK) {
        fprintf(stderr, "hotline: emulator account: %s\n", err.msg);
        return 1;
    }
    log_add_secret(acct->token);
    log_add_secret(acct->api_key_secret);
    return 0;
}

/* ---- sim serve ------------------------------------------------------------------------------ */

static void serve_handle(void *ctx, struct http_request *req, struct http_response *res)
{
    if (!sim_handle(ctx, req, res))
        http_respond_text(res, 404, "Not found: this is hotline's Twilio emulator.\n");
}

static int start_http(const struct config *cfg, long port, struct sim *sim, struct httpd **out)
{
    struct hl_err err = {0};
    struct httpd_config hc = {0};

    hc.host = cfg->host;
    hc.port = (int)port;
    hc.threads = (int)cfg->http_threads;
    hc.max_connections = (int)cfg->http_max_connections;
    hc.timeout_s = (int)cfg->http_timeout_s;
    hc.max_body = SIM_MAX_BODY;
    hc.max_header = SIM_MAX_HEAD;
    hc.handler = serve_handle;
    hc.ctx = sim;
    if (httpd_start(out, &hc, &err) != HL_OK) {
        fprintf(stderr, "hotline: sim serve: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int serve_args(int argc, char **argv, long *port)
{
    int i;

    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc && (*port = parse_port(argv[++i])) > 0)
            continue;
        return usage(strcmp(argv[i], "--port") == 0 ? "--port needs a number from 1 to 65535"
                                                    : "sim serve takes only --port N");
    }
    return 0;
}

/* Run until SIGTERM or SIGINT, with sim already started. */
static int serve_until_signal(const struct config *cfg, long port, struct sim *sim,
                              const struct sim_account *acct, const sigset_t *set)
{
    struct httpd *httpd = NULL;
    int sig = 0;

    if (start_http(cfg, port, sim, &httpd) != 0)
        return 1;
    fprintf(stderr,
            "hotline sim: Twilio emulator at http://%s:%d (account %s); webhooks go to %s\n",
            cfg->host, httpd_port(httpd), acct->sid, cfg->public_base_url);
    log_info("emulator listening", LOG_S("address", cfg->host), LOG_I("port", httpd_port(httpd)),
             LOG_S("account_sid", acct->sid), LOG_S("webhook_base", cfg->public_base_url));
    sigwait(set, &sig);
    log_info("emulator stopping", LOG_S("signal", sig == SIGINT ? "SIGINT" : "SIGTERM"));
    httpd_stop(httpd, SIM_GRACE_MS);
    return 0;
}

static int sim_serve(int argc, char **argv)
{
    struct config cfg;
    struct sim_account acct;
    struct sim *sim = NULL;
    struct hl_err err = {0};
    sigset_t set;
    long port = 0;
    int rc;

    if ((rc = serve_args(argc, argv, &port)) != 0)
        return rc;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((rc = cli_load_config(&cfg)) != 0)
        return rc;
    if ((rc = load_account(&cfg, &acct)) == 0) {
        struct sim_options so = {0};
        char self[300];
        snprintf(self, sizeof(self), "http://%s:%ld", cfg.host, port ? port : cfg.sim_port);
        so.account = &acct;
        so.webhook_base = cfg.public_base_url;
        so.rate_limit = cfg.sim_rate_limit;
        if (sim_new(&sim, &so, &err) != HL_OK) {
            fprintf(stderr, "hotline: emulator: %s\n", err.msg);
            rc = 1;
        } else {
            sim_set_self_base(sim, self); /* RecordingUrl: hotline downloads recordings here */
            rc = serve_until_signal(&cfg, port ? port : cfg.sim_port, sim, &acct, &set);
        }
    }
    sim_free(sim);
    config_release(&cfg);
    if (rc == 0)
        log_info("emulator stopped");
    return rc;
}

/* ---- sim sms ------------------------------------------------------------------------------- */

struct sms_args {
    const char *from, *to;
    int whatsapp;
    struct buf text;
};

static int sms_args(int argc, char **argv, struct sms_args *a)
{
    int i;

    for (i = 2; i < argc; i++) {
        if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) && i + 1 < argc) {
            *(argv[i][2] == 'f' ? &a->from : &a->to) = argv[i + 1];
            i++;
        } else if (strcmp(argv[i], "--whatsapp") == 0) {
            a->whatsapp = 1;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return usage("sim sms takes --from +1..., --to +1..., --whatsapp and the text");
        } else if ((a->text.len && buf_addc(&a->text, ' ') != HL_OK) ||
                   buf_adds(&a->text, argv[i]) != HL_OK) {
            return usage("the text is too long");
        }
    }
    if (!a->from)
        return usage("sim sms needs --from +1... (the number that texts the business)");
    if (!a->text.len)
        return usage("sim sms needs the text of the message");
    return 0;
}

static void add_field(struct buf *body, CURL *curl, const char *name, const char *value)
{
    char *escaped;

    if (!value)
        return;
    escaped = curl_easy_escape(curl, value, 0);
    buf_addf(body, "%s%s=%s", body->len ? "&" : "", name, escaped ? escaped : "");
    curl_free(escaped);
}

/* One HTTP request to the emulator (POST when form is not NULL); *status 0: no answer. */
static void emulator_request(CURL *curl, const struct sim_account *acct, const char *url,
                             const char *form, struct buf *answer, long *status, char *err)
{
    CURLcode cc;

    buf_reset(answer);
    err[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_USERNAME, acct->sid);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, acct->token);
    if (form)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
    else
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)SMS_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, buf_write_callback);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
    cc = curl_easy_perform(curl);
    *status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    else if (!err[0])
        snprintf(err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cc));
}

/* POST the message; *status gets the HTTP status (0: no answer, curl's message in err). */
static int sms_post(const struct config *cfg, const struct sim_account *acct,
                    const struct sms_args *a, struct buf *answer, long *status, char *err)
{
    CURL *curl = curl_easy_init();
    struct buf body = BUF_INIT(SMS_MAX_ANSWER);
    char *url = NULL;

    if (!curl) {
        fprintf(stderr, "hotline: sim sms: libcurl could not be set up\n");
        return 1;
    }
    add_field(&body, curl, "From", a->from);
    add_field(&body, curl, "To", a->to);
    add_field(&body, curl, "Body", buf_str(&a->text));
    add_field(&body, curl, "Channel", a->whatsapp ? "whatsapp" : NULL);
    buf_addf(answer, "%s/sim/Messages.json", cfg->twilio_api_base);
    url = buf_detach(answer, NULL);
    emulator_request(curl, acct, url, buf_str(&body), answer, status, err);
    curl_easy_cleanup(curl);
    buf_release(&body);
    free(url);
    return 0;
}

static int sms_unreachable(const char *base, const char *why)
{
    fprintf(stderr,
            "hotline: sim sms: cannot reach the emulator at %s (%s): is `hotline serve` "
            "running?\n",
            base, why);
    return 1;
}

/* The emulator refused the message: say why, as Twilio's error JSON says it. */
static int sms_refused(long status, const char *answer)
{
    json_t *doc = json_loads(answer, 0, NULL);
    json_t *msg = doc ? json_object_get(doc, "message") : NULL;

    fprintf(stderr,
            "hotline: sim sms: the emulator refused the message (HTTP %ld, code %lld): %s\n",
            status, doc ? (long long)json_integer_value(json_object_get(doc, "code")) : 0LL,
            json_is_string(msg) ? json_string_value(msg) : "(no explanation)");
    json_decref(doc);
    return 1;
}

static const char *str_or(const char *s, const char *otherwise)
{
    return s ? s : otherwise;
}

/* Print the replies; complain when hotline did not take the webhook. */
static int sms_print(const char *answer)
{
    json_t *doc = json_loads(answer, 0, NULL), *hook, *replies, *reply;
    json_int_t http;
    size_t i;
    int rc = 0;

    hook = doc ? json_object_get(doc, "webhook") : NULL;
    replies = doc ? json_object_get(doc, "replies") : NULL;
    http = json_integer_value(json_object_get(hook, "status"));
    if (!hook || http < 200 || http > 299) {
        fprintf(stderr, "hotline: sim sms: hotline did not take the message at %s: %s\n",
                str_or(json_string_value(json_object_get(hook, "url")), "(unknown URL)"),
                http ? "it answered with an error status"
                     : str_or(json_string_value(json_object_get(hook, "error")), "no answer"));
        rc = 1;
    }
    json_array_foreach(replies, i, reply)
        printf("%s\n", str_or(json_string_value(json_object_get(reply, "body")), ""));
    json_decref(doc);
    return rc;
}

/* Send the message with the emulator account's credentials and report; the exit status. */
static int sms_run(const struct config *cfg, const struct sms_args *a)
{
    struct buf answer = BUF_INIT(SMS_MAX_ANSWER);
    struct sim_account acct;
    char err[CURL_ERROR_SIZE] = "";
    long status = 0;
    int rc;

    if (!config_emulator_mode(cfg) && strstr(cfg->twilio_api_base, "api.twilio.com")) {
        fprintf(stderr, "hotline: sim sms: TWILIO_ACCOUNT_SID is set, so TWILIO_API_BASE is "
                        "Twilio itself; point it at the emulator (`hotline sim serve`)\n");
        return 2;
    }
    rc = load_account(cfg, &acct);
    if (rc == 0)
        rc = sms_post(cfg, &acct, a, &answer, &status, err);
    if (rc == 0 && !status)
        rc = sms_unreachable(cfg->twilio_api_base, err);
    else if (rc == 0 && status != 201)
        rc = sms_refused(status, buf_str(&answer));
    else if (rc == 0)
        rc = sms_print(buf_str(&answer));
    buf_release(&answer);
    return rc;
}

static int sim_sms(int argc, char **argv)
{
    struct sms_args a = {NULL, NULL, 0, BUF_INIT(4096)};
    struct config cfg;
    int rc;

    if ((rc = sms_args(argc, argv, &a)) == 0 && (rc = cli_load_config(&cfg)) == 0) {
        if (!a.to)
            a.to = a.whatsapp ? cfg.twilio_whatsapp_number : cfg.twilio_phone_number;
        rc = sms_run(&cfg, &a);
        config_release(&cfg);
    }
    buf_release(&a.text);
    return rc;
}

/* ---- sim call ------------------------------------------------------------------------------ */

enum { CALL_POLL_MS = 100, CALL_WAIT_S = 120 };

/* The form for /sim/Calls.json: --flow, --from, --to, --url and the script, in order. */
static int call_args(int argc, char **argv, CURL *curl, struct buf *body)
{
    static const char *const opts[][2] = {
        {"--flow", "Flow"},     {"--from", "From"},     {"--to", "To"},   {"--url", "Url"},
        {"--digits", "Digits"}, {"--speech", "Speech"}, {"--say", "Say"}, {"--dial", "Dial"},
    };
    size_t k;
    int i;

    for (i = 2; i < argc; i++) {
        for (k = 0; k < HL_ARRAY_LEN(opts); k++)
            if (strcmp(argv[i], opts[k][0]) == 0)
                break;
        if (k == HL_ARRAY_LEN(opts) || i + 1 >= argc)
            return usage(k == HL_ARRAY_LEN(opts)
                             ? "sim call takes --flow, --from, --to, --url, --digits, --speech, "
                               "--say and --dial"
                             : "that option needs a value");
        add_field(body, curl, opts[k][1], argv[++i]);
    }
    return 0;
}


/* Print the new lines of a transcript; 1 when the call is over (*rc its exit status). */
static int call_print(const char *answer, long *after, int *rc)
{
    json_t *doc = json_loads(answer, 0, NULL), *line;
    size_t i;
    int done;

    json_array_foreach(json_object_get(doc, "lines"), i, line) {
        printf("%s: %s\n", str_or(json_string_value(json_object_get(line, "who")), "?"),
               str_or(json_string_value(json_object_get(line, "text")), ""));
        *after = (long)json_integer_value(json_object_get(line, "n"));
    }
    fflush(stdout);
    done = json_is_true(json_object_get(doc, "done"));
    *rc = json_integer_value(json_object_get(doc, "error_code")) ? 1 : 0;
    json_decref(doc);
    return done;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Poll the transcript until the call is over. */
static int call_follow(CURL *curl, const struct config *cfg, const struct sim_account *acct,
                       const char *sid, struct buf *answer)
{
    char url[512], err[CURL_ERROR_SIZE] = "";
    long after = 0, status = 0, waited = 0;
    int rc = 1;

    for (; waited < CALL_WAIT_S * 1000; waited += CALL_POLL_MS) {
        snprintf(url, sizeof(url), "%s/sim/Calls/%s/Transcript.json?after=%ld",
                 cfg->twilio_api_base, sid, after);
        emulator_request(curl, acct, url, NULL, answer, &status, err);
        if (status != 200) {
            fprintf(stderr, "hotline: sim call: the transcript could not be read (HTTP %ld%s%s)\n",
                    status, err[0] ? ", " : "", err);
            return 1;
        }
        if (call_print(buf_str(answer), &after, &rc))
            return rc;
        sleep_ms(CALL_POLL_MS);
    }
    fprintf(stderr, "hotline: sim call: the call did not end within %d s\n", CALL_WAIT_S);
    return 1;
}

/* Place the call; its SID into sid. The exit status. */
static int call_place(CURL *curl, const struct config *cfg, const struct sim_account *acct,
                      const char *form, struct buf *answer, char sid[64])
{
    char url[512], err[CURL_ERROR_SIZE] = "";
    long status = 0;
    json_t *doc;

    snprintf(url, sizeof(url), "%s/sim/Calls.json", cfg->twilio_api_base);
    emulator_request(curl, acct, url, form, answer, &status, err);
    if (!status) {
        fprintf(stderr,
                "hotline: sim call: cannot reach the emulator at %s (%s): is `hotline serve` "
                "running?\n",
                cfg->twilio_api_base, err);
        return 1;
    }
    if (status != 201)
        return sms_refused(status, buf_str(answer));
    doc = json_loads(buf_str(answer), 0, NULL);
    snprintf(sid, 64, "%s", str_or(json_string_value(json_object_get(doc, "sid")), ""));
    json_decref(doc);
    return sid[0] ? 0 : 1;
}

static int sim_call(int argc, char **argv)
{
    struct buf form = BUF_INIT(SMS_MAX_ANSWER), answer = BUF_INIT(SMS_MAX_ANSWER);
    CURL *curl = curl_easy_init();
    struct sim_account acct;
    struct config cfg;
    char sid[64];
    int rc;

    if (!curl)
        return 1;
    if ((rc = call_args(argc, argv, curl, &form)) == 0 && (rc = cli_load_config(&cfg)) == 0) {
        if ((rc = load_account(&cfg, &acct)) == 0 &&
            (rc = call_place(curl, &cfg, &acct, buf_str(&form), &answer, sid)) == 0)
            rc = call_follow(curl, &cfg, &acct, sid, &answer);
        config_release(&cfg);
    }
    curl_easy_cleanup(curl);
    buf_release(&form);
    buf_release(&answer);
    return rc;
}

int cmd_sim(int argc, char **argv)
{
    if (argc < 2)
        return usage("which one: serve, sms or call?");
    if (strcmp(argv[1], "serve") == 0)
        return sim_serve(argc, argv);
    if (strcmp(argv[1], "sms") == 0)
        return sim_sms(argc, argv);
    if (strcmp(argv[1], "call") == 0)
        return sim_call(argc, argv);
    return usage("unknown subcommand (serve, sms or call)");
}
