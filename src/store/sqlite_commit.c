/*
 * sqlite_commit.c — group commit: concurrent writes share one transaction.
 *
 * In WAL mode a commit costs the same file locks and WAL page writes whether
 * it carries one webhook's rows or twenty, and on a busy server that fixed
 * cost was most of a webhook's CPU time (measured: 35 µs a row committed
 * alone, 9 µs a row committed in groups of 16). So writes queue up: the first
 * thread to find no group being committed becomes the leader, takes every
 * queued write, runs them in one BEGIN IMMEDIATE transaction — each inside
 * its own SAVEPOINT, so a write that fails is undone alone — commits once,
 * and wakes the threads whose writes it carried. Writes that arrive
 * meanwhile wait for the next group, whose leader is one of them. Under no
 * load a group is one write and costs what a plain transaction costs.
 *
 * Every caller still returns only after its rows are committed: nothing is
 * acknowledged to Twilio that a crash could lose.
 *
 * Threads that block in sqlite_write_run() can only group as many writes as
 * there are blocked threads. The HTTP edge therefore does not block: it
 * parks a webhook's connection and submits the handler as a task
 * (store_submit). One writer thread takes every queued task, runs them all
 * inside one transaction — a task's writes go straight into it, each in its
 * own savepoint — commits once, and then calls each task's done(), which
 * releases its response. Under load a group is as large as the number of
 * webhooks waiting, which is what makes a commit cheap per webhook.
 *
 * Taken as soon as the writer wakes, groups stayed small (five or six
 * webhooks at 32 connections), because the writer woke for the first task
 * and committed while the HTTP threads were still reading the others. So,
 * as PostgreSQL's commit_delay does when other transactions are active,
 * the writer gathers once webhooks arrive together (the last group held
 * more than one): it commits when GROUP_FULL tasks are queued or
 * GROUP_WAIT_US after it found the first, whichever comes first. A lone
 * webhook on a quiet server is committed at once.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

enum {
    GROUP_FULL = 32,     /* queued tasks worth committing at once (per-row cost is flat past it) */
    GROUP_WAIT_US = 250, /* longest the writer waits for a group to fill */
};

/* The store whose task group this thread is running (the writer thread only). */
static _Thread_local struct sqlite_store *group_store;
static _Thread_local struct sqlite_conn *group_conn;

void sqlite_commit_init(struct sqlite_store *s)
{
    pthread_condattr_t monotonic;

    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->group_lock, NULL);
    pthread_cond_init(&s->group_done, NULL);
    pthread_cond_init(&s->tasks_ready, &monotonic);
    pthread_condattr_destroy(&monotonic);
    s->task_count = 0;
    s->last_group_size = 0;
    s->queue = NULL;
    s->queue_tail = &s->queue;
    s->tasks = NULL;
    s->tasks_tail = &s->tasks;
    s->leader = 0;
}

void sqlite_commit_release(struct sqlite_store *s)
{
    if (s->task_thread_running) {
        pthread_mutex_lock(&s->group_lock);
        s->stopping = 1;
        pthread_cond_signal(&s->tasks_ready);
        pthread_mutex_unlock(&s->group_lock);
        pthread_join(s->task_thread, NULL);
    }
    pthread_mutex_destroy(&s->group_lock);
    pthread_cond_destroy(&s->group_done);
    pthread_cond_destroy(&s->tasks_ready);
}

struct sqlite_conn *sqlite_group_conn(struct sqlite_store *s)
{
    return group_store == s ? group_conn : NULL;
}

/* One write of a group of several: undone alone if it fails. */
static int run_in_savepoint(struct sqlite_conn *c, struct sqlite_write *w, const char *now)
{
    int rc = stmt_simple(c, ST_SAVEPOINT, NULL, w->err);

    if (rc != HL_OK)
        return rc;
    rc = w->run(c, w->arg, now, w->err);
    if (rc != HL_OK && !sqlite3_get_autocommit(c->db))
        stmt_simple(c, ST_ROLLBACK_TO, NULL, NULL);
    if (!sqlite3_get_autocommit(c->db))
        stmt_simple(c, ST_RELEASE, NULL, NULL);
    return rc;
}

