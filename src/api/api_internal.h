/*
 * api_internal.h — what the API's files share (private to src/api/):
 * reading JSON bodies and list parameters, rendering numbers, and running a
 * send on the sender pool with the connection parked.
 */
#ifndef HL_API_INTERNAL_H
#define HL_API_INTERNAL_H

#include <jansson.h>

#include "api/api.h"
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

/* phoneNumber, limit and before of a list's query string; HL_EINVAL after answering 400. */
int api_list_query(struct app_request *r, struct store_list *q);

/* The same for a list paged by a text cursor: before goes to q->before_key unchecked. */
int api_list_query_keyed(struct app_request *r, struct store_list *q);

/* 400 invalid_field naming the field and what is wrong with it. */
void api_field_error(struct app_request *r, const char *name, const char *what);

/* A number masked for an answer, or JSON null. */
json_t *api_number(const char *number);

/* JSON text stored in the database as a value (null when absent or unreadable). */
json_t *api_stored_json(const char *text);

/* A string or null. */
json_t *api_str(const char *s);

/* An integer, or null for STORE_NONE. */
json_t *api_int(long long v);

/* A page of history being collected: items, and the id of the last row (the next cursor). */
struct api_page {
    json_t *items;
    long long last_id;
    int count;
};

/* Add one row's JSON (stolen) to the page. */
void api_page_add(struct api_page *p, long long id, json_t *item);

/* {"<key>": [...], "next_before": id or null} — null once the last page is reached. */
void api_answer_page(struct app_request *r, const char *key, struct api_page *p, int limit);

/* 503 after a failed read (or erasure), with a log line. */
void api_answer_store_error(struct app_request *r, const struct hl_err *err);

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
