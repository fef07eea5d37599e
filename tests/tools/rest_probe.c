/*
 * rest_probe.c — run one operation of hotline's REST client (src/twilio/
 * rest.h) from the command line and print its outcome as one JSON line, so
 * that tests/integration/test_rest_client.py can drive the client against
 * its scripted Twilio server.
 *
 * usage: rest_probe --base URL --account AC... --user U --password P
 *                   [--timeout-ms N] [--connect-timeout-ms N] [--retries N]
 *                   [--backoff-ms N] [--backoff-cap-ms N] [--max-bytes N] OPERATION ...
 *
 *   call-create --to N --from N (--url U | --twiml T) [--method M]
 *               [--status-callback U] [--events initiated,ringing,answered,completed]
 *               [--status-callback-method M] [--record] [--recording-status-callback U]
 *               [--recording-events in-progress,completed,absent] [--timeout S]
 *               [--machine-detection V]
 *   call-update SID [--url U] [--twiml T] [--method M] [--status S]
 *   call-fetch SID
 *   message-create --to N [--from N] [--service MG...] [--body B] [--media U]...
 *                  [--status-callback U]
 *   recording-fetch SID | recording-delete SID
 *   recording-download URL PATH
 *   burst-creates N [--threads T]   N call creates (per thread), call-create's flags
 *
 * --retries 0 means no retries (the client's own 0 means "default").
 * Output: {"rc": "HL_OK", "err": "...", "reply": {...}, "result": {...}, "elapsed_ms": N}.
 * Exit status 0 on HL_OK, 1 on another result, 2 on a usage error.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hl.h"
#include "twilio/rest.h"

#include "core/banned.h"

#define MAX_FLAGS 64

struct flag {
    const char *name; /* without "--" */
    const char *value;
};

struct args {
    struct flag flags[MAX_FLAGS];
    int nflags;
    const char *pos[4]; /* operation and its positional arguments */
    int npos;
    const char *media[16];
    size_t nmedia;
};

static _Noreturn void usage(const char *why)
{
    fprintf(stderr, "rest_probe: %s (see the top of tests/tools/rest_probe.c)\n", why);
    exit(2);
}

static const char *flag(const struct args *a, const char *name)
{
    int i;

    for (i = a->nflags - 1; i >= 0; i--)
        if (strcmp(a->flags[i].name, name) == 0)
            return a->flags[i].value;
    return NULL;
}

static long long num_flag(const struct args *a, const char *name)
{
    const char *v = flag(a, name);
    char *end;
    long long n;

    if (!v)
        return 0;
    n = strtoll(v, &end, 10);
    if (*end)
        usage("a numeric flag has a non-numeric value");
    return n;
}

static void parse_args(int argc, char **argv, struct args *a)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (strncmp(arg, "--", 2) != 0) {
            if (a->npos == (int)HL_ARRAY_LEN(a->pos))
                usage("too many arguments");
            a->pos[a->npos++] = arg;
        } else if (strcmp(arg, "--record") == 0) {
            a->flags[a->nflags++] = (struct flag){"record", "1"};
        } else if (i + 1 >= argc || a->nflags == MAX_FLAGS) {
            usage("a flag lacks its value");
        } else if (strcmp(arg, "--media") == 0) {
            if (a->nmedia == HL_ARRAY_LEN(a->media))
                usage("too many --media");
            a->media[a->nmedia++] = argv[++i];
        } else {
            a->flags[a->nflags++] = (struct flag){arg + 2, argv[++i]};
        }
    }
    if (a->npos == 0)
        usage("no operation");
}

/* Bits for each comma-separated name found in names[] (bit i for names[i]). */
static unsigned event_bits(const char *list, const char *const *names, size_t count)
{
    unsigned bits = 0;
    char *copy, *tok, *save = NULL;
    size_t i;

    if (!list)
        return 0;
    copy = hl_strdup(list);
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        for (i = 0; i < count && strcmp(tok, names[i]) != 0; i++)
            ;
        bits |= i < count ? 1u << i : 1u << 31; /* an unknown name: let the client refuse it */
    }
    free(copy);
    return bits;
}

