/*
 * sim_rest.c — the emulator's front door: which requests are its own,
 * Twilio's Basic auth, the rate limit, the route table and Twilio-shaped
 * answers.
 *
 * Twilio authenticates every REST request with HTTP Basic auth: the account
 * SID and auth token, or an API key SID and its secret; the account in the
 * path must be the one authenticated. Anything else is 401 with error 20003
 * and a WWW-Authenticate challenge
 * (https://www.twilio.com/docs/usage/requests-to-twilio#authenticate-with-http).
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "http/router.h"
#include "sim/sim_rest.h"
#include "core/banned.h"

#define ACCOUNT_PATH "/2010-04-01/Accounts/{AccountSid}"

struct sim_route {
    const char *pattern;
    const char *ext; /* the {Resource} segment's extension (".json", ".wav", ""); NULL: none */
    unsigned methods;
    void (*fn)(struct sim_req *r);
};

static const struct sim_route routes[] = {
    {ACCOUNT_PATH "/Calls.json", NULL, HTTP_POST, sim_calls_create},
    {ACCOUNT_PATH "/Calls.json", NULL, HTTP_GET, sim_calls_list},
    {ACCOUNT_PATH "/Calls/{CallSid}/Recordings.json", NULL, HTTP_GET, sim_call_recordings_list},
    {ACCOUNT_PATH "/Calls/{Resource}", ".json", HTTP_GET, sim_call_fetch},
    {ACCOUNT_PATH "/Calls/{Resource}", ".json", HTTP_POST, sim_call_update},
    {ACCOUNT_PATH "/Messages.json", NULL, HTTP_POST, sim_messages_create},
    {ACCOUNT_PATH "/Messages.json", NULL, HTTP_GET, sim_messages_list},
    {ACCOUNT_PATH "/Messages/{Resource}", ".json", HTTP_GET, sim_message_fetch},
    {ACCOUNT_PATH "/Messages/{Resource}", ".json", HTTP_DELETE, sim_message_delete},
    {ACCOUNT_PATH "/Recordings.json", NULL, HTTP_GET, sim_recordings_list},
    {ACCOUNT_PATH "/Recordings/{Resource}", ".json", HTTP_GET, sim_recording_fetch},
    {ACCOUNT_PATH "/Recordings/{Resource}", ".json", HTTP_DELETE, sim_recording_delete},
    {ACCOUNT_PATH "/Recordings/{Resource}", ".wav", HTTP_GET, sim_recording_audio},
    {ACCOUNT_PATH "/Recordings/{Resource}", "", HTTP_GET, sim_recording_audio},
    {ACCOUNT_PATH "/Recordings/{Resource}", ".mp3", HTTP_GET, sim_recording_mp3},
    {"/sim/Messages.json", NULL, HTTP_POST, sim_inbound_message},
    {"/sim/Calls.json", NULL, HTTP_POST, sim_inbound_call},
    {"/sim/Calls/{CallSid}/Transcript.json", NULL, HTTP_GET, sim_call_transcript},
};

/* ---- answers ------------------------------------------------------------------------------- */

void sim_json(struct sim_req *r, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    const char *copy = text ? arena_strdup(r->req->arena, text) : NULL;

    free(text);
    json_decref(doc);
    if (!copy) {
        http_respond_text(r->res, 500, "Internal error rendering JSON.\n");
        return;
    }
    http_respond(r->res, status, "application/json; charset=utf-8", copy, strlen(copy));
}

void sim_error(struct sim_req *r, int status, int code, const char *message)
{
    char more[64];

    snprintf(more, sizeof(more), "https://www.twilio.com/docs/errors/%d", code);
    sim_json(r, status,
             json_pack("{s:i, s:s, s:s, s:i}", "code", code, "message", message ? message : "",
                       "more_info", more, "status", status));
}

void sim_not_found(struct sim_req *r)
{
    sim_error(r, 404, 20404,
              arena_printf(r->req->arena, "The requested resource %s was not found", r->path));
}

const char *sim_form(const struct sim_req *r, const char *name)
{
    return form_get(&r->form, name);
}

const char *sim_request_base(const struct sim_req *r)
{
    const char *host = http_header(r->req, "Host");

    return arena_printf(r->req->arena, "http://%s", host && *host ? host : "127.0.0.1");
}

static void unauthorized(struct sim_req *r)
{
    sim_error(r, 401, 20003, "Authenticate");
    http_add_header(r->res, "WWW-Authenticate", "Basic realm=\"Twilio API\"");
}

/* ---- auth ---------------------------------------------------------------------------------- */

/* Do user and password name this account (SID + token) or its API key (SID + secret)? */
static int credentials_match(const struct sim_account *acct, const char *user, size_t user_len,
                             const char *pass, size_t pass_len)
{
    int as_account = crypto_equal(acct->sid, strlen(acct->sid), user, user_len) &
                     crypto_equal(acct->token, strlen(acct->token), pass, pass_len);
    int as_key = acct->api_key_sid[0] != '\0' &&
                 (crypto_equal(acct->api_key_sid, strlen(acct->api_key_sid), user, user_len) &
                  crypto_equal(acct->api_key_secret, strlen(acct->api_key_secret), pass, pass_len));

    return as_account | as_key;
}

