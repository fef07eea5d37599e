/*
 * test_sim.c — the built-in Twilio emulator (src/sim/): its REST API, driven
 * through sim_handle() with hand-built requests, and its callbacks and
 * /sim/ routes, driven over real HTTP against a live edge.
 *
 * In-process (sim_handle): Basic auth as Twilio checks it (account SID +
 * token, API key SID + secret; wrong secret, no header, malformed header,
 * another account in the path: 401/20003 with WWW-Authenticate); the JSON
 * shapes of calls, messages and recordings (every field present, SIDs,
 * RFC 2822 dates, uris, types); create/fetch/list/update/delete status
 * codes; every error code (20001 20004 20404 20429 21201 21205 21211 21212
 * 21213 21220 21602 21603 21604 21609 21617 21701 21910 32018; 20009 and
 * 21610 over HTTP below); list pages (PageSize, Page,
 * PageToken, next/previous URIs followed, filters, the 1000 cap); the rate
 * limit; recordings (JSON, .wav, no extension, .mp3, per-call list, delete,
 * size limit); the cap on stored resources and fetches at 10^5 calls; the
 * call driver's accessors; the account file (made, kept, upgraded with an
 * API key, refused when malformed); the text helpers (SMS segments,
 * opt-out keywords, <Message> texts of TwiML).
 *
 * Live (a real httpd whose handler offers every request to sim_handle() and
 * answers the rest as hotline would): a message's signed status callbacks
 * (sent then delivered, Twilio's parameters, distinct idempotency tokens,
 * TwilioProxy/1.1), retries of a failing callback with one token, DELETE of a
 * message refused (409/20009) until its delivery is over, a canceled
 * call's signed callback, StatusCallbackEvent honoured by
 * sim_call_set_status(), /sim/Messages.json (the signed inbound webhook,
 * hotline's reply returned and stored, WhatsApp prefixes), STOP making later
 * sends fail with 21610 and START clearing it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/fs.h"
#include "crypto/crypto.h"
#include "http/form.h"
#include "http/http.h"
#include "http/httpd.h"
#include "sim/account.h"
#include "sim/sim.h"
#include "sim/sim_params.h"
#include "sim/sim_text.h"
#include "twilio/signature.h"
#include "core/banned.h"

#define ACCOUNT_SID "AC0123456789abcdef0123456789abcdef"
#define AUTH_TOKEN  "0123456789abcdef0123456789abcdef"
#define KEY_SID     "SKfedcba9876543210fedcba9876543210"
#define KEY_SECRET  "Secret0123456789Secret0123456789"
#define OTHER_SID   "AC11111111111111111111111111111111"
#define ACCT        "/2010-04-01/Accounts/" ACCOUNT_SID
#define CALLEE      "+14155550123"
#define BUSINESS    "+15005550006"

static const struct sim_account account = {ACCOUNT_SID, AUTH_TOKEN, KEY_SID, KEY_SECRET};

/* ---- requests through sim_handle --------------------------------------------------------- */

struct answer {
    int handled;
    int status;
    char *type;
    char *body;
    size_t len;
    char *www_authenticate;
    char *allow;
    json_t *json;
};

static struct answer ans;
static int skip_json; /* set while filling tables: parsing every answer would dominate */

static void answer_clear(void)
{
    free(ans.type);
    free(ans.body);
    free(ans.www_authenticate);
    free(ans.allow);
    json_decref(ans.json);
    memset(&ans, 0, sizeof(ans));
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void answer_keep(int handled, const struct http_response *res)
{
    size_t i;

    answer_clear();
    ans.handled = handled;
    ans.status = res->status;
    ans.type = dup_or_null(res->content_type);
    ans.body = malloc(res->body_len + 1);
    memcpy(ans.body, res->body ? res->body : "", res->body_len);
    ans.body[res->body_len] = '\0';
    ans.len = res->body_len;
    for (i = 0; i < res->header_count; i++) {
        if (strcmp(res->headers[i].name, "WWW-Authenticate") == 0)
            ans.www_authenticate = strdup(res->headers[i].value);
        if (strcmp(res->headers[i].name, "Allow") == 0)
            ans.allow = strdup(res->headers[i].value);
    }
    if (!skip_json && ans.type && strncmp(ans.type, "application/json", 16) == 0 && ans.len)
        ans.json = json_loads(ans.body, 0, NULL);
}

static char basic_header[256];

static const char *basic(const char *user, const char *pass)
{
    char plain[160], b64[220];

    snprintf(plain, sizeof(plain), "%s:%s", user, pass);
    assert_int_equal(crypto_base64_encode(b64, sizeof(b64), plain, strlen(plain), NULL), HL_OK);
    snprintf(basic_header, sizeof(basic_header), "Basic %s", b64);
    return basic_header;
}

/* One request with a raw Authorization header (NULL: none). */
static int request_auth(struct sim *sim, const char *method, const char *target, const char *body,
                        const char *authorization)
{
    struct arena a;
    struct http_request req;
    struct http_response res;
    const char *q = strchr(target, '?');
    int handled;

    memset(&req, 0, sizeof(req));
    memset(&res, 0, sizeof(res));
    arena_init(&a, 32 << 20);
    req.method = http_method_from_name(method);
    req.method_name = method;
    req.target = target;
    req.target_len = strlen(target);
    req.path = target;
    req.path_len = q ? (size_t)(q - target) : strlen(target);
    req.query = q ? q + 1 : "";
    req.query_len = q ? strlen(q + 1) : 0;
    req.body = body ? body : "";
    req.body_len = strlen(req.body);
    req.headers[req.header_count++] = (struct http_header){"Host", "127.0.0.1:8080"};
    req.headers[req.header_count++] =
        (struct http_header){"Content-Type", "application/x-www-form-urlencoded"};
    if (authorization)
        req.headers[req.header_count++] = (struct http_header){"Authorization", authorization};
    req.arena = &a;
    handled = sim_handle(sim, &req, &res);
    answer_keep(handled, &res);
    arena_release(&a);
    return ans.status;
}

/* As the account (SID + auth token). */
static int request(struct sim *sim, const char *method, const char *target, const char *body)
{
    return request_auth(sim, method, target, body, basic(ACCOUNT_SID, AUTH_TOKEN));
}

/* name=value&... from NULL-terminated pairs, percent-encoded (static buffer, one at a time). */
static const char *form(const char *name, ...)
{
    static char out[1 << 16];
    struct buf b = BUF_INIT(sizeof(out) - 1);
    va_list ap;
    const char *n = name;

    va_start(ap, name);
    while (n) {
        const char *v = va_arg(ap, const char *);
        if (b.len)
            buf_addc(&b, '&');
        sim_url_escape(&b, n);
        buf_addc(&b, '=');
        sim_url_escape(&b, v);
        n = va_arg(ap, const char *);
    }
    va_end(ap);
    memcpy(out, buf_str(&b), b.len + 1);
    buf_release(&b);
    return out;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void assert_sid(const char *sid, const char *prefix)
{
    size_t i;

    assert_non_null(sid);
    assert_int_equal(strlen(sid), 34);
    assert_memory_equal(sid, prefix, 2);
    for (i = 2; i < 34; i++)
        assert_non_null(strchr("0123456789abcdef", sid[i]));
}

static void assert_rfc2822(const char *date)
{
    regex_t re;

    assert_non_null(date);
    assert_int_equal(regcomp(&re,
                             "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] "
                             "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
                             "[0-2][0-9]:[0-5][0-9]:[0-6][0-9] \\+0000$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    assert_int_equal(regexec(&re, date, 0, NULL, 0), 0);
    regfree(&re);
}

/* Every key present (null allowed). */
static void assert_fields(const json_t *o, const char *const *keys)
{
    for (; *keys; keys++)
        if (!json_object_get(o, *keys))
            fail_msg("field \"%s\" missing", *keys);
}

static void assert_twilio_error(int status, int code)
{
    assert_int_equal(ans.status, status);
    assert_non_null(ans.json);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "code")), code);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "status")), status);
    assert_non_null(jstr(ans.json, "message"));
    assert_non_null(strstr(jstr(ans.json, "more_info"), "https://www.twilio.com/docs/errors/"));
}

/* ---- fixtures --------------------------------------------------------------------------- */

/*
 * A call_created hook that does nothing: it turns the built-in call driver
 * off, so these tests move calls by hand (test_call_driver.py drives them).
 */
