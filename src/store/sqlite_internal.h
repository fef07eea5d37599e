/*
 * sqlite_internal.h — what the SQLite engine's files share: connections,
 * prepared statements, binding, and the group-commit writer. Private to
 * src/store/sqlite*.c; the rest of hotline sees only store.h.
 *
 * The engine is three files: sqlite.c (connections, statements, schema and
 * the engine table), sqlite_ops.c (one function per store operation) and
 * sqlite_commit.c (group commit of concurrent writes).
 */
#ifndef HL_STORE_SQLITE_INTERNAL_H
#define HL_STORE_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/engine.h"

#define SQLITE_READERS 4
#define SQLITE_BUSY_MS 5000

enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_SCHEMA_EXISTS,
    ST_SCHEMA_VERSION,
    ST_SCHEMA_HAS,
    ST_SCHEMA_RECORD,
    ST_CALL_UPSERT,
    ST_CALL_NUMBERS,
    ST_EVENT_INSERT,
    ST_EVENT_CALL,
    ST_REC_STATUS,
    ST_REC_RECEIVED,
    ST_JOB_INSERT,
    ST_REC_SET_JOB,
    ST_MSG_INSERT,
    ST_MSG_FILL,
    ST_MSG_STATUS,
    ST_OPTOUT_SET,
    ST_OPTOUT_CLEAR,
    ST_OPTOUT_CHECK,
    ST_CALL_OUT_INSERT,
    ST_CALL_OUT_STATUS,
    ST_CALL_SID_EXISTS,
    ST_CALL_OUT_RENAME,
    ST_CALL_OUT_MERGE,
    ST_CALL_DELETE,
    ST_MSG_OUT_TAKE,
    ST_MSG_OUT_END,
    ST_CALL_LIST,
    ST_CALL_LIST_PHONE,
    ST_CALL_GET,
    ST_EVENT_LIST,
    ST_REC_LIST_CALL,
    ST_TRANSCRIPT_LIST_CALL,
    ST_MSG_LIST,
    ST_MSG_LIST_PHONE,
    ST_CONTACT_PUT,
    ST_CONTACT_GET,
    ST_JOB_CLAIM,
    ST_JOB_RENEW,
    ST_JOB_FINISH,
    ST_JOB_FAIL,
    ST_JOB_RETRY,
    ST_JOB_STAGE_GET,
    ST_JOB_STAGE_DONE,
    ST_JOB_LIST,
    ST_JOB_LIST_STATE,
    ST_JOB_GET,
    ST_JOB_STAGES,
    ST_TRANSCRIPT_ADD,
    ST_BOOKING_ADD,
    ST_MEMO_ADD,
    ST_MEMO_NOTIFIED,
    ST_MSG_SET_JOB,
    ST_MSG_FOR_JOB,
    ST_MEMO_GET,
    ST_BOOKING_LIST,
    ST_BOOKING_LIST_PHONE,
    ST_NOTE_ADD,
    ST_NOTE_GET,
    ST_NOTE_LAST,
    ST_NOTE_ANALYSED,
    ST_NOTE_SEALED,
    ST_NOTE_CLEAR_BODY,
    ST_CALL_LIST_SUFFIX,
    ST_MSG_LIST_SUFFIX,
    ST_BOOKING_LIST_SUFFIX,
    ST_MEMO_LIST,
    ST_OPTOUT_LIST,
    ST_ACTIVITY_COUNT,
    ST_SESSION_PRUNE,
    ST_SESSION_ADD,
    ST_SESSION_GET,
    ST_SESSION_TOUCH,
    ST_SESSION_DELETE,
    ST_SUBJECT_KEY,
    ST_ERASE_BUSY,
    ST_ERASE_JOBS,
    ST_ERASE_JOBS_NAMING,
    ST_ERASE_NOTICES,
    ST_ERASE_MEMOS,
    ST_ERASE_TRANSCRIPTS,
    ST_ERASE_RECORDINGS,
    ST_ERASE_BOOKINGS,
    ST_ERASE_MESSAGES,
    ST_ERASE_QUOTES,
    ST_ERASE_EVENTS,
    ST_ERASE_CALLS,
    ST_ERASE_CONTACT,
    ST_ERASE_OPTOUT,
    ST_ERASE_OPTOUT_KEEP,
    ST_ERASE_MEMO_EXISTS,
    ST_ERASE_MEMO_MESSAGES,
    ST_ERASE_MEMO_TRANSCRIPTS,
    ST_ERASE_MEMO_RECORDING,
    ST_ERASE_MEMO,
    ST_ERASURE_RECORD,
    ST_CLEANUP_ADD,
    ST_COUNT
};