static const char *const call_events[] = {"initiated", "ringing", "answered", "completed"};
static const char *const rec_events[] = {"in-progress", "completed", "absent"};

static struct rest_call_params call_params(const struct args *a)
{
    struct rest_call_params p = {
        .to = flag(a, "to"),
        .from = flag(a, "from"),
        .url = flag(a, "url"),
        .twiml = flag(a, "twiml"),
        .method = flag(a, "method"),
        .status_callback = flag(a, "status-callback"),
        .status_callback_events = event_bits(flag(a, "events"), call_events, 4),
        .status_callback_method = flag(a, "status-callback-method"),
        .record = flag(a, "record") != NULL,
        .recording_status_callback = flag(a, "recording-status-callback"),
        .recording_status_callback_events = event_bits(flag(a, "recording-events"), rec_events, 3),
        .timeout_s = (int)num_flag(a, "timeout"),
        .machine_detection = flag(a, "machine-detection"),
    };
    return p;
}

/* ---- JSON output -------------------------------------------------------------------------- */

static const char *rc_name(int rc)
{
    static const char *const names[] = {
        "HL_OK",        "HL_ENOMEM",  "HL_ETOOLARGE", "HL_EINVAL",       "HL_EBADSIG",
        "HL_ENOTFOUND", "HL_EIO",     "HL_ESTORE",    "HL_ECONFIG",      "HL_EEXISTS",
        "HL_EBUSY",     "HL_EREMOTE", "HL_EUNKNOWN",  "HL_EUNREACHABLE", "HL_ELIMIT",
    };

    return rc <= 0 && -rc < (int)HL_ARRAY_LEN(names) ? names[-rc] : "?";
}

static json_t *reply_json(const struct rest_reply *r)
{
    return json_pack("{s:i, s:i, s:s, s:i}", "http_status", r->http_status, "twilio_code",
                     r->twilio_code, "more_info", r->more_info, "attempts", r->attempts);
}

static json_t *call_json(const struct rest_call *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "sid", c->sid, "status", c->status,
                     "direction", c->direction, "from", c->from, "to", c->to, "date_created",
                     c->date_created, "duration_s", (json_int_t)c->duration_s);
}

static json_t *message_json(const struct rest_message *m)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "sid", m->sid, "status", m->status,
                     "direction", m->direction, "from", m->from, "to", m->to, "date_created",
                     m->date_created, "num_segments", m->num_segments, "error_code", m->error_code);
}

static json_t *recording_json(const struct rest_recording *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i}", "sid", r->sid, "call_sid", r->call_sid,
                     "status", r->status, "source", r->source, "date_created", r->date_created,
                     "duration_s", (json_int_t)r->duration_s, "channels", r->channels);
}

