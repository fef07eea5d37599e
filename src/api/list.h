/*
 * list.h — how the JSON API answers lists, shared with the dashboard
 * (src/web/): the query of a list (phoneNumber, limit, before), pages with
 * their next_before cursor, masked numbers and the other JSON values a row
 * becomes.
 */
#ifndef HL_API_LIST_H
#define HL_API_LIST_H

#include <jansson.h>

#include "app/app.h"

/*
 * phoneNumber, limit and before of a list's query string; HL_EINVAL after
 * answering 400. phoneNumber is a whole E.164 number (q->phone) or 3 to 15
 * digits that the numbers must end with (q->phone_suffix).
 */
int api_list_query(struct app_request *r, struct store_list *q);

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

#endif
