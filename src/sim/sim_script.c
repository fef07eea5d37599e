/*
 * sim_script.c — the scripted caller (what the person will press and say,
 * in order) and the transcript of a call. See sim_script.h.
 */
#include "sim/sim_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hl.h"
#include "core/banned.h"

static const struct {
    const char *name;
    enum sim_input kind;
} params[] = {
    {"Digits", SIM_IN_DIGITS},
    {"Speech", SIM_IN_SPEECH},
    {"Say", SIM_IN_SAY},
    {"Dial", SIM_IN_DIAL},
};

static int digits_valid(const char *v)
{
    for (; *v; v++)
        if (!strchr("0123456789*#w", *v))
            return 0;
    return 1;
}

int sim_script_add_param(struct sim_script *s, const char *name, const char *value)
{
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(params); i++) {
        if (strcmp(name, params[i].name) != 0)
            continue;
        if (!value || !*value || strlen(value) > SIM_SCRIPT_MAX_TEXT ||
            s->count == SIM_SCRIPT_MAX_ITEMS ||
            (params[i].kind == SIM_IN_DIGITS && !digits_valid(value)))
            return -1;
        s->items = hl_realloc(s->items, (s->count + 1) * sizeof(*s->items));
        s->items[s->count].kind = params[i].kind;
        s->items[s->count].text = hl_strdup(value);
        s->count++;
        return 1;
    }
    return 0;
}

const struct sim_script_item *sim_script_take(struct sim_script *s, unsigned kinds)
{
    if (s->pos >= s->count || !(s->items[s->pos].kind & kinds))
        return NULL;
    return &s->items[s->pos++];
}

int sim_script_done(const struct sim_script *s)
{
    return s->pos >= s->count;
}

void sim_script_release(struct sim_script *s)
{
    size_t i;

    for (i = 0; i < s->count; i++)
        free(s->items[i].text);
    free(s->items);
    memset(s, 0, sizeof(*s));
}

/* ---- transcripts -------------------------------------------------------------------------- */

struct sim_transcript *sim_transcript_new(const char *sid)
{
    struct sim_transcript *t = hl_calloc(1, sizeof(*t));

    snprintf(t->sid, sizeof(t->sid), "%s", sid);
    return t;
}

void sim_transcript_add(struct sim_transcript *t, const char *who, const char *text)
{
    size_t n = strlen(text);

    if (t->count == SIM_TRANSCRIPT_MAX_LINES)
        return;
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->lines = hl_realloc(t->lines, t->cap * sizeof(*t->lines));
    }
    t->lines[t->count].who = who;
    t->lines[t->count].text = hl_strndup(text, n > SIM_SCRIPT_MAX_TEXT ? SIM_SCRIPT_MAX_TEXT : n);
    t->count++;
}

void sim_transcript_free(struct sim_transcript *t)
{
    size_t i;

    if (!t)
        return;
    for (i = 0; i < t->count; i++)
        free(t->lines[i].text);
    free(t->lines);
    free(t);
}
