/*
 * store.c — the engine-neutral half of the storage interface.
 *
 * It picks the engine from DATABASE_URL's scheme, checks each caller's
 * arguments once (so every engine may rely on them), and forwards the call
 * through the engine's struct store_engine. It also owns the clock every
 * engine stamps rows with. No SQL lives here.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/phone.h"
#include "crypto/crypto.h"
#include "store/engine.h"

#include "core/banned.h"

/*
 * DATABASE_URL schemes. An engine of NULL is a scheme hotline knows but this
 * build cannot serve; why_not says so. PostgreSQL plugs in by naming its
 * engine here.
 */
static const struct {
    const char *prefix;
    const struct store_engine *engine;
    const char *why_not;
} store_schemes[] = {
    {"sqlite:", &store_sqlite_engine, NULL},
    {"postgres://", NULL, "PostgreSQL support is not built yet"},
    {"postgresql://", NULL, "PostgreSQL support is not built yet"},
};

/* Length of url's scheme ("mysql" in "mysql://..."), or 0 if it has none. */
static size_t url_scheme_len(const char *url)
{
    size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

    return n > 0 && n <= 32 && url[n] == ':' ? n : 0;
}

/* The error for a URL no scheme matched; only its scheme is ever quoted. */
static int store_unknown_scheme(const char *url, struct hl_err *err)
{
    size_t n = url_scheme_len(url);

    if (!n)
        return hl_err_set(err, HL_ECONFIG,
                          "DATABASE_URL has no scheme: use sqlite:PATH or postgres://...");
    return hl_err_set(err, HL_ECONFIG,
                      "DATABASE_URL scheme \"%.*s\" is not supported: use sqlite:PATH or "
                      "postgres://...",
                      (int)n, url);
}

int store_open(struct store **out, const char *database_url, struct hl_err *err)
{
    size_t i;

    *out = NULL;
    if (!database_url || !*database_url)
        return hl_err_set(err, HL_ECONFIG, "DATABASE_URL is empty");
    for (i = 0; i < HL_ARRAY_LEN(store_schemes); i++) {
        size_t len = strlen(store_schemes[i].prefix);

        if (strncmp(database_url, store_schemes[i].prefix, len) != 0)
            continue;
        if (!store_schemes[i].engine)
            return hl_err_set(err, HL_ECONFIG, "%s", store_schemes[i].why_not);
        return store_schemes[i].engine->open(out, database_url + len, err);
    }
    return store_unknown_scheme(database_url, err);
}

void store_close(struct store *s)
{
    if (s)
        s->engine->close(s);
}

int store_migrate(struct store *s, int *applied, struct hl_err *err)
{
    int dummy;

    return s->engine->migrate(s, applied ? applied : &dummy, err);
}

int store_schema_version(struct store *s, int *version, struct hl_err *err)
{
    return s->engine->schema_version(s, version, err);
}

int store_ping(struct store *s, struct hl_err *err)
{
    return s->engine->ping(s, err);
}

/* A required string argument: present and not empty. */
static int need(const char *value, const char *what, struct hl_err *err)
{
    if (!value || !*value)
        return hl_err_set(err, HL_EINVAL, "%s is required", what);
    return HL_OK;
}

int store_call_upsert(struct store *s, const struct store_call *call, struct hl_err *err)
{
    int rc = need(call->sid, "call sid", err);

    return rc ? rc : s->engine->call_upsert(s, call, err);
}

int store_call_event_add(struct store *s, const struct store_call_event *event, int *inserted,
                         struct hl_err *err)
{
    int rc;

    *inserted = 0;
    if ((rc = need(event->idempotency_key, "call event idempotency key", err)) ||
        (rc = need(event->call_sid, "call event CallSid", err)) ||
        (rc = need(event->status, "call event CallStatus", err)))
        return rc;
    return s->engine->call_event_add(s, event, inserted, err);
}

int store_recording_received(struct store *s, const struct store_recording *rec,
                             const char *job_kind, const char *job_payload_json, int *inserted,
                             struct hl_err *err)
{
    int rc;

    *inserted = 0;
    if ((rc = need(rec->sid, "recording sid", err)) || (rc = need(job_kind, "job kind", err)))
        return rc;
    return s->engine->recording_received(s, rec, job_kind, job_payload_json, inserted, err);
}

