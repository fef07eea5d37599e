/*
 * sim_params.c — parameter lists: kept on resources, signed and encoded for callbacks.
 */
#include "sim/sim_params.h"

#include <stdlib.h>
#include <string.h>

#include "core/hl.h"
#include "core/banned.h"

void sim_params_release(struct sim_params *p)
{
    size_t i;

    for (i = 0; i < p->count; i++) {
        free(p->items[i].name);
        free(p->items[i].value);
    }
    free(p->items);
    p->items = NULL;
    p->count = 0;
}

void sim_params_add(struct sim_params *p, const char *name, const char *value)
{
    if (!value)
        return;
    p->items = hl_realloc(p->items, (p->count + 1) * sizeof(*p->items));
    p->items[p->count].name = hl_strdup(name);
    p->items[p->count].value = hl_strdup(value);
    p->count++;
}

void sim_params_set(struct sim_params *p, const char *name, const char *value)
{
    size_t i = 0, kept = 0;

    for (i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].name, name) == 0) {
            free(p->items[i].name);
            free(p->items[i].value);
            continue;
        }
        p->items[kept++] = p->items[i];
    }
    p->count = kept;
    sim_params_add(p, name, value);
}

const char *sim_params_get(const struct sim_params *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->count; i++)
        if (strcmp(p->items[i].name, name) == 0)
            return p->items[i].value;
    return NULL;
}

void sim_params_from_form(struct sim_params *p, const struct form *form)
{
    size_t i;

    for (i = 0; i < form->count; i++)
        sim_params_add(p, form->fields[i].name, form->fields[i].value);
}

void sim_params_copy(struct sim_params *dst, const struct sim_params *src)
{
    size_t i;

    for (i = 0; i < src->count; i++)
        sim_params_add(dst, src->items[i].name, src->items[i].value);
}

int sim_params_as_form(const struct sim_params *p, struct arena *a, struct form *out)
{
    size_t i;

    out->count = 0;
    out->fields = p->count ? arena_alloc(a, p->count * sizeof(*out->fields)) : NULL;
    if (p->count && !out->fields)
        return HL_ETOOLARGE;
    for (i = 0; i < p->count; i++) {
        out->fields[i].name = p->items[i].name;
        out->fields[i].name_len = strlen(p->items[i].name);
        out->fields[i].value = p->items[i].value;
        out->fields[i].value_len = strlen(p->items[i].value);
    }
    out->count = p->count;
    return HL_OK;
}

int sim_url_escape(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = HL_OK;

    for (; *s && rc == HL_OK; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            rc = buf_addc(out, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = buf_add(out, esc, 3);
        }
    }
    return rc;
}

int sim_params_encode(const struct sim_params *p, struct buf *out)
{
    size_t i;
    int rc = HL_OK;

    for (i = 0; i < p->count && rc == HL_OK; i++) {
        if (i)
            rc = buf_addc(out, '&');
        if (rc == HL_OK)
            rc = sim_url_escape(out, p->items[i].name);
        if (rc == HL_OK)
            rc = buf_addc(out, '=');
        if (rc == HL_OK)
            rc = sim_url_escape(out, p->items[i].value);
    }
    return rc;
}
