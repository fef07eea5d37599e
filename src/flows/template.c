/*
 * template.c — filling placeholders in flow texts.
 */
#include "flows/template.h"

#include <string.h>

#include "core/buf.h"
#include "core/banned.h"

enum { TEMPLATE_MAX = 16 << 10, NAME_MAX_LEN = 64 };

/* A config text that may itself hold placeholders (VOICE_GREETING has {business_name}). */
static const char *config_value(const struct template_vars *v, const char *name, int *nested)
{
    const struct config *c = v->cfg;

    *nested = 0;
    if (strcmp(name, "business_name") == 0)
        return c->business_name;
    if (strcmp(name, "company_name") == 0)
        return c->company_name;
    if (strcmp(name, "call_purpose") == 0)
        return c->call_purpose;
    if (strcmp(name, "owner_phone") == 0)
        return c->owner_phone ? c->owner_phone : "";
    *nested = 1;
    if (strcmp(name, "voice_greeting") == 0)
        return c->voice_greeting;
    if (strcmp(name, "voice_thanks") == 0)
        return c->voice_thanks;
    return NULL;
}

static const char *contact_value(const struct template_vars *v, const char *field)
{
    const json_t *x;

    if (strcmp(field, "name") == 0)
        return v->contact_name ? v->contact_name : "";
    x = v->contact_fields ? json_object_get(v->contact_fields, field) : NULL;
    return x && json_is_string(x) ? json_string_value(x) : "";
}

static const char *value_of(const struct template_vars *v, const char *name, int *nested)
{
    *nested = 0;
    if (strcmp(name, "from") == 0)
        return v->from ? v->from : "";
    if (strcmp(name, "to") == 0)
        return v->to ? v->to : "";
    if (strncmp(name, "contact.", 8) == 0)
        return contact_value(v, name + 8);
    return config_value(v, name, nested);
}

static void fill(struct buf *out, const char *text, const struct template_vars *v, int depth)
{
    const char *p = text;

    while (*p) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        char name[NAME_MAX_LEN];
        const char *value;
        int nested;

        if (!close || (size_t)(close - p - 1) >= sizeof(name)) {
            size_t run = 1 + strcspn(p + 1, "{"); /* literal text up to the next brace */

            buf_add(out, p, run);
            p += run;
            continue;
        }
        memcpy(name, p + 1, (size_t)(close - p - 1));
        name[close - p - 1] = '\0';
        value = value_of(v, name, &nested);
        if (!value)
            buf_add(out, p, (size_t)(close - p + 1));
        else if (nested && depth == 0)
            fill(out, value, v, 1);
        else
            buf_adds(out, value);
        p = close + 1;
    }
}

char *template_fill(struct arena *a, const char *text, const struct template_vars *v)
{
    struct buf out = BUF_INIT(TEMPLATE_MAX);
    char *copy;

    if (!strchr(text, '{')) /* nothing to fill: most texts */
        return arena_strdup(a, text);
    fill(&out, text, v, 0);
    copy = arena_strndup(a, out.ptr ? out.ptr : "", out.len);
    buf_release(&out);
    return copy;
}

int template_uses_contact(const char *text)
{
    return text && strstr(text, "{contact.") != NULL;
}
