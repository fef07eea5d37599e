/*
 * demo_results.c — the second half of `hotline demo`: what the recording
 * pipelines made of each call.
 *
 * It reads the demo server's database through store.h (a second process on
 * the same SQLite file, as `hotline jobs` does): the job of each recording,
 * the call's transcript and analysis, its booking and its memo. A memo's
 * link went by text to OWNER_PHONE; in the demo that phone is the emulator,
 * so the link is read from the emulator's outbox (its Messages REST list)
 * and printed here, on the demo's own output — never to a log — and the
 * memo is opened with it, which shows that the link decrypts.
 */
#include "cli/demo_results.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "crypto/crypto.h"
#include "memo/memo.h"
#include "sim/account.h"
#include "store/store.h"
#include "core/banned.h"

enum { RESULTS_LIST_MAX = 1000, OUTBOX_MAX = 4 << 20, MEMO_META_MAX = 1 << 20 };

/* What became of one call's recording. */
struct demo_job {
    char state[16]; /* "" until its job is seen */
    char call_sid[40];
    char error[160];
};

struct job_scan {
    const struct demo_call *calls;
    struct demo_job *jobs;
    size_t n;
};

static void scan_job(void *ctx, const struct store_job *j)
{
    struct job_scan *s = ctx;
    json_t *payload = json_loads(j->payload_json, 0, NULL);
    const char *rec = json_string_value(json_object_get(payload, "recording_sid"));
    const char *call = json_string_value(json_object_get(payload, "call_sid"));
    size_t i;

    for (i = 0; rec && i < s->n; i++) {
        if (strcmp(rec, s->calls[i].recording_sid) != 0)
            continue;
        snprintf(s->jobs[i].state, sizeof(s->jobs[i].state), "%s", j->state);
        snprintf(s->jobs[i].call_sid, sizeof(s->jobs[i].call_sid), "%s", call ? call : "");
        snprintf(s->jobs[i].error, sizeof(s->jobs[i].error), "%s",
                 j->last_error ? j->last_error : "");
    }
    json_decref(payload);
}

/* 1 when every call's job is done or failed (or the call has no recording). */
static int jobs_settled(const struct job_scan *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (s->calls[i].recording_sid[0] && strcmp(s->jobs[i].state, "done") != 0 &&
            strcmp(s->jobs[i].state, "failed") != 0)
            return 0;
    return 1;
}

static void wait_for_jobs(struct store *st, struct job_scan *s, long wait_ms)
{
    struct store_list q = {NULL, STORE_NONE, RESULTS_LIST_MAX, NULL};
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        store_job_list(st, NULL, &q, scan_job, s, NULL);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (jobs_settled(s) ||
            (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > wait_ms)
            return;
        usleep(50 * 1000);
    }
}

/* ---- Printing ------------------------------------------------------------------------- */

static void print_analysis(json_t *a)
{
    const char *when = json_string_value(json_object_get(a, "when_local"));

    if (!json_is_object(a))
        return;
    printf("  analysis:   intent %s; requested time %s; summary \"%s\"\n",
           json_string_value(json_object_get(a, "intent")), when ? when : "none",
           json_string_value(json_object_get(a, "summary"))
               ? json_string_value(json_object_get(a, "summary"))
               : "");
}

static void print_transcription(void *ctx, const struct store_transcription_row *t)
{
    json_t *a = t->analysis_json ? json_loads(t->analysis_json, 0, NULL) : NULL;

    (void)ctx;
    printf("  transcript: \"%s\" (%s, confidence %.2f)\n", t->text ? t->text : "", t->engine,
           t->confidence);
    print_analysis(a);
    json_decref(a);
}

static void print_booking(void *ctx, const struct store_booking_row *b)
{
    if (b->booking.call_sid && strcmp(b->booking.call_sid, ctx) == 0)
        printf("  booking:    %s UTC, caller's zone %s (%s)\n", b->booking.starts_at,
               b->booking.timezone ? b->booking.timezone : "-", b->status);
}

struct memo_found {
    const char *call_sid;
    char id[MEMO_ID_LEN + 1];
};

static void find_memo(void *ctx, const struct store_memo_row *m)
{
    struct memo_found *f = ctx;

    if (m->memo.call_sid && strcmp(m->memo.call_sid, f->call_sid) == 0)
        snprintf(f->id, sizeof(f->id), "%s", m->memo.id);
}

/* ---- The memo, through the owner's phone (the emulator's outbox) ---------------------- */

/* The emulator's sent messages as JSON ({"messages": [...]}), or NULL. */
static json_t *fetch_outbox(const struct demo_place *place)
{
    struct sim_account acct;
    struct hl_err err = {0};
    struct buf body = BUF_INIT(OUTBOX_MAX);
    char url[256], user[80];
    CURL *c;
    json_t *doc = NULL;
    long status = 0;

    if (sim_account_load(&acct, place->account_file, &err) != HL_OK || !(c = curl_easy_init()))
        return NULL;
    snprintf(url, sizeof(url), "%s/2010-04-01/Accounts/%s/Messages.json?PageSize=1000",
             place->base_url, acct.sid);
    snprintf(user, sizeof(user), "%s:%s", acct.sid, acct.token);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERPWD, user);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write_callback);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200)
        doc = json_loadb(buf_str(&body), body.len, 0, NULL);
    curl_easy_cleanup(c);
    crypto_wipe(user, sizeof(user));
    buf_release(&body);
    return doc;
}