int store_recording_status(struct store *s, const struct store_recording *rec, struct hl_err *err)
{
    int rc = need(rec->sid, "recording sid", err);

    return rc ? rc : s->engine->recording_status(s, rec, err);
}

int store_message_add(struct store *s, const struct store_message *msg, long long *id,
                      int *inserted, struct hl_err *err)
{
    *id = 0;
    *inserted = 0;
    if (msg->sid && !*msg->sid)
        return hl_err_set(err, HL_EINVAL, "message sid is empty (pass NULL when there is none)");
    return s->engine->message_add(s, msg, id, inserted, err);
}

int store_message_status(struct store *s, const char *sid, const char *status,
                         const char *error_code, struct hl_err *err)
{
    int rc;

    if ((rc = need(sid, "message sid", err)) || (rc = need(status, "message status", err)))
        return rc;
    return s->engine->message_status(s, sid, status, error_code, err);
}

int store_optout_set(struct store *s, const char *phone, const char *keyword, struct hl_err *err)
{
    int rc = need(phone, "opt-out phone number", err);

    return rc ? rc : s->engine->optout_set(s, phone, keyword, err);
}

int store_subject(struct store *s, const char *phone, char out[STORE_SUBJECT_SIZE],
                  struct hl_err *err)
{
    unsigned char key[STORE_SUBJECT_KEY_LEN], mac[CRYPTO_SHA256_LEN];
    int rc = need(phone, "phone number", err);

    out[0] = '\0';
    if (rc == HL_OK && (rc = s->engine->subject_key(s, key, err)) == HL_OK &&
        crypto_hmac(CRYPTO_SHA256, key, sizeof(key), phone, strlen(phone), mac) != HL_OK)
        rc = hl_err_set(err, HL_EIO, "cannot compute the hash of a number");
    crypto_wipe(key, sizeof(key));
    if (rc == HL_OK) {
        memcpy(out, "h1:", 3);
        crypto_hex_encode(out + 3, mac, sizeof(mac));
    }
    return rc;
}

int store_optout_clear(struct store *s, const char *phone, struct hl_err *err)
{
    char subject[STORE_SUBJECT_SIZE];
    int rc = store_subject(s, phone, subject, err);

    return rc ? rc : s->engine->optout_clear(s, phone, subject, err);
}

void store_submit(struct store *s, struct store_task *task)
{
    s->engine->submit(s, task);
}

void store_run_tasks(struct store *s, struct store_task *tasks)
{
    if (tasks)
        s->engine->run_tasks(s, tasks);
}

int store_optout_check(struct store *s, const char *phone, int *opted_out, struct hl_err *err)
{
    char subject[STORE_SUBJECT_SIZE];
    int rc = store_subject(s, phone, subject, err);

    *opted_out = 0;
    return rc ? rc : s->engine->optout_check(s, phone, subject, opted_out, err);
}

/* ---- Outbound calls and messages ------------------------------------------------------ */

int store_call_outbound_begin(struct store *s, const struct store_call *call,
                              char sid_out[STORE_SID_SIZE], struct hl_err *err)
{
    sid_out[0] = '\0';
    if (call->sid)
        return hl_err_set(err, HL_EINVAL, "an outbound call gets its sid from the store");
    return s->engine->call_outbound_begin(s, call, sid_out, err);
}

int store_call_outbound_end(struct store *s, const char *provisional_sid,
                            const struct store_outcome *outcome, struct hl_err *err)
{
    int rc;

    if ((rc = need(provisional_sid, "provisional call sid", err)) ||
        (rc = need(outcome->status, "outcome status", err)))
        return rc;
    if (outcome->sid && !*outcome->sid)
        return hl_err_set(err, HL_EINVAL, "outcome sid is empty (pass NULL when there is none)");
    return s->engine->call_outbound_end(s, provisional_sid, outcome, err);
}

int store_message_outbound_end(struct store *s, long long id, const struct store_outcome *outcome,
                               struct hl_err *err)
{
    int rc = need(outcome->status, "outcome status", err);

