/*
 * engine.h — what a storage engine provides, private to src/store/.
 *
 * store.c parses DATABASE_URL, checks every caller's arguments once, and then
 * calls through the struct store_engine that the URL's scheme selected. An
 * engine (sqlite.c today, postgres.c later) fills one static const
 * struct store_engine and keeps its own state in a struct that begins with a
 * struct store, so that store.c can hold any engine's handle by the same type:
 *
 *     struct sqlite_store {
 *         struct store base;    -- first, so (struct store *) casts both ways
 *         ...
 *     };
 *
 * Engines may assume the arguments store.c has checked (required strings are
 * non-NULL and non-empty, out-pointers are non-NULL, *inserted is already 0)
 * and must implement every operation with the semantics store.h documents.
 */
#ifndef HL_STORE_ENGINE_H
#define HL_STORE_ENGINE_H

#include <stddef.h>

#include "core/hl.h"
#include "store/store.h"

struct store_engine {
    const char *name; /* "sqlite", "postgres": for messages only */

    /* Open the engine on target, the part of DATABASE_URL after its scheme. */
    int (*open)(struct store **out, const char *target, struct hl_err *err);
    void (*close)(struct store *s);

    int (*migrate)(struct store *s, int *applied, struct hl_err *err);
    int (*schema_version)(struct store *s, int *version, struct hl_err *err);
    int (*ping)(struct store *s, struct hl_err *err);

    int (*call_upsert)(struct store *s, const struct store_call *call, struct hl_err *err);
    int (*call_event_add)(struct store *s, const struct store_call_event *event, int *inserted,
                          struct hl_err *err);

    int (*recording_received)(struct store *s, const struct store_recording *rec,
                              const char *job_kind, const char *job_payload_json, int *inserted,
                              struct hl_err *err);
    int (*recording_status)(struct store *s, const struct store_recording *rec, struct hl_err *err);

    int (*message_add)(struct store *s, const struct store_message *msg, long long *id,
                       int *inserted, struct hl_err *err);
    int (*message_status)(struct store *s, const char *sid, const char *status,
                          const char *error_code, struct hl_err *err);

    int (*optout_set)(struct store *s, const char *phone, const char *keyword, struct hl_err *err);
    /* subject: store_subject(phone), the form an erased number's opt-out is kept in */
    int (*optout_clear)(struct store *s, const char *phone, const char *subject,
                        struct hl_err *err);
    int (*optout_check)(struct store *s, const char *phone, const char *subject, int *opted_out,
                        struct hl_err *err);
    /* The database's subject key (STORE_SUBJECT_KEY_LEN bytes; made by a migration). */
    int (*subject_key)(struct store *s, unsigned char *key, struct hl_err *err);

    int (*call_outbound_begin)(struct store *s, const struct store_call *call,
                               char sid_out[STORE_SID_SIZE], struct hl_err *err);
    int (*call_outbound_end)(struct store *s, const char *provisional_sid,
                             const struct store_outcome *outcome, struct hl_err *err);
    int (*message_outbound_end)(struct store *s, long long id,
                                const struct store_outcome *outcome, struct hl_err *err);

    int (*call_list)(struct store *s, const struct store_list *q,
                     void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                     struct hl_err *err);
    int (*call_get)(struct store *s, const char *sid,
                    void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                    struct hl_err *err);
    int (*call_events)(struct store *s, const char *call_sid,
                       void (*each)(void *ctx, const struct store_event_row *row), void *ctx,
                       struct hl_err *err);
    int (*call_recordings)(struct store *s, const char *call_sid,
                           void (*each)(void *ctx, const struct store_recording_row *row),
                           void *ctx, struct hl_err *err);
    int (*call_transcriptions)(struct store *s, const char *call_sid,
                               void (*each)(void *ctx, const struct store_transcription_row *row),
                               void *ctx, struct hl_err *err);
    int (*message_list)(struct store *s, const struct store_list *q,
                        void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                        struct hl_err *err);

    int (*message_for_job)(struct store *s, long long job_id, const char *stage,
                           void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                           struct hl_err *err);

    int (*contact_put)(struct store *s, const struct store_contact *c, struct hl_err *err);
    int (*contact_get)(struct store *s, const char *phone,
                       void (*each)(void *ctx, const struct store_contact *c), void *ctx,
                       struct hl_err *err);

