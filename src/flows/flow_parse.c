/*
 * flow_parse.c — reading a flow from JSON and checking it whole.
 *
 * Every field a step may have is read by one table-driven pass per kind;
 * then the flow is checked as a graph: every step it names exists and the
 * start is one of its steps. Errors name the source, the step and the field.
 */
#include "flows/flow.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/phone.h"
#include "core/banned.h"

static const char *const kind_names[] = {
    [FLOW_SAY] = "say",         [FLOW_PLAY] = "play",   [FLOW_TTS] = "tts",
    [FLOW_GATHER] = "gather",   [FLOW_RECORD] = "record", [FLOW_CONSENT] = "consent",
    [FLOW_DIAL] = "dial",       [FLOW_SMS] = "sms",     [FLOW_REDIRECT] = "redirect",
    [FLOW_HANGUP] = "hangup",
};

const char *flow_kind_name(enum flow_kind kind)
{
    return (size_t)kind < HL_ARRAY_LEN(kind_names) ? kind_names[kind] : "?";
}

/* Where an error is: "SOURCE: step NAME: " */
struct where {
    const char *source;
    const char *step;
    struct hl_err *err;
};

static int fail(const struct where *w, const char *field, const char *what)
{
    if (w->step)
        return hl_err_set(w->err, HL_EINVAL, "%s: step \"%s\": %s%s%s", w->source, w->step,
                          field ? field : "", field ? ": " : "", what);
    return hl_err_set(w->err, HL_EINVAL, "%s: %s%s%s", w->source, field ? field : "",
                      field ? ": " : "", what);
}

/* An optional string field copied into *out; HL_EINVAL if present with another type. */
static int get_str(const struct where *w, json_t *o, const char *key, char **out)
{
    json_t *v = json_object_get(o, key);

    if (!v || json_is_null(v))
        return HL_OK;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(w, key, "must be a non-empty string");
    *out = hl_strdup(json_string_value(v));
    return HL_OK;
}

/* An optional whole number from lo to hi (def when absent). */
static int get_int(const struct where *w, json_t *o, const char *key, int lo, int hi, int def,
                   int *out)
{
    json_t *v = json_object_get(o, key);

    *out = def;
    if (!v || json_is_null(v))
        return HL_OK;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char what[64];
        snprintf(what, sizeof(what), "must be a whole number from %d to %d", lo, hi);
        return fail(w, key, what);
    }
    *out = (int)json_integer_value(v);
    return HL_OK;
}

static int get_bool(const struct where *w, json_t *o, const char *key, int def, int *out)
{
    json_t *v = json_object_get(o, key);

    *out = def;
    if (!v || json_is_null(v))
        return HL_OK;
    if (!json_is_boolean(v))
        return fail(w, key, "must be true or false");
    *out = json_is_true(v);
    return HL_OK;
}