/* Give every write of the group that has not failed the group's failure. */
static void fail_group(struct sqlite_write *group, const struct hl_err *err)
{
    struct sqlite_write *w;

    for (w = group; w; w = w->next) {
        if (w->rc != HL_OK)
            continue;
        w->rc = err->code ? err->code : HL_ESTORE;
        if (w->err)
            *w->err = *err;
    }
}

/* Run each write of the group; stops early if SQLite aborted the transaction. */
static void run_group(struct sqlite_conn *c, struct sqlite_write *group, const char *now)
{
    struct sqlite_write *w;

    for (w = group; w; w = w->next) {
        if (sqlite3_get_autocommit(c->db)) /* rolled back by an I/O or disk-full error */
            w->rc = hl_err_set(w->err, HL_ESTORE, "transaction rolled back by an earlier write");
        else
            w->rc = group->next ? run_in_savepoint(c, w, now) : w->run(c, w->arg, now, w->err);
    }
}

static void commit_group(struct sqlite_store *s, struct sqlite_write *group)
{
    struct sqlite_conn *c = writer_get(s);
    struct hl_err err = {0};
    char now[STORE_TIME_SIZE];

    store_time_now(now);
    if (stmt_simple(c, ST_BEGIN, NULL, &err) != HL_OK) {
        fail_group(group, &err);
        writer_put(s);
        return;
    }
    run_group(c, group, now);
    if (!group->next && group->rc != HL_OK) {
        tx_end(c, group->rc, NULL); /* a lone failed write: roll back */
    } else if (sqlite3_get_autocommit(c->db)) {
        hl_err_set(&err, HL_ESTORE, "transaction rolled back by a failed write");
        fail_group(group, &err);
    } else if (tx_end(c, HL_OK, &err) != HL_OK) {
        fail_group(group, &err);
    }
    writer_put(s);
}

/* Take the queue as a group (called with group_lock held). */
static struct sqlite_write *take_queue(struct sqlite_store *s)
{
    struct sqlite_write *group = s->queue;

    s->queue = NULL;
    s->queue_tail = &s->queue;
    return group;
}

int sqlite_write_run(struct sqlite_store *s, struct sqlite_write *w)
{
    if (group_store == s) { /* inside a task: join the group's transaction */
        char now[STORE_TIME_SIZE];
        store_time_now(now);
        w->rc = run_in_savepoint(group_conn, w, now);
        return w->rc;
    }
    pthread_mutex_lock(&s->group_lock);
    w->done = 0;
    w->next = NULL;
    *s->queue_tail = w;
    s->queue_tail = &w->next;
    while (!w->done) {
        struct sqlite_write *group, *next;
        if (s->leader) {
            pthread_cond_wait(&s->group_done, &s->group_lock);
            continue;
        }
        s->leader = 1;
        group = take_queue(s);
        pthread_mutex_unlock(&s->group_lock);
        commit_group(s, group);
        pthread_mutex_lock(&s->group_lock);
        for (; group; group = next) {
            next = group->next; /* read before done: the owner may return at once */
            group->done = 1;
        }
        s->leader = 0;
        pthread_cond_broadcast(&s->group_done);
    }
    pthread_mutex_unlock(&s->group_lock);
    return w->rc;
}

/* ---- The writer thread ---------------------------------------------------------------- */

/* Run tasks on c inside its open transaction; their writes join it. */
static void run_tasks_on(struct sqlite_store *s, struct sqlite_conn *c, struct store_task *tasks)
{
    struct store_task *t;

    group_store = s;
    group_conn = c;
    for (t = tasks; t; t = t->next)
        if (!sqlite3_get_autocommit(c->db))
            t->run(t->ctx);
    group_store = NULL;
    group_conn = NULL;
}

