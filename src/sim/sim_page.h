/*
 * sim_page.h — Twilio's list pages for the emulator's GET .../X.json.
 *
 * A list answer is Twilio's page envelope: the rows under their key
 * ("calls", "messages", "recordings"), newest first, and first_page_uri,
 * next_page_uri, previous_page_uri, uri, page, page_size, start and end
 * (https://www.twilio.com/docs/usage/twilios-response#response-formats-list-paging-information).
 * PageSize is 50 by default and at most 1000; Page counts from 0; PageToken
 * is what Twilio puts in next/previous page URIs: "PA" + the SID of the last
 * row shown (the next page starts after it) or "PB" + the SID of the first
 * (the previous page ends before it). A token whose row is gone falls back
 * to counting Page * PageSize rows. The filters a list takes are kept in
 * every page URI, as Twilio keeps them.
 */
#ifndef HL_SIM_PAGE_H
#define HL_SIM_PAGE_H

#include <jansson.h>

#include "sim/sim_rest.h"

#define SIM_PAGE_SIZE_DEFAULT 50
#define SIM_PAGE_SIZE_MAX     1000

struct sim_list {
    const char *key;         /* "calls" */
    struct sim_table *table; /* in r->sim */
    const char *filters[4];  /* query parameters that filter, kept in page URIs; NULL-ended */
    /* Does row pass r's filters? */
    int (*match)(const struct sim_req *r, const struct sim_row *row);
    /* The row's JSON (a new reference). */
    json_t *(*render)(const struct sim_req *r, const struct sim_row *row);
};

/* Answer r with one page of list (takes sim->lock while it reads the table). */
void sim_list_respond(struct sim_req *r, const struct sim_list *list);

#endif