static void lowercase(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static int parse_keywords(const struct where *w, json_t *list, struct flow_branch *b)
{
    json_t *item;
    size_t i;

    if (!json_is_array(list))
        return fail(w, "keywords", "must be a list of words or phrases");
    b->keywords = hl_calloc(json_array_size(list) + 1, sizeof(char *));
    json_array_foreach(list, i, item)
    {
        if (!json_is_string(item) || json_string_length(item) == 0)
            return fail(w, "keywords", "must be a list of non-empty strings");
        b->keywords[b->n_keywords] = hl_strdup(json_string_value(item));
        lowercase(b->keywords[b->n_keywords++]);
    }
    return HL_OK;
}

static int parse_branch(const struct where *w, json_t *o, struct flow_branch *b)
{
    json_t *kw = json_object_get(o, "keywords");
    int rc;

    if (!json_is_object(o))
        return fail(w, "branches", "each branch must be an object");
    if ((rc = get_str(w, o, "digits", &b->digits)) || (rc = get_str(w, o, "next", &b->next)))
        return rc;
    if (kw && (rc = parse_keywords(w, kw, b)))
        return rc;
    if (!b->next)
        return fail(w, "branches", "each branch needs \"next\"");
    if (!b->digits && !b->n_keywords)
        return fail(w, "branches", "each branch needs \"digits\" or \"keywords\"");
    if (b->digits && strspn(b->digits, "0123456789*#") != strlen(b->digits))
        return fail(w, "branches", "digits may only be 0-9, * and #");
    return HL_OK;
}

static int parse_branches(const struct where *w, json_t *o, struct flow_step *s)
{
    json_t *list = json_object_get(o, "branches"), *item;
    size_t i;
    int rc;

    if (!list)
        return HL_OK;
    if (!json_is_array(list))
        return fail(w, "branches", "must be a list");
    s->branches = hl_calloc(json_array_size(list) + 1, sizeof(*s->branches));
    json_array_foreach(list, i, item)
    {
        if ((rc = parse_branch(w, item, &s->branches[s->n_branches++])) != HL_OK)
            return rc;
    }
    return HL_OK;
}

/* gather and consent: how input is taken */
static int parse_input(const struct where *w, json_t *o, struct flow_step *s)
{
    char *input = NULL;
    int rc = get_str(w, o, "input", &input);

    if (rc != HL_OK)
        return rc;
    s->dtmf = !input || strstr(input, "dtmf") != NULL;
    s->speech = !input || strstr(input, "speech") != NULL;
    if (input && !s->dtmf && !s->speech)
        rc = fail(w, "input", "must be \"dtmf\", \"speech\" or \"dtmf speech\"");
    free(input);
    if (rc == HL_OK && s->kind == FLOW_GATHER && s->n_branches == 0 && !s->default_next)
        rc = fail(w, NULL, "a gather needs branches or a default");
    return rc;
}

static int parse_gather(const struct where *w, json_t *o, struct flow_step *s)
{
    int rc;

    if ((rc = get_str(w, o, "prompt", &s->prompt)) || (rc = get_bool(w, o, "tts", 0, &s->use_tts)) ||
        (rc = get_int(w, o, "numDigits", 0, 20, 0, &s->num_digits)) ||
        (rc = get_int(w, o, "timeout", 1, 60, 5, &s->timeout_s)) ||
        (rc = get_str(w, o, "default", &s->default_next)) ||
        (rc = get_str(w, o, "invalid", &s->invalid)) ||
        (rc = get_int(w, o, "retries", 0, 10, 2, &s->retries)) ||
        (rc = get_str(w, o, "fallback", &s->fallback)) || (rc = parse_branches(w, o, s)))
        return rc;
    if (s->kind == FLOW_CONSENT) {
        if ((rc = get_str(w, o, "yes", &s->yes)) || (rc = get_str(w, o, "no", &s->no)))
            return rc;
        if (!s->yes || !s->no)
            return fail(w, NULL, "a consent needs \"yes\" and \"no\" steps");
        if (!s->prompt)
            return fail(w, "prompt", "required: the question the caller answers");
    }
    return parse_input(w, o, s);
}

static int parse_record(const struct where *w, json_t *o, struct flow_step *s)
{
    int rc;

    if ((rc = get_str(w, o, "prompt", &s->prompt)) ||
        (rc = get_int(w, o, "maxLength", 1, 14400, 120, &s->max_length_s)) ||
        (rc = get_int(w, o, "timeout", 1, 60, 5, &s->timeout_s)) ||
        (rc = get_bool(w, o, "playBeep", 1, &s->play_beep)) ||
        (rc = get_str(w, o, "finishOnKey", &s->finish_on_key)) ||
        (rc = get_str(w, o, "pipeline", &s->pipeline)))
        return rc;
    if (s->pipeline && strcmp(s->pipeline, "memo") != 0 && strcmp(s->pipeline, "analyze") != 0 &&
        strcmp(s->pipeline, "receptionist") != 0 && strcmp(s->pipeline, "none") != 0)
        return fail(w, "pipeline", "must be memo, analyze, receptionist or none");
    return HL_OK;
}

static int need(const struct where *w, const char *value, const char *field)
{
    return value ? HL_OK : fail(w, field, "required");
}

/* The fields of each kind. */
static int parse_kind_fields(const struct where *w, json_t *o, struct flow_step *s)
{
    int rc = HL_OK;

    switch (s->kind) {
    case FLOW_SAY:
    case FLOW_TTS:
        return need(w, s->text, "text");
    case FLOW_PLAY:
        return need(w, s->url, "url");
    case FLOW_GATHER:
    case FLOW_CONSENT:
        return parse_gather(w, o, s);
    case FLOW_RECORD:
        return parse_record(w, o, s);
    case FLOW_DIAL:
        if ((rc = get_str(w, o, "number", &s->number)) ||
            (rc = get_int(w, o, "timeout", 5, 600, 30, &s->timeout_s)) ||
            (rc = get_str(w, o, "fallback", &s->fallback)))
            return rc;
        if (!s->number || (!phone_is_e164(s->number) && s->number[0] != '{'))
            return fail(w, "number", "must be an E.164 number or a template such as {owner_phone}");
        return HL_OK;
    case FLOW_SMS:
        if ((rc = get_str(w, o, "to", &s->to)) || (rc = get_bool(w, o, "whatsapp", 0, &s->whatsapp)))
            return rc;
        return need(w, s->text, "text");
    case FLOW_REDIRECT:
        if ((rc = get_str(w, o, "step", &s->step)))
            return rc;
        return s->step || s->url ? HL_OK : fail(w, NULL, "a redirect needs \"step\" or \"url\"");
    case FLOW_HANGUP:
        return HL_OK;
    }
    return rc;
}

static int parse_kind(const struct where *w, json_t *o, struct flow_step *s)
{
    json_t *k = json_object_get(o, "kind");
    size_t i;

    if (!json_is_string(k))
        return fail(w, "kind", "required: say, play, tts, gather, record, consent, dial, sms, "
                               "redirect or hangup");
    for (i = 0; i < HL_ARRAY_LEN(kind_names); i++)
        if (strcmp(json_string_value(k), kind_names[i]) == 0) {
            s->kind = (enum flow_kind)i;
            return HL_OK;
        }
    return fail(w, "kind", "unknown kind");
}

static int parse_step(const struct where *w, json_t *o, struct flow_step *s)
{
    int rc;

    if (!json_is_object(o))
        return fail(w, NULL, "must be an object");
    if ((rc = parse_kind(w, o, s)) || (rc = get_str(w, o, "next", &s->next)) ||
        (rc = get_str(w, o, "text", &s->text)) || (rc = get_str(w, o, "voice", &s->voice)) ||
        (rc = get_str(w, o, "language", &s->language)) || (rc = get_str(w, o, "url", &s->url)))
        return rc;
    if (s->url && strncmp(s->url, "https://", 8) != 0 && strncmp(s->url, "http://", 7) != 0)
        return fail(w, "url", "must be an absolute http(s) URL");
    return parse_kind_fields(w, o, s);
}

/* Does every step this one names exist? */
static int check_targets(const struct flow *f, const struct flow_step *s, struct hl_err *err)
{
    const char *targets[] = {s->next, s->default_next, s->fallback, s->yes, s->no, s->step};
    struct where w = {f->source, s->name, err};
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(targets); i++)
        if (targets[i] && !flow_find(f, targets[i]))
            return fail(&w, NULL, "names a step that does not exist");
    for (i = 0; i < s->n_branches; i++)
        if (!flow_find(f, s->branches[i].next))
            return fail(&w, "branches", "a branch names a step that does not exist");
    return HL_OK;
}

