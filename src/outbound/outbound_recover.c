/*
 * outbound_recover.c — whether a job stage's message went out before the
 * process died: our row first, then Twilio's Messages list (outbound.h).
 *
 * Twilio's list is searched by To and From (its own filters), newest first,
 * and not by DateSent: a message Twilio accepted but has not sent yet has
 * no date_sent, and it must be found all the same. The walk stops at
 * messages created well before our row was written.
 */
#include "outbound/outbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/phone.h"
#include "twilio/rest.h"
#include "core/banned.h"

/* Clocks differ: messages created this long before our row still count. */
enum { SKEW_S = 300, LIST_PAGE = 100, LIST_PAGES = 5 };

/* The newest row of the job stage, copied out of the store's callback. */
struct tagged {
    int found;
    long long id;
    char sid[STORE_SID_SIZE], status[24], from[64], to[64], channel[16], created[40];
    char *body;
};

static void copy_tagged(void *ctx, const struct store_message_row *row)
{
    struct tagged *t = ctx;
    const struct store_message *m = &row->msg;

    t->found = 1;
    t->id = row->id;
    snprintf(t->sid, sizeof(t->sid), "%s", m->sid ? m->sid : "");
    snprintf(t->status, sizeof(t->status), "%s", m->status ? m->status : "");
    snprintf(t->from, sizeof(t->from), "%s", m->from_number ? m->from_number : "");
    snprintf(t->to, sizeof(t->to), "%s", m->to_number ? m->to_number : "");
    snprintf(t->channel, sizeof(t->channel), "%s", m->channel ? m->channel : "sms");
    snprintf(t->created, sizeof(t->created), "%s", row->created_at ? row->created_at : "");
    t->body = hl_strdup(m->body ? m->body : "");
}

/* "2026-11-21T08:00:00.123Z" (the store's stamps) as a time; 0 when malformed. */
static time_t store_time(const char *s)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* "Sat, 21 Nov 2026 08:00:00 +0000" (Twilio's dates, always GMT) as a time; 0 when malformed. */
static time_t twilio_time(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4] = "";
    const char *at;
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%*3s, %d %3s %d %d:%d:%d", &tm.tm_mday, mon, &tm.tm_year, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6 ||
        strlen(mon) != 3 || !(at = strstr(months, mon)) || (at - months) % 3)
        return 0;
    tm.tm_mon = (int)((at - months) / 3);
    tm.tm_year -= 1900;
    return timegm(&tm);
}

/* The body Twilio shows is the one stored — or, for a withheld key, the same up to '#'. */
static int same_body(const char *stored, const char *sent)
{
    size_t n = strlen(stored), w = strlen(OUTBOUND_KEY_WITHHELD);

    if (!sent)
        return 0;
    if (strcmp(stored, sent) == 0)
        return 1;
    if (n < w || strcmp(stored + n - w, OUTBOUND_KEY_WITHHELD) != 0)
        return 0;
    n -= w - 1; /* keep the '#' */
    return strncmp(stored, sent, n) == 0 && sent[n] && !strchr(sent + n, ' ');
}

struct search {
    const struct tagged *row;
    const char *body; /* what the stage sends now, or NULL */
    time_t since;
    struct rest_message match;
    int found;
};

static int consider(void *ctx, const struct rest_message *m, const char *body)
{
    struct search *s = ctx;
    time_t created = twilio_time(m->date_created);

    if (created && s->since && created < s->since)
        return 1; /* older than our row: the rest are older still */
    if (strcmp(phone_strip_whatsapp(m->from, NULL), s->row->from) != 0 ||
        strcmp(phone_strip_whatsapp(m->to, NULL), s->row->to) != 0 ||
        !(same_body(s->row->body, body) || (s->body && body && strcmp(s->body, body) == 0)))
        return 0;
    s->match = *m;
    s->found = 1;
    return 1;
}

/* Look for the row's message in Twilio's list; s->found says whether it is there. */
static int ask_twilio(const struct outbound *o, const struct tagged *t, const char *body,
                      struct search *s, struct hl_err *err)
{
    int whatsapp = strcmp(t->channel, "whatsapp") == 0;
    char to[80], from[80];
    struct rest_message_query q = {to, from, LIST_PAGE, LIST_PAGES};
    time_t made = store_time(t->created);

    snprintf(to, sizeof(to), "%s%s", whatsapp ? PHONE_WHATSAPP_PREFIX : "", t->to);
    snprintf(from, sizeof(from), "%s%s", whatsapp ? PHONE_WHATSAPP_PREFIX : "", t->from);
    memset(s, 0, sizeof(*s));
    s->row = t;
    s->body = body;
    s->since = made ? made - SKEW_S : 0;
    return rest_message_list(o->rest, &q, consider, s, NULL, err);
}

static void fill(struct outbound_result *out, const struct tagged *t, const char *sid,
                 const char *status)
{
    out->message_id = t->id;
    out->recovered = 1;
    snprintf(out->sid, sizeof(out->sid), "%s", sid);
    snprintf(out->status, sizeof(out->status), "%s", status);
    snprintf(out->from, sizeof(out->from), "%s", t->from);
    snprintf(out->to, sizeof(out->to), "%s", t->to);
}

/* The row's message is at Twilio: the row takes its sid and status. */
static int adopt(const struct outbound *o, const struct tagged *t, const struct search *s,
                 struct outbound_result *out, struct hl_err *err)
{
    struct store_outcome outcome = {s->match.sid, s->match.status[0] ? s->match.status : "queued",
                                    NULL, NULL};
    int rc = store_message_outbound_end(o->store, t->id, &outcome, err);

    if (rc != HL_OK)
        return rc;
    fill(out, t, s->match.sid, outcome.status);
    log_info("outbound message had gone out before a restart", LOG_S("message_sid", out->sid),
             LOG_I("message_id", t->id), LOG_S("to", t->to));
    return HL_OK;
}

static int recover_row(const struct outbound *o, const struct tagged *t, const char *body,
                       struct outbound_result *out, struct hl_err *err)
{
    struct search s;
    int rc;

    if (t->sid[0]) {
        fill(out, t, t->sid, t->status);
        return HL_OK;
    }
    if (strcmp(t->status, "failed") == 0) /* Twilio refused it or was never reached */
        return HL_ENOTFOUND;
    if ((rc = ask_twilio(o, t, body, &s, err)) != HL_OK)
        return rc;
    if (s.found)
        return adopt(o, t, &s, out, err);
    out->message_id = t->id; /* it never reached Twilio: send this row */
    return HL_ENOTFOUND;
}

int outbound_message_recover(const struct outbound *o, long long job_id, const char *stage,
                             const char *body, struct outbound_result *out, struct hl_err *err)
{
    struct tagged t;
    int rc;

    memset(&t, 0, sizeof(t));
    memset(out, 0, sizeof(*out));
    rc = store_message_for_job(o->store, job_id, stage, copy_tagged, &t, err);
    if (rc == HL_OK)
        rc = t.found ? recover_row(o, &t, body, out, err) : HL_ENOTFOUND;
    free(t.body);
    return rc;
}