static void no_driver(void *ctx, const char *sid)
{
    (void)ctx, (void)sid;
}

static struct sim *make_sim(long rate_limit, size_t max)
{
    struct sim_options so = {&account, "http://127.0.0.1:9", rate_limit, max, no_driver, NULL};
    struct hl_err err = {0};
    struct sim *sim = NULL;

    assert_int_equal(sim_new(&sim, &so, &err), HL_OK);
    return sim;
}

static int setup(void **state)
{
    *state = make_sim(0, 0);
    return 0;
}

static int teardown(void **state)
{
    sim_free(*state);
    answer_clear();
    return 0;
}

/* Create a message; returns its SID (static copy). */
static const char *create_message(struct sim *sim, const char *to, const char *body)
{
    static char sid[35];

    request(sim, "POST", ACCT "/Messages.json",
            form("To", to, "From", BUSINESS, "Body", body, NULL));
    assert_int_equal(ans.status, 201);
    memcpy(sid, jstr(ans.json, "sid"), 35);
    return sid;
}

static const char *create_call(struct sim *sim, const char *to)
{
    static char sid[35];

    request(sim, "POST", ACCT "/Calls.json",
            form("To", to, "From", BUSINESS, "Url", "http://127.0.0.1:9/twilio/voice", NULL));
    assert_int_equal(ans.status, 201);
    memcpy(sid, jstr(ans.json, "sid"), 35);
    return sid;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* ---- routing and auth -------------------------------------------------------------------- */

static void sim_leaves_other_paths_alone(void **state)
{
    request(*state, "POST", "/twilio/sms", "Body=x");
    assert_false(ans.handled);
    assert_int_equal(ans.status, 0);
    request(*state, "GET", "/health", NULL);
    assert_false(ans.handled);
    request(*state, "GET", "/2010-04-01/Accounts", NULL);
    assert_true(ans.handled);
}

static void auth_accepts_account_token_and_api_key(void **state)
{
    assert_int_equal(
        request_auth(*state, "GET", ACCT "/Calls.json", NULL, basic(ACCOUNT_SID, AUTH_TOKEN)), 200);
    assert_int_equal(
        request_auth(*state, "GET", ACCT "/Calls.json", NULL, basic(KEY_SID, KEY_SECRET)), 200);
    assert_int_equal(request_auth(*state, "GET", ACCT "/Calls.json", NULL,
                                  "basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjowMTIzNDU2"
                                  "Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg=="),
                     200); /* the scheme is case-insensitive */
}

static void auth_refuses_wrong_credentials_with_20003(void **state)
{
    const char *bad[][2] = {
        {ACCOUNT_SID, "0123456789abcdef0123456789abcdee"}, /* one character off */
        {ACCOUNT_SID, KEY_SECRET},                         /* a secret of the wrong kind */
        {KEY_SID, AUTH_TOKEN},
        {KEY_SID, "Secret0123456789Secret012345678"}, /* a prefix of the secret */
        {ACCOUNT_SID, ""},
        {"", ""},
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        request_auth(*state, "GET", ACCT "/Calls.json", NULL, basic(bad[i][0], bad[i][1]));
        assert_twilio_error(401, 20003);
        assert_string_equal(jstr(ans.json, "message"), "Authenticate");
        assert_string_equal(jstr(ans.json, "more_info"),
                            "https://www.twilio.com/docs/errors/20003");
        assert_string_equal(ans.www_authenticate, "Basic realm=\"Twilio API\"");
    }
    request_auth(*state, "GET", ACCT "/Calls.json", NULL, NULL);
    assert_twilio_error(401, 20003);
    request_auth(*state, "GET", ACCT "/Calls.json", NULL, "Basic not-base64!");
    assert_twilio_error(401, 20003);
    request_auth(*state, "GET", ACCT "/Calls.json", NULL, "Bearer " AUTH_TOKEN);
    assert_twilio_error(401, 20003);
    request_auth(*state, "POST", "/sim/Messages.json", "From=%2B14155550123&Body=hi", NULL);
    assert_twilio_error(401, 20003);
}

static void auth_refuses_another_account_in_the_path(void **state)
{
    request(*state, "GET", "/2010-04-01/Accounts/" OTHER_SID "/Calls.json", NULL);
    assert_twilio_error(401, 20003);
    request_auth(*state, "GET", "/2010-04-01/Accounts/" OTHER_SID "/Messages/SM1.json", NULL,
                 basic(KEY_SID, KEY_SECRET));
    assert_twilio_error(401, 20003);
}

static void unknown_paths_are_20404_and_wrong_methods_20004(void **state)
{
    request(*state, "GET", ACCT "/Queues.json", NULL);
    assert_twilio_error(404, 20404);
    assert_string_equal(jstr(ans.json, "message"),
                        "The requested resource " ACCT "/Queues.json was not found");
    request(*state, "GET", ACCT "/Calls/CA00000000000000000000000000000000.json", NULL);
    assert_twilio_error(404, 20404);
    request(*state, "GET", ACCT "/Calls/CA00000000000000000000000000000000.xml", NULL);
    assert_twilio_error(404, 20404);
    request(*state, "DELETE", ACCT "/Calls.json", NULL);
    assert_twilio_error(405, 20004);
    assert_string_equal(ans.allow, "GET, POST");
    request(*state, "PUT", ACCT "/Messages/SM00000000000000000000000000000000.json", NULL);
    assert_twilio_error(405, 20004);
    assert_string_equal(ans.allow, "GET, DELETE");
    request(*state, "GET", "/sim/Messages.json", NULL);
    assert_twilio_error(405, 20004);
    request(*state, "POST", ACCT "/Calls.json", "To=%zz");
    assert_int_equal(ans.status, 400);
}

/* ---- messages ------------------------------------------------------------------------------ */

static const char *const message_fields[] = {"account_sid",
                                             "api_version",
                                             "body",
                                             "date_created",
                                             "date_sent",
                                             "date_updated",
                                             "direction",
                                             "error_code",
                                             "error_message",
                                             "from",
                                             "messaging_service_sid",
                                             "num_media",
                                             "num_segments",
                                             "price",
                                             "price_unit",
                                             "sid",
                                             "status",
                                             "subresource_uris",
                                             "to",
                                             "uri",
                                             NULL};

static void message_create_has_twilio_shape(void **state)
{
    char uri[128];

    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "From", BUSINESS, "Body", "Hello there", NULL));
    assert_int_equal(ans.status, 201);
    assert_fields(ans.json, message_fields);
    assert_sid(jstr(ans.json, "sid"), "SM");
    assert_string_equal(jstr(ans.json, "account_sid"), ACCOUNT_SID);
    assert_string_equal(jstr(ans.json, "api_version"), "2010-04-01");
    assert_string_equal(jstr(ans.json, "status"), "queued");
    assert_string_equal(jstr(ans.json, "direction"), "outbound-api");
    assert_string_equal(jstr(ans.json, "to"), CALLEE);
    assert_string_equal(jstr(ans.json, "from"), BUSINESS);
    assert_string_equal(jstr(ans.json, "body"), "Hello there");
    assert_string_equal(jstr(ans.json, "num_segments"), "1");
    assert_string_equal(jstr(ans.json, "num_media"), "0");
    assert_true(json_is_null(json_object_get(ans.json, "price")));
    assert_true(json_is_null(json_object_get(ans.json, "date_sent")));
    assert_true(json_is_null(json_object_get(ans.json, "error_code")));
    assert_true(json_is_null(json_object_get(ans.json, "messaging_service_sid")));
    assert_rfc2822(jstr(ans.json, "date_created"));
    assert_rfc2822(jstr(ans.json, "date_updated"));
    snprintf(uri, sizeof(uri), ACCT "/Messages/%s.json", jstr(ans.json, "sid"));
    assert_string_equal(jstr(ans.json, "uri"), uri);
    snprintf(uri, sizeof(uri), ACCT "/Messages/%s/Media.json", jstr(ans.json, "sid"));
    assert_string_equal(jstr(json_object_get(ans.json, "subresource_uris"), "media"), uri);
}