struct sqlite_write;

struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT]; /* prepared on first use */
};

struct sqlite_store {
    struct store base; /* first: see engine.h */
    pthread_mutex_t write_lock;
    struct sqlite_conn writer;
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_ready;
    struct sqlite_conn readers[SQLITE_READERS];
    struct sqlite_conn *idle[SQLITE_READERS];
    size_t n_idle;
    /* group commit (sqlite_commit.c) */
    pthread_mutex_t group_lock;
    pthread_cond_t group_done;
    struct sqlite_write *queue; /* writes waiting for the next group */
    struct sqlite_write **queue_tail;
    int leader; /* a thread is committing a group now */
    /* the writer thread that runs submitted tasks in groups */
    pthread_cond_t tasks_ready;
    struct store_task *tasks;
    struct store_task **tasks_tail;
    size_t task_count;      /* tasks queued */
    size_t last_group_size; /* tasks in the group committed last */
    pthread_t task_thread;
    int task_thread_running;
    int stopping;
    /* WAL checkpoints on their own thread (sqlite_checkpoint.c) */
    sqlite3 *checkpointer;
    pthread_t checkpoint_thread;
    pthread_mutex_t checkpoint_lock;
    pthread_cond_t checkpoint_cond;
    int checkpoint_wanted;
    int checkpoint_mark; /* the WAL's size when a checkpoint was last asked for (the writer's) */
    int checkpoint_stopping;
    int checkpoint_running;
    /* the subject key (store_keys), read once: it never changes (under pool_lock) */
    int subject_key_loaded;
    unsigned char subject_key[STORE_SUBJECT_KEY_LEN];
};

/* A statement being bound; src keeps the first bind error for stmt_run. */
struct binder {
    sqlite3_stmt *st;
    int src;
};

struct sqlite_store *sqlite_of(struct store *s);

/* Turn a failed SQLite call on db into a store result with SQLite's words. */
int db_fail(sqlite3 *db, int code, struct hl_err *err);

/* Ready statement id on c for binding (preparing it on first use). */
int stmt_open(struct sqlite_conn *c, enum stmt_id id, struct binder *b, struct hl_err *err);

/* Bind s as TEXT, borrowed until stmt_run; NULL binds SQL NULL. */
void bind_text(struct binder *b, int i, const char *s);

/* Bind v; STORE_NONE binds SQL NULL (other negatives reach the CHECKs). */
void bind_int(struct binder *b, int i, long long v);

/*
 * Run a bound statement to its end and reset it. *first (may be NULL) gets
 * column 0 of its first row — a count, or the id a RETURNING clause gave —
 * and *found (may be NULL) whether there was a row.
 */
int stmt_run(struct sqlite_conn *c, struct binder *b, long long *first, int *found,
             struct hl_err *err);

/* Run a statement that takes no parameters. */
int stmt_simple(struct sqlite_conn *c, enum stmt_id id, long long *first, struct hl_err *err);

/* End the transaction BEGIN IMMEDIATE opened: commit if rc is HL_OK, else roll back. */
int tx_end(struct sqlite_conn *c, int rc, struct hl_err *err);

/* The writer connection, held until writer_put. */
struct sqlite_conn *writer_get(struct sqlite_store *s);
void writer_put(struct sqlite_store *s);

/* A reader connection from the pool, returned with reader_put. */
struct sqlite_conn *reader_get(struct sqlite_store *s);
void reader_put(struct sqlite_store *s, struct sqlite_conn *c);

/*
 * One write, run by sqlite_write_run() inside a transaction it may share
 * with other threads' writes (group commit). run gets the writer connection,
 * its arg and the group's timestamp; it must leave the connection inside the
 * transaction. rc is its result; err (the caller's, may be NULL) its message.
 */
struct sqlite_write {
    int (*run)(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err);
    void *arg;
    struct hl_err *err;
    int rc;
    int done;
    struct sqlite_write *next;
};

#define SQLITE_WRITE(fn, a, e)                                                                     \
    {                                                                                              \
        (fn), (a), (e), HL_OK, 0, NULL                                                             \
    }

