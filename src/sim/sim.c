/*
 * sim.c — the emulator's life cycle and state: its tables, lookups,
 * opt-outs, the per-second rate limit, and recordings added by the call
 * driver. The HTTP routes are in sim_rest.c and the resources' own files
 * (sim_calls.c, sim_messages.c, sim_recordings.c, sim_inbound.c).
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sim/sim_driver.h"
#include "sim/sim_messages.h"
#include "sim/sim_sender.h"
#include "sim/sim_state.h"
#include "core/banned.h"

enum { SIM_DRAIN_MS = 3000 };

time_t sim_now(void)
{
    return time(NULL);
}

/* ---- freeing rows (the tables' free functions) --------------------------------------------- */

static void call_free(struct sim_row *row)
{
    struct sim_call *c = (struct sim_call *)row;

    free(c->to);
    free(c->from);
    sim_params_release(&c->params);
    free(c);
}

static void message_free(struct sim_row *row)
{
    sim_message_discard((struct sim_message *)row);
}

static void recording_free(struct sim_row *row)
{
    struct sim_recording *r = (struct sim_recording *)row;

    if (r->wav_bytes)
        *r->wav_bytes -= r->wav_len;
    free(r->wav);
    free(r);
}

static void optout_free(struct sim_row *row)
{
    struct sim_optout *o = (struct sim_optout *)row;

    free(o->key);
    free(o);
}

/* ---- life cycle ---------------------------------------------------------------------------- */

static char *base_without_slash(const char *base)
{
    size_t n = base ? strlen(base) : 0;

    while (n && base[n - 1] == '/')
        n--;
    return hl_strndup(base ? base : "", n);
}

int sim_new(struct sim **out, const struct sim_options *opt, struct hl_err *err)
{
    struct sim *sim = hl_calloc(1, sizeof(*sim));
    size_t max = opt->max_resources ? opt->max_resources : SIM_DEFAULT_MAX_RESOURCES;

    sim->account = *opt->account;
    sim->webhook_base = base_without_slash(opt->webhook_base);
    sim->self_base = base_without_slash(opt->webhook_base);
    sim->rate_limit = opt->rate_limit > 0 ? opt->rate_limit : 0;
    sim->max_resources = max;
    sim->call_created = opt->call_created;
    sim->call_created_ctx = opt->call_created_ctx;
    pthread_mutex_init(&sim->lock, NULL);
    sim_table_init(&sim->calls, max, call_free);
    sim_table_init(&sim->messages, max, message_free);
    sim_table_init(&sim->recordings, max, recording_free);
    sim_table_init(&sim->optouts, max, optout_free);
    if (sim_sid_new(sim->channel_install_sid, "XE") != HL_OK) {
        hl_err_set(err, HL_EIO, "the system's random number generator failed");
        sim_free(sim);
        return HL_EIO;
    }
    if (sim_sender_start(&sim->sender, sim, sim->account.token, err) != HL_OK) {
        sim->sender = NULL;
        sim_free(sim);
        return err ? err->code : HL_EIO;
    }
    if (sim_driver_new(&sim->driver, sim, err) != HL_OK) {
        sim->driver = NULL;
        sim_free(sim);
        return HL_EIO;
    }
    *out = sim;
    return HL_OK;
}

void sim_set_self_base(struct sim *sim, const char *base)
{
    char *copy = base_without_slash(base);

    pthread_mutex_lock(&sim->lock);
    free(sim->self_base);
    sim->self_base = copy;
    pthread_mutex_unlock(&sim->lock);
}

void sim_free(struct sim *sim)
{
    if (!sim)
        return;
    sim_driver_stop(sim->driver); /* no call sends anything more... */
    sim_sender_stop(sim->sender, SIM_DRAIN_MS);
    sim_driver_free(sim->driver); /* ...and the sender's last answers have come back */
    sim_table_release(&sim->calls);
    sim_table_release(&sim->messages);
    sim_table_release(&sim->recordings);
    sim_table_release(&sim->optouts);
    pthread_mutex_destroy(&sim->lock);
    free(sim->webhook_base);
    free(sim->self_base);
    crypto_wipe(&sim->account, sizeof(sim->account));
    free(sim);
}