static void message_with_service_is_accepted_without_from(void **state)
{
    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "MessagingServiceSid", "MG0123456789abcdef0123456789abcdef", "Body",
                 "hi", NULL));
    assert_int_equal(ans.status, 201);
    assert_string_equal(jstr(ans.json, "status"), "accepted");
    assert_true(json_is_null(json_object_get(ans.json, "from")));
    assert_string_equal(jstr(ans.json, "num_segments"), "0");
    assert_string_equal(jstr(ans.json, "messaging_service_sid"),
                        "MG0123456789abcdef0123456789abcdef");
    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "MessagingServiceSid", "MGnope", "Body", "hi", NULL));
    assert_twilio_error(400, 21701);
}

static void message_counts_segments_and_media(void **state)
{
    char body[400];

    memset(body, 'a', 161);
    body[161] = '\0';
    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "From", BUSINESS, "Body", body, NULL));
    assert_string_equal(jstr(ans.json, "num_segments"), "2");
    request(*state, "POST", ACCT "/Messages.json",
            "To=%2B14155550123&From=%2B15005550006&MediaUrl=https%3A%2F%2Fa.example%2F1.jpg"
            "&MediaUrl=https%3A%2F%2Fa.example%2F2.jpg");
    assert_int_equal(ans.status, 201);
    assert_string_equal(jstr(ans.json, "num_media"), "2");
    request(*state, "POST", ACCT "/Messages.json",
            form("To", "whatsapp:" CALLEE, "From", "whatsapp:" BUSINESS, "Body", body, NULL));
    assert_int_equal(ans.status, 201);
    assert_string_equal(jstr(ans.json, "to"), "whatsapp:" CALLEE);
    assert_string_equal(jstr(ans.json, "num_segments"), "1");
}

static void message_errors_use_twilio_codes(void **state)
{
    char body[1700];

    request(*state, "POST", ACCT "/Messages.json", form("From", BUSINESS, "Body", "x", NULL));
    assert_twilio_error(400, 21604);
    request(*state, "POST", ACCT "/Messages.json", form("To", CALLEE, "Body", "x", NULL));
    assert_twilio_error(400, 21603);
    request(*state, "POST", ACCT "/Messages.json", form("To", CALLEE, "From", BUSINESS, NULL));
    assert_twilio_error(400, 21602);
    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "From", BUSINESS, "Body", "", NULL));
    assert_twilio_error(400, 21602);
    request(*state, "POST", ACCT "/Messages.json",
            form("To", "4155550123", "From", BUSINESS, "Body", "x", NULL));
    assert_twilio_error(400, 21211);
    assert_string_equal(jstr(ans.json, "message"),
                        "The 'To' number 4155550123 is not a valid phone number.");
    request(*state, "POST", ACCT "/Messages.json",
            form("To", "+1415555012a", "From", BUSINESS, "Body", "x", NULL));
    assert_twilio_error(400, 21211);
    request(*state, "POST", ACCT "/Messages.json",
            form("To", "whatsapp:" CALLEE, "From", BUSINESS, "Body", "x", NULL));
    assert_twilio_error(400, 21910);
    memset(body, 'a', 1601);
    body[1601] = '\0';
    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "From", BUSINESS, "Body", body, NULL));
    assert_twilio_error(400, 21617);
    body[1600] = '\0';
    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "From", BUSINESS, "Body", body, NULL));
    assert_int_equal(ans.status, 201);
    assert_string_equal(jstr(ans.json, "num_segments"), "11");
    request(*state, "POST", ACCT "/Messages.json",
            form("To", CALLEE, "From", BUSINESS, "Body", "x", "StatusCallback", "nope", NULL));
    assert_twilio_error(400, 21609);
}

/* Fetch until the status is want or 5 s pass. */
static void wait_for_message_status(struct sim *sim, const char *sid, const char *want)
{
    char target[512];
    int i;

    snprintf(target, sizeof(target), ACCT "/Messages/%s.json", sid);
    for (i = 0; i < 500; i++) {
        assert_int_equal(request(sim, "GET", target, NULL), 200);
        if (strcmp(jstr(ans.json, "status"), want) == 0)
            return;
        sleep_ms(10);
    }
    fail_msg("message %s stayed %s", sid, jstr(ans.json, "status"));
}

static void message_is_delivered_then_deleted(void **state)
{
    char target[512];
    const char *sid = create_message(*state, CALLEE, "deliver me");
    char copy[35];

    memcpy(copy, sid, sizeof(copy));
    wait_for_message_status(*state, copy, "delivered");
    assert_rfc2822(jstr(ans.json, "date_sent"));
    snprintf(target, sizeof(target), ACCT "/Messages/%s.json", copy);
    assert_int_equal(request_auth(*state, "GET", target, NULL, basic(KEY_SID, KEY_SECRET)), 200);
    assert_string_equal(jstr(ans.json, "sid"), copy);
    assert_int_equal(request(*state, "DELETE", target, NULL), 204);
    assert_int_equal(ans.len, 0);
    request(*state, "GET", target, NULL);
    assert_twilio_error(404, 20404);
    request(*state, "DELETE", target, NULL);
    assert_twilio_error(404, 20404);
}

/* ---- calls --------------------------------------------------------------------------------- */

static const char *const call_fields[] = {"account_sid",
                                          "annotation",
                                          "answered_by",
                                          "api_version",
                                          "caller_name",
                                          "date_created",
                                          "date_updated",
                                          "direction",
                                          "duration",
                                          "end_time",
                                          "forwarded_from",
                                          "from",
                                          "from_formatted",
                                          "group_sid",
                                          "parent_call_sid",
                                          "phone_number_sid",
                                          "price",
                                          "price_unit",
                                          "queue_time",
                                          "sid",
                                          "start_time",
                                          "status",
                                          "subresource_uris",
                                          "to",
                                          "to_formatted",
                                          "trunk_sid",
                                          "uri",
                                          NULL};

static void call_create_has_twilio_shape(void **state)
{
    char uri[160];
    const json_t *subs;

    request(*state, "POST", ACCT "/Calls.json",
            form("To", CALLEE, "From", BUSINESS, "Url", "https://example.com/twiml", NULL));
    assert_int_equal(ans.status, 201);
    assert_fields(ans.json, call_fields);
    assert_sid(jstr(ans.json, "sid"), "CA");
    assert_string_equal(jstr(ans.json, "status"), "queued");
    assert_string_equal(jstr(ans.json, "direction"), "outbound-api");
    assert_string_equal(jstr(ans.json, "api_version"), "2010-04-01");
    assert_string_equal(jstr(ans.json, "to_formatted"), "(415) 555-0123");
    assert_string_equal(jstr(ans.json, "from_formatted"), "(500) 555-0006");
    assert_true(json_is_null(json_object_get(ans.json, "duration")));
    assert_true(json_is_null(json_object_get(ans.json, "start_time")));
    assert_true(json_is_null(json_object_get(ans.json, "end_time")));
    assert_rfc2822(jstr(ans.json, "date_created"));
    snprintf(uri, sizeof(uri), ACCT "/Calls/%s.json", jstr(ans.json, "sid"));
    assert_string_equal(jstr(ans.json, "uri"), uri);
    subs = json_object_get(ans.json, "subresource_uris");
    snprintf(uri, sizeof(uri), ACCT "/Calls/%s/Recordings.json", jstr(ans.json, "sid"));
    assert_string_equal(jstr(subs, "recordings"), uri);
    request(
        *state, "POST", ACCT "/Calls.json",
        form("To", CALLEE, "From", BUSINESS, "Twiml", "<Response><Say>Hi</Say></Response>", NULL));
    assert_int_equal(ans.status, 201);
}

