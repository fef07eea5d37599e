/*
 * flow.h — call flows as data: what a flow is, how it is read, and the set
 * of flows a server runs.
 *
 * A flow is a JSON document: a name, a start step and named steps, each of
 * one kind (say, play, tts, gather, record, consent, dial, sms, redirect,
 * hangup). docs/flows.md describes every field with an example. Flows are
 * checked whole when they are read: a flow that names a step it does not
 * have, or a step with a wrong field, is refused with the file, the step
 * and the reason — at start-up, never halfway through a call.
 *
 * The five guides ship as built-in flows (builtin.c); files may override
 * them by name or add others. A loaded flow is immutable and shared by all
 * threads.
 */
#ifndef HL_FLOW_H
#define HL_FLOW_H

#include <stddef.h>

#include "core/config.h"
#include "core/hl.h"

enum flow_kind {
    FLOW_SAY,
    FLOW_PLAY,
    FLOW_TTS,
    FLOW_GATHER,
    FLOW_RECORD,
    FLOW_CONSENT,
    FLOW_DIAL,
    FLOW_SMS,
    FLOW_REDIRECT,
    FLOW_HANGUP,
};

/* One way out of a gather: pressed digits, or any of some spoken keywords. */
struct flow_branch {
    char *digits;     /* "1", or NULL */
    char **keywords;  /* lowercase words or phrases, matched as whole words */
    size_t n_keywords;
    char *next;       /* the step it leads to */
};

struct flow_step {
    char *name;
    enum flow_kind kind;
    char *next; /* the step after this one (say, play, tts, sms, record, dial); NULL: hang up */

    char *text;     /* say, tts, hangup (said before hanging up), sms body */
    char *voice;    /* say: a Twilio voice; tts: a TTS voice; gather/consent/record prompts */
    char *language; /* say */
    char *url;      /* play, redirect (an absolute URL) */

    /* gather and consent */
    char *prompt;   /* said (or, with use_tts, synthesised) inside the <Gather> */
    int use_tts;
    int dtmf, speech;
    int num_digits; /* 0: any (finishOnKey #) */
    int timeout_s;
    struct flow_branch *branches;
    size_t n_branches;
    char *default_next; /* input that matched no branch; NULL: say invalid and ask again */
    char *invalid;      /* said before asking again */
    int retries;        /* times to ask again after no or invalid input */
    char *fallback;     /* after the retries; NULL: apologise and hang up */
    char *yes, *no;     /* consent */

    /* record */
    int max_length_s;
    int play_beep;
    char *finish_on_key;
    char *pipeline; /* what the recording pipeline does with it: memo, analyze, receptionist, none */

    /* dial */
    char *number;

    /* sms */
    char *to;      /* template; default "{from}" for inbound calls, "{to}" outbound */
    int whatsapp;

    /* redirect to another step of this flow */
    char *step;
};

struct flow {
    char *name;
    char *start;
    char *source; /* "built-in" or the file it came from */
    struct flow_step *steps;
    size_t n_steps;
};

/*
 * Read one flow from JSON text; source names it in errors ("flows/x.json",
 * "built-in ivr-tts"). On failure err reads "SOURCE: step NAME: REASON".
 */
int flow_parse(const char *json, size_t len, const char *source, struct flow **out,
               struct hl_err *err);
void flow_free(struct flow *f);

/* The step called name, or NULL. */
const struct flow_step *flow_find(const struct flow *f, const char *name);

/* The kind's name in flow files ("gather"). */
const char *flow_kind_name(enum flow_kind kind);

/* ---- The flows a server runs ---------------------------------------------------------- */

struct flows;

/*
 * The built-in flows, then every *.json under cfg's FLOWS_DIR (overriding a
 * built-in of the same name), then FLOW itself when it is a path to a file.
 * The inbound flow (FLOW's name, or the file's flow) must exist.
 */
int flows_load(struct flows **out, const struct config *cfg, struct hl_err *err);
void flows_free(struct flows *fs);

/* The flow called name, or NULL. */
const struct flow *flows_get(const struct flows *fs, const char *name);

/* The flow for inbound calls (FLOW). */
const struct flow *flows_inbound(const struct flows *fs);

/* The most phrases flows_vocabulary() lists. */
#define FLOWS_VOCABULARY_MAX 1024

/*
 * What callers of this flow set are expected to say, for the speech
 * recogniser (asr_options.phrases): every gather branch's keywords of every
 * loaded flow, then cfg's OPTOUT_PHRASES, BUSINESS_NAME and COMPANY_NAME,
 * then a built-in vocabulary of answers (yes/no, bookings, weekdays, months,
 * ordinals, clock times, digits, menu words). Lowercase, without punctuation,
 * each phrase once, at most FLOWS_VOCABULARY_MAX. fs and cfg may be NULL
 * (the built-in vocabulary only). *out is a new array of new strings, freed
 * with flows_vocabulary_free(); the count is returned.
 */
size_t flows_vocabulary(const struct flows *fs, const struct config *cfg, char ***out);
void flows_vocabulary_free(char **phrases, size_t n);

/* The built-in flows' names, NULL-terminated. */
extern const char *const flow_builtin_names[];

#endif