/* The link to memo id in a message of the outbox, copied into out; 0 when none. */
static int find_link(json_t *outbox, const char *id, char *out, size_t size)
{
    char needle[MEMO_ID_LEN + 16];
    json_t *m;
    size_t i;

    snprintf(needle, sizeof(needle), "/voice/%s#", id);
    json_array_foreach(json_object_get(outbox, "messages"), i, m) {
        const char *body = json_string_value(json_object_get(m, "body"));
        const char *at = body ? strstr(body, needle) : NULL, *start, *end;

        if (!at)
            continue;
        for (start = at; start > body && start[-1] != ' '; start--)
            ;
        end = start + strcspn(start, " \n");
        snprintf(out, size, "%.*s", (int)(end - start), start);
        return 1;
    }
    return 0;
}

/* Open the memo with its link and print what it holds. */
static void print_memo_contents(const struct demo_place *place, const char *link)
{
    unsigned char key[MEMO_KEY_LEN];
    char id[MEMO_ID_LEN + 1];
    struct buf meta = BUF_INIT(MEMO_META_MAX);
    struct hl_err err = {0};
    json_t *doc = NULL;

    if (memo_parse_link(link, id, key, &err) == HL_OK &&
        memo_open(place->media_dir, id, key, NULL, &meta, &err) == HL_OK)
        doc = json_loadb(buf_str(&meta), meta.len, 0, NULL);
    crypto_wipe(key, sizeof(key));
    if (doc) {
        printf("  transcript: \"%s\" (decrypted with the link)\n",
               json_string_value(json_object_get(doc, "transcript")));
        print_analysis(json_object_get(doc, "analysis"));
    } else {
        printf("  memo:       does not open: %s\n", err.msg[0] ? err.msg : "unreadable");
    }
    json_decref(doc);
    if (meta.ptr)
        crypto_wipe(meta.ptr, meta.len);
    buf_release(&meta);
}

static void print_memo(struct store *st, const struct demo_place *place, const char *call_sid,
                       json_t *outbox)
{
    struct store_list q = {NULL, STORE_NONE, RESULTS_LIST_MAX, NULL};
    struct memo_found f = {call_sid, ""};
    char link[1024];

    store_memo_list(st, &q, find_memo, &f, NULL);
    if (!f.id[0])
        return;
    if (!outbox || !find_link(outbox, f.id, link, sizeof(link))) {
        printf("  memo:       %s (its link is not in the owner's messages)\n", f.id);
        return;
    }
    printf("  memo link:  %s\n", link);
    printf("              (texted to OWNER_PHONE: here the emulator's outbox)\n");
    print_memo_contents(place, link);
    crypto_wipe(link, sizeof(link));
}

/* Print one call's results; 1 when its pipeline finished. */
static int print_call(struct store *st, const struct demo_place *place, const struct demo_call *c,
                      const struct demo_job *j, json_t *outbox)
{
    struct store_list q = {NULL, STORE_NONE, RESULTS_LIST_MAX, NULL};

    printf("\n%s (recording %s):\n", c->flow, c->recording_sid[0] ? c->recording_sid : "none");
    if (strcmp(j->state, "done") != 0) {
        printf("  pipeline:   %s%s%s\n", j->state[0] ? j->state : "not finished in time",
               j->error[0] ? ": " : "", j->error);
        return 0;
    }
    store_call_transcriptions(st, j->call_sid, print_transcription, NULL, NULL);
    store_booking_list(st, &q, print_booking, (void *)j->call_sid, NULL);
    print_memo(st, place, j->call_sid, outbox);
    return 1;
}

size_t demo_print_results(const struct demo_place *place, const struct demo_call *calls,
                          size_t n, long wait_ms)
{
    struct demo_job jobs[16];
    struct job_scan scan = {calls, jobs, n < 16 ? n : 16};
    struct store *st = NULL;
    struct hl_err err = {0};
    json_t *outbox;
    size_t i, finished = 0;

    memset(jobs, 0, sizeof(jobs));
    if (store_open(&st, place->database_url, &err) != HL_OK) {
        printf("\nresults: the database does not open: %s\n", err.msg);
        return 0;
    }
    printf("\n=== what the pipelines made of the calls ===\n"
           "(the simulated callers speak with espeak-ng's synthetic voice, which PocketSphinx's\n"
           " en-us model hears poorly; people on a phone line fare far better: docs/asr.md)\n");
    fflush(stdout);
    wait_for_jobs(st, &scan, wait_ms);
    outbox = fetch_outbox(place);
    for (i = 0; i < scan.n; i++)
        finished += (size_t)print_call(st, place, &calls[i], &jobs[i], outbox);
    json_decref(outbox);
    store_close(st);
    return finished;
}