static void call_errors_use_twilio_codes(void **state)
{
    static char big[20000];

    request(*state, "POST", ACCT "/Calls.json", form("From", BUSINESS, "Url", "http://a/", NULL));
    assert_twilio_error(400, 21201);
    request(*state, "POST", ACCT "/Calls.json", form("To", CALLEE, "Url", "http://a/", NULL));
    assert_twilio_error(400, 21213);
    request(*state, "POST", ACCT "/Calls.json", form("To", CALLEE, "From", BUSINESS, NULL));
    assert_twilio_error(400, 21205);
    request(*state, "POST", ACCT "/Calls.json",
            form("To", "0123", "From", BUSINESS, "Url", "http://a/", NULL));
    assert_twilio_error(400, 21211);
    request(*state, "POST", ACCT "/Calls.json",
            form("To", "whatsapp:" CALLEE, "From", BUSINESS, "Url", "http://a/", NULL));
    assert_twilio_error(400, 21211);
    request(*state, "POST", ACCT "/Calls.json",
            form("To", CALLEE, "From", "nobody", "Url", "http://a/", NULL));
    assert_twilio_error(400, 21212);
    request(*state, "POST", ACCT "/Calls.json",
            form("To", CALLEE, "From", BUSINESS, "Url", "ftp://a/", NULL));
    assert_twilio_error(400, 21205);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    request(*state, "POST", ACCT "/Calls.json",
            form("To", CALLEE, "From", BUSINESS, "Twiml", big, NULL));
    assert_twilio_error(400, 32018); /* Twilio's 4000-character limit on inline TwiML */
    big[4000] = '\0';
    request(*state, "POST", ACCT "/Calls.json",
            form("To", CALLEE, "From", BUSINESS, "Twiml", big, NULL));
    assert_int_equal(ans.status, 201);
    big[4000] = 'x';
    request(*state, "POST", ACCT "/Calls.json",
            form("To", CALLEE, "From", BUSINESS, "Url", "http://a/", "SendDigits", big, NULL));
    assert_twilio_error(400, 20001); /* what a call keeps is bounded */
}

static void call_update_cancels_redirects_and_refuses(void **state)
{
    char target[512], sid[35];
    struct sim_call_info info;

    memcpy(sid, create_call(*state, CALLEE), sizeof(sid));
    snprintf(target, sizeof(target), ACCT "/Calls/%s.json", sid);
    assert_int_equal(
        request(*state, "POST", target, form("Twiml", "<Response><Hangup/></Response>", NULL)),
        200);
    assert_string_equal(jstr(ans.json, "status"), "queued");
    assert_int_equal(sim_call_info(*state, sid, &info, NULL), HL_OK);
    assert_string_equal(sim_call_param(&info, "Twiml"), "<Response><Hangup/></Response>");
    assert_null(sim_call_param(&info, "Url"));
    sim_call_info_release(&info);
    request(*state, "POST", target, form("Status", "hangup", NULL));
    assert_twilio_error(400, 20001);
    assert_int_equal(request(*state, "POST", target, form("Status", "canceled", NULL)), 200);
    assert_string_equal(jstr(ans.json, "status"), "canceled");
    assert_string_equal(jstr(ans.json, "duration"), "0");
    assert_rfc2822(jstr(ans.json, "end_time"));
    request(*state, "POST", target, form("Url", "http://a/next", NULL));
    assert_twilio_error(400, 21220);
    assert_int_equal(request(*state, "POST", target, form("Status", "completed", NULL)), 200);
    assert_string_equal(jstr(ans.json, "status"), "canceled");
    request(*state, "POST", ACCT "/Calls/CA00000000000000000000000000000000.json",
            form("Status", "canceled", NULL));
    assert_twilio_error(404, 20404);
}

static void call_completed_on_a_queued_call_cancels_it(void **state)
{
    char target[512];

    snprintf(target, sizeof(target), ACCT "/Calls/%s.json", create_call(*state, CALLEE));
    request(*state, "POST", target, form("Status", "completed", NULL));
    assert_int_equal(ans.status, 200);
    assert_string_equal(jstr(ans.json, "status"), "canceled");
}

static void call_driver_moves_a_call(void **state)
{
    char target[512], sid[35];
    struct sim_call_info info;
    struct hl_err err = {0};

    memcpy(sid, create_call(*state, CALLEE), sizeof(sid));
    snprintf(target, sizeof(target), ACCT "/Calls/%s.json", sid);
    assert_int_equal(sim_call_info(*state, sid, &info, &err), HL_OK);
    assert_string_equal(info.status, "queued");
    assert_string_equal(info.to, CALLEE);
    assert_string_equal(sim_call_param(&info, "Url"), "http://127.0.0.1:9/twilio/voice");
    assert_int_equal(info.duration, -1);
    sim_call_info_release(&info);
    assert_int_equal(sim_call_set_status(*state, sid, "ringing", 0, &err), HL_OK);
    assert_int_equal(sim_call_set_status(*state, sid, "in-progress", 0, &err), HL_OK);
    request(*state, "GET", target, NULL);
    assert_string_equal(jstr(ans.json, "status"), "in-progress");
    assert_rfc2822(jstr(ans.json, "start_time"));
    request(*state, "POST", target, form("Status", "canceled", NULL)); /* no effect once answered */
    assert_string_equal(jstr(ans.json, "status"), "in-progress");
    assert_int_equal(sim_call_set_status(*state, sid, "completed", 42, &err), HL_OK);
    request(*state, "GET", target, NULL);
    assert_string_equal(jstr(ans.json, "status"), "completed");
    assert_string_equal(jstr(ans.json, "duration"), "42");
    assert_int_equal(sim_call_set_status(*state, sid, "ringing", 0, &err), HL_EINVAL);
    assert_int_equal(sim_call_set_status(*state, sid, "bogus", 0, &err), HL_EINVAL);
    assert_int_equal(sim_call_set_status(*state, "CA0", "ringing", 0, &err), HL_ENOTFOUND);
    assert_int_equal(sim_call_info(*state, "CA0", &info, &err), HL_ENOTFOUND);
}

/* ---- lists --------------------------------------------------------------------------------- */

static const char *const page_fields[] = {"end",       "first_page_uri",    "next_page_uri", "page",
                                          "page_size", "previous_page_uri", "start",         "uri",
                                          NULL};

static void assert_page_sids(const char *key, char sids[][35], size_t from, size_t n)
{
    const json_t *items = json_object_get(ans.json, key);
    size_t i;

    assert_fields(ans.json, page_fields);
    assert_int_equal(json_array_size(items), n);
    for (i = 0; i < n; i++)
        assert_string_equal(jstr(json_array_get(items, i), "sid"), sids[from + i]);
}

static void list_pages_newest_first_with_tokens(void **state)
{
    char sids[7][35], next[512], prev[512];
    int i;

    for (i = 6; i >= 0; i--) /* sids[0] is the newest */
        memcpy(sids[i], create_call(*state, CALLEE), 35);
    assert_int_equal(request(*state, "GET", ACCT "/Calls.json?PageSize=3", NULL), 200);
    assert_page_sids("calls", sids, 0, 3);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "page")), 0);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "page_size")), 3);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "start")), 0);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "end")), 2);
    assert_true(json_is_null(json_object_get(ans.json, "previous_page_uri")));
    assert_string_equal(jstr(ans.json, "first_page_uri"), ACCT "/Calls.json?PageSize=3&Page=0");
    snprintf(next, sizeof(next), "%s", jstr(ans.json, "next_page_uri"));
    assert_non_null(strstr(next, "Page=1&PageToken=PA"));
    request(*state, "GET", next, NULL);
    assert_page_sids("calls", sids, 3, 3);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "start")), 3);
    snprintf(prev, sizeof(prev), "%s", jstr(ans.json, "previous_page_uri"));
    snprintf(next, sizeof(next), "%s", jstr(ans.json, "next_page_uri"));
    request(*state, "GET", next, NULL);
    assert_page_sids("calls", sids, 6, 1);
    assert_true(json_is_null(json_object_get(ans.json, "next_page_uri")));
    request(*state, "GET", prev, NULL);
    assert_page_sids("calls", sids, 0, 3);
    request(*state, "GET", ACCT "/Calls.json?PageSize=3&Page=2", NULL);
    assert_page_sids("calls", sids, 6, 1);
    request(*state, "GET", ACCT "/Calls.json?PageSize=3&Page=2&PageToken=PACAgone", NULL);
    assert_page_sids("calls", sids, 6, 1);
    request(*state, "GET", ACCT "/Calls.json?PageSize=5000", NULL);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "page_size")), 1000);
    request(*state, "GET", ACCT "/Calls.json", NULL);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "page_size")), 50);
}

