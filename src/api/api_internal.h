/*
 * api_internal.h — what the API's files share (private to src/api/):
 * reading JSON bodies and list parameters, rendering numbers, and running a
 * send on the sender pool with the connection parked.
 */
#ifndef HL_API_INTERNAL_H
#define HL_API_INTERNAL_H

#include <jansson.h>

#include "api/api.h"
#include "api/list.h"
#include "outbound/outbound.h"

/* The body as a JSON object (the caller owns it); NULL after answering 400/415. */
json_t *api_body_object(struct app_request *r);

/*
 * Optional field name of obj as a string: *out is NULL when absent or null.
 * HL_EINVAL after answering 400 when it has another type.
 */
int api_string(struct app_request *r, json_t *obj, const char *name, const char **out);

/* The metadata field (an object) as compact JSON text in the arena, or NULL; -1 answered 400. */
int api_metadata(struct app_request *r, json_t *obj, const char **out);

/* 400 invalid_field naming the field and what is wrong with it. */
void api_field_error(struct app_request *r, const char *name, const char *what);

/* A send waiting for (then running on) the sender pool. */
struct api_send {
    struct app_request r;
    json_t *body; /* owns the strings the request points into */
    void (*run)(struct api_send *s);
    struct http_pending *pending;
    union {
        struct outbound_call_request call;
        struct outbound_message_request message;
    } u;
    const char *media[10];
};

/*
 * A send of r whose JSON body is parsed into s->body (NULL after answering
 * 400/413/415). The caller reads its fields into s->u, then hands it to
 * api_defer_send(), or to api_send_abort() when they were wrong.
 */
struct api_send *api_send_begin(struct app_request *r, void (*run)(struct api_send *s));

/* The same for work without a body (an erasure): NULL after answering 413. */
struct api_send *api_work_begin(struct app_request *r, void (*run)(struct api_send *s));
void api_send_abort(struct api_send *s);

/* Park the connection and run s->run on the sender pool; it answers s->r.res. */
void api_defer_send(struct api_send *s);

/* The answer to an erasure (erasure.h): what went, and what is left to the cleanup job. */
struct erasure_report;
json_t *api_erasure_json(const struct erasure_report *r);

/* Answer a send that failed, with the status that fits rc (see outbound.h). */
void api_send_failed(struct app_request *r, int rc, const struct outbound_result *out,
                     const struct hl_err *err);

#endif
