/*
 * template.h — filling a flow's text: {from}, {to}, {business_name},
 * {company_name}, {call_purpose}, {owner_phone}, {voice_greeting},
 * {voice_thanks}, {contact.name} and {contact.<field>}.
 *
 * A contact field the contact lacks (or a caller with no contact) becomes
 * empty text; an unknown name is kept as written so a typo shows.
 */
#ifndef HL_FLOW_TEMPLATE_H
#define HL_FLOW_TEMPLATE_H

#include <jansson.h>

#include "core/arena.h"
#include "core/config.h"

struct template_vars {
    const struct config *cfg;
    const char *from;
    const char *to;
    const char *contact_name;    /* NULL: none */
    const json_t *contact_fields; /* an object, or NULL */
};

/* text with every placeholder filled, in the arena (NULL only if the arena is full). */
char *template_fill(struct arena *a, const char *text, const struct template_vars *v);

/* Does text use {contact.*}? (Callers look the contact up only then.) */
int template_uses_contact(const char *text);

#endif