static int parse_steps(struct flow *f, json_t *steps, struct hl_err *err)
{
    struct where w = {f->source, NULL, err};
    const char *name;
    json_t *o;
    size_t i;
    int rc;

    if (!json_is_object(steps) || json_object_size(steps) == 0)
        return fail(&w, "steps", "required: an object of named steps");
    f->steps = hl_calloc(json_object_size(steps), sizeof(*f->steps));
    json_object_foreach(steps, name, o)
    {
        struct flow_step *s = &f->steps[f->n_steps++];
        s->name = hl_strdup(name);
        w.step = s->name;
        if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name))
            return fail(&w, NULL, "step names may only use a-z, 0-9, - and _");
        if ((rc = parse_step(&w, o, s)) != HL_OK)
            return rc;
    }
    for (i = 0; i < f->n_steps; i++)
        if ((rc = check_targets(f, &f->steps[i], err)) != HL_OK)
            return rc;
    return HL_OK;
}

static int parse_flow(struct flow *f, json_t *doc, struct hl_err *err)
{
    struct where w = {f->source, NULL, err};
    int rc;

    if (!json_is_object(doc))
        return fail(&w, NULL, "a flow is a JSON object");
    if ((rc = get_str(&w, doc, "name", &f->name)) || (rc = get_str(&w, doc, "start", &f->start)))
        return rc;
    if (!f->name || !f->start)
        return fail(&w, NULL, "a flow needs \"name\" and \"start\"");
    if ((rc = parse_steps(f, json_object_get(doc, "steps"), err)) != HL_OK)
        return rc;
    return flow_find(f, f->start) ? HL_OK : fail(&w, "start", "names a step that does not exist");
}

int flow_parse(const char *json, size_t len, const char *source, struct flow **out,
               struct hl_err *err)
{
    struct flow *f = hl_calloc(1, sizeof(*f));
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc;

    f->source = hl_strdup(source);
    if (!doc)
        rc = hl_err_set(err, HL_EINVAL, "%s: line %d: %s", source, jerr.line, jerr.text);
    else
        rc = parse_flow(f, doc, err);
    json_decref(doc);
    if (rc != HL_OK) {
        flow_free(f);
        f = NULL;
    }
    *out = f;
    return rc;
}

static void step_free(struct flow_step *s)
{
    char *fields[] = {s->name,    s->next,    s->text,    s->voice,        s->language,
                      s->url,     s->prompt,  s->default_next, s->invalid, s->fallback,
                      s->yes,     s->no,      s->finish_on_key, s->pipeline, s->number,
                      s->to,      s->step};
    size_t i, k;

    for (i = 0; i < HL_ARRAY_LEN(fields); i++)
        free(fields[i]);
    for (i = 0; i < s->n_branches; i++) {
        free(s->branches[i].digits);
        free(s->branches[i].next);
        for (k = 0; k < s->branches[i].n_keywords; k++)
            free(s->branches[i].keywords[k]);
        free(s->branches[i].keywords);
    }
    free(s->branches);
}

void flow_free(struct flow *f)
{
    size_t i;

    if (!f)
        return;
    for (i = 0; i < f->n_steps; i++)
        step_free(&f->steps[i]);
    free(f->steps);
    free(f->name);
    free(f->start);
    free(f->source);
    free(f);
}

const struct flow_step *flow_find(const struct flow *f, const char *name)
{
    size_t i;

    for (i = 0; name && i < f->n_steps; i++)
        if (strcmp(f->steps[i].name, name) == 0)
            return &f->steps[i];
    return NULL;
}