static void list_filters_and_keeps_them_in_page_uris(void **state)
{
    char sids[2][35];

    create_call(*state, "+14155550111");
    memcpy(sids[1], create_call(*state, CALLEE), 35);
    create_call(*state, "+14155550111");
    memcpy(sids[0], create_call(*state, CALLEE), 35);
    request(*state, "GET", ACCT "/Calls.json?To=%2B14155550123&PageSize=1", NULL);
    assert_page_sids("calls", sids, 0, 1);
    assert_non_null(strstr(jstr(ans.json, "next_page_uri"), "To=%2B14155550123&PageSize=1"));
    request(*state, "GET", jstr(ans.json, "next_page_uri"), NULL);
    assert_page_sids("calls", sids, 1, 1);
    assert_true(json_is_null(json_object_get(ans.json, "next_page_uri")));
    request(*state, "GET", ACCT "/Calls.json?Status=canceled", NULL);
    assert_int_equal(json_array_size(json_object_get(ans.json, "calls")), 0);
    request(*state, "GET", ACCT "/Calls.json?From=%2B15005550006&Status=queued", NULL);
    assert_int_equal(json_array_size(json_object_get(ans.json, "calls")), 4);
    create_message(*state, CALLEE, "one");
    create_message(*state, "+14155550111", "two");
    request(*state, "GET", ACCT "/Messages.json?To=%2B14155550111", NULL);
    assert_int_equal(json_array_size(json_object_get(ans.json, "messages")), 1);
    assert_string_equal(jstr(json_array_get(json_object_get(ans.json, "messages"), 0), "body"),
                        "two");
}

/* ---- rate limit ---------------------------------------------------------------------------- */

static void rate_limit_answers_429_with_20429(void **state)
{
    struct sim *sim = make_sim(3, 0);
    int i, limited = 0;

    (void)state;
    for (i = 0; i < 7; i++) /* 2 * 3 + 1: over the limit in some one-second window */
        if (request(sim, "GET", ACCT "/Calls.json", NULL) == 429) {
            assert_twilio_error(429, 20429);
            limited++;
        }
    assert_true(limited >= 1);
    sleep_ms(1100);
    assert_int_equal(request(sim, "GET", ACCT "/Calls.json", NULL), 200);
    sim_free(sim);
}

/* ---- recordings ---------------------------------------------------------------------------- */

static const char wav[] = "RIFF\x24\0\0\0WAVEfmt fake audio bytes";

static void recording_is_listed_fetched_played_and_deleted(void **state)
{
    char call[35], rec[35], target[512], media[200];
    struct hl_err err = {0};
    static const char *const fields[] = {
        "account_sid",  "api_version",        "call_sid",         "conference_sid", "channels",
        "date_created", "date_updated",       "start_time",       "duration",       "sid",
        "price",        "price_unit",         "status",           "source",         "error_code",
        "uri",          "encryption_details", "subresource_uris", "media_url",      NULL};

    memcpy(call, create_call(*state, CALLEE), sizeof(call));
    assert_int_equal(sim_recording_add(*state, call, wav, sizeof(wav), 5, rec, &err), HL_OK);
    assert_sid(rec, "RE");
    snprintf(target, sizeof(target), ACCT "/Recordings/%s.json", rec);
    assert_int_equal(request(*state, "GET", target, NULL), 200);
    assert_fields(ans.json, fields);
    assert_string_equal(jstr(ans.json, "call_sid"), call);
    assert_string_equal(jstr(ans.json, "duration"), "5");
    assert_string_equal(jstr(ans.json, "status"), "completed");
    assert_int_equal(json_integer_value(json_object_get(ans.json, "channels")), 1);
    assert_string_equal(jstr(ans.json, "uri"), target);
    snprintf(media, sizeof(media), "http://127.0.0.1:8080" ACCT "/Recordings/%s", rec);
    assert_string_equal(jstr(ans.json, "media_url"), media);
    snprintf(target, sizeof(target), ACCT "/Recordings/%s.wav", rec);
    assert_int_equal(request(*state, "GET", target, NULL), 200);
    assert_string_equal(ans.type, "audio/x-wav");
    assert_int_equal(ans.len, sizeof(wav));
    assert_memory_equal(ans.body, wav, sizeof(wav));
    snprintf(target, sizeof(target), ACCT "/Recordings/%s", rec);
    assert_int_equal(request(*state, "GET", target, NULL), 200);
    assert_int_equal(ans.len, sizeof(wav));
    snprintf(target, sizeof(target), ACCT "/Recordings/%s.mp3", rec);
    request(*state, "GET", target, NULL);
    assert_twilio_error(404, 20404);
    snprintf(target, sizeof(target), ACCT "/Calls/%s/Recordings.json", call);
    assert_int_equal(request(*state, "GET", target, NULL), 200);
    assert_int_equal(json_array_size(json_object_get(ans.json, "recordings")), 1);
    assert_int_equal(request(*state, "GET", ACCT "/Recordings.json", NULL), 200);
    assert_string_equal(jstr(json_array_get(json_object_get(ans.json, "recordings"), 0), "sid"),
                        rec);
    request(*state, "GET", ACCT "/Calls/CA00000000000000000000000000000000/Recordings.json", NULL);
    assert_twilio_error(404, 20404);
    snprintf(target, sizeof(target), ACCT "/Recordings/%s.json", rec);
    assert_int_equal(request(*state, "DELETE", target, NULL), 204);
    request(*state, "GET", target, NULL);
    assert_twilio_error(404, 20404);
    snprintf(target, sizeof(target), ACCT "/Recordings/%s.wav", rec);
    request(*state, "GET", target, NULL);
    assert_twilio_error(404, 20404);
}

static void recording_add_refuses_unknown_call_and_huge_audio(void **state)
{
    char rec[35], call[35];
    struct hl_err err = {0};
    char *big = calloc(1, SIM_MAX_RECORDING_BYTES + 1);

    assert_int_equal(sim_recording_add(*state, "CA00000000000000000000000000000000", wav,
                                       sizeof(wav), 1, rec, &err),
                     HL_ENOTFOUND);
    memcpy(call, create_call(*state, CALLEE), sizeof(call));
    assert_int_equal(
        sim_recording_add(*state, call, big, SIM_MAX_RECORDING_BYTES + 1, 1, rec, &err),
        HL_ETOOLARGE);
    free(big);
}

/* ---- the cap on stored resources ----------------------------------------------------------- */