    if (rc)
        return rc;
    if (outcome->sid && !*outcome->sid)
        return hl_err_set(err, HL_EINVAL, "outcome sid is empty (pass NULL when there is none)");
    return s->engine->message_outbound_end(s, id, outcome, err);
}

/* ---- Reading history ------------------------------------------------------------------ */

enum { STORE_LIST_MAX = 1000 };

static int check_list(const struct store_list *q, struct hl_err *err)
{
    if (q->limit < 1 || q->limit > STORE_LIST_MAX)
        return hl_err_set(err, HL_EINVAL, "limit must be from 1 to %d", STORE_LIST_MAX);
    if (q->before_id != STORE_NONE && q->before_id < 0)
        return hl_err_set(err, HL_EINVAL, "before must be a row id");
    if (q->phone && !*q->phone)
        return hl_err_set(err, HL_EINVAL, "phone filter is empty (pass NULL for all)");
    if (q->phone && q->phone_suffix)
        return hl_err_set(err, HL_EINVAL,
                          "filter by a whole number or by its last digits, not both");
    if (q->phone_suffix &&
        (!*q->phone_suffix || q->phone_suffix[strspn(q->phone_suffix, "0123456789")]))
        return hl_err_set(err, HL_EINVAL, "a number's last digits must be digits");
    return HL_OK;
}

int store_call_list(struct store *s, const struct store_list *q,
                    void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                    struct hl_err *err)
{
    int rc = check_list(q, err);

    return rc ? rc : s->engine->call_list(s, q, each, ctx, err);
}

int store_call_get(struct store *s, const char *sid,
                   void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                   struct hl_err *err)
{
    int rc = need(sid, "call sid", err);

    return rc ? rc : s->engine->call_get(s, sid, each, ctx, err);
}

int store_call_events(struct store *s, const char *call_sid,
                      void (*each)(void *ctx, const struct store_event_row *row), void *ctx,
                      struct hl_err *err)
{
    int rc = need(call_sid, "call sid", err);

    return rc ? rc : s->engine->call_events(s, call_sid, each, ctx, err);
}

int store_call_recordings(struct store *s, const char *call_sid,
                          void (*each)(void *ctx, const struct store_recording_row *row),
                          void *ctx, struct hl_err *err)
{
    int rc = need(call_sid, "call sid", err);

    return rc ? rc : s->engine->call_recordings(s, call_sid, each, ctx, err);
}

int store_call_transcriptions(struct store *s, const char *call_sid,
                              void (*each)(void *ctx, const struct store_transcription_row *row),
                              void *ctx, struct hl_err *err)
{
    int rc = need(call_sid, "call sid", err);

    return rc ? rc : s->engine->call_transcriptions(s, call_sid, each, ctx, err);
}

int store_message_list(struct store *s, const struct store_list *q,
                       void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                       struct hl_err *err)
{
    int rc = check_list(q, err);

    return rc ? rc : s->engine->message_list(s, q, each, ctx, err);
}

/* ---- Contacts ------------------------------------------------------------------------- */

int store_contact_put(struct store *s, const struct store_contact *c, struct hl_err *err)
{
    int rc = need(c->phone, "contact phone", err);

    return rc ? rc : s->engine->contact_put(s, c, err);
}

int store_contact_get(struct store *s, const char *phone,
                      void (*each)(void *ctx, const struct store_contact *c), void *ctx,
                      struct hl_err *err)
{
    int rc = need(phone, "contact phone", err);

    return rc ? rc : s->engine->contact_get(s, phone, each, ctx, err);
}

/* ---- Jobs ----------------------------------------------------------------------------- */

static int need_job(long long id, const char *owner, int owner_needed, struct hl_err *err)
{
    if (id <= 0)
        return hl_err_set(err, HL_EINVAL, "job id must be positive");
    return owner_needed ? need(owner, "job lease owner", err) : HL_OK;
}

int store_transcription_add(struct store *s, const struct store_transcription *t, int *inserted,
                            struct hl_err *err)
{
    int rc;

    *inserted = 0;
    if ((rc = need(t->recording_sid, "transcription recording sid", err)) ||
        (rc = need(t->engine, "transcription engine", err)))
        return rc;
    return s->engine->transcription_add(s, t, inserted, err);
}

