/*
 * sim.c — the emulator's state and its HTTP routes (skeleton: being written).
 */
#include "sim/sim.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct sim {
    struct sim_account account;
};

int sim_new(struct sim **out, const struct sim_options *opt, struct hl_err *err)
{
    struct sim *sim = hl_calloc(1, sizeof(*sim));

    (void)err;
    sim->account = *opt->account;
    *out = sim;
    return HL_OK;
}

void sim_free(struct sim *sim)
{
    free(sim);
}

int sim_handle(struct sim *sim, struct http_request *req, struct http_response *res)
{
    (void)sim, (void)req, (void)res;
    return 0;
}

int sim_recording_add(struct sim *sim, const char *call_sid, const void *wav, size_t wav_len,
                      long duration_s, char sid_out[35], struct hl_err *err)
{
    (void)sim, (void)call_sid, (void)wav, (void)wav_len, (void)duration_s, (void)sid_out;
    return hl_err_set(err, HL_ENOTFOUND, "no such call");
}