static void oldest_resources_are_forgotten_past_the_cap(void **state)
{
    struct sim *sim = make_sim(0, 5);
    char sids[8][35], target[512];
    int i;

    (void)state;
    for (i = 0; i < 8; i++)
        memcpy(sids[i], create_message(sim, CALLEE, "capped"), 35);
    request(sim, "GET", ACCT "/Messages.json", NULL);
    assert_int_equal(json_array_size(json_object_get(ans.json, "messages")), 5);
    for (i = 0; i < 8; i++) {
        snprintf(target, sizeof(target), ACCT "/Messages/%s.json", sids[i]);
        assert_int_equal(request(sim, "GET", target, NULL), i < 3 ? 404 : 200);
    }
    sim_free(sim);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100,001 calls: the first is forgotten, and fetching by SID stays fast. */
static void fetch_stays_fast_at_the_default_cap(void **state)
{
    char first[35], last[35], target[512];
    double start;
    int i;

    memcpy(first, create_call(*state, CALLEE), sizeof(first));
    skip_json = 1;
    for (i = 1; i < SIM_DEFAULT_MAX_RESOURCES; i++)
        request(*state, "POST", ACCT "/Calls.json",
                "To=%2B14155550123&From=%2B15005550006&Url=http%3A%2F%2Fa%2F");
    skip_json = 0;
    request(*state, "POST", ACCT "/Calls.json",
            "To=%2B14155550123&From=%2B15005550006&Url=http%3A%2F%2Fa%2F");
    assert_int_equal(ans.status, 201);
    memcpy(last, jstr(ans.json, "sid"), sizeof(last));
    snprintf(target, sizeof(target), ACCT "/Calls/%s.json", first);
    assert_int_equal(request(*state, "GET", target, NULL), 404);
    snprintf(target, sizeof(target), ACCT "/Calls/%s.json", last);
    start = now_s();
    for (i = 0; i < 1000; i++)
        assert_int_equal(request(*state, "GET", target, NULL), 200);
    assert_true(now_s() - start < 5.0); /* a scan of 10^5 rows per fetch would take minutes */
}

/* ---- account file -------------------------------------------------------------------------- */

static void account_file_is_made_kept_and_upgraded(void **state)
{
    char dir[] = "/tmp/hotline-sim-XXXXXX", path[64], text[512];
    struct sim_account a, b;
    struct hl_err err = {0};
    struct stat st;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/sub/acct", dir);
    assert_int_equal(sim_account_load(&a, path, &err), HL_OK);
    assert_sid(a.sid, "AC");
    assert_sid(a.api_key_sid, "SK");
    assert_int_equal(strlen(a.token), 32);
    assert_int_equal(strlen(a.api_key_secret), 32);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(sim_account_load(&b, path, &err), HL_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    snprintf(text, sizeof(text), "TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n", a.sid, a.token);
    assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600, &err), HL_OK);
    assert_int_equal(sim_account_load(&b, path, &err), HL_OK);
    assert_string_equal(b.sid, a.sid);
    assert_string_equal(b.token, a.token);
    assert_sid(b.api_key_sid, "SK");
    assert_string_not_equal(b.api_key_sid, a.api_key_sid);
    assert_int_equal(sim_account_load(&a, path, &err), HL_OK); /* the key was written down */
    assert_memory_equal(&a, &b, sizeof(a));
    snprintf(text, sizeof(text),
             "TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n"
             "TWILIO_API_KEY_SID=SKnope\nTWILIO_API_KEY_SECRET=x\n",
             a.sid, a.token);
    assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600, &err), HL_OK);
    assert_int_equal(sim_account_load(&b, path, &err), HL_ECONFIG);
    unlink(path);
    snprintf(path, sizeof(path), "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}

/* ---- text helpers -------------------------------------------------------------------------- */

static void text_segments_keywords_and_twiml(void **state)
{
    char body[400];
    struct arena a;
    const char **texts;
    static const char xml[] =
        "<?xml version=\"1.0\"?><Response><Message>Fish &amp; chips &#8364;5 &lt;ok&gt;</Message>"
        "<Message to=\"+1\"><Body>Second</Body><Media>https://x/y.png</Media></Message>"
        "<Message/></Response>";

    (void)state;
    memset(body, 'a', sizeof(body));
    body[160] = '\0';
    assert_int_equal(sim_sms_segments(body), 1);
    body[160] = 'a', body[161] = '\0';
    assert_int_equal(sim_sms_segments(body), 2);
    memset(body, 'a', sizeof(body));
    body[306] = '\0';
    assert_int_equal(sim_sms_segments(body), 2);
    body[306] = 'a', body[307] = '\0';
    assert_int_equal(sim_sms_segments(body), 3);
    assert_int_equal(sim_sms_segments(""), 1);
    assert_int_equal(sim_sms_segments("{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}"
                                      "{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}x"),
                     2);                            /* 81 characters, 161 septets */
    assert_int_equal(sim_sms_segments("héllo"), 1); /* é is GSM-7 */
    assert_int_equal(sim_sms_segments("Привет"), 1);
    assert_int_equal(sim_utf8_chars("Привет"), 6);
    assert_int_equal(sim_keyword_of("  stop \n"), SIM_KEYWORD_STOP);
    assert_int_equal(sim_keyword_of("StopAll"), SIM_KEYWORD_STOP);
    assert_int_equal(sim_keyword_of("unsubscribe"), SIM_KEYWORD_STOP);
    assert_int_equal(sim_keyword_of("quit"), SIM_KEYWORD_STOP);
    assert_int_equal(sim_keyword_of("Unstop"), SIM_KEYWORD_START);
    assert_int_equal(sim_keyword_of("yes"), SIM_KEYWORD_START);
    assert_int_equal(sim_keyword_of("stop it"), SIM_KEYWORD_NONE);
    assert_int_equal(sim_keyword_of(""), SIM_KEYWORD_NONE);
    arena_init(&a, 0);
    texts = sim_twiml_messages(xml, strlen(xml), &a);
    assert_non_null(texts);
    assert_string_equal(texts[0], "Fish & chips €5 <ok>");
    assert_string_equal(texts[1], "Second");
    assert_null(texts[2]);
    texts = sim_twiml_messages("<Response/>", 11, &a);
    assert_non_null(texts);
    assert_null(texts[0]);
    arena_release(&a);
}

/* ---- live: a real edge that is both the emulator and "hotline" ----------------------------- */

struct hook {
    char *path;
    struct sim_params params;
    char *token, *agent;
    int signature_ok;
};

static struct live {
    struct httpd *httpd;
    struct sim *sim;
    char base[64];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct hook hooks[64];
    size_t count;
} live;

static int verify(const struct http_request *req, const struct form *f)
{
    struct sig_request sr = {live.base,
                             req->target,
                             req->target_len,
                             f,
                             req->body,
                             req->body_len,
                             http_header(req, "X-Twilio-Signature")};

    return sig_validate(AUTH_TOKEN, &sr, req->arena, NULL) == HL_OK;
}

/* Keep one webhook: its parameters are f (the body, or the query of a GET). */
static void record_hook(const struct http_request *req, const struct form *f, int signature_ok)
{
    struct hook *h;

    pthread_mutex_lock(&live.lock);
    if (live.count < sizeof(live.hooks) / sizeof(live.hooks[0])) {
        h = &live.hooks[live.count++];
        memset(h, 0, sizeof(*h));
        h->path = strndup(req->path, req->path_len);
        sim_params_from_form(&h->params, f);
        h->token = dup_or_null(http_header(req, "I-Twilio-Idempotency-Token"));
        h->agent = dup_or_null(http_header(req, "User-Agent"));
        h->signature_ok = signature_ok;
    }
    pthread_cond_broadcast(&live.cond);
    pthread_mutex_unlock(&live.lock);
}

/*
 * What "hotline" answers: a reply to a text (nothing for STOP), 500 on /fail,
 * 200 after 0.6 s on /slow, else 200 at once.
 */
static void live_hotline(struct http_request *req, struct http_response *res)
{
    static const char empty[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
    static const char reply[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>"
                                "Got it &amp; saved</Message></Response>";
    struct form body = {NULL, 0}, query = {NULL, 0};
    const char *text;
    int get = req->method == HTTP_GET;

    form_decode(&body, req->body, req->body_len, req->arena, NULL);
    form_decode(&query, req->query, req->query_len, req->arena, NULL);
    record_hook(req, get ? &query : &body, verify(req, &body));
    text = form_get(&body, "Body");
    if (req->path_len == 5 && memcmp(req->path, "/slow", 5) == 0)
        sleep_ms(600); /* then answers 200 */
    if (req->path_len == 5 && memcmp(req->path, "/fail", 5) == 0)
        http_respond_text(res, 500, "no\n");
    else if (req->path_len == 11 && memcmp(req->path, "/twilio/sms", 11) == 0)
        http_respond(res, 200, "text/xml; charset=utf-8",
                     text && strcmp(text, "STOP") == 0 ? empty : reply,
                     text && strcmp(text, "STOP") == 0 ? strlen(empty) : strlen(reply));
    else
        http_respond(res, 200, "text/xml", "<Response/>", 11);
}

static void live_handle(void *ctx, struct http_request *req, struct http_response *res)
{
    (void)ctx;
    if (!sim_handle(live.sim, req, res))
        live_hotline(req, res);
}

static int live_setup(void **state)
{
    struct httpd_config hc = {"127.0.0.1", 0, 2, 64, 10, 1 << 20, 32 << 10, live_handle, NULL, NULL};
    struct sim_options so = {&account, NULL, 0, 0, no_driver, NULL};
    struct hl_err err = {0};

    (void)state;
    pthread_mutex_init(&live.lock, NULL);
    pthread_cond_init(&live.cond, NULL);
    if (httpd_start(&live.httpd, &hc, &err) != HL_OK)
        return -1;
    snprintf(live.base, sizeof(live.base), "http://127.0.0.1:%d", httpd_port(live.httpd));
    so.webhook_base = live.base;
    return sim_new(&live.sim, &so, &err) == HL_OK ? 0 : -1;
}

static void hooks_clear(void)
{
    size_t i;

    pthread_mutex_lock(&live.lock);
    for (i = 0; i < live.count; i++) {
        free(live.hooks[i].path);
        free(live.hooks[i].token);
        free(live.hooks[i].agent);
        sim_params_release(&live.hooks[i].params);
    }
    live.count = 0;
    pthread_mutex_unlock(&live.lock);
}

static int live_teardown(void **state)
{
    (void)state;
    sim_free(live.sim); /* before the edge: a parked /sim/ request is answered first */
    httpd_stop(live.httpd, 2000);
    hooks_clear();
    answer_clear();
    pthread_mutex_destroy(&live.lock);
    pthread_cond_destroy(&live.cond);
    return 0;
}

static int live_each(void **state)
{
    (void)state;
    hooks_clear();
    return 0;
}

/* Wait until n webhooks have arrived (5 s at most). */
static void wait_hooks(size_t n)
{
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&live.lock);
    while (live.count < n && pthread_cond_timedwait(&live.cond, &live.lock, &deadline) == 0)
        ;
    pthread_mutex_unlock(&live.lock);
    if (live.count < n)
        fail_msg("%zu webhooks arrived, %zu expected", live.count, n);
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    buf_add(ctx, data, size * n);
    return size * n;
}

/* A real HTTP request to the live edge, as the account; answer kept in ans (JSON parsed). */
static int http(const char *method, const char *path, const char *body)
{
    CURL *c = curl_easy_init();
    struct buf out = BUF_INIT(1 << 20);
    char url[512];
    long status = 0;

    snprintf(url, sizeof(url), "%s%s", live.base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_USERNAME, ACCOUNT_SID);
    curl_easy_setopt(c, CURLOPT_PASSWORD, AUTH_TOKEN);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    answer_clear();
    ans.status = (int)status;
    ans.json = json_loads(buf_str(&out), 0, NULL);
    buf_release(&out);
    return ans.status;
}

static const char *hook_param(size_t i, const char *name)
{
    return sim_params_get(&live.hooks[i].params, name);
}

static void status_callbacks_are_signed_sent_then_delivered(void **state)
{
    char callback[128], sid[35];

    (void)state;
    snprintf(callback, sizeof(callback), "%s/twilio/message-status", live.base);
    assert_int_equal(
        http("POST", ACCT "/Messages.json",
             form("To", CALLEE, "From", BUSINESS, "Body", "hi", "StatusCallback", callback, NULL)),
        201);
    memcpy(sid, jstr(ans.json, "sid"), sizeof(sid));
    wait_hooks(2);
    assert_string_equal(live.hooks[0].path, "/twilio/message-status");
    assert_string_equal(hook_param(0, "MessageStatus"), "sent");
    assert_string_equal(hook_param(1, "MessageStatus"), "delivered");
    assert_string_equal(hook_param(1, "SmsStatus"), "delivered");
    assert_string_equal(hook_param(0, "MessageSid"), sid);
    assert_string_equal(hook_param(0, "SmsSid"), sid);
    assert_string_equal(hook_param(0, "AccountSid"), ACCOUNT_SID);
    assert_string_equal(hook_param(0, "From"), BUSINESS);
    assert_string_equal(hook_param(0, "To"), CALLEE);
    assert_string_equal(hook_param(0, "ApiVersion"), "2010-04-01");
    assert_non_null(hook_param(1, "RawDlrDoneDate"));
    assert_true(live.hooks[0].signature_ok);
    assert_true(live.hooks[1].signature_ok);
    assert_string_equal(live.hooks[0].agent, "TwilioProxy/1.1");
    assert_non_null(live.hooks[0].token);
    assert_non_null(live.hooks[1].token);
    assert_string_not_equal(live.hooks[0].token, live.hooks[1].token);
    snprintf(callback, sizeof(callback), ACCT "/Messages/%s.json", sid);
    http("GET", callback, NULL);
    assert_string_equal(jstr(ans.json, "status"), "delivered");
}

static void whatsapp_status_callbacks_carry_channel_fields(void **state)
{
    char callback[128];

    (void)state;
    snprintf(callback, sizeof(callback), "%s/twilio/message-status", live.base);
    assert_int_equal(http("POST", ACCT "/Messages.json",
                          form("To", "whatsapp:" CALLEE, "From", "whatsapp:" BUSINESS, "Body", "hi",
                               "StatusCallback", callback, NULL)),
                     201);
    wait_hooks(2);
    assert_string_equal(hook_param(0, "ChannelPrefix"), "whatsapp");
    assert_string_equal(hook_param(0, "ChannelToAddress"), "+1415555XXXX");
    assert_sid(hook_param(0, "ChannelInstallSid"), "XE");
    assert_string_equal(hook_param(0, "To"), "whatsapp:" CALLEE);
    assert_true(live.hooks[1].signature_ok);
}

static void failing_callback_is_retried_with_one_token(void **state)
{
    char callback[128];

    (void)state;
    snprintf(callback, sizeof(callback), "%s/fail", live.base);
    http("POST", ACCT "/Messages.json",
         form("To", CALLEE, "From", BUSINESS, "Body", "hi", "StatusCallback", callback, NULL));
    wait_hooks(6); /* sent: 3 attempts, then delivered: 3 attempts */
    assert_string_equal(live.hooks[0].token, live.hooks[1].token);
    assert_string_equal(live.hooks[1].token, live.hooks[2].token);
    assert_string_equal(hook_param(2, "MessageStatus"), "sent");
    assert_string_equal(hook_param(3, "MessageStatus"), "delivered");
    assert_string_not_equal(live.hooks[2].token, live.hooks[3].token);
}

static void message_is_deleted_only_once_delivered(void **state)
{
    char callback[128], target[512];

    (void)state;
    snprintf(callback, sizeof(callback), "%s/slow", live.base);
    http("POST", ACCT "/Messages.json",
         form("To", CALLEE, "From", BUSINESS, "Body", "hi", "StatusCallback", callback, NULL));
    snprintf(target, sizeof(target), ACCT "/Messages/%s.json", jstr(ans.json, "sid"));
    wait_hooks(1); /* "sent" is being reported: delivery is not over */
    assert_int_equal(http("DELETE", target, NULL), 409);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "code")), 20009);
    wait_hooks(2);
    sleep_ms(700);
    assert_int_equal(http("DELETE", target, NULL), 204);
    assert_int_equal(http("GET", target, NULL), 404);
}

