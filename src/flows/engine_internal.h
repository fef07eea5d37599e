/*
 * engine_internal.h — what the engine's files share (private to src/flows/):
 * the caller's input, branch matching, the call's variables, and the steps'
 * effects beyond TwiML (TTS audio, texts sent during a call, recordings).
 */
#ifndef HL_FLOW_ENGINE_INTERNAL_H
#define HL_FLOW_ENGINE_INTERNAL_H

#include "flows/engine.h"

/* What the caller answered, from the webhook's parameters. */
struct flow_input {
    const char *digits;  /* Digits, or NULL when none/empty */
    const char *speech;  /* SpeechResult, lowercased, or NULL */
    int noinput;         /* the redirect after a <Gather>/<Record> that got nothing */
    int rerender;        /* back after "please wait": render the step again */
};

void flow_read_input(struct flow_run *run, struct flow_input *in);

/* The branch of s the input takes, or NULL. */
const struct flow_branch *flow_match_branch(const struct flow_step *s,
                                            const struct flow_input *in);

/* A consent answer: 1 yes, 0 no, -1 neither. */
int flow_consent_answer(const struct flow_input *in);

/* The OPTOUT_PHRASES phrase in speech (lowercase), or NULL. */
const char *flow_optout_phrase(const struct config *cfg, const char *speech);


/* Retry counts kept in the call's variables. */
int flow_var_tries(struct flow_run *run, const char *step);
void flow_var_set_tries(struct flow_run *run, const char *step, int tries);

/* Rendering helpers (engine.c). */
const char *flow_text(struct flow_run *run, const char *text);
const char *flow_step_url(struct flow_run *run, const char *step, int noinput);
const char *flow_party(const struct flow_run *run);
void flow_render_from(struct flow_run *run, const struct flow_step *s);

/* TTS (engine_effects.c): <Play> the cached audio of text and return 1, or 0 if not ready. */
int flow_tts_play(struct flow_run *run, struct twiml_node *parent, const struct flow_step *s,
                  const char *text);
/* Is text's audio ready? If not, its rendering is started. */
int flow_tts_ready(struct flow_run *run, const struct flow_step *s, const char *text);
/* "Please wait", hold, and come back to s (the live call is also redirected when audio is ready). */
void flow_please_wait(struct flow_run *run, const struct flow_step *s);

/* An sms step: the message is sent on the sender pool; the call does not wait. */
void flow_send_sms(struct flow_run *run, const struct flow_step *s);

/* A record step's recording arrived: store it and queue its pipeline (in this transaction). */
void flow_store_recording(struct flow_run *run, const struct flow_step *s);

#endif
