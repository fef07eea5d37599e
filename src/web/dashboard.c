/*
 * dashboard.c — the /voice page and the dashboard's own JSON: memos,
 * opt-outs, the per-day chart and the health panel. Calls, messages and
 * bookings are served by the JSON API's handlers (see routes.c).
 */
#include "web/dashboard.h"

#include <stdio.h>
#include <time.h>

#include "analysis/analysis.h"
#include "api/list.h"
#include "ops/ops.h"
#include "web/page.h"
#include "web/session.h"
#include "core/banned.h"

void web_dashboard_page(struct app_request *r)
{
    web_page_send(r, 200, web_session_valid(r) ? "dashboard.html" : "login.html");
}

void web_dashboard_redirect(struct app_request *r)
{
    http_add_header(r->res, "Location", "/voice");
    http_respond_text(r->res, 303, "See /voice.\n");
}

/* ---- Lists ---------------------------------------------------------------------------- */

/* Metadata only: the key's hash and the files' paths never leave the store's row. */
static void add_memo(void *ctx, const struct store_memo_row *row)
{
    const struct store_memo *m = &row->memo;

    api_page_add(ctx, row->seq,
                 json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", api_str(m->id), "kind",
                           api_str(m->kind), "call_sid", api_str(m->call_sid), "recording_sid",
                           api_str(m->recording_sid), "message_id", api_int(m->message_id),
                           "owner_notified_at", api_str(row->owner_notified_at), "created_at",
                           api_str(row->created_at), "deleted_at", api_str(row->deleted_at)));
}

static void add_optout(void *ctx, const struct store_optout_row *o)
{
    api_page_add(ctx, o->seq,
                 json_pack("{s:o,s:o,s:o}", "phone", api_number(o->phone), "keyword",
                           api_str(o->keyword), "created_at", api_str(o->created_at)));
}

/* One list of the dashboard: read with list, answered under key. */
static void answer_list(struct app_request *r, const char *key,
                        int (*list)(struct app_request *r, const struct store_list *q,
                                    struct api_page *p, struct hl_err *err))
{
    struct store_list q;
    struct api_page p = {json_array(), 0, 0};
    struct hl_err err = {0};

    if (api_list_query(r, &q) != HL_OK || list(r, &q, &p, &err) != HL_OK) {
        if (err.code)
            api_answer_store_error(r, &err);
        json_decref(p.items);
        return;
    }
    api_answer_page(r, key, &p, q.limit);
}

static int list_memos(struct app_request *r, const struct store_list *q, struct api_page *p,
                      struct hl_err *err)
{
    return store_memo_list(r->app->store, q, add_memo, p, err);
}

static int list_optouts(struct app_request *r, const struct store_list *q, struct api_page *p,
                        struct hl_err *err)
{
    return store_optout_list(r->app->store, q, add_optout, p, err);
}

void web_dash_memos(struct app_request *r)
{
    answer_list(r, "memos", list_memos);
}

void web_dash_optouts(struct app_request *r)
{
    answer_list(r, "optouts", list_optouts);
}

/* ---- The chart ------------------------------------------------------------------------ */

/* t in the store's timestamp form ("2026-11-21T05:00:00.000Z"). */
static void store_stamp(time_t t, char out[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* Count day i of the chart into days[]. */
static int count_day(struct app_request *r, const time_t *starts, const char *date, json_t *days,
                     struct hl_err *err)
{
    char since[32], until[32];
    long long calls, messages;
    int rc;

    store_stamp(starts[0], since);
    store_stamp(starts[1], until);
    rc = store_activity_count(r->app->store, since, until, &calls, &messages, err);
    if (rc == HL_OK)
        json_array_append_new(days, json_pack("{s:s,s:I,s:I}", "date", date, "calls",
                                              (json_int_t)calls, "messages", (json_int_t)messages));
    return rc;
}

void web_dash_stats(struct app_request *r)
{
    const char *zone = r->app->cfg->timezone_default;
    char dates[WEB_CHART_DAYS][ANALYSIS_DATE_SIZE];
    time_t starts[WEB_CHART_DAYS + 1];
    struct hl_err err = {0};
    json_t *days = json_array();
    int i, rc = HL_OK;

    if (analysis_local_days(zone, time(NULL), WEB_CHART_DAYS, dates, starts) != HL_OK) {
        json_decref(days);
        app_json_error(r->res, r->req->arena, 500, "timezone",
                       "TIMEZONE_DEFAULT cannot be read; the chart needs it.");
        return;
    }
    for (i = 0; i < WEB_CHART_DAYS && rc == HL_OK; i++)
        rc = count_day(r, &starts[i], dates[i], days, &err);
    if (rc != HL_OK) {
        json_decref(days);
        api_answer_store_error(r, &err);
        return;
    }
    app_json(r->res, r->req->arena, 200, json_pack("{s:s,s:o}", "timezone", zone, "days", days));
}

/* ---- Health --------------------------------------------------------------------------- */

void web_dash_health(struct app_request *r)
{
    app_json(r->res, r->req->arena, 200,
             json_pack("{s:o,s:o}", "config", ops_config_json(r->app, r->req->arena), "test",
                       ops_selftest(r->app)));
}
