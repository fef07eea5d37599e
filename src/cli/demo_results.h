/*
 * demo_results.h — what `hotline demo` prints after its calls: each
 * recording's pipeline result (private to src/cli/).
 */
#ifndef HL_CLI_DEMO_RESULTS_H
#define HL_CLI_DEMO_RESULTS_H

#include <stddef.h>

/* Where the demo's server keeps things. */
struct demo_place {
    const char *database_url;
    const char *media_dir;
    const char *base_url;     /* http://127.0.0.1:PORT: the server and its emulator */
    const char *account_file; /* the emulator's account (SID and token for its REST API) */
};

/* One demo call: its flow and the RecordingSid the emulator reported (may be ""). */
struct demo_call {
    const char *flow;
    char recording_sid[40];
};

/*
 * Wait (at most wait_ms) for the pipeline job of each call's recording,
 * then print per call the transcript, the analysis (intent, requested time,
 * summary), the booking, and the memo link from the emulator's outbox (the
 * owner's phone in the demo) with the transcript decrypted through it.
 * Returns how many calls' pipelines finished.
 */
size_t demo_print_results(const struct demo_place *place, const struct demo_call *calls,
                          size_t n, long wait_ms);

#endif