/* ---- lookups, opt-outs, rate --------------------------------------------------------------- */

struct sim_call *sim_call_find(struct sim *sim, const char *sid)
{
    return (struct sim_call *)sim_table_find(&sim->calls, sid);
}

struct sim_message *sim_message_find(struct sim *sim, const char *sid)
{
    return (struct sim_message *)sim_table_find(&sim->messages, sid);
}

struct sim_recording *sim_recording_find(struct sim *sim, const char *sid)
{
    return (struct sim_recording *)sim_table_find(&sim->recordings, sid);
}

static char *optout_key(const char *recipient, const char *sender)
{
    size_t a = strlen(recipient), b = strlen(sender);
    char *key = hl_malloc(a + b + 2);

    memcpy(key, recipient, a);
    key[a] = ' ';
    memcpy(key + a + 1, sender, b + 1);
    return key;
}

int sim_optout_check(struct sim *sim, const char *recipient, const char *sender)
{
    char *key = optout_key(recipient, sender);
    int found = sim_table_find(&sim->optouts, key) != NULL;

    free(key);
    return found;
}

void sim_optout_set(struct sim *sim, const char *recipient, const char *sender, int opted_out)
{
    char *key = optout_key(recipient, sender);
    struct sim_row *row = sim_table_find(&sim->optouts, key);
    struct sim_optout *o;

    if (row && !opted_out)
        sim_table_delete(&sim->optouts, row);
    if (row || !opted_out) {
        free(key);
        return;
    }
    o = hl_calloc(1, sizeof(*o));
    o->key = key;
    o->row.key = o->key;
    sim_table_add(&sim->optouts, &o->row);
}

/* A fixed one-second window: simple, and what "N requests per second" says. */
int sim_rate_allow(struct sim *sim)
{
    struct timespec ts;
    int ok;

    if (!sim->rate_limit)
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    pthread_mutex_lock(&sim->lock);
    if (sim->rate_second != (long)ts.tv_sec) {
        sim->rate_second = (long)ts.tv_sec;
        sim->rate_count = 0;
    }
    ok = ++sim->rate_count <= sim->rate_limit;
    pthread_mutex_unlock(&sim->lock);
    return ok;
}

/* ---- recordings from the call driver ------------------------------------------------------- */

/* Keep the audio under its budget: the oldest recordings go first. */
static void recordings_trim(struct sim *sim)
{
    while (sim->wav_bytes > SIM_MAX_WAV_BYTES && sim->recordings.oldest)
        sim_table_evict_oldest(&sim->recordings);
}

int sim_recording_add(struct sim *sim, const char *call_sid, const void *wav, size_t wav_len,
                      long duration_s, char sid_out[35], struct hl_err *err)
{
    struct sim_recording *r;

    if (wav_len > SIM_MAX_RECORDING_BYTES)
        return hl_err_set(err, HL_ETOOLARGE, "a recording may have at most %u bytes",
                          SIM_MAX_RECORDING_BYTES);
    r = hl_calloc(1, sizeof(*r));
    if (sim_sid_new(r->sid, "RE") != HL_OK) {
        free(r);
        return hl_err_set(err, HL_EIO, "the system's random number generator failed");
    }
    r->row.key = r->sid;
    r->wav = hl_malloc(wav_len ? wav_len : 1);
    memcpy(r->wav, wav, wav_len);
    r->wav_len = wav_len;
    r->duration = duration_s;
    r->created = sim_now();
    r->started = r->created - (duration_s > 0 ? duration_s : 0);
    pthread_mutex_lock(&sim->lock);
    if (!sim_call_find(sim, call_sid)) {
        pthread_mutex_unlock(&sim->lock);
        recording_free(&r->row);
        return hl_err_set(err, HL_ENOTFOUND, "no call %s in the emulator", call_sid);
    }
    memcpy(r->call_sid, call_sid, SIM_SID_SIZE);
    r->wav_bytes = &sim->wav_bytes;
    sim->wav_bytes += wav_len;
    sim_table_add(&sim->recordings, &r->row);
    recordings_trim(sim);
    memcpy(sid_out, r->sid, SIM_SID_SIZE);
    pthread_mutex_unlock(&sim->lock);
    return HL_OK;
}