static int authenticated(const struct sim_req *r)
{
    const char *h = http_header(r->req, "Authorization");
    unsigned char plain[256];
    size_t len = 0;
    const char *colon;

    if (!h || strncasecmp(h, "Basic ", 6) != 0)
        return 0;
    h += 6;
    while (*h == ' ')
        h++;
    if (crypto_base64_decode(plain, sizeof(plain) - 1, h, strlen(h), &len) != HL_OK)
        return 0;
    plain[len] = '\0';
    colon = memchr(plain, ':', len);
    if (!colon)
        return 0;
    return credentials_match(&r->sim->account, (const char *)plain,
                             (size_t)(colon - (const char *)plain), colon + 1,
                             len - (size_t)(colon - (const char *)plain) - 1);
}

/* ---- routing ------------------------------------------------------------------------------- */

static int is_emulator_path(const struct http_request *req)
{
    static const char *const prefixes[] = {"/2010-04-01/", "/sim/"};
    size_t i, n;

    for (i = 0; i < HL_ARRAY_LEN(prefixes); i++) {
        n = strlen(prefixes[i]);
        if (req->path_len >= n && strncmp(req->path, prefixes[i], n) == 0)
            return 1;
    }
    return 0;
}

/* Split {Resource} ("CA123.json") into the SID and check its extension. */
static int resource_fits(struct sim_req *r, const struct sim_route *route)
{
    const char *res = http_param(r->req, "Resource");
    const char *dot;

    if (!route->ext)
        return 1;
    if (!res)
        return 0;
    dot = strchr(res, '.');
    if (strcmp(dot ? dot : "", route->ext) != 0)
        return 0;
    r->sid = dot ? arena_strndup(r->req->arena, res, (size_t)(dot - res)) : res;
    return r->sid != NULL;
}

/*
 * The route for r; NULL with *allowed set to the methods the path takes (0: no
 * such path). *account gets the path's {AccountSid} (NULL for /sim/ routes).
 */
static const struct sim_route *find_route(struct sim_req *r, unsigned *allowed,
                                          const char **account)
{
    size_t i;

    *allowed = 0;
    for (i = 0; i < HL_ARRAY_LEN(routes); i++) {
        if (router_match(routes[i].pattern, r->req) != ROUTER_MATCH ||
            !resource_fits(r, &routes[i]))
            continue;
        *account = http_param(r->req, "AccountSid");
        if (routes[i].methods & r->req->method)
            return &routes[i];
        *allowed |= routes[i].methods;
    }
    return NULL;
}

static const char *allow_header(unsigned methods)
{
    if (methods == (HTTP_GET | HTTP_POST))
        return "GET, POST";
    if (methods == (HTTP_GET | HTTP_DELETE))
        return "GET, DELETE";
    if (methods == (HTTP_GET | HTTP_DELETE | HTTP_POST))
        return "GET, POST, DELETE";
    return methods == HTTP_POST ? "POST" : methods == HTTP_DELETE ? "DELETE" : "GET";
}

/* Decode the query and, for a POST, the form body; answers 400 itself when they are malformed. */
static int decode_inputs(struct sim_req *r)
{
    struct hl_err err = {0};
    struct http_request *req = r->req;

    if (form_decode(&r->query, req->query, req->query_len, req->arena, &err) != HL_OK ||
        (req->method == HTTP_POST &&
         form_decode(&r->form, req->body, req->body_len, req->arena, &err) != HL_OK)) {
        sim_error(r, 400, 20001,
                  arena_printf(req->arena, "Malformed form parameters: %s", err.msg));
        return HL_EINVAL;
    }
    return HL_OK;
}

static void dispatch(struct sim_req *r)
{
    const char *account = NULL;
    const struct sim_route *route;
    unsigned allowed;

    route = find_route(r, &allowed, &account);
    if (!route && !allowed) {
        sim_not_found(r);
        return;
    }
    if (account && strcmp(account, r->sim->account.sid) != 0) {
        unauthorized(r); /* the credentials are good, but for another account */
        return;
    }
    if (!route) {
        sim_error(r, 405, 20004, "Method not allowed");
        http_add_header(r->res, "Allow", allow_header(allowed));
        return;
    }
    if (decode_inputs(r) == HL_OK)
        route->fn(r);
}

int sim_handle(struct sim *sim, struct http_request *req, struct http_response *res)
{
    struct sim_req r;

    if (!sim || !is_emulator_path(req))
        return 0;
    memset(&r, 0, sizeof(r));
    r.sim = sim;
    r.req = req;
    r.res = res;
    r.path = arena_strndup(req->arena, req->path, req->path_len);
    res->log_route = "emulator";
    if (!r.path) {
        http_respond_text(res, 413, "Request too large.\n");
        return 1;
    }
    if (!authenticated(&r))
        unauthorized(&r);
    else if (!sim_rate_allow(sim))
        sim_error(&r, 429, 20429, "Too Many Requests");
    else
        dispatch(&r);
    return 1;
}
