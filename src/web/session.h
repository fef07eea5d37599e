/*
 * session.h — who may see the /voice dashboard: logging in with an API key,
 * sessions kept in the store, and the CSRF defence of every state change.
 *
 * Logging in (POST /voice/login, form field key) checks the key against
 * API_KEYS in constant time (api_key_index). A good key creates a session: a
 * random 256-bit token from the OS CSPRNG goes to the browser in the cookie
 * WEB_SESSION_COOKIE (HttpOnly, SameSite=Strict, Path=/voice, Secure when
 * PUBLIC_BASE_URL is https); the store keeps only its SHA-256, so sessions
 * are shared by every instance on the database and a copy of the database
 * opens no session. A session ends after WEB_SESSION_IDLE_S without a
 * request, after WEB_SESSION_MAX_S in any case, or at logout.
 *
 * CSRF. The cookie is SameSite=Strict, and on top of it every state-changing
 * request must (1) come from this origin — Sec-Fetch-Site: same-origin, or
 * without that header an Origin equal to PUBLIC_BASE_URL's — and (2) except
 * the login itself, carry the session's CSRF token (X-CSRF-Token header or a
 * csrf form field): HMAC-SHA256 of a fixed label keyed with the session
 * token, so it needs no storage and no other page can compute it. Failed
 * logins are rate-limited (app->login_limit). Neither keys nor tokens are
 * ever logged.
 */
#ifndef HL_WEB_SESSION_H
#define HL_WEB_SESSION_H

#include "app/app.h"

#define WEB_SESSION_COOKIE "hl_session"
#define WEB_SESSION_IDLE_S (30L * 60)   /* 30 minutes without a request */
#define WEB_SESSION_MAX_S  (12L * 3600) /* 12 hours after logging in */

/*
 * Failed logins allowed per server instance: a burst, then this many a
 * minute; past them every attempt, right key or not, gets 429 until the
 * budget refills (the buckets are in memory, per instance).
 */
#define WEB_LOGIN_BURST       10
#define WEB_LOGINS_PER_MINUTE 10

/* POST /voice/login (form: key): 200 {"ok":true} with the cookie; 401 wrong_key; 429; 403. */
void web_login(struct app_request *r);

/* POST /voice/logout: ends the session and clears the cookie (behind web_session_csrf_ok). */
void web_logout(struct app_request *r);

/* GET /voice/api/session: {"csrf": token for X-CSRF-Token, "idle_timeout_s": N}. */
void web_session_info(struct app_request *r);

/* 1 when the request carries the cookie of a live session (a store error counts as 0). */
int web_session_valid(struct app_request *r);

/*
 * 1 with a live session (the answer then gets Cache-Control: no-store);
 * otherwise answers 401 (or 503) JSON and returns 0.
 */
int web_session_require(struct app_request *r);

/*
 * 1 when a state-changing request is same-origin and carries its session's
 * CSRF token; otherwise answers 403 JSON and returns 0. Call after
 * web_session_require().
 */
int web_session_csrf_ok(struct app_request *r);

#endif