int store_booking_add(struct store *s, const struct store_booking *b, int *inserted,
                      struct hl_err *err)
{
    int rc = need(b->starts_at, "booking time", err);

    *inserted = 0;
    return rc ? rc : s->engine->booking_add(s, b, inserted, err);
}

int store_booking_list(struct store *s, const struct store_list *q,
                       void (*each)(void *ctx, const struct store_booking_row *row), void *ctx,
                       struct hl_err *err)
{
    int rc = check_list(q, err);

    return rc ? rc : s->engine->booking_list(s, q, each, ctx, err);
}

int store_memo_notified(struct store *s, const char *id, struct hl_err *err)
{
    int rc = need(id, "memo id", err);

    return rc ? rc : s->engine->memo_notified(s, id, err);
}

int store_message_for_job(struct store *s, long long job_id, const char *stage,
                          void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                          struct hl_err *err)
{
    int rc = need(stage, "job stage", err);

    if (rc == HL_OK && job_id <= 0)
        rc = hl_err_set(err, HL_EINVAL, "job id: required");
    return rc ? rc : s->engine->message_for_job(s, job_id, stage, each, ctx, err);
}

int store_memo_add(struct store *s, const struct store_memo *m, struct hl_err *err)
{
    int rc;

    if ((rc = need(m->id, "memo id", err)) || (rc = need(m->kind, "memo kind", err)) ||
        (rc = need(m->key_sha256, "memo key hash", err)))
        return rc;
    return s->engine->memo_add(s, m, err);
}

int store_memo_get(struct store *s, const char *id,
                   void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                   struct hl_err *err)
{
    int rc = need(id, "memo id", err);

    return rc ? rc : s->engine->memo_get(s, id, each, ctx, err);
}

int store_note_received(struct store *s, long long message_id, const char *phone,
                        const char *job_kind, const char *job_payload_json, int *inserted,
                        struct hl_err *err)
{
    int rc;

    *inserted = 0;
    if (message_id <= 0)
        return hl_err_set(err, HL_EINVAL, "note message id must be positive");
    if ((rc = need(phone, "note sender", err)) || (rc = need(job_kind, "note job kind", err)))
        return rc;
    return s->engine->note_received(s, message_id, phone, job_kind, job_payload_json, inserted,
                                    err);
}

int store_note_get(struct store *s, long long message_id,
                   void (*each)(void *ctx, const struct store_note *note), void *ctx,
                   struct hl_err *err)
{
    if (message_id <= 0)
        return hl_err_set(err, HL_EINVAL, "note message id must be positive");
    return s->engine->note_get(s, message_id, NULL, each, ctx, err);
}

int store_note_last(struct store *s, const char *phone,
                    void (*each)(void *ctx, const struct store_note *note), void *ctx,
                    struct hl_err *err)
{
    int rc = need(phone, "note sender", err);

    return rc ? rc : s->engine->note_get(s, STORE_NONE, phone, each, ctx, err);
}

int store_note_analysed(struct store *s, long long message_id, const char *analysis_json,
                        struct hl_err *err)
{
    int rc = need(analysis_json, "note analysis", err);

    if (message_id <= 0)
        return hl_err_set(err, HL_EINVAL, "note message id must be positive");
    return rc ? rc : s->engine->note_analysed(s, message_id, analysis_json, err);
}

int store_note_sealed(struct store *s, const struct store_memo *m, struct hl_err *err)
{
    int rc;

    if (m->message_id <= 0 || !m->kind || strcmp(m->kind, "sms_note") != 0)
        return hl_err_set(err, HL_EINVAL, "a sealed note needs an sms_note memo with its message");
    if ((rc = need(m->id, "memo id", err)) || (rc = need(m->key_sha256, "memo key hash", err)))
        return rc;
    return s->engine->note_sealed(s, m, err);
}

int store_scrub(struct store *s, struct hl_err *err)
{
    return s->engine->scrub(s, err);
}

/* ---- Erasure -------------------------------------------------------------------------- */

static void erased_ignore(void *ctx, enum store_erased what, const char *value)
{
    (void)ctx, (void)what, (void)value;
}

int store_erase_phone(struct store *s, const char *phone, const char *cleanup_kind,
                      struct store_erasure *out, store_erased_fn each, void *ctx,
                      struct hl_err *err)
{
    char subject[STORE_SUBJECT_SIZE];
    int rc;

