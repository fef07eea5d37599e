/*
 * contacts.c — DELETE /api/contacts/{phone}: erase everything hotline holds
 * about a number (erasure.h). The number is checked here; the erasure runs
 * on the sender pool with the connection parked, since it may ask Twilio to
 * delete recordings. The answer says what went, never the data, and shows
 * the number masked.
 */
#include "api/api_internal.h"

#include "core/phone.h"
#include "erasure/erasure.h"
#include "core/banned.h"

json_t *api_erasure_json(const struct erasure_report *r)
{
    const struct store_erasure *e = &r->erased;

    return json_pack("{s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:I,s:I,s:I}", "erasure_id",
                     (json_int_t)e->id, "erased", "calls", (json_int_t)e->calls, "call_events",
                     (json_int_t)e->call_events, "recordings", (json_int_t)e->recordings,
                     "transcriptions", (json_int_t)e->transcriptions, "memos",
                     (json_int_t)e->memos, "messages", (json_int_t)e->messages, "bookings",
                     (json_int_t)e->bookings, "contacts", (json_int_t)e->contacts, "jobs",
                     (json_int_t)e->jobs, "files_removed", (json_int_t)r->files_removed,
                     "twilio_recordings_deleted", (json_int_t)r->twilio_deleted,
                     "pending_cleanup", (json_int_t)r->left);
}

/* The number of the path, without a "whatsapp:" prefix; NULL after answering 400. */
static const char *path_phone(struct app_request *r)
{
    const char *phone = phone_strip_whatsapp(http_param(r->req, "phone"), NULL);

    if (phone_is_e164(phone))
        return phone;
    api_field_error(r, "phone",
                    "must be an E.164 number such as +14155551234 (a plus, then 8 to 15 digits; "
                    "%2B in a URL stands for the plus)");
    return NULL;
}

static void erase_run(struct api_send *s)
{
    struct app_request *r = &s->r;
    const char *phone = path_phone(r);
    struct erasure_report report;
    struct hl_err err = {0};
    int rc = erasure_phone(r->app, phone, &report, &err);
    json_t *doc;

    switch (rc) {
    case HL_OK:
        doc = api_erasure_json(&report);
        json_object_set_new(doc, "phone", api_number(phone));
        json_object_set_new(doc, "optout_kept", json_boolean(report.erased.optout_kept));
        app_json(r->res, r->req->arena, 200, doc);
        return;
    case HL_ENOTFOUND:
        app_json_error(r->res, r->req->arena, 404, "not_found",
                       "Nothing is stored about this number.");
        return;
    case HL_EBUSY:
        http_add_header(r->res, "Retry-After", "5");
        app_json_error(r->res, r->req->arena, 409, "busy", err.msg);
        return;
    default:
        api_answer_store_error(r, &err);
    }
}

void api_contact_erase(struct app_request *r)
{
    struct api_send *s;

    if (!path_phone(r))
        return;
    if ((s = api_work_begin(r, erase_run)) != NULL)
        api_defer_send(s);
}
