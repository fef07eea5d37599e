/*
 * bookings.c — GET /api/bookings: the bookings made from callers' requests
 * (the receptionist pipeline), newest first, paged like the other lists.
 */
#include "api/api_internal.h"

#include "core/banned.h"

static void add_booking(void *ctx, const struct store_booking_row *row)
{
    const struct store_booking *b = &row->booking;

    api_page_add(ctx, row->id,
                 json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)row->id,
                           "call_sid", api_str(b->call_sid), "phone", api_number(b->phone),
                           "starts_at", api_str(b->starts_at), "timezone", api_str(b->timezone),
                           "summary", api_str(b->summary), "status", api_str(row->status),
                           "created_at", api_str(row->created_at)));
}

void api_bookings_list(struct app_request *r)
{
    struct store_list q;
    struct api_page p = {json_array(), 0, 0};
    struct hl_err err = {0};

    if (api_list_query(r, &q) != HL_OK ||
        store_booking_list(r->app->store, &q, add_booking, &p, &err) != HL_OK) {
        if (err.code)
            api_answer_store_error(r, &err);
        json_decref(p.items);
        return;
    }
    api_answer_page(r, "bookings", &p, q.limit);
}
