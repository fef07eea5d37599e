/*
 * sqlite_scrub.c — making what was cleared unrecoverable from the files
 * (store_scrub): a sealed note's text, an erased row.
 *
 * With secure_delete (sqlite.c) an UPDATE or DELETE zeroes the bytes it
 * frees inside the page it writes. But in WAL mode the older images of that
 * page stay in the -wal file, frame after frame, until the log is reused
 * from its start, and a passive checkpoint never truncates it. So a scrub
 * runs a TRUNCATE checkpoint on a connection of its own: every page is
 * copied into the database file (its newest, zeroed image) and the log is
 * cut to zero bytes. It waits (busy timeout) for readers on older snapshots
 * and holds the write lock while it copies, so it is for rare events, off
 * the request path.
 */
#include <sqlite3.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

int sqlite_scrub(struct store *base, struct hl_err *err)
{
    struct sqlite_store *s = sqlite_of(base);
    const char *path = sqlite3_db_filename(s->writer.db, "main");
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    sqlite3 *db = NULL;
    int src, rc = HL_OK;

    if (!path || !*path)
        return HL_OK; /* no file: nothing to scrub */
    src = sqlite3_open_v2(path, &db, flags, NULL);
    if (src == SQLITE_OK) {
        sqlite3_busy_timeout(db, SQLITE_BUSY_MS);
        /* A connection learns that the file is in WAL mode only when it first reads it. */
        src = sqlite3_exec(db, "PRAGMA journal_mode", NULL, NULL, NULL);
    }
    if (src == SQLITE_OK)
        src = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    if (src != SQLITE_OK)
        rc = db_fail(db, src, err);
    sqlite3_close(db);
    return rc;
}
