/*
 * sim_page.c — one page of a list, and the URIs of its neighbours.
 */
#include "sim/sim_page.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sim/sim_params.h"
#include "core/banned.h"

struct page {
    long size, number;
    const char *token; /* as received, or NULL */
    const struct sim_row **rows;
    size_t count;
    int more; /* a matching row follows the last one shown */
};

/* A whole number from the query within [min, max] (clamped); dflt when absent or malformed. */
static long query_long(const struct sim_req *r, const char *name, long dflt, long min, long max)
{
    const char *v = form_get(&r->query, name);
    char *end;
    long n;

    if (!v || !*v)
        return dflt;
    n = strtol(v, &end, 10);
    if (*end)
        return dflt;
    return n < min ? min : n > max ? max : n;
}

/* Collect up to p->size matching rows walking older from row; sets p->more. */
static void collect_older(const struct sim_req *r, const struct sim_list *list,
                          const struct sim_row *row, struct page *p)
{
    for (; row; row = row->older) {
        if (!list->match(r, row))
            continue;
        if (p->count == (size_t)p->size) {
            p->more = 1;
            return;
        }
        p->rows[p->count++] = row;
    }
}

/* The page before the token's row: the nearest p->size matching rows newer than it. */
static void collect_newer(const struct sim_req *r, const struct sim_list *list,
                          const struct sim_row *token_row, struct page *p)
{
    const struct sim_row *row;
    size_t i;

    for (row = token_row->newer; row && p->count < (size_t)p->size; row = row->newer)
        if (list->match(r, row))
            p->rows[p->count++] = row;
    for (i = 0; i < p->count / 2; i++) { /* newest first */
        const struct sim_row *t = p->rows[i];
        p->rows[i] = p->rows[p->count - 1 - i];
        p->rows[p->count - 1 - i] = t;
    }
    p->more = 1;
}

/* Skip number * size matching rows from the newest; the first row of the page, or NULL. */
static const struct sim_row *skip_pages(const struct sim_req *r, const struct sim_list *list,
                                        const struct page *p)
{
    const struct sim_row *row = list->table->newest;
    long skip = p->number > LONG_MAX / p->size ? LONG_MAX : p->number * p->size;

    for (; row && skip > 0; row = row->older)
        if (list->match(r, row))
            skip--;
    return row;
}

static void collect(const struct sim_req *r, const struct sim_list *list, struct page *p)
{
    const struct sim_row *token_row = NULL;

    if (p->token && strlen(p->token) > 2)
        token_row = sim_table_find(list->table, p->token + 2);
    if (token_row && strncmp(p->token, "PA", 2) == 0)
        collect_older(r, list, token_row->older, p);
    else if (token_row && strncmp(p->token, "PB", 2) == 0)
        collect_newer(r, list, token_row, p);
    else
        collect_older(r, list, skip_pages(r, list, p), p);
}

/* path?filters&PageSize=..&Page=..[&PageToken=..] */
static json_t *page_uri(const struct sim_req *r, const struct sim_list *list, long size,
                        long number, const char *token_prefix, const char *token_sid)
{
    struct buf b = BUF_INIT(8192);
    size_t i;
    int rc = buf_adds(&b, r->path);
    json_t *uri;

    for (i = 0; rc == HL_OK && list->filters[i]; i++) {
        const char *v = form_get(&r->query, list->filters[i]);
        if (!v)
            continue;
        rc = buf_addf(&b, "%c%s=", strchr(buf_str(&b), '?') ? '&' : '?', list->filters[i]);
        if (rc == HL_OK)
            rc = sim_url_escape(&b, v);
    }
    if (rc == HL_OK)
        rc = buf_addf(&b, "%cPageSize=%ld&Page=%ld", strchr(buf_str(&b), '?') ? '&' : '?', size,
                      number);
    if (rc == HL_OK && token_prefix)
        rc = buf_addf(&b, "&PageToken=%s%s", token_prefix, token_sid);
    uri = rc == HL_OK ? json_string(buf_str(&b)) : json_null();
    buf_release(&b);
    return uri;
}

static json_t *envelope(const struct sim_req *r, const struct sim_list *list, const struct page *p,
                        json_t *items)
{
    long start = p->number * p->size;
    json_t *doc = json_object();

    json_object_set_new(doc, list->key, items);
    json_object_set_new(doc, "end", json_integer(p->count ? start + (long)p->count - 1 : start));
    json_object_set_new(doc, "first_page_uri", page_uri(r, list, p->size, 0, NULL, NULL));
    json_object_set_new(doc, "next_page_uri",
                        p->more && p->count ? page_uri(r, list, p->size, p->number + 1, "PA",
                                                       p->rows[p->count - 1]->key)
                                            : json_null());
    json_object_set_new(doc, "page", json_integer(p->number));
    json_object_set_new(doc, "page_size", json_integer(p->size));
    json_object_set_new(doc, "previous_page_uri",
                        p->number > 0 && p->count
                            ? page_uri(r, list, p->size, p->number - 1, "PB", p->rows[0]->key)
                            : json_null());
    json_object_set_new(doc, "start", json_integer(start));
    json_object_set_new(
        doc, "uri",
        page_uri(r, list, p->size, p->number, p->token ? "" : NULL, p->token ? p->token : NULL));
    return doc;
}

void sim_list_respond(struct sim_req *r, const struct sim_list *list)
{
    struct page p = {0};
    json_t *items = json_array();
    json_t *doc;
    size_t i;

    p.size = query_long(r, "PageSize", SIM_PAGE_SIZE_DEFAULT, 1, SIM_PAGE_SIZE_MAX);
    p.number = query_long(r, "Page", 0, 0, LONG_MAX / SIM_PAGE_SIZE_MAX);
    p.token = form_get(&r->query, "PageToken");
    p.rows = arena_alloc(r->req->arena, (size_t)p.size * sizeof(*p.rows));
    if (!p.rows) {
        json_decref(items);
        http_respond_text(r->res, 413, "Request too large.\n");
        return;
    }
    pthread_mutex_lock(&r->sim->lock);
    collect(r, list, &p);
    for (i = 0; i < p.count; i++)
        json_array_append_new(items, list->render(r, p.rows[i]));
    doc = envelope(r, list, &p, items);
    pthread_mutex_unlock(&r->sim->lock);
    sim_json(r, 200, doc);
}