/*
 * Run w and return its result once it is committed (HL_OK) or rolled back
 * (an error: nothing of w was stored). Safe from any number of threads.
 */
int sqlite_write_run(struct sqlite_store *s, struct sqlite_write *w);

/* Set up and tear down the group-commit queue of s (release finishes queued tasks). */
void sqlite_commit_init(struct sqlite_store *s);
void sqlite_commit_release(struct sqlite_store *s);

/*
 * Move WAL checkpoints from the writer's commits to a thread with its own
 * connection to path; stop joins it (before the writer closes).
 */
int sqlite_checkpoint_start(struct sqlite_store *s, const char *path, struct hl_err *err);
void sqlite_checkpoint_stop(struct sqlite_store *s);

/* Queue a task for the writer thread (started on first use). */
void sqlite_submit(struct store *base, struct store_task *task);

/* Run a list of tasks in one transaction on this thread (store_run_tasks). */
void sqlite_run_tasks(struct store *base, struct store_task *tasks);

/*
 * The connection of the task group this thread is running, or NULL: reads
 * made from inside a task use it so that they see the group's writes.
 */
struct sqlite_conn *sqlite_group_conn(struct sqlite_store *s);

/* The store operations (sqlite_ops.c), for the engine table. */
int sqlite_call_upsert(struct store *base, const struct store_call *call, struct hl_err *err);
int sqlite_call_event_add(struct store *base, const struct store_call_event *event, int *inserted,
                          struct hl_err *err);
int sqlite_recording_received(struct store *base, const struct store_recording *rec,
                              const char *job_kind, const char *job_payload_json, int *inserted,
                              struct hl_err *err);
int sqlite_recording_status(struct store *base, const struct store_recording *rec,
                            struct hl_err *err);
int sqlite_message_add(struct store *base, const struct store_message *msg, long long *id,
                       int *inserted, struct hl_err *err);
int sqlite_message_status(struct store *base, const char *sid, const char *status,
                          const char *error_code, struct hl_err *err);
int sqlite_optout_set(struct store *base, const char *phone, const char *keyword,
                      struct hl_err *err);
int sqlite_optout_clear(struct store *base, const char *phone, const char *subject,
                        struct hl_err *err);
int sqlite_optout_check(struct store *base, const char *phone, const char *subject,
                        int *opted_out, struct hl_err *err);

/* Outbound rows before and after their REST request (sqlite_outbound.c). */
int sqlite_call_outbound_begin(struct store *base, const struct store_call *call,
                               char sid_out[STORE_SID_SIZE], struct hl_err *err);
int sqlite_call_outbound_end(struct store *base, const char *provisional_sid,
                             const struct store_outcome *outcome, struct hl_err *err);
int sqlite_message_outbound_end(struct store *base, long long id,
                                const struct store_outcome *outcome, struct hl_err *err);

/* Reads of history (sqlite_read.c). */
int sqlite_call_list(struct store *base, const struct store_list *q,
                     void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                     struct hl_err *err);
int sqlite_call_get(struct store *base, const char *sid,
                    void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                    struct hl_err *err);
int sqlite_call_events(struct store *base, const char *call_sid,
                       void (*each)(void *ctx, const struct store_event_row *row), void *ctx,
                       struct hl_err *err);
int sqlite_call_recordings(struct store *base, const char *call_sid,
                           void (*each)(void *ctx, const struct store_recording_row *row),
                           void *ctx, struct hl_err *err);
int sqlite_call_transcriptions(struct store *base, const char *call_sid,
                               void (*each)(void *ctx, const struct store_transcription_row *row),
                               void *ctx, struct hl_err *err);
int sqlite_message_list(struct store *base, const struct store_list *q,
                        void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                        struct hl_err *err);

int sqlite_contact_put(struct store *base, const struct store_contact *c, struct hl_err *err);
int sqlite_contact_get(struct store *base, const char *phone,
                       void (*each)(void *ctx, const struct store_contact *c), void *ctx,
                       struct hl_err *err);

/* Jobs (sqlite_jobs.c). */
int sqlite_transcription_add(struct store *base, const struct store_transcription *t,
                             int *inserted, struct hl_err *err);
int sqlite_booking_add(struct store *base, const struct store_booking *b, int *inserted,
                       struct hl_err *err);
int sqlite_booking_list(struct store *base, const struct store_list *q,
                        void (*each)(void *ctx, const struct store_booking_row *row), void *ctx,
                        struct hl_err *err);
