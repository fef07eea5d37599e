/*
 * sim_json.c — Twilio's JSON shapes for calls, messages and recordings.
 */
#include "sim/sim_json.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static json_t *date_or_null(time_t t)
{
    char text[SIM_DATE_SIZE];

    if (!t)
        return json_null();
    sim_date_format(text, t);
    return json_string(text);
}

/* A string, or null for NULL; a value that is not UTF-8 is shown as "?". */
static json_t *str_or_null(const char *s)
{
    json_t *v;

    if (!s)
        return json_null();
    v = json_string(s);
    return v ? v : json_string("?");
}

static json_t *long_string(long n)
{
    char text[32];

    snprintf(text, sizeof(text), "%ld", n);
    return json_string(text);
}

json_t *sim_json_formatted_number(const char *number)
{
    char text[32];

    if (!number)
        return json_null();
    if (strlen(number) == 12 && strncmp(number, "+1", 2) == 0) {
        snprintf(text, sizeof(text), "(%.3s) %.3s-%.4s", number + 2, number + 5, number + 8);
        return json_string(text);
    }
    return str_or_null(number);
}

static char *resource_uri(char *out, size_t size, const struct sim *sim, const char *kind,
                          const char *sid, const char *tail)
{
    snprintf(out, size, "/2010-04-01/Accounts/%s/%s/%s%s", sim->account.sid, kind, sid, tail);
    return out;
}

static json_t *call_subresources(const struct sim *sim, const struct sim_call *c)
{
    static const char *const names[][2] = {
        {"feedback", "/Feedback.json"},
        {"user_defined_messages", "/UserDefinedMessages.json"},
        {"notifications", "/Notifications.json"},
        {"recordings", "/Recordings.json"},
        {"streams", "/Streams.json"},
        {"payments", "/Payments.json"},
        {"user_defined_message_subscriptions", "/UserDefinedMessageSubscriptions.json"},
        {"siprec", "/Siprec.json"},
        {"events", "/Events.json"},
        {"feedback_summaries", "/FeedbackSummary.json"},
        {"transcriptions", "/Transcriptions.json"},
    };
    json_t *uris = json_object();
    char uri[160];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i][0], "feedback_summaries") == 0)
            snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Calls/FeedbackSummary.json",
                     sim->account.sid);
        else
            resource_uri(uri, sizeof(uri), sim, "Calls", c->sid, names[i][1]);
        json_object_set_new(uris, names[i][0], json_string(uri));
    }
    return uris;
}

json_t *sim_json_call(const struct sim *sim, const struct sim_call *c)
{
    char uri[160];
    json_t *o = json_object();

    json_object_set_new(o, "account_sid", json_string(sim->account.sid));
    json_object_set_new(o, "annotation", json_null());
    json_object_set_new(o, "answered_by", json_null());
    json_object_set_new(o, "api_version", json_string(SIM_API_VERSION));
    json_object_set_new(o, "caller_name", json_null());
    json_object_set_new(o, "date_created", date_or_null(c->created));
    json_object_set_new(o, "date_updated", date_or_null(c->updated));
    json_object_set_new(o, "direction", json_string("outbound-api"));
    json_object_set_new(o, "duration", c->duration >= 0 ? long_string(c->duration) : json_null());
    json_object_set_new(o, "end_time", date_or_null(c->ended));
    json_object_set_new(o, "forwarded_from", json_null());
    json_object_set_new(o, "from", str_or_null(c->from));
    json_object_set_new(o, "from_formatted", sim_json_formatted_number(c->from));
    json_object_set_new(o, "group_sid", json_null());
    json_object_set_new(o, "parent_call_sid", json_null());
    json_object_set_new(o, "phone_number_sid", json_null());
    json_object_set_new(o, "price", json_null());
    json_object_set_new(o, "price_unit", json_string("USD"));
    json_object_set_new(o, "queue_time", json_string("0"));
    json_object_set_new(o, "sid", json_string(c->sid));
    json_object_set_new(o, "start_time", date_or_null(c->started));
    json_object_set_new(o, "status", json_string(c->status));
    json_object_set_new(o, "subresource_uris", call_subresources(sim, c));
    json_object_set_new(o, "to", str_or_null(c->to));
    json_object_set_new(o, "to_formatted", sim_json_formatted_number(c->to));
    json_object_set_new(o, "trunk_sid", json_null());
    json_object_set_new(o, "uri",
                        json_string(resource_uri(uri, sizeof(uri), sim, "Calls", c->sid, ".json")));
    return o;
}