static void canceled_call_sends_its_status_callback(void **state)
{
    char callback[128], target[512], sid[35];

    (void)state;
    snprintf(callback, sizeof(callback), "%s/twilio/status?tag=%%27x%%27", live.base);
    assert_int_equal(http("POST", ACCT "/Calls.json",
                          form("To", CALLEE, "From", BUSINESS, "Url", "http://127.0.0.1:9/v",
                               "StatusCallback", callback, NULL)),
                     201);
    memcpy(sid, jstr(ans.json, "sid"), sizeof(sid));
    snprintf(target, sizeof(target), ACCT "/Calls/%s.json", sid);
    assert_int_equal(http("POST", target, "Status=canceled"), 200);
    wait_hooks(1);
    assert_string_equal(live.hooks[0].path, "/twilio/status");
    assert_true(live.hooks[0].signature_ok); /* over the query exactly as given */
    assert_string_equal(hook_param(0, "CallStatus"), "canceled");
    assert_string_equal(hook_param(0, "CallSid"), sid);
    assert_string_equal(hook_param(0, "Direction"), "outbound-api");
    assert_string_equal(hook_param(0, "CallDuration"), "0");
    assert_string_equal(hook_param(0, "SequenceNumber"), "0");
}

static void status_callback_events_are_honoured(void **state)
{
    char callback[128], sid[35];
    size_t ringing;

    (void)state;
    snprintf(callback, sizeof(callback), "%s/twilio/status", live.base);
    http("POST", ACCT "/Calls.json",
         form("To", CALLEE, "From", BUSINESS, "Url", "http://127.0.0.1:9/v", "StatusCallback",
              callback, "StatusCallbackEvent", "ringing", "StatusCallbackEvent", "answered",
              "StatusCallbackMethod", "GET", NULL));
    memcpy(sid, jstr(ans.json, "sid"), sizeof(sid));
    assert_int_equal(sim_call_set_status(live.sim, sid, "initiated", 0, NULL), HL_OK);
    assert_int_equal(sim_call_set_status(live.sim, sid, "ringing", 0, NULL), HL_OK);
    assert_int_equal(sim_call_set_status(live.sim, sid, "in-progress", 0, NULL), HL_OK);
    assert_int_equal(sim_call_set_status(live.sim, sid, "completed", 3, NULL), HL_OK);
    wait_hooks(2);
    sleep_ms(300); /* nothing more may come: completed was not asked for */
    assert_int_equal(live.count, 2);
    ringing = strcmp(hook_param(0, "CallStatus"), "ringing") == 0 ? 0 : 1; /* sent at once */
    assert_true(live.hooks[0].signature_ok); /* GET: signed over the URL with its query */
    assert_true(live.hooks[1].signature_ok);
    assert_string_equal(live.hooks[0].path, "/twilio/status");
    assert_string_equal(hook_param(ringing, "CallStatus"), "ringing");
    assert_string_equal(hook_param(ringing, "SequenceNumber"), "0");
    assert_string_equal(hook_param(1 - ringing, "CallStatus"), "in-progress");
    assert_string_equal(hook_param(1 - ringing, "SequenceNumber"), "1");
}

