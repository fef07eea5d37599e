/*
 * app.h — the application context and the HTTP routes that use it.
 *
 * struct app is what every handler needs and nothing more: the loaded
 * configuration, the store, and the credentials that sign webhooks. It is
 * passed explicitly (no globals) so that tests and, later, several servers in
 * one process can each have their own.
 *
 * app_handle() is the handler the HTTP edge calls for every request: it finds
 * the route, enforces the Twilio signature on webhook routes, decodes the
 * form body and calls the route's function.
 */
#ifndef HL_APP_H
#define HL_APP_H

#include <jansson.h>

#include "core/config.h"
#include "http/form.h"
#include "http/http.h"
#include "store/store.h"

struct rest_client;
struct sim;
struct ratelimit;
struct workpool;
struct tts;
struct flows;
struct asr;
struct analyzer;
struct jobs;
struct ideas_cache;

struct app {
    const struct config *cfg;
    struct store *store;
    const char *account_sid; /* the Twilio account, or the emulator's */
    const char *auth_token;  /* verifies X-Twilio-Signature */
    struct rest_client *rest; /* Twilio's REST API (or the emulator's) */
    struct sim *sim;          /* the built-in emulator, mounted here in emulator mode; or NULL */
    struct ratelimit *send_limit; /* API sends per key */
    struct ratelimit *login_limit; /* dashboard login attempts (one bucket), or NULL: no limit */
    struct workpool *senders;     /* where API sends wait on Twilio, off the HTTP threads */
    struct tts *tts;              /* speech for calls, and its media cache */
    struct flows *flows;          /* the call flows this server runs */
    struct asr *asr;              /* speech recognition for recordings */
    struct analyzer *analyzer;    /* what callers asked for */
    struct jobs *jobs;            /* the background job workers (serve only) */
    struct ideas_cache *ideas;    /* sealed notes' ideas, briefly, for IDEAS (serve only) */
};

/*
 * One request as a route's function sees it. form holds the decoded body of
 * a form POST (already signature-checked on webhook routes), else is empty.
 */
struct app_request {
    struct app *app;
    struct http_request *req;
    struct http_response *res;
    struct form form;
};

/* The edge's handler (ctx is a struct app). */
void app_handle(void *ctx, struct http_request *req, struct http_response *res);

/* The edge's batch handler: a round's webhooks, run and committed together. */
void app_handle_batch(void *ctx, void **items, size_t n);

/* Answer a JSON API error: {"error":{"code":code,"message":message}}. */
void app_json_error(struct http_response *res, struct arena *a, int status, const char *code,
                    const char *message);

/* Answer with a JSON document rendered into the arena; steals the reference to doc. */
void app_json(struct http_response *res, struct arena *a, int status, json_t *doc);

/* Answer with a rendered TwiML document, or 500 with a log line when it cannot be built. */
struct twiml;
void app_twiml(struct app_request *r, struct twiml *doc);

/* An absolute URL on this server: PUBLIC_BASE_URL + path (arena-allocated). */
const char *app_url(const struct app *app, struct arena *a, const char *path);

/*
 * The named form parameter when present and non-empty; otherwise answer 400
 * naming it and return NULL (the handler then just returns).
 */
const char *app_require(struct app_request *r, const char *name);

/* Every form field as a compact JSON object (arena-allocated; a repeated name keeps its last). */
const char *app_form_json(const struct form *form, struct arena *a);

#endif
