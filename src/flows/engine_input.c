/*
 * engine_input.c — reading what the caller answered and matching it:
 * digits and spoken keywords against branches, yes/no for consent, opt-out
 * phrases, and the retry counts kept in the call's variables.
 */
#include "flows/engine_internal.h"

#include "core/phrase.h"

#include <ctype.h>
#include <string.h>

#include "core/banned.h"

static char *lowered(struct arena *a, const char *s)
{
    char *copy = arena_strdup(a, s), *p;

    for (p = copy; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return copy;
}

void flow_read_input(struct flow_run *run, struct flow_input *in)
{
    struct form query = {NULL, 0};
    struct hl_err err = {0};
    const char *digits = form_get(&run->r->form, "Digits");
    const char *speech = form_get(&run->r->form, "SpeechResult");
    struct http_request *req = run->r->req;

    in->digits = digits && *digits && strcmp(digits, "hangup") != 0 ? digits : NULL;
    in->speech = speech && *speech ? lowered(req->arena, speech) : NULL;
    in->noinput = in->rerender = 0;
    if (form_decode(&query, req->query, req->query_len, req->arena, &err) == HL_OK) {
        in->noinput = form_get(&query, "noinput") != NULL;
        in->rerender = form_get(&query, "render") != NULL;
    }
    if (in->noinput || in->rerender)
        in->digits = in->speech = NULL;
}

const struct flow_branch *flow_match_branch(const struct flow_step *s,
                                            const struct flow_input *in)
{
    size_t i, k;

    for (i = 0; in->digits && i < s->n_branches; i++)
        if (s->branches[i].digits && strcmp(s->branches[i].digits, in->digits) == 0)
            return &s->branches[i];
    for (i = 0; in->speech && i < s->n_branches; i++)
        for (k = 0; k < s->branches[i].n_keywords; k++)
            if (phrase_has(in->speech, s->branches[i].keywords[k]))
                return &s->branches[i];
    return NULL;
}

int flow_consent_answer(const struct flow_input *in)
{
    static const char *const no[] = {"no", "nope", "don't", "do not", "not"};
    static const char *const yes[] = {"yes", "yeah", "yep", "sure", "okay", "ok", "of course",
                                      "go ahead", "fine", "alright"};
    size_t i;

    if (in->digits)
        return strcmp(in->digits, "1") == 0 ? 1 : strcmp(in->digits, "2") == 0 ? 0 : -1;
    if (!in->speech)
        return -1;
    for (i = 0; i < HL_ARRAY_LEN(no); i++)
        if (phrase_has(in->speech, no[i]))
            return 0;
    for (i = 0; i < HL_ARRAY_LEN(yes); i++)
        if (phrase_has(in->speech, yes[i]))
            return 1;
    return -1;
}

const char *flow_optout_phrase(const struct config *cfg, const char *speech)
{
    static __thread char phrase[128];

    return phrase_find(cfg->optout_phrases, speech, 1, phrase, sizeof(phrase));
}

static json_t *tries_object(struct flow_run *run)
{
    json_t *t = json_object_get(run->vars, "tries");

    if (!json_is_object(t)) {
        t = json_object();
        json_object_set_new(run->vars, "tries", t);
    }
    return t;
}

int flow_var_tries(struct flow_run *run, const char *step)
{
    json_t *v = json_object_get(tries_object(run), step);

    return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

void flow_var_set_tries(struct flow_run *run, const char *step, int tries)
{
    if (tries)
        json_object_set_new(tries_object(run), step, json_integer(tries));
    else
        json_object_del(tries_object(run), step);
}
