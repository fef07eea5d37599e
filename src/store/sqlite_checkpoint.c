/*
 * sqlite_checkpoint.c — WAL checkpoints off the request path.
 *
 * SQLite normally checkpoints inside the COMMIT that pushes the WAL past
 * 1000 pages: that commit copies the pages back into the database file and
 * fsyncs both files, and every webhook queued behind it waits (it was most
 * of the p99 latency). Here the writer only notices the WAL's size (a WAL
 * hook costs a comparison) and wakes a checkpointer thread, which runs
 * PASSIVE checkpoints on a connection of its own. A passive checkpoint never
 * blocks writers or readers; what it cannot copy now it copies next time.
 *
 * The checkpointer is woken each time the WAL has grown by CHECKPOINT_STEP
 * pages. Woken after every commit past a size (as it was), it ran hundreds
 * of checkpoints a second, each copying one commit's pages and paying two
 * fsyncs; woken every 2000 pages, each checkpoint was a burst of several
 * milliseconds that the webhooks' p99 felt. 250 pages measured best for
 * both (docs/performance.md).
 *
 * But the WAL only starts over from its beginning when a checkpoint has
 * copied every frame before the next commit, and under steady load commits
 * never pause that long: the WAL grew by some 10 MB a second (and with it the
 * WAL index every page read searches). So once it holds CHECKPOINT_HOLD_PAGES,
 * a passive checkpoint copies what it can and then a second one runs holding
 * the writer: commits wait for it (its two fsyncs and the few pages
 * committed during the first, once per 64 MB of WAL), and the next commit
 * starts the WAL over.
 */
#include "store/sqlite_internal.h"

#include "core/banned.h"

/* A passive checkpoint each time the WAL has grown by this many pages (see the top). */
#define CHECKPOINT_STEP 250
/* Past this many, checkpoint with writes held, so that the WAL starts over. */
#define CHECKPOINT_HOLD_PAGES 16000

/* Called by SQLite after each commit on the writer connection. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sqlite_store *s = arg;

    (void)db, (void)name;
    if (pages < s->checkpoint_mark) /* the WAL started over */
        s->checkpoint_mark = 0;
    if (pages - s->checkpoint_mark < CHECKPOINT_STEP)
        return SQLITE_OK;
    s->checkpoint_mark = pages;
    pthread_mutex_lock(&s->checkpoint_lock);
    s->checkpoint_wanted = pages >= CHECKPOINT_HOLD_PAGES ? 2 : 1;
    pthread_cond_signal(&s->checkpoint_cond);
    pthread_mutex_unlock(&s->checkpoint_lock);
    return SQLITE_OK;
}

static void *checkpoint_main(void *arg)
{
    struct sqlite_store *s = arg;
    int hold;

    pthread_mutex_lock(&s->checkpoint_lock);
    for (;;) {
        while (!s->checkpoint_wanted && !s->checkpoint_stopping)
            pthread_cond_wait(&s->checkpoint_cond, &s->checkpoint_lock);
        if (s->checkpoint_stopping)
            break;
        hold = s->checkpoint_wanted == 2;
        s->checkpoint_wanted = 0;
        pthread_mutex_unlock(&s->checkpoint_lock);
        sqlite3_wal_checkpoint_v2(s->checkpointer, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (hold) { /* only what was committed during the one above is left to copy */
            writer_get(s); /* no commit can come between its start and its end */
            sqlite3_wal_checkpoint_v2(s->checkpointer, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            writer_put(s);
        }
        pthread_mutex_lock(&s->checkpoint_lock);
    }
    pthread_mutex_unlock(&s->checkpoint_lock);
    return NULL;
}

int sqlite_checkpoint_start(struct sqlite_store *s, const char *path, struct hl_err *err)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    int src = sqlite3_open_v2(path, &s->checkpointer, flags, NULL);

    if (src != SQLITE_OK)
        return db_fail(s->checkpointer, src, err);
    sqlite3_busy_timeout(s->checkpointer, SQLITE_BUSY_MS);
    /*
     * A connection learns that the file is in WAL mode only when it first
     * reads it; until then a checkpoint on it does nothing at all.
     */
    src = sqlite3_exec(s->checkpointer, "PRAGMA journal_mode", NULL, NULL, NULL);
    if (src != SQLITE_OK)
        return db_fail(s->checkpointer, src, err);
    pthread_mutex_init(&s->checkpoint_lock, NULL);
    pthread_cond_init(&s->checkpoint_cond, NULL);
    if (pthread_create(&s->checkpoint_thread, NULL, checkpoint_main, s) != 0)
        return hl_err_set(err, HL_EIO, "cannot start the checkpoint thread");
    s->checkpoint_running = 1;
    sqlite3_wal_hook(s->writer.db, on_wal_commit, s); /* replaces SQLite's auto-checkpoint */
    return HL_OK;
}

void sqlite_checkpoint_stop(struct sqlite_store *s)
{
    if (s->checkpoint_running) {
        sqlite3_wal_hook(s->writer.db, NULL, NULL);
        pthread_mutex_lock(&s->checkpoint_lock);
        s->checkpoint_stopping = 1;
        pthread_cond_signal(&s->checkpoint_cond);
        pthread_mutex_unlock(&s->checkpoint_lock);
        pthread_join(s->checkpoint_thread, NULL);
        pthread_mutex_destroy(&s->checkpoint_lock);
        pthread_cond_destroy(&s->checkpoint_cond);
        s->checkpoint_running = 0;
    }
    sqlite3_close(s->checkpointer);
    s->checkpointer = NULL;
}
