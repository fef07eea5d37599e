/*
 * notice_stage.c — the receptionist's notice to the owner (guide 001): once
 * a call is analysed (and booked), OWNER_PHONE gets a short text with the
 * caller, the intent, the time asked for, the summary and the booking.
 *
 * It is a stage of its own, recorded like the others, and its message is
 * tagged with the job and stage, so a retried job never sends it twice, even
 * after a crash around the send (outbound.h). The owner sees the caller's
 * full number (to call back); the copy hotline keeps in `messages` has it
 * masked, as every API answer does. No OWNER_PHONE: skipped with a log line.
 * An owner who opted out is not texted (outbound refuses). WhatsApp when
 * TWILIO_WHATSAPP_NUMBER is set, as the memo link.
 */
#include "pipeline/stages.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mask.h"
#include "core/banned.h"

/* "2026-11-24 15:00" from "2026-11-24T15:00:00-05:00"; "" when there is none. */
static void local_time(const char *iso, char out[20])
{
    out[0] = '\0';
    if (iso && strlen(iso) >= 16)
        snprintf(out, 20, "%.10s %.5s", iso, iso + 11);
}

/* The notice, with the caller as given (full for the owner, masked for the record). */
static void notice_text(struct pipeline_job *p, const char *caller, char *out, size_t size)
{
    const char *intent = json_string_value(json_object_get(p->analysis, "intent"));
    const char *summary = json_string_value(json_object_get(p->analysis, "summary"));
    const char *booked_at = json_string_value(json_object_get(p->booking, "starts_at"));
    const char *zone = p->app->cfg->timezone_default;
    char asked[20];
    int n;

    local_time(json_string_value(json_object_get(p->analysis, "when_local")), asked);
    n = snprintf(out, size, "%.100s: call from %s\nIntent: %s\nAsked for: %s\nSummary: %.600s",
                 p->app->cfg->business_name, caller ? caller : "an unknown number",
                 intent ? intent : "other", asked[0] ? asked : "no time given",
                 summary && *summary ? summary : "no words we could make out");
    if (json_is_true(json_object_get(p->booking, "booked")) && booked_at && n > 0 &&
        (size_t)n < size)
        snprintf(out + n, size - (size_t)n, "\nBooking: pending, %s (%s)",
                 asked[0] ? asked : booked_at, zone);
}

int pipeline_owner_notice(struct job_ctx *job, void *arg, char **result, struct hl_err *err)
{
    struct pipeline_job *p = arg;
    const struct config *cfg = p->app->cfg;
    struct outbound o = {cfg, p->app->store, p->app->rest, p->app->flows};
    struct outbound_message_request rq = {0};
    struct outbound_result out;
    char phone[32], masked[MASK_PHONE_MAX], body[1000], stored[1000];
    const char *caller = pipeline_caller(p, phone);

    if (!cfg->owner_phone) {
        log_info("owner notice skipped", LOG_S("call_sid", p->call_sid),
                 LOG_S("reason", "OWNER_PHONE is not set"));
        return pipeline_result(json_pack("{s:b,s:s}", "sent", 0, "why", "OWNER_PHONE not set"),
                               result);
    }
    if (caller)
        mask_phone(caller, masked);
    notice_text(p, caller, body, sizeof(body));
    notice_text(p, caller ? masked : NULL, stored, sizeof(stored));
    rq.to = cfg->owner_phone;
    rq.body = body;
    rq.stored_body = stored;
    rq.whatsapp = cfg->twilio_whatsapp_number != NULL;
    rq.job_id = job_id(job); /* sent once, even across crashes (outbound.h) */
    rq.job_stage = "owner_notice";
    return pipeline_send_result(outbound_message(&o, &rq, &out, err), &out, err, result);
}
