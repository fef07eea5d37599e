/*
 * analyze.c — test tool: analyse the transcript on stdin and print the JSON
 * of src/analysis/analysis.h on stdout (warnings go to stderr as log lines).
 *
 *   analyze [--engine rules|ollama|openai] [--base-url URL] [--model M]
 *           [--tz ZONE] [--now 2026-11-21T10:00:00-05:00] [--timeout-ms N]
 *
 * The OpenAI key comes from the environment (ANALYZE_API_KEY), never argv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/banned.h"

static int parse_args(int argc, char **argv, struct analysis_options *o, const char **now)
{
    int i;

    for (i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--engine"))
            o->engine = v;
        else if (!strcmp(k, "--base-url"))
            o->base_url = v;
        else if (!strcmp(k, "--model"))
            o->model = v;
        else if (!strcmp(k, "--tz"))
            o->timezone = v;
        else if (!strcmp(k, "--now"))
            *now = v;
        else if (!strcmp(k, "--timeout-ms"))
            o->timeout_ms = strtol(v, NULL, 10);
        else
            return -1;
    }
    return i == argc ? 0 : -1;
}

/* --now as an instant (defined below). */
static time_t parse_now(const char *s);

int main(int argc, char **argv)
{
    struct analysis_options o = {0};
    struct analyzer *z = NULL;
    struct analysis a = {0};
    struct hl_err err = {0};
    struct buf in = BUF_INIT(1 << 20);
    const char *now = NULL;
    char chunk[4096], *json;
    size_t n;

    o.api_key = getenv("ANALYZE_API_KEY");
    if (o.api_key)
        log_add_secret(o.api_key);
    if (parse_args(argc, argv, &o, &now) != 0) {
        fprintf(stderr, "usage: analyze [--engine E] [--base-url U] [--model M] [--tz Z] "
                        "[--now ISO] [--timeout-ms N] < transcript\n");
        return 2;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
        if (buf_add(&in, chunk, n) != HL_OK)
            return 1;
    if (analyzer_new(&o, &z, &err) != HL_OK) {
        fprintf(stderr, "analyze: %s\n", err.msg);
        return 1;
    }
    analysis_run(z, buf_str(&in), now ? parse_now(now) : time(NULL), &a, &err);
    json = analysis_to_json(&a);
    printf("%s\n", json ? json : "null");
    free(json);
    analysis_release(&a);
    analyzer_free(z);
    buf_release(&in);
    return 0;
}

/* YYYY-MM-DDTHH:MM:SS±HH:MM as an instant (enough for tests). */
static time_t parse_now(const char *s)
{
    int y, mo, d, h, mi, sec, oh, om;
    char sign;
    struct tm tm = {0};

    if (sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d, &h, &mi, &sec, &sign, &oh, &om) != 9)
        return time(NULL);
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    return timegm(&tm) - (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
}