    memset(out, 0, sizeof(*out));
    if (phone && !phone_is_e164(phone))
        return hl_err_set(err, HL_EINVAL, "the number to erase must be E.164 (+14155551234)");
    if ((rc = need(cleanup_kind, "cleanup job kind", err)) ||
        (rc = store_subject(s, phone, subject, err)))
        return rc;
    return s->engine->erase_phone(s, phone, subject, cleanup_kind, out,
                                  each ? each : erased_ignore, ctx, err);
}

int store_erase_memo(struct store *s, const char *id, const char *cleanup_kind,
                     struct store_erasure *out, store_erased_fn each, void *ctx,
                     struct hl_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = need(id, "memo id", err)) || (rc = need(cleanup_kind, "cleanup job kind", err)))
        return rc;
    return s->engine->erase_memo(s, id, cleanup_kind, out, each ? each : erased_ignore, ctx, err);
}

int store_job_add(struct store *s, const char *kind, const char *payload_json, long long *id,
                  struct hl_err *err)
{
    long long ignored;
    int rc = need(kind, "job kind", err);

    return rc ? rc : s->engine->job_add(s, kind, payload_json, id ? id : &ignored, err);
}

int store_job_claim(struct store *s, const char *owner, const char *kinds, long lease_ms,
                    void (*each)(void *ctx, const struct store_job *job), void *ctx, int *found,
                    struct hl_err *err)
{
    int rc = need(owner, "job lease owner", err);

    *found = 0;
    if (rc == HL_OK && lease_ms <= 0)
        rc = hl_err_set(err, HL_EINVAL, "a lease must last a while");
    return rc ? rc : s->engine->job_claim(s, owner, kinds, lease_ms, each, ctx, found, err);
}

int store_job_renew(struct store *s, long long id, const char *owner, long lease_ms,
                    struct hl_err *err)
{
    int rc = need_job(id, owner, 1, err);

    return rc ? rc : s->engine->job_renew(s, id, owner, lease_ms, err);
}

int store_job_finish(struct store *s, long long id, const char *owner, struct hl_err *err)
{
    int rc = need_job(id, owner, 1, err);

    return rc ? rc : s->engine->job_finish(s, id, owner, err);
}

int store_job_fail(struct store *s, long long id, const char *owner, const char *error,
                   long retry_ms, struct hl_err *err)
{
    int rc = need_job(id, owner, 1, err);

    return rc ? rc : s->engine->job_fail(s, id, owner, error, retry_ms, err);
}

int store_job_retry(struct store *s, long long id, struct hl_err *err)
{
    int rc = need_job(id, NULL, 0, err);

    return rc ? rc : s->engine->job_retry(s, id, err);
}

int store_job_stage_get(struct store *s, long long job_id, const char *stage,
                        void (*each)(void *ctx, const char *result_json), void *ctx,
                        struct hl_err *err)
{
    int rc = need_job(job_id, NULL, 0, err);

    if (rc == HL_OK)
        rc = need(stage, "job stage", err);
    return rc ? rc : s->engine->job_stage_get(s, job_id, stage, each, ctx, err);
}

int store_job_stage_done(struct store *s, long long job_id, const char *stage,
                         const char *result_json, struct hl_err *err)
{
    int rc = need_job(job_id, NULL, 0, err);

    if (rc == HL_OK)
        rc = need(stage, "job stage", err);
    return rc ? rc : s->engine->job_stage_done(s, job_id, stage, result_json, err);
}

int store_job_list(struct store *s, const char *state, const struct store_list *q,
                   void (*each)(void *ctx, const struct store_job *job), void *ctx,
                   struct hl_err *err)
{
    int rc = check_list(q, err);

    return rc ? rc : s->engine->job_list(s, state, q, each, ctx, err);
}

int store_job_get(struct store *s, long long id,
                  void (*each)(void *ctx, const struct store_job *job),
                  void (*stage_each)(void *ctx, const char *stage, const char *result_json,
                                     const char *finished_at),
                  void *ctx, struct hl_err *err)
{
    int rc = need_job(id, NULL, 0, err);

    return rc ? rc : s->engine->job_get(s, id, each, stage_each, ctx, err);
}

