/*
 * store_fixture.h — what the store's unit tests share: a fresh database in
 * its own mkdtemp directory per test, and queries that inspect the file
 * behind the store's back with the sqlite3 API (the store offers no "count
 * rows" call on purpose). Header-only: each test file is its own program.
 */
#ifndef HL_TEST_STORE_FIXTURE_H
#define HL_TEST_STORE_FIXTURE_H

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hl.h"
#include "store/store.h"

struct fixture {
    char dir[64];
    char path[128];
    char url[160];
    struct store *s;
};

/* ---- Fixtures and inspection ---------------------------------------------------------- */

/* rm -r path: the fixture's directory holds only what the tests made. */
static inline void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char child[512];

    if (!d) {
        unlink(path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (snprintf(child, sizeof(child), "%s/%s", path, e->d_name) < (int)sizeof(child))
            remove_tree(child);
    }
    closedir(d);
    rmdir(path);
}

static inline int fixture_new(void **state, int migrate)
{
    struct fixture *f = hl_calloc(1, sizeof(*f));
    struct hl_err err = {0};

    snprintf(f->dir, sizeof(f->dir), "/tmp/hl-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/hotline.db", f->dir);
    snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    if (store_open(&f->s, f->url, &err) != HL_OK) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        return -1;
    }
    if (migrate && store_migrate(f->s, NULL, &err) != HL_OK) {
        fprintf(stderr, "store_migrate: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int setup_open(void **state)
{
    return fixture_new(state, 0);
}

static inline int setup_migrated(void **state)
{
    return fixture_new(state, 1);
}

static inline int teardown(void **state)
{
    struct fixture *f = *state;

    store_close(f->s);
    remove_tree(f->dir);
    free(f);
    return 0;
}

/* Run sql on its own read-only connection; column 0 of the first row. */
static inline sqlite3_stmt *query(struct fixture *f, sqlite3 **db, const char *sql)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_open_v2(f->path, db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(*db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(*db));
    return st;
}

static inline long long q_int(struct fixture *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st = query(f, &db, sql);
    long long n;

    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_type(st, 0) == SQLITE_NULL ? STORE_NONE : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* The text of column 0 of the first row, or NULL; the caller frees it. */
static inline char *q_text(struct fixture *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st = query(f, &db, sql);
    const unsigned char *t;
    char *copy = NULL;

    if (sqlite3_step(st) == SQLITE_ROW && (t = sqlite3_column_text(st, 0)))
        copy = hl_strdup((const char *)t);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return copy;
}

static inline void assert_text(struct fixture *f, const char *sql, const char *want)
{
    char *got = q_text(f, sql);

    if (!want)
        assert_null(got);
    else
        assert_string_equal(got ? got : "(null)", want);
    free(got);
}

/* Run a statement that changes the database, behind the store's back. */
static inline void q_exec(struct fixture *f, const char *sql)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* "2026-11-21T05:35:09.123Z" */
static inline int is_store_time(const char *t)
{
    return t && strlen(t) == 24 && t[4] == '-' && t[10] == 'T' && t[19] == '.' && t[23] == 'Z';
}

#endif