static json_t *download_json(const struct rest_download *d)
{
    return json_pack("{s:I, s:s, s:s}", "size_bytes", (json_int_t)d->size_bytes, "sha256",
                     d->sha256, "content_type", d->content_type);
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Print the outcome; takes ownership of result (may be NULL) and extra (may be NULL). */
static int print_outcome(int rc, const struct hl_err *err, const struct rest_reply *reply,
                         json_t *result, json_t *extra, long long elapsed_ms)
{
    json_t *out = json_pack("{s:s, s:i, s:s, s:o, s:I}", "rc", rc_name(rc), "code", rc, "err",
                            rc == HL_OK ? "" : err->msg, "reply", reply_json(reply), "elapsed_ms",
                            (json_int_t)elapsed_ms);

    json_object_set_new(out, "result", result ? result : json_null());
    if (extra)
        json_object_update(out, extra);
    json_decref(extra);
    json_dumpf(out, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(out);
    return rc == HL_OK ? 0 : 1;
}

/* ---- Operations --------------------------------------------------------------------------- */

static const char *need_pos(const struct args *a, int i, const char *what)
{
    if (a->npos <= i)
        usage(what);
    return a->pos[i];
}

static int op_call_create(struct rest_client *c, const struct args *a)
{
    struct rest_call_params p = call_params(a);
    struct rest_call call;
    struct rest_reply reply;
    struct hl_err err = {0};
    long long t0 = now_ms();
    int rc = rest_call_create(c, &p, &call, &reply, &err);

    return print_outcome(rc, &err, &reply, rc == HL_OK ? call_json(&call) : NULL, NULL,
                         now_ms() - t0);
}

static int op_call_update(struct rest_client *c, const struct args *a)
{
    struct rest_call_update u = {flag(a, "url"), flag(a, "twiml"), flag(a, "method"),
                                 flag(a, "status")};
    struct rest_call call;
    struct rest_reply reply;
    struct hl_err err = {0};
    long long t0 = now_ms();
    int rc =
        rest_call_update(c, need_pos(a, 1, "call-update needs a SID"), &u, &call, &reply, &err);

    return print_outcome(rc, &err, &reply, rc == HL_OK ? call_json(&call) : NULL, NULL,
                         now_ms() - t0);
}

static int op_call_fetch(struct rest_client *c, const struct args *a)
{
    struct rest_call call;
    struct rest_reply reply;
    struct hl_err err = {0};
    long long t0 = now_ms();
    int rc = rest_call_fetch(c, need_pos(a, 1, "call-fetch needs a SID"), &call, &reply, &err);

    return print_outcome(rc, &err, &reply, rc == HL_OK ? call_json(&call) : NULL, NULL,
                         now_ms() - t0);
}

static int op_message_create(struct rest_client *c, const struct args *a)
{
    struct rest_message_params p = {
        .to = flag(a, "to"),
        .from = flag(a, "from"),
        .messaging_service_sid = flag(a, "service"),
        .body = flag(a, "body"),
        .media_urls = a->media,
        .media_count = a->nmedia,
        .status_callback = flag(a, "status-callback"),
    };
    struct rest_message msg;
    struct rest_reply reply;
    struct hl_err err = {0};
    long long t0 = now_ms();
    int rc = rest_message_create(c, &p, &msg, &reply, &err);

    return print_outcome(rc, &err, &reply, rc == HL_OK ? message_json(&msg) : NULL, NULL,
                         now_ms() - t0);
}

static int op_recording_fetch(struct rest_client *c, const struct args *a)
{
    struct rest_recording rec;
    struct rest_reply reply;
    struct hl_err err = {0};
    long long t0 = now_ms();
    int rc =
        rest_recording_fetch(c, need_pos(a, 1, "recording-fetch needs a SID"), &rec, &reply, &err);

    return print_outcome(rc, &err, &reply, rc == HL_OK ? recording_json(&rec) : NULL, NULL,
                         now_ms() - t0);
}

static int op_recording_download(struct rest_client *c, const struct args *a)
{
    struct rest_download d;
    struct rest_reply reply;
    struct hl_err err = {0};
    long long t0 = now_ms();
    int rc = rest_recording_download(c, need_pos(a, 1, "recording-download needs a URL"),
                                     need_pos(a, 2, "recording-download needs a PATH"), &d, &reply,
                                     &err);

    return print_outcome(rc, &err, &reply, rc == HL_OK ? download_json(&d) : NULL, NULL,
                         now_ms() - t0);
}

static int op_recording_delete(struct rest_client *c, const struct args *a)
{
    struct rest_reply reply;
    struct hl_err err = {0};
    long long t0 = now_ms();
    int rc = rest_recording_delete(c, need_pos(a, 1, "recording-delete needs a SID"), &reply, &err);

    return print_outcome(rc, &err, &reply, NULL, NULL, now_ms() - t0);
}

/* ---- burst-creates: many creates in a row, from one or several threads ------------------ */

struct burst {
    struct rest_client *c;
    struct rest_call_params p;
    long count;
    long ok;                             /* creates that returned HL_OK */
    int last_rc;                         /* the last failure's result, or HL_OK */
    struct hl_err err;                   /* and its message */
    struct rest_reply reply, fail_reply; /* of the last create, of the last failure */
};

static void *burst_run(void *arg)
{
    struct burst *b = arg;
    long i;

    b->last_rc = HL_OK;
    for (i = 0; i < b->count; i++) {
        struct rest_reply reply;
        struct hl_err err = {0};
        int rc = rest_call_create(b->c, &b->p, NULL, &reply, &err);

        b->reply = reply;
        if (rc == HL_OK) {
            b->ok++;
            continue;
        }
        b->last_rc = rc;
        b->err = err;
        b->fail_reply = reply;
    }
    return NULL;
}

static int op_burst(struct rest_client *c, const struct args *a)
{
    long n = strtol(need_pos(a, 1, "burst-creates needs a count"), NULL, 10);
    long threads = num_flag(a, "threads") > 0 ? (long)num_flag(a, "threads") : 1, i, ok = 0;
    struct burst *b = hl_calloc((size_t)threads, sizeof(*b));
    pthread_t *tid = hl_calloc((size_t)threads, sizeof(*tid));
    struct burst *failed = NULL;
    long long t0 = now_ms();
    int rc;

    for (i = 0; i < threads; i++) {
        b[i] = (struct burst){.c = c, .p = call_params(a), .count = n};
        if (pthread_create(&tid[i], NULL, burst_run, &b[i]) != 0)
            usage("cannot start a thread");
    }
    for (i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        ok += b[i].ok;
        if (b[i].last_rc != HL_OK)
            failed = &b[i];
    }
    rc = failed ? failed->last_rc : HL_OK;
    rc = print_outcome(
        rc, failed ? &failed->err : &b[0].err, failed ? &failed->fail_reply : &b[0].reply, NULL,
        json_pack("{s:I, s:I}", "count", (json_int_t)(n * threads), "ok", (json_int_t)ok),
        now_ms() - t0);
    free(tid);
    free(b);
    return rc;
}

/* ---- main --------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int (*run)(struct rest_client *c, const struct args *a);
} operations[] = {
    {"call-create", op_call_create},
    {"call-update", op_call_update},
    {"call-fetch", op_call_fetch},
    {"message-create", op_message_create},
    {"recording-fetch", op_recording_fetch},
    {"recording-download", op_recording_download},
    {"recording-delete", op_recording_delete},
    {"burst-creates", op_burst},
};

int main(int argc, char **argv)
{
    struct args a = {0};
    struct rest_options opt = {0};
    struct rest_client *c;
    struct hl_err err = {0};
    size_t i;
    int rc;

    parse_args(argc, argv, &a);
    opt.api_base = flag(&a, "base");
    opt.account_sid = flag(&a, "account");
    opt.username = flag(&a, "user");
    opt.password = flag(&a, "password");
    opt.timeout_ms = (long)num_flag(&a, "timeout-ms");
    opt.connect_timeout_ms = (long)num_flag(&a, "connect-timeout-ms");
    opt.max_retries = flag(&a, "retries") ? (int)num_flag(&a, "retries") : 0;
    if (flag(&a, "retries") && opt.max_retries == 0)
        opt.max_retries = -1;
    opt.backoff_base_ms = (long)num_flag(&a, "backoff-ms");
    opt.backoff_cap_ms = (long)num_flag(&a, "backoff-cap-ms");
    opt.media_max_bytes = num_flag(&a, "max-bytes");
    for (i = 0; i < HL_ARRAY_LEN(operations) && strcmp(operations[i].name, a.pos[0]) != 0; i++)
        ;
    if (i == HL_ARRAY_LEN(operations))
        usage("unknown operation");
    if ((rc = rest_client_new(&c, &opt, &err)) != HL_OK) {
        struct rest_reply none = {0};
        return print_outcome(rc, &err, &none, NULL, NULL, 0);
    }
    rc = operations[i].run(c, &a);
    rest_client_free(c);
    return rc;
}