static void inbound_sms_reaches_hotline_and_returns_its_reply(void **state)
{
    const json_t *hook, *reply;

    (void)state;
    assert_int_equal(
        http("POST", "/sim/Messages.json", form("From", CALLEE, "Body", "hello", NULL)), 201);
    wait_hooks(1);
    assert_string_equal(live.hooks[0].path, "/twilio/sms");
    assert_true(live.hooks[0].signature_ok);
    assert_string_equal(live.hooks[0].agent, "TwilioProxy/1.1");
    assert_sid(hook_param(0, "MessageSid"), "SM");
    assert_string_equal(hook_param(0, "SmsSid"), hook_param(0, "MessageSid"));
    assert_string_equal(hook_param(0, "SmsMessageSid"), hook_param(0, "MessageSid"));
    assert_string_equal(hook_param(0, "AccountSid"), ACCOUNT_SID);
    assert_string_equal(hook_param(0, "From"), CALLEE);
    assert_string_equal(hook_param(0, "To"), BUSINESS);
    assert_string_equal(hook_param(0, "Body"), "hello");
    assert_string_equal(hook_param(0, "NumMedia"), "0");
    assert_string_equal(hook_param(0, "NumSegments"), "1");
    assert_string_equal(hook_param(0, "SmsStatus"), "received");
    assert_string_equal(hook_param(0, "ApiVersion"), "2010-04-01");
    assert_null(hook_param(0, "MessagingServiceSid"));
    assert_string_equal(jstr(json_object_get(ans.json, "message"), "direction"), "inbound");
    assert_string_equal(jstr(json_object_get(ans.json, "message"), "status"), "received");
    hook = json_object_get(ans.json, "webhook");
    assert_int_equal(json_integer_value(json_object_get(hook, "status")), 200);
    assert_non_null(strstr(jstr(hook, "body"), "<Message>Got it &amp; saved</Message>"));
    reply = json_array_get(json_object_get(ans.json, "replies"), 0);
    assert_string_equal(jstr(reply, "body"), "Got it & saved");
    assert_sid(jstr(reply, "sid"), "SM");
    http("GET", ACCT "/Messages.json?From=%2B15005550006&To=%2B14155550123", NULL);
    assert_string_equal(jstr(json_array_get(json_object_get(ans.json, "messages"), 0), "direction"),
                        "outbound-reply");
}

static void inbound_whatsapp_has_prefixes_and_no_carrier_optout(void **state)
{
    (void)state;
    assert_int_equal(http("POST", "/sim/Messages.json",
                          form("From", CALLEE, "To", "+14155559876", "Body", "STOP", "Channel",
                               "whatsapp", NULL)),
                     201);
    wait_hooks(1);
    assert_string_equal(hook_param(0, "From"), "whatsapp:" CALLEE);
    assert_string_equal(hook_param(0, "To"), "whatsapp:+14155559876");
    assert_string_equal(hook_param(0, "WaId"), "14155550123");
    assert_true(live.hooks[0].signature_ok);
    assert_int_equal(http("POST", ACCT "/Messages.json",
                          form("To", "whatsapp:" CALLEE, "From", "whatsapp:+14155559876", "Body",
                               "still reachable", NULL)),
                     201);
}

static void stop_blocks_sends_until_start(void **state)
{
    const char *send = form("To", "+14155550199", "From", BUSINESS, "Body", "promo", NULL);
    const json_t *reply;
    char copy[256];

    (void)state;
    snprintf(copy, sizeof(copy), "%s", send);
    assert_int_equal(
        http("POST", "/sim/Messages.json", form("From", "+14155550199", "Body", " stop ", NULL)),
        201);
    reply = json_array_get(json_object_get(ans.json, "replies"), 0); /* hotline's reply: blocked */
    assert_int_equal(json_integer_value(json_object_get(reply, "error_code")), 21610);
    assert_true(json_is_null(json_object_get(reply, "sid")));
    assert_int_equal(http("POST", ACCT "/Messages.json", copy), 400);
    assert_int_equal(json_integer_value(json_object_get(ans.json, "code")), 21610);
    assert_string_equal(jstr(ans.json, "message"), "Attempt to send to unsubscribed recipient");
    assert_int_equal(http("POST", ACCT "/Messages.json",
                          form("To", "+14155550199", "From", "+14155559876", "Body", "x", NULL)),
                     201); /* another sender is not blocked */
    assert_int_equal(
        http("POST", "/sim/Messages.json", form("From", "+14155550199", "Body", "START", NULL)),
        201);
    assert_int_equal(http("POST", ACCT "/Messages.json", copy), 201);
}

static void inbound_errors(void **state)
{
    (void)state;
    http("POST", "/sim/Messages.json", form("Body", "x", NULL));
    assert_int_equal(json_integer_value(json_object_get(ans.json, "code")), 21603);
    http("POST", "/sim/Messages.json", form("From", CALLEE, NULL));
    assert_int_equal(json_integer_value(json_object_get(ans.json, "code")), 21602);
    http("POST", "/sim/Messages.json", form("From", "12", "Body", "x", NULL));
    assert_int_equal(json_integer_value(json_object_get(ans.json, "code")), 21212);
    http("POST", "/sim/Messages.json", form("From", CALLEE, "To", "x", "Body", "x", NULL));
    assert_int_equal(json_integer_value(json_object_get(ans.json, "code")), 21211);
    http("POST", "/sim/Messages.json", form("From", CALLEE, "Body", "x", "Channel", "fax", NULL));
    assert_int_equal(ans.status, 400);
}

int main(void)
{
    const struct CMUnitTest local[] = {
        cmocka_unit_test_setup_teardown(sim_leaves_other_paths_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_accepts_account_token_and_api_key, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_refuses_wrong_credentials_with_20003, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_refuses_another_account_in_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_paths_are_20404_and_wrong_methods_20004, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(message_create_has_twilio_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(message_with_service_is_accepted_without_from, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(message_counts_segments_and_media, setup, teardown),
        cmocka_unit_test_setup_teardown(message_errors_use_twilio_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(message_is_delivered_then_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(call_create_has_twilio_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(call_errors_use_twilio_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(call_update_cancels_redirects_and_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(call_completed_on_a_queued_call_cancels_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(call_driver_moves_a_call, setup, teardown),
        cmocka_unit_test_setup_teardown(list_pages_newest_first_with_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(list_filters_and_keeps_them_in_page_uris, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limit_answers_429_with_20429, setup, teardown),
        cmocka_unit_test_setup_teardown(recording_is_listed_fetched_played_and_deleted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(recording_add_refuses_unknown_call_and_huge_audio, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(oldest_resources_are_forgotten_past_the_cap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fetch_stays_fast_at_the_default_cap, setup, teardown),
        cmocka_unit_test(account_file_is_made_kept_and_upgraded),
        cmocka_unit_test(text_segments_keywords_and_twiml),
    };
    const struct CMUnitTest over_http[] = {
        cmocka_unit_test_setup(status_callbacks_are_signed_sent_then_delivered, live_each),
        cmocka_unit_test_setup(whatsapp_status_callbacks_carry_channel_fields, live_each),
        cmocka_unit_test_setup(failing_callback_is_retried_with_one_token, live_each),
        cmocka_unit_test_setup(message_is_deleted_only_once_delivered, live_each),
        cmocka_unit_test_setup(canceled_call_sends_its_status_callback, live_each),
        cmocka_unit_test_setup(status_callback_events_are_honoured, live_each),
        cmocka_unit_test_setup(inbound_sms_reaches_hotline_and_returns_its_reply, live_each),
        cmocka_unit_test_setup(inbound_whatsapp_has_prefixes_and_no_carrier_optout, live_each),
        cmocka_unit_test_setup(stop_blocks_sends_until_start, live_each),
        cmocka_unit_test_setup(inbound_errors, live_each),
    };
    int failed;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    failed = cmocka_run_group_tests_name("sim", local, NULL, NULL);
    failed += cmocka_run_group_tests_name("sim over http", over_http, live_setup, live_teardown);
    curl_global_cleanup();
    return failed;
}
