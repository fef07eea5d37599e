/*
 * dashboard.h — the /voice dashboard: its page and the JSON it reads.
 *
 * GET /voice answers the dashboard page to a browser with a live session
 * (session.h) and the login page to anyone else. The page's data comes from
 * /voice/api/... routes, all behind the session (401 JSON without one):
 * calls, one call with its events, recordings and transcripts, messages
 * and bookings are the JSON API's own answers (api.h, same query: limit,
 * before, phoneNumber as a whole number or its last digits); the handlers
 * here add what only the dashboard shows. Numbers are masked in every answer.
 */
#ifndef HL_WEB_DASHBOARD_H
#define HL_WEB_DASHBOARD_H

#include "app/app.h"

/* Days in the chart of calls and messages (today included, in TIMEZONE_DEFAULT). */
#define WEB_CHART_DAYS 14

/* GET /voice: the dashboard, or the login page without a session. */
void web_dashboard_page(struct app_request *r);

/* GET /voice/login and /voice/logout (a bookmark, a reload): 303 to /voice, which shows the
 * login form or the dashboard. Without these rows "/voice/{id}" would answer "memo not found". */
void web_dashboard_redirect(struct app_request *r);

/* GET /voice/api/memos: memo metadata, never keys or content; paged like the API's lists. */
void web_dash_memos(struct app_request *r);

/* GET /voice/api/optouts: opted-out numbers (masked) with the word that opted them out. */
void web_dash_optouts(struct app_request *r);

/* GET /voice/api/stats: {"timezone", "days":[{"date","calls","messages"}]}, oldest day first. */
void web_dash_stats(struct app_request *r);

/* GET /voice/api/health: {"config": what /twilio/config says, "test": what /twilio/test says}. */
void web_dash_health(struct app_request *r);

#endif
