/*
 * cmd_jobs.c — `hotline jobs list [--state S] [--limit N]`, `hotline jobs
 * show ID` and `hotline jobs retry ID`: the background job queue for a
 * person (what is queued, what failed and why, and putting a failed job
 * back in the queue).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runtime.h"
#include "core/banned.h"

static int usage(const char *problem)
{
    fprintf(stderr, "hotline: jobs: %s\n%s", problem, cli_find("jobs")->usage);
    return 2;
}

static long long parse_id(const char *s)
{
    char *end;
    long long n;

    errno = 0;
    n = strtoll(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && n > 0 ? n : -1;
}

static void print_row(void *ctx, const struct store_job *j)
{
    (void)ctx;
    printf("%-6lld %-20s %-8s %2lld/%-2lld %s%s%s\n", j->id, j->kind, j->state, j->attempts,
           j->max_attempts, j->run_at, j->last_error ? "  " : "",
           j->last_error ? j->last_error : "");
}

static int jobs_list(struct runtime *rt, int argc, char **argv)
{
    struct store_list q = {NULL, STORE_NONE, 50, NULL};
    const char *state = NULL;
    struct hl_err err = {0};
    int i;

    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
            state = argv[++i];
        else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
                 (q.limit = (int)parse_id(argv[++i])) > 0)
            continue;
        else
            return usage("list takes --state queued|running|done|failed and --limit N");
    }
    printf("%-6s %-20s %-8s %-5s %s\n", "id", "kind", "state", "tries", "run at / last error");
    if (store_job_list(rt->app.store, state, &q, print_row, NULL, &err) != HL_OK) {
        fprintf(stderr, "hotline: jobs: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static void show_job(void *ctx, const struct store_job *j)
{
    (void)ctx;
    printf("job %lld\n  kind      %s\n  state     %s\n  attempts  %lld of %lld\n  run at    %s\n",
           j->id, j->kind, j->state, j->attempts, j->max_attempts, j->run_at);
    if (j->lease_owner)
        printf("  lease     %s until %s\n", j->lease_owner, j->lease_expires_at);
    if (j->last_error)
        printf("  error     %s\n", j->last_error);
    printf("  payload   %s\n  created   %s\n  updated   %s\n  stages:\n", j->payload_json,
           j->created_at, j->updated_at);
}

static void show_stage(void *ctx, const char *stage, const char *result, const char *at)
{
    (void)ctx;
    printf("    %-16s %s  %s\n", stage, at, result ? result : "");
}

static int jobs_one(struct runtime *rt, const char *what, const char *arg)
{
    struct hl_err err = {0};
    long long id = parse_id(arg);
    int rc;

    if (id < 0)
        return usage("a job id is a positive whole number");
    rc = strcmp(what, "show") == 0
             ? store_job_get(rt->app.store, id, show_job, show_stage, NULL, &err)
             : store_job_retry(rt->app.store, id, &err);
    if (rc != HL_OK) {
        fprintf(stderr, "hotline: jobs: %s\n", err.msg);
        return 1;
    }
    if (strcmp(what, "retry") == 0)
        printf("job %lld queued again\n", id);
    return 0;
}

int cmd_jobs(int argc, char **argv)
{
    struct runtime rt;
    int rc;

    if (argc < 2 || (strcmp(argv[1], "list") != 0 && argc != 3))
        return usage("which one: list, show ID or retry ID?");
    if (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "show") != 0 &&
        strcmp(argv[1], "retry") != 0)
        return usage("unknown subcommand (list, show or retry)");
    if ((rc = runtime_open(&rt, RUNTIME_MIGRATE)) != 0)
        return rc;
    rc = strcmp(argv[1], "list") == 0 ? jobs_list(&rt, argc, argv) : jobs_one(&rt, argv[1], argv[2]);
    runtime_close(&rt);
    return rc;
}
