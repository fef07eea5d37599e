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

#endif
