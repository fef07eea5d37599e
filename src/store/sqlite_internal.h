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
    int checkpoint_stopping;
    int checkpoint_running;
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
int sqlite_optout_clear(struct store *base, const char *phone, struct hl_err *err);
int sqlite_optout_check(struct store *base, const char *phone, int *opted_out, struct hl_err *err);

#endif
