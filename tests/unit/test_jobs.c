/*
 * test_jobs.c — the durable job queue (store) and its workers (jobs.h):
 * leases, expiry after a crash, stages that are not repeated, backoff,
 * failure after the last attempt, and manual retry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "jobs/jobs.h"
#include "store_fixture.h"

#include "core/banned.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void keep_id(void *ctx, const struct store_job *job)
{
    *(long long *)ctx = job->id;
}

static void lease_expires_and_another_worker_takes_the_job(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    long long id = 0, got = 0;
    int found = 0;

    assert_int_equal(store_job_add(f->s, "test.kind", "{\"n\":1}", &id, &err), HL_OK);
    assert_int_equal(store_job_claim(f->s, "a", NULL, 50, keep_id, &got, &found, &err), HL_OK);
    assert_int_equal(found, 1);
    assert_int_equal(got, id);
    /* Held: nobody else gets it. */
    assert_int_equal(store_job_claim(f->s, "b", NULL, 50, keep_id, &got, &found, &err), HL_OK);
    assert_int_equal(found, 0);
    sleep_ms(80); /* "a" died: its lease runs out */
    assert_int_equal(store_job_claim(f->s, "b", NULL, 5000, keep_id, &got, &found, &err), HL_OK);
    assert_int_equal(found, 1);
    assert_int_equal(q_int(f, "SELECT attempts FROM jobs"), 2);
    assert_int_equal(store_job_finish(f->s, id, "a", &err), HL_ENOTFOUND);
    assert_int_equal(store_job_renew(f->s, id, "b", 5000, &err), HL_OK);
    assert_int_equal(store_job_finish(f->s, id, "b", &err), HL_OK);
    assert_text(f, "SELECT state FROM jobs", "done");
}

static void kinds_filter_and_failure_then_retry(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    long long id = 0, got = 0;
    int found = 0;

    assert_int_equal(store_job_add(f->s, "other", NULL, &id, &err), HL_OK);
    assert_int_equal(store_job_claim(f->s, "a", "test.kind,x", 1000, keep_id, &got, &found, &err),
                     HL_OK);
    assert_int_equal(found, 0);
    assert_int_equal(store_job_claim(f->s, "a", "x,other", 1000, keep_id, &got, &found, &err),
                     HL_OK);
    assert_int_equal(found, 1);
    assert_int_equal(store_job_fail(f->s, id, "a", "boom", 60000, &err), HL_OK);
    assert_text(f, "SELECT state || ' ' || last_error FROM jobs", "queued boom");
    /* Not due yet. */
    assert_int_equal(store_job_claim(f->s, "a", NULL, 1000, keep_id, &got, &found, &err), HL_OK);
    assert_int_equal(found, 0);
    q_exec(f, "UPDATE jobs SET run_at = '2000-01-01T00:00:00.000Z'");
    assert_int_equal(store_job_claim(f->s, "a", NULL, 1000, keep_id, &got, &found, &err), HL_OK);
    assert_int_equal(store_job_fail(f->s, id, "a", "for good", -1, &err), HL_OK);
    assert_text(f, "SELECT state FROM jobs", "failed");
    assert_int_equal(store_job_claim(f->s, "a", NULL, 1000, keep_id, &got, &found, &err), HL_OK);
    assert_int_equal(found, 0);
    assert_int_equal(store_job_retry(f->s, id, &err), HL_OK);
    assert_text(f, "SELECT state || ' ' || attempts FROM jobs", "queued 0");
    assert_int_equal(store_job_retry(f->s, id, &err), HL_ENOTFOUND); /* only failed ones */
}

/* ---- workers -------------------------------------------------------------------------- */

struct counts {
    pthread_mutex_t lock;
    int stage_a, stage_b, runs;
    int fail_first;
};

static int stage_a(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct counts *c = arg;

    (void)job, (void)err;
    pthread_mutex_lock(&c->lock);
    c->stage_a++;
    pthread_mutex_unlock(&c->lock);
    *result = hl_strdup("{\"downloaded\":true}");
    return HL_OK;
}

static int stage_b(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct counts *c = arg;
    int fail;

    pthread_mutex_lock(&c->lock);
    c->stage_b++;
    fail = c->fail_first && job_attempt(job) == 1;
    pthread_mutex_unlock(&c->lock);
    if (fail)
        return hl_err_set(err, HL_EUNREACHABLE, "network down on the first try");
    *result = NULL;
    return HL_OK;
}

static int two_stages(struct job_ctx *job, void *ctx, struct hl_err *err)
{
    struct counts *c = ctx;
    char *r = NULL;
    int rc = job_stage(job, "a", stage_a, c, &r, err);

    free(r);
    r = NULL;
    if (rc == HL_OK)
        rc = job_stage(job, "b", stage_b, c, &r, err);
    free(r);
    pthread_mutex_lock(&c->lock);
    c->runs++;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static void workers_retry_without_repeating_finished_stages(void **state)
{
    struct fixture *f = *state;
    struct counts c = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 1};
    struct job_kind kinds[] = {{"test.kind", two_stages, &c}};
    struct jobs_options o = {f->s, kinds, 1, 2, "test", 5000, 20, 30, 60};
    struct hl_err err = {0};
    struct jobs *js = NULL;
    int i;

    for (i = 0; i < 5; i++)
        assert_int_equal(store_job_add(f->s, "test.kind", NULL, NULL, &err), HL_OK);
    assert_int_equal(jobs_start(&js, &o, &err), HL_OK);
    for (i = 0; i < 200 && q_int(f, "SELECT count(*) FROM jobs WHERE state = 'done'") < 5; i++)
        sleep_ms(25);
    jobs_stop(js);
    assert_int_equal(q_int(f, "SELECT count(*) FROM jobs WHERE state = 'done'"), 5);
    assert_int_equal(c.runs, 10);   /* each failed once, then finished */
    assert_int_equal(c.stage_a, 5); /* never repeated */
    assert_int_equal(c.stage_b, 10);
    assert_int_equal(q_int(f, "SELECT count(*) FROM job_stages"), 10);
    assert_int_equal(q_int(f, "SELECT min(attempts) FROM jobs"), 2);
}

static void backoff_grows_and_is_capped(void **state)
{
    long d;
    int i;

    (void)state;
    for (i = 0; i < 50; i++) {
        d = jobs_backoff_ms(1000, 60000, 1);
        assert_true(d >= 500 && d <= 1000);
        d = jobs_backoff_ms(1000, 60000, 4);
        assert_true(d >= 4000 && d <= 8000);
        d = jobs_backoff_ms(1000, 60000, 40);
        assert_true(d >= 30000 && d <= 60000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lease_expires_and_another_worker_takes_the_job,
                                        setup_migrated, teardown),
        cmocka_unit_test_setup_teardown(kinds_filter_and_failure_then_retry, setup_migrated,
                                        teardown),
        cmocka_unit_test_setup_teardown(workers_retry_without_repeating_finished_stages,
                                        setup_migrated, teardown),
        cmocka_unit_test(backoff_grows_and_is_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