/* Every write is stamped: the date and time to the second are formatted once a second. */
static void store_time_at(const struct timespec *ts, char out[STORE_TIME_SIZE])
{
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[STORE_TIME_SIZE];
    static _Thread_local size_t cached_len;
    int ms = (int)(ts->tv_nsec / 1000000) % 1000;

    if (ts->tv_sec != cached_sec) {
        struct tm tm;

        gmtime_r(&ts->tv_sec, &tm);
        cached_len = strftime(cached, sizeof(cached) - sizeof(".000Z"), "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = ts->tv_sec;
    }
    memcpy(out, cached, cached_len);
    out[cached_len] = '.';
    out[cached_len + 1] = (char)('0' + ms / 100);
    out[cached_len + 2] = (char)('0' + ms / 10 % 10);
    out[cached_len + 3] = (char)('0' + ms % 10);
    memcpy(out + cached_len + 4, "Z", 2);
}

void store_time_after(long ms, char out[STORE_TIME_SIZE])
{
    struct timespec ts;
    long long ns;

    clock_gettime(CLOCK_REALTIME, &ts);
    ns = (long long)ts.tv_nsec + (long long)(ms % 1000) * 1000000;
    ts.tv_sec += ms / 1000 + (time_t)(ns >= 1000000000 ? 1 : ns < 0 ? -1 : 0);
    ts.tv_nsec = (long)(ns >= 1000000000 ? ns - 1000000000 : ns < 0 ? ns + 1000000000 : ns);
    store_time_at(&ts, out);
}

void store_time_now(char out[STORE_TIME_SIZE])
{
    store_time_after(0, out);
}

/* ---- The dashboard's reads and sessions ------------------------------------------------ */

int store_memo_list(struct store *s, const struct store_list *q,
                    void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                    struct hl_err *err)
{
    int rc = check_list(q, err);

    return rc ? rc : s->engine->memo_list(s, q, each, ctx, err);
}

int store_optout_list(struct store *s, const struct store_list *q,
                      void (*each)(void *ctx, const struct store_optout_row *row), void *ctx,
                      struct hl_err *err)
{
    int rc = check_list(q, err);

    return rc ? rc : s->engine->optout_list(s, q, each, ctx, err);
}

int store_activity_count(struct store *s, const char *since, const char *until, long long *calls,
                         long long *messages, struct hl_err *err)
{
    int rc;

    *calls = *messages = 0;
    if ((rc = need(since, "start of the period", err)) ||
        (rc = need(until, "end of the period", err)))
        return rc;
    return s->engine->activity_count(s, since, until, calls, messages, err);
}

/* A session is named by the SHA-256 of its token: 64 lowercase hex digits. */
static int need_token_hash(const char *hash, struct hl_err *err)
{
    if (!hash || strlen(hash) != 64 || hash[strspn(hash, "0123456789abcdef")])
        return hl_err_set(err, HL_EINVAL, "a session is named by a SHA-256 in lowercase hex");
    return HL_OK;
}

int store_session_add(struct store *s, const char *token_sha256, long idle_s, long max_s,
                      struct hl_err *err)
{
    int rc = need_token_hash(token_sha256, err);

    if (rc == HL_OK && (idle_s <= 60 || max_s < idle_s))
        rc = hl_err_set(err, HL_EINVAL,
                        "a session must last over a minute, idle no longer than whole");
    return rc ? rc : s->engine->session_add(s, token_sha256, idle_s, max_s, err);
}

int store_session_check(struct store *s, const char *token_sha256, long idle_s, int *valid,
                        struct hl_err *err)
{
    int rc = need_token_hash(token_sha256, err);

    *valid = 0;
    if (rc == HL_OK && idle_s <= 60)
        rc = hl_err_set(err, HL_EINVAL, "a session's idle time must be over a minute");
    return rc ? rc : s->engine->session_check(s, token_sha256, idle_s, valid, err);
}

int store_session_delete(struct store *s, const char *token_sha256, struct hl_err *err)
{
    int rc = need_token_hash(token_sha256, err);

    return rc ? rc : s->engine->session_delete(s, token_sha256, err);
}