    int (*transcription_add)(struct store *s, const struct store_transcription *t, int *inserted,
                             struct hl_err *err);
    int (*booking_add)(struct store *s, const struct store_booking *b, int *inserted,
                       struct hl_err *err);
    int (*booking_list)(struct store *s, const struct store_list *q,
                        void (*each)(void *ctx, const struct store_booking_row *row), void *ctx,
                        struct hl_err *err);
    int (*memo_add)(struct store *s, const struct store_memo *m, struct hl_err *err);
    int (*memo_notified)(struct store *s, const char *id, struct hl_err *err);
    int (*memo_get)(struct store *s, const char *id,
                    void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                    struct hl_err *err);
    /* notes: get serves store_note_get (phone NULL) and store_note_last (message_id STORE_NONE) */
    int (*note_received)(struct store *s, long long message_id, const char *phone,
                         const char *job_kind, const char *job_payload_json, int *inserted,
                         struct hl_err *err);
    int (*note_get)(struct store *s, long long message_id, const char *phone,
                    void (*each)(void *ctx, const struct store_note *note), void *ctx,
                    struct hl_err *err);
    int (*note_analysed)(struct store *s, long long message_id, const char *analysis_json,
                         struct hl_err *err);
    int (*note_sealed)(struct store *s, const struct store_memo *m, struct hl_err *err);
    int (*scrub)(struct store *s, struct hl_err *err);
    int (*erase_phone)(struct store *s, const char *phone, const char *subject,
                       const char *cleanup_kind, struct store_erasure *out, store_erased_fn each,
                       void *ctx, struct hl_err *err);
    int (*erase_memo)(struct store *s, const char *id, const char *cleanup_kind,
                      struct store_erasure *out, store_erased_fn each, void *ctx,
                      struct hl_err *err);
    int (*job_add)(struct store *s, const char *kind, const char *payload_json, long long *id,
                   struct hl_err *err);
    int (*job_claim)(struct store *s, const char *owner, const char *kinds, long lease_ms,
                     void (*each)(void *ctx, const struct store_job *job), void *ctx, int *found,
                     struct hl_err *err);
    int (*job_renew)(struct store *s, long long id, const char *owner, long lease_ms,
                     struct hl_err *err);
    int (*job_finish)(struct store *s, long long id, const char *owner, struct hl_err *err);
    int (*job_fail)(struct store *s, long long id, const char *owner, const char *error,
                    long retry_ms, struct hl_err *err);
    int (*job_retry)(struct store *s, long long id, struct hl_err *err);
    int (*job_stage_get)(struct store *s, long long job_id, const char *stage,
                         void (*each)(void *ctx, const char *result_json), void *ctx,
                         struct hl_err *err);
    int (*job_stage_done)(struct store *s, long long job_id, const char *stage,
                          const char *result_json, struct hl_err *err);
    int (*job_list)(struct store *s, const char *state, const struct store_list *q,
                    void (*each)(void *ctx, const struct store_job *job), void *ctx,
                    struct hl_err *err);
    int (*job_get)(struct store *s, long long id,
                   void (*each)(void *ctx, const struct store_job *job),
                   void (*stage_each)(void *ctx, const char *stage, const char *result_json,
                                      const char *finished_at),
                   void *ctx, struct hl_err *err);

    int (*memo_list)(struct store *s, const struct store_list *q,
                     void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                     struct hl_err *err);
    int (*optout_list)(struct store *s, const struct store_list *q,
                       void (*each)(void *ctx, const struct store_optout_row *row), void *ctx,
                       struct hl_err *err);
    int (*activity_count)(struct store *s, const char *since, const char *until, long long *calls,
                          long long *messages, struct hl_err *err);
    int (*session_add)(struct store *s, const char *token_sha256, long idle_s, long max_s,
                       struct hl_err *err);
    int (*session_check)(struct store *s, const char *token_sha256, long idle_s, int *valid,
                         struct hl_err *err);
    int (*session_delete)(struct store *s, const char *token_sha256, struct hl_err *err);

    void (*submit)(struct store *s, struct store_task *task);
    void (*run_tasks)(struct store *s, struct store_task *tasks);
};

/* Bytes of the subject key (store_subject). */
#define STORE_SUBJECT_KEY_LEN 32

/* The head of every engine's handle. */
struct store {
    const struct store_engine *engine;
};

/* The engines built into this binary. */
extern const struct store_engine store_sqlite_engine;

/*
 * Timestamps the store writes: ISO-8601 UTC with milliseconds,
 * "2026-11-21T05:35:09.123Z". The width never varies, so comparing two
 * stamps as strings compares them as times (jobs' run_at relies on it).
 */
#define STORE_TIME_SIZE 32
void store_time_now(char out[STORE_TIME_SIZE]);

/* The same form, ms milliseconds from now (negative: in the past). */
void store_time_after(long ms, char out[STORE_TIME_SIZE]);

/*
 * The SQLite engine's schema (sqlite_schema.c): migration steps in the order
 * they are applied. Versions start at 1 and rise by one; a step, once
 * released, is never edited — a change to the schema is a new step.
 */
struct sqlite_migration {
    int version;
    const char *name; /* what the step does, for `hotline migrate` */
    const char *sql;  /* one or more statements, run in one transaction */
};

extern const struct sqlite_migration sqlite_migrations[];
extern const size_t sqlite_migrations_count;

#endif
