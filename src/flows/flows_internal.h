/*
 * flows_internal.h — what the flow files share (private to src/flows/).
 */
#ifndef HL_FLOWS_INTERNAL_H
#define HL_FLOWS_INTERNAL_H

#include "flows/flow.h"

struct flow_builtin {
    const char *name;
    const char *json;
};

extern const struct flow_builtin flow_builtins[];
extern const size_t flow_builtins_count;

/* The flows of a set, built-ins and files alike, for walking them all (vocabulary.c). */
size_t flows_count(const struct flows *fs);
const struct flow *flows_at(const struct flows *fs, size_t i);

#endif
