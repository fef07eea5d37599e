/*
 * analysis.h — understanding what a caller said (issue 5 part 4).
 *
 * A transcript goes in; out come the caller's intent (booking, question,
 * complaint, opt-out, other), the date and time they asked for (resolved
 * against the call's own time in the configured IANA zone), a one-line
 * summary and the "ideas": the actionable sentences, as guide 004 extracts
 * them. Three engines: "rules" (keywords and a small date grammar, offline,
 * always available), "ollama" and "openai" (an LLM asked for strict JSON).
 * An LLM answer that is late, an HTTP error or not exactly the JSON asked for
 * is dropped with a warning and the rules engine answers instead; out->engine
 * says which engine's answer it is. See docs/analysis.md.
 *
 * An analyzer is immutable after analyzer_new(), so several threads may call
 * analysis_run() on one analyzer at once.
 */
#ifndef HL_ANALYSIS_H
#define HL_ANALYSIS_H

#include <stddef.h>
#include <time.h>

#include "core/hl.h"

enum analysis_intent {
    ANALYSIS_BOOKING,
    ANALYSIS_QUESTION,
    ANALYSIS_COMPLAINT,
    ANALYSIS_OPT_OUT,
    ANALYSIS_OTHER,
};

struct analysis {
    enum analysis_intent intent;
    int has_time;        /* 1 when the caller named a date or time */
    time_t when;         /* the UTC instant the caller asked for (has_time) */
    char when_local[40]; /* the same in the zone: "2026-11-22T15:00:00-05:00"; "" without */
    char summary[256];   /* one line, never empty */
    char **ideas;        /* n_ideas heap strings; freed by analysis_release() */
    size_t n_ideas;
    char engine[16]; /* the engine whose answer this is: "rules", "ollama", "openai" */
};

struct analysis_options {
    const char *engine;   /* "rules" (NULL means rules), "ollama" or "openai" */
    const char *base_url; /* LLM base; NULL: http://127.0.0.1:11434 / https://api.openai.com */
    const char *model;    /* LLM model; NULL: "llama3.2" / "gpt-4o-mini" */
    const char *api_key;  /* OpenAI bearer key; never logged */
    const char *timezone; /* IANA zone such as "America/New_York"; NULL means that one */
    long timeout_ms;      /* whole LLM request; <= 0 means 20000 */
};

struct analyzer;

/*
 * Check the options and copy them into a new analyzer (*out; free it with
 * analyzer_free). HL_ECONFIG with a message in err for an unknown engine or
 * time zone. Nothing is contacted here.
 */
int analyzer_new(const struct analysis_options *opt, struct analyzer **out, struct hl_err *err);
void analyzer_free(struct analyzer *z);

/* The engine configured ("rules", "ollama", "openai"). */
const char *analyzer_engine(const struct analyzer *z);

/*
 * Analyse transcript (UTF-8 text) of a call that started at call_time. Fills
 * *out, which the caller releases with analysis_release(). An LLM failure is
 * not an error (the rules answer); HL_EINVAL only for a NULL transcript.
 */
int analysis_run(struct analyzer *z, const char *transcript, time_t call_time, struct analysis *out,
                 struct hl_err *err);

/* Free the ideas and zero *a; safe on a zeroed or already released analysis. */
void analysis_release(struct analysis *a);

/* "booking", "question", "complaint", "opt_out", "other". */
const char *analysis_intent_name(enum analysis_intent intent);

/*
 * The analysis as one JSON object:
 *   {"intent":"booking","when":"2026-11-24T20:00:00Z","when_local":"2026-11-24T15:00:00-05:00",
 *    "summary":"...","ideas":["..."],"engine":"rules"}
 * when/when_local are null without a time. Heap string; the caller frees it
 * with free(). NULL only if jansson fails to allocate.
 */
char *analysis_to_json(const struct analysis *a);

/*
 * The last n calendar days in zone up to the one holding now, oldest first:
 * dates[i] is "2026-11-21" and starts[i] the instant day i began there;
 * starts[n] is when the day after today begins. For counting things per
 * local day (the dashboard's chart). HL_EINVAL for a zone that cannot be read.
 */
#define ANALYSIS_DATE_SIZE 11
int analysis_local_days(const char *zone, time_t now, int n, char (*dates)[ANALYSIS_DATE_SIZE],
                        time_t *starts);

#endif