json_t *sim_json_message(const struct sim *sim, const struct sim_message *m)
{
    char uri[160];
    json_t *o = json_object();

    json_object_set_new(o, "account_sid", json_string(sim->account.sid));
    json_object_set_new(o, "api_version", json_string(SIM_API_VERSION));
    json_object_set_new(o, "body", str_or_null(m->body ? m->body : ""));
    json_object_set_new(o, "date_created", date_or_null(m->created));
    json_object_set_new(o, "date_sent", date_or_null(m->sent));
    json_object_set_new(o, "date_updated", date_or_null(m->updated));
    json_object_set_new(o, "direction", json_string(m->direction));
    json_object_set_new(o, "error_code", json_null());
    json_object_set_new(o, "error_message", json_null());
    json_object_set_new(o, "from", str_or_null(m->from));
    json_object_set_new(o, "messaging_service_sid", str_or_null(m->messaging_service_sid));
    json_object_set_new(o, "num_media", long_string(m->num_media));
    json_object_set_new(o, "num_segments", long_string(m->num_segments));
    json_object_set_new(o, "price", json_null());
    json_object_set_new(o, "price_unit", json_string("USD"));
    json_object_set_new(o, "sid", json_string(m->sid));
    json_object_set_new(o, "status", json_string(m->status));
    json_object_set_new(
        o, "subresource_uris",
        json_pack("{s:s}", "media",
                  resource_uri(uri, sizeof(uri), sim, "Messages", m->sid, "/Media.json")));
    json_object_set_new(o, "to", str_or_null(m->to));
    json_object_set_new(
        o, "uri", json_string(resource_uri(uri, sizeof(uri), sim, "Messages", m->sid, ".json")));
    return o;
}

json_t *sim_json_recording(const struct sim *sim, const struct sim_recording *rec, const char *base)
{
    char uri[160], media[512];
    json_t *o = json_object();

    snprintf(media, sizeof(media), "%s/2010-04-01/Accounts/%s/Recordings/%s", base,
             sim->account.sid, rec->sid);
    json_object_set_new(o, "account_sid", json_string(sim->account.sid));
    json_object_set_new(o, "api_version", json_string(SIM_API_VERSION));
    json_object_set_new(o, "call_sid", json_string(rec->call_sid));
    json_object_set_new(o, "conference_sid", json_null());
    json_object_set_new(o, "channels", json_integer(1));
    json_object_set_new(o, "date_created", date_or_null(rec->created));
    json_object_set_new(o, "date_updated", date_or_null(rec->created));
    json_object_set_new(o, "start_time", date_or_null(rec->started));
    json_object_set_new(o, "duration", long_string(rec->duration));
    json_object_set_new(o, "encryption_details", json_null());
    json_object_set_new(o, "error_code", json_null());
    json_object_set_new(o, "media_url", json_string(media));
    json_object_set_new(o, "price", json_null());
    json_object_set_new(o, "price_unit", json_string("USD"));
    json_object_set_new(o, "sid", json_string(rec->sid));
    json_object_set_new(o, "source", json_string("RecordVerb"));
    json_object_set_new(o, "status", json_string("completed"));
    json_object_set_new(
        o, "subresource_uris",
        json_pack("{s:s, s:s}", "add_on_results",
                  resource_uri(uri, sizeof(uri), sim, "Recordings", rec->sid, "/AddOnResults.json"),
                  "transcriptions",
                  resource_uri(media, sizeof(media), sim, "Recordings", rec->sid,
                               "/Transcriptions.json")));
    json_object_set_new(o, "track", json_string("both"));
    json_object_set_new(
        o, "uri",
        json_string(resource_uri(uri, sizeof(uri), sim, "Recordings", rec->sid, ".json")));
    return o;
}