/* Run every task of the group in one transaction; the result of its commit. */
static int run_task_group(struct sqlite_store *s, struct store_task *group, struct hl_err *err)
{
    struct sqlite_conn *c = writer_get(s);
    int rc = stmt_simple(c, ST_BEGIN, NULL, err);

    if (rc == HL_OK) {
        run_tasks_on(s, c, group);
        if (sqlite3_get_autocommit(c->db))
            rc = hl_err_set(err, HL_ESTORE, "transaction rolled back by a failed write");
        else
            rc = tx_end(c, HL_OK, err);
    }
    writer_put(s);
    return rc;
}

/*
 * With tasks queued (group_lock held): wait until they are worth committing —
 * at once after a lone task or when stopping, else until GROUP_FULL are
 * queued or GROUP_WAIT_US have passed.
 */
static void gather_group(struct sqlite_store *s)
{
    struct timespec deadline;

    if (s->last_group_size < 2)
        return;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += GROUP_WAIT_US * 1000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (s->task_count < GROUP_FULL && !s->stopping)
        if (pthread_cond_timedwait(&s->tasks_ready, &s->group_lock, &deadline) == ETIMEDOUT)
            return;
}

/* Take every queued task as a group (group_lock held). */
static struct store_task *take_tasks(struct sqlite_store *s)
{
    struct store_task *group = s->tasks;

    s->last_group_size = s->task_count;
    s->tasks = NULL;
    s->tasks_tail = &s->tasks;
    s->task_count = 0;
    return group;
}

static void *task_thread_main(void *arg)
{
    struct sqlite_store *s = arg;
    struct store_task *group, *next;

    pthread_mutex_lock(&s->group_lock);
    while (s->tasks || !s->stopping) {
        struct hl_err err = {0};
        int rc;
        if (!s->tasks) {
            pthread_cond_wait(&s->tasks_ready, &s->group_lock);
            continue;
        }
        gather_group(s);
        group = take_tasks(s);
        pthread_mutex_unlock(&s->group_lock);
        rc = run_task_group(s, group, &err);
        for (; group; group = next) {
            next = group->next; /* read first: done() may free the task */
            group->done(group->ctx, rc, &err);
        }
        pthread_mutex_lock(&s->group_lock);
    }
    pthread_mutex_unlock(&s->group_lock);
    return NULL;
}

/* A list of tasks as one write of a group: run inside sqlite_write_run's transaction. */
struct task_list {
    struct sqlite_store *s;
    struct store_task *tasks;
};

static int run_task_list(struct sqlite_conn *c, void *arg, const char *now, struct hl_err *err)
{
    struct task_list *list = arg;

    (void)now;
    run_tasks_on(list->s, c, list->tasks);
    if (sqlite3_get_autocommit(c->db))
        return hl_err_set(err, HL_ESTORE, "transaction rolled back by a failed write");
    return HL_OK;
}

void sqlite_run_tasks(struct store *base, struct store_task *tasks)
{
    struct task_list list = {sqlite_of(base), tasks};
    struct hl_err err = {0};
    struct sqlite_write w = SQLITE_WRITE(run_task_list, &list, &err);
    struct store_task *t, *next;
    int rc = sqlite_write_run(list.s, &w);

    for (t = tasks; t; t = next) {
        next = t->next; /* read first: done() may free the task */
        t->done(t->ctx, rc, &err);
    }
}

void sqlite_submit(struct store *base, struct store_task *task)
{
    struct sqlite_store *s = sqlite_of(base);

    task->next = NULL;
    pthread_mutex_lock(&s->group_lock);
    if (!s->task_thread_running) {
        if (pthread_create(&s->task_thread, NULL, task_thread_main, s) != 0)
            hl_die("cannot start the database writer thread");
        s->task_thread_running = 1;
    }
    *s->tasks_tail = task;
    s->tasks_tail = &task->next;
    /* The writer waits for a first task, or gathers until a group is full. */
    if (++s->task_count == 1 || s->task_count == GROUP_FULL)
        pthread_cond_signal(&s->tasks_ready);
    pthread_mutex_unlock(&s->group_lock);
}