int sqlite_memo_add(struct store *base, const struct store_memo *m, struct hl_err *err);
int sqlite_memo_notified(struct store *base, const char *id, struct hl_err *err);
int sqlite_message_for_job(struct store *base, long long job_id, const char *stage,
                           void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                           struct hl_err *err);
int sqlite_memo_get(struct store *base, const char *id,
                    void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                    struct hl_err *err);
int sqlite_job_add(struct store *base, const char *kind, const char *payload_json, long long *id,
                   struct hl_err *err);
int sqlite_job_claim(struct store *base, const char *owner, const char *kinds, long lease_ms,
                     void (*each)(void *ctx, const struct store_job *job), void *ctx, int *found,
                     struct hl_err *err);
int sqlite_job_renew(struct store *base, long long id, const char *owner, long lease_ms,
                     struct hl_err *err);
int sqlite_job_finish(struct store *base, long long id, const char *owner, struct hl_err *err);
int sqlite_job_fail(struct store *base, long long id, const char *owner, const char *error,
                    long retry_ms, struct hl_err *err);
int sqlite_job_retry(struct store *base, long long id, struct hl_err *err);
int sqlite_job_stage_get(struct store *base, long long job_id, const char *stage,
                         void (*each)(void *ctx, const char *result_json), void *ctx,
                         struct hl_err *err);
int sqlite_job_stage_done(struct store *base, long long job_id, const char *stage,
                          const char *result_json, struct hl_err *err);
int sqlite_job_list(struct store *base, const char *state, const struct store_list *q,
                    void (*each)(void *ctx, const struct store_job *job), void *ctx,
                    struct hl_err *err);
int sqlite_job_get(struct store *base, long long id,
                   void (*each)(void *ctx, const struct store_job *job),
                   void (*stage_each)(void *ctx, const char *stage, const char *result_json,
                                      const char *finished_at),
                   void *ctx, struct hl_err *err);

/* Insert the memo arg (a const struct store_memo *) inside a write (sqlite_ops.c). */
int sqlite_memo_insert(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err);

/* SMS notes (sqlite_notes.c). */
int sqlite_note_received(struct store *base, long long message_id, const char *phone,
                         const char *job_kind, const char *job_payload_json, int *inserted,
                         struct hl_err *err);
int sqlite_note_get(struct store *base, long long message_id, const char *phone,
                    void (*each)(void *ctx, const struct store_note *note), void *ctx,
                    struct hl_err *err);
int sqlite_note_analysed(struct store *base, long long message_id, const char *analysis_json,
                         struct hl_err *err);
int sqlite_note_sealed(struct store *base, const struct store_memo *m, struct hl_err *err);

/* Fold the WAL into the database and truncate it (sqlite_scrub.c). */
int sqlite_scrub(struct store *base, struct hl_err *err);
/* The dashboard's reads (sqlite_read.c) and sessions (sqlite_sessions.c). */
int sqlite_memo_list(struct store *base, const struct store_list *q,
                     void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                     struct hl_err *err);
int sqlite_optout_list(struct store *base, const struct store_list *q,
                       void (*each)(void *ctx, const struct store_optout_row *row), void *ctx,
                       struct hl_err *err);
int sqlite_activity_count(struct store *base, const char *since, const char *until,
                          long long *calls, long long *messages, struct hl_err *err);
int sqlite_session_add(struct store *base, const char *token_sha256, long idle_s, long max_s,
                       struct hl_err *err);
int sqlite_session_check(struct store *base, const char *token_sha256, long idle_s, int *valid,
                         struct hl_err *err);
int sqlite_session_delete(struct store *base, const char *token_sha256, struct hl_err *err);

/* Erasure and the subject key (sqlite_erase.c). */
int sqlite_subject_key(struct store *base, unsigned char *key, struct hl_err *err);
int sqlite_erase_phone(struct store *base, const char *phone, const char *subject,
                       const char *cleanup_kind, struct store_erasure *out, store_erased_fn each,
                       void *ctx, struct hl_err *err);
int sqlite_erase_memo(struct store *base, const char *id, const char *cleanup_kind,
                      struct store_erasure *out, store_erased_fn each, void *ctx,
                      struct hl_err *err);

/* Bind the parameters every call statement shares (see CALL_COLUMNS in sqlite.c). */
struct binder;
void sqlite_bind_call(struct binder *b, const struct store_call *call, const char *now);

#endif
