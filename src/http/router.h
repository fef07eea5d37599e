/*
 * router.h — matching a request path against route patterns.
 *
 * A pattern is a literal path whose segments may be "{name}" placeholders:
 * "/twilio/recording/{CallSid}" matches "/twilio/recording/CA123" and yields
 * CallSid = "CA123". Matching is exact (no trailing-slash folding) and works
 * on the raw path; placeholder values are percent-decoded. The route table
 * itself belongs to the application (src/app/routes.c): this module only
 * answers "does this path fit this pattern".
 */
#ifndef HL_ROUTER_H
#define HL_ROUTER_H

#include <stddef.h>

#include "http/http.h"

enum router_result {
    ROUTER_NO_MATCH = 0,
    ROUTER_MATCH = 1,
    ROUTER_BAD_ESCAPE = -1, /* the path fits but a placeholder has a malformed %-escape */
    ROUTER_TOO_LARGE = -2,  /* the arena is full, or the pattern has too many placeholders */
};

/*
 * Match req->path against pattern; on ROUTER_MATCH the placeholders are in
 * req->params (allocated from req->arena).
 */
enum router_result router_match(const char *pattern, struct http_request *req);

#endif
