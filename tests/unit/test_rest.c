/*
 * test_rest.c — the REST client's rules that need no server: parameter
 * checks (nothing is sent when they fail), SIDs in paths, UTF-8 counting of
 * message bodies, form encoding, the backoff formula, which libcurl failures
 * count as "nothing sent", and Twilio's error JSON turned into a message.
 *
 * The client here points at a loopback port that is bound but not
 * listening, with retries off: a request that passes every check is refused
 * by the kernel at once (HL_EUNREACHABLE, one attempt), which tells a
 * passing check from a failing one (HL_EINVAL, no attempt) without a server.
 * The wire itself is tested by tests/integration/test_rest_client.py.
 */
#include <curl/curl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/hl.h"
#include "twilio/rest.h"
#include "twilio/rest_internal.h"
#include "core/banned.h"

#define ACCOUNT  "AC0123456789abcdef0123456789abcdef"
#define CALL_SID "CA0123456789ABCDEF0123456789abcdef"
#define REC_SID  "RE0123456789abcdef0123456789abcdef"
#define PASSWORD "hunter2-secret-token"

static int closed_fd = -1;
static int port;
static char base[64];
static struct rest_client *client;

/* A port that refuses connections: bound, never listening. */
static int setup(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    struct rest_options opt = {
        .account_sid = ACCOUNT, .username = ACCOUNT, .password = PASSWORD, .max_retries = -1};

    (void)state;
    closed_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (closed_fd < 0 || bind(closed_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(closed_fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    port = ntohs(sa.sin_port);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    opt.api_base = base;
    return rest_client_new(&client, &opt, NULL) == HL_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    rest_client_free(client);
    close(closed_fd);
    return 0;
}

/* ---- Checks before sending ---------------------------------------------------------------- */

static const struct rest_call_params valid_call = {
    .to = "+14155550123", .from = "+14155559876", .url = "https://example.com/twiml"};

/* rc of a call create, and that an HL_EINVAL sent nothing and named the parameter. */
static int create(const struct rest_call_params *p, const char *named)
{
    struct rest_reply reply;
    struct hl_err err = {0};
    int rc = rest_call_create(client, p, NULL, &reply, &err);

    if (rc == HL_EINVAL) {
        assert_int_equal(reply.attempts, 0);
        assert_int_equal(reply.http_status, 0);
        assert_non_null(strstr(err.msg, named));
    } else {
        assert_int_equal(rc, HL_EUNREACHABLE);
        assert_int_equal(reply.attempts, 1);
    }
    return rc;
}

static void call_create_checks_its_parameters(void **state)
{
    struct rest_call_params p = valid_call;

    (void)state;
    assert_int_equal(create(&p, ""), HL_EUNREACHABLE);
    p.to = NULL;
    assert_int_equal(create(&p, "To: required"), HL_EINVAL);
    p = valid_call, p.from = "";
    assert_int_equal(create(&p, "From: required"), HL_EINVAL);
    p = valid_call, p.twiml = "<Response/>";
    assert_int_equal(create(&p, "Url and Twiml"), HL_EINVAL);
    p = valid_call, p.url = NULL;
    assert_int_equal(create(&p, "Url or Twiml"), HL_EINVAL);
    p.twiml = "<Response/>";
    assert_int_equal(create(&p, ""), HL_EUNREACHABLE);
    p = valid_call, p.method = "PUT";
    assert_int_equal(create(&p, "Method"), HL_EINVAL);
    p = valid_call, p.status_callback_method = "get";
    assert_int_equal(create(&p, "StatusCallbackMethod"), HL_EINVAL);
    p = valid_call, p.status_callback_events = 16;
    assert_int_equal(create(&p, "StatusCallbackEvent"), HL_EINVAL);
    p = valid_call, p.recording_status_callback_events = 8;
    assert_int_equal(create(&p, "RecordingStatusCallbackEvent"), HL_EINVAL);
    p = valid_call, p.timeout_s = 601;
    assert_int_equal(create(&p, "Timeout"), HL_EINVAL);
    p = valid_call, p.machine_detection = "Yes";
    assert_int_equal(create(&p, "MachineDetection"), HL_EINVAL);
    p = valid_call, p.machine_detection = "DetectMessageEnd", p.timeout_s = 600, p.record = 1;
    p.status_callback_events = 15, p.recording_status_callback_events = 7;
    assert_int_equal(create(&p, ""), HL_EUNREACHABLE);
    assert_int_equal(create(NULL, "call parameters"), HL_EINVAL);
}

static void call_update_checks_its_parameters(void **state)
{
    struct rest_call_update u = {.status = "completed"};
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(rest_call_update(client, CALL_SID, &u, NULL, NULL, &err), HL_EUNREACHABLE);
    u.status = "busy";
    assert_int_equal(rest_call_update(client, CALL_SID, &u, NULL, NULL, &err), HL_EINVAL);
    assert_string_equal(err.msg, "Status: must be completed or canceled");
    u = (struct rest_call_update){.url = "https://e/x", .twiml = "<Response/>"};
    assert_int_equal(rest_call_update(client, CALL_SID, &u, NULL, NULL, &err), HL_EINVAL);
    u = (struct rest_call_update){0};
    assert_int_equal(rest_call_update(client, CALL_SID, &u, NULL, NULL, &err), HL_EINVAL);
    assert_string_equal(err.msg, "Url, Twiml or Status: one is required");
}

static void sids_in_paths_are_checked(void **state)
{
    static const char *const bad[] = {
        NULL,
        "",
        "CA",
        "CA../../../Messages",
        "CA0123456789abcdef0123456789abcde/",
        "CA0123456789abcdef0123456789abcdefa",
        "CA0123456789abcdef0123456789abcdeg",
        "ca0123456789abcdef0123456789abcdef",
        "RE0123456789abcdef0123456789abcdef",
        "CA0123456789abcdef0123456789abc%2F",
    };
    struct rest_call_update u = {.status = "completed"};
    struct rest_reply reply;
    struct hl_err err = {0};
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(bad); i++) {
        assert_int_equal(rest_call_fetch(client, bad[i], NULL, &reply, &err), HL_EINVAL);
        assert_int_equal(reply.attempts, 0);
        assert_int_equal(rest_call_update(client, bad[i], &u, NULL, NULL, NULL), HL_EINVAL);
    }
    assert_string_equal(err.msg, "CallSid: must be CA followed by 32 hex digits");
    assert_int_equal(rest_recording_fetch(client, CALL_SID, NULL, NULL, &err), HL_EINVAL);
    assert_int_equal(rest_recording_delete(client, "RE../x", NULL, &err), HL_EINVAL);
    assert_string_equal(err.msg, "RecordingSid: must be RE followed by 32 hex digits");
    assert_int_equal(rest_recording_delete(client, REC_SID, NULL, NULL), HL_EUNREACHABLE);
    assert_int_equal(rest_call_fetch(client, CALL_SID, NULL, NULL, NULL), HL_EUNREACHABLE);
    assert_true(rest_sid_valid("AC0123456789ABCDEF0123456789abcdef", "AC"));
    assert_false(rest_sid_valid("AC0123456789ABCDEF0123456789abcdef", "CA"));
}

/* A string of n copies of the UTF-8 character ch; free() it. */
static char *repeat(const char *ch, size_t n)
{
    size_t len = strlen(ch), i;
    char *s = malloc(len * n + 1);

    assert_non_null(s);
    for (i = 0; i < n; i++)
        memcpy(s + i * len, ch, len);
    s[len * n] = '\0';
    return s;
}

static int send_body(const char *body, struct hl_err *err)
{
    struct rest_message_params p = {.to = "+14155550123", .from = "+14155559876", .body = body};

    return rest_message_create(client, &p, NULL, NULL, err);
}

static void message_body_counts_characters_not_bytes(void **state)
{
    char *e1600 = repeat("\xc3\xa9", 1600), *e1601 = repeat("\xc3\xa9", 1601);
    char *smile1600 = repeat("\xf0\x9f\x98\x80", 1600), *a1601 = repeat("a", 1601);
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(send_body(e1600, &err), HL_EUNREACHABLE);     /* 3200 bytes */
    assert_int_equal(send_body(smile1600, &err), HL_EUNREACHABLE); /* 6400 bytes */
    assert_int_equal(send_body(e1601, &err), HL_EINVAL);
    assert_string_equal(err.msg, "Body: 1601 characters, at most 1600");
    assert_int_equal(send_body(a1601, &err), HL_EINVAL);
    assert_int_equal(send_body("caf\xc3", &err), HL_EINVAL);
    assert_string_equal(err.msg, "Body: not valid UTF-8");
    free(e1600), free(e1601), free(smile1600), free(a1601);
}

static void message_checks_senders_and_media(void **state)
{
    const char *media[11] = {"https://e/1", "https://e/2",  "https://e/3", "https://e/4",
                             "https://e/5", "https://e/6",  "https://e/7", "https://e/8",
                             "https://e/9", "https://e/10", "https://e/11"};
    struct rest_message_params p = {.to = "whatsapp:+14155550123", .from = "whatsapp:+1415555"};
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(rest_message_create(client, &p, NULL, NULL, &err), HL_EINVAL);
    assert_string_equal(err.msg, "Body or MediaUrl: one is required");
    p.media_urls = media, p.media_count = 10;
    assert_int_equal(rest_message_create(client, &p, NULL, NULL, &err), HL_EUNREACHABLE);
    p.media_count = 11;
    assert_int_equal(rest_message_create(client, &p, NULL, NULL, &err), HL_EINVAL);
    assert_string_equal(err.msg, "MediaUrl: at most 10, got 11");
    p.media_count = 1, p.from = NULL;
    assert_int_equal(rest_message_create(client, &p, NULL, NULL, &err), HL_EINVAL);
    assert_string_equal(err.msg, "From or MessagingServiceSid: one is required");
    p.messaging_service_sid = "MG123";
    assert_int_equal(rest_message_create(client, &p, NULL, NULL, &err), HL_EINVAL);
    p.messaging_service_sid = "MG0123456789abcdef0123456789abcdef";
    assert_int_equal(rest_message_create(client, &p, NULL, NULL, &err), HL_EUNREACHABLE);
    p.to = NULL;
    assert_int_equal(rest_message_create(client, &p, NULL, NULL, &err), HL_EINVAL);
    assert_string_equal(err.msg, "To: required");
}

static void client_options_are_checked(void **state)
{
    struct rest_options ok = {.api_base = "https://api.twilio.com/",
                              .account_sid = ACCOUNT,
                              .username = "SK0123456789abcdef0123456789abcdef",
                              .password = PASSWORD},
                        o;
    struct rest_client *c = NULL;
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(rest_client_new(&c, &ok, &err), HL_OK);
    rest_client_free(c);
    o = ok, o.api_base = "ftp://api.twilio.com";
    assert_int_equal(rest_client_new(&c, &o, &err), HL_EINVAL);
    assert_non_null(strstr(err.msg, "TWILIO_API_BASE"));
    o = ok, o.api_base = "https://user:pw@api.twilio.com";
    assert_int_equal(rest_client_new(&c, &o, &err), HL_EINVAL);
    o = ok, o.api_base = "api.twilio.com";
    assert_int_equal(rest_client_new(&c, &o, &err), HL_EINVAL);
    o = ok, o.account_sid = "AC123";
    assert_int_equal(rest_client_new(&c, &o, &err), HL_EINVAL);
    o = ok, o.password = "";
    assert_int_equal(rest_client_new(&c, &o, &err), HL_EINVAL);
    o = ok, o.username = "a:b";
    assert_int_equal(rest_client_new(&c, &o, &err), HL_EINVAL);
    o = ok, o.timeout_ms = -1;
    assert_int_equal(rest_client_new(&c, &o, &err), HL_EINVAL);
    assert_null(c);
    assert_int_equal(rest_client_new(&c, NULL, &err), HL_EINVAL);
    rest_client_free(NULL);
}

/* ---- Downloads: which URLs may be fetched with credentials -------------------------------- */

static void media_url(const char *in, const char *want)
{
    struct hl_err err = {0};
    char *out = NULL;
    int rc = rest_media_url(client, in, &out, &err);

    if (!want) {
        assert_int_equal(rc, HL_EINVAL);
        assert_null(out);
        return;
    }
    assert_int_equal(rc, HL_OK);
    assert_string_equal(out, want);
    curl_free(out);
}

static void download_urls_stay_on_the_api_origin(void **state)
{
    char in[256], want[300], other[128];
    struct hl_err err = {0};

    (void)state;
    snprintf(in, sizeof(in), "%s/2010-04-01/Accounts/%s/Recordings/%s", base, ACCOUNT, REC_SID);
    snprintf(want, sizeof(want), "%s.wav", in);
    media_url(in, want);
    media_url(want, want);
    snprintf(in, sizeof(in), "%s/r/RE1.MP3", base);
    media_url(in, in);
    snprintf(in, sizeof(in), "%s/r/RE1?x=1", base);
    snprintf(want, sizeof(want), "%s/r/RE1.wav?x=1", base);
    media_url(in, want);
    snprintf(in, sizeof(in), "HTTP://127.0.0.1:%d/r/RE1", port);
    snprintf(want, sizeof(want), "%s/r/RE1.wav", base);
    media_url(in, want);
    snprintf(other, sizeof(other), "http://127.0.0.1:%d/r/RE1", port ^ 1); /* another port */
    media_url(other, NULL);
    media_url("https://127.0.0.1/r/RE1", NULL);
    media_url("http://localhost/r/RE1", NULL);
    media_url("ftp://127.0.0.1/r/RE1", NULL);
    media_url("http://user:pw@127.0.0.1/r/RE1", NULL);
    media_url("/r/RE1", NULL);
    media_url("", NULL);
    assert_int_equal(rest_recording_download(client, other, "/nonexistent/x.wav", NULL, NULL, &err),
                     HL_EINVAL);
    assert_string_equal(err.msg, "RecordingUrl: recording URL is not on TWILIO_API_BASE");
}

/* ---- Form encoding ------------------------------------------------------------------------ */

static void form_encoding_escapes_everything_but_unreserved(void **state)
{
    struct buf f = BUF_INIT(1024), tiny = BUF_INIT(12);

    (void)state;
    assert_int_equal(rest_form_add(&f, "To", "+1 415"), HL_OK);
    assert_int_equal(rest_form_add(&f, "Url", "https://e.com/a?b=c&d=e f#g"), HL_OK);
    assert_int_equal(rest_form_add(&f, "Body", "caf\xc3\xa9 100% -._~\n"), HL_OK);
    assert_int_equal(rest_form_add(&f, "A&B=C", ""), HL_OK);
    assert_string_equal(buf_str(&f), "To=%2B1%20415"
                                     "&Url=https%3A%2F%2Fe.com%2Fa%3Fb%3Dc%26d%3De%20f%23g"
                                     "&Body=caf%C3%A9%20100%25%20-._~%0A"
                                     "&A%26B%3DC=");
    assert_int_equal(rest_form_add(&tiny, "To", "+14155550123"), HL_ETOOLARGE);
    buf_release(&f);
    buf_release(&tiny);
}

static void utf8_counting(void **state)
{
    (void)state;
    assert_int_equal(rest_utf8_chars("", 0), 0);
    assert_int_equal(rest_utf8_chars("abc", 3), 3);
    assert_int_equal(rest_utf8_chars("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), 3);
    assert_int_equal(rest_utf8_chars("\xc0\x80", 2), -1);         /* overlong NUL */
    assert_int_equal(rest_utf8_chars("\xe0\x80\xaf", 3), -1);     /* overlong '/' */
    assert_int_equal(rest_utf8_chars("\xed\xa0\x80", 3), -1);     /* surrogate */
    assert_int_equal(rest_utf8_chars("\xf4\x90\x80\x80", 4), -1); /* past U+10FFFF */
    assert_int_equal(rest_utf8_chars("\x80", 1), -1);             /* lone continuation */
    assert_int_equal(rest_utf8_chars("\xe2\x82", 2), -1);         /* cut short */
    assert_int_equal(rest_utf8_chars("\xe2\x82x", 3), -1);
}

/* ---- Backoff and the retry rule ----------------------------------------------------------- */

static void backoff_bounds(void **state)
{
    long lo = 1000, hi = -1;
    int i;

    (void)state;
    assert_int_equal(rest_backoff_bound(100, 3000, 1), 200); /* as twilio-node: 100 * 2^1 */
    assert_int_equal(rest_backoff_bound(100, 3000, 2), 400);
    assert_int_equal(rest_backoff_bound(100, 3000, 3), 800);
    assert_int_equal(rest_backoff_bound(100, 3000, 5), 3000);
    assert_int_equal(rest_backoff_bound(100, 3000, 1000), 3000);
    assert_int_equal(rest_backoff_bound(100, 150, 1), 150);
    assert_int_equal(rest_backoff_bound(0, 3000, 3), 0);
    assert_int_equal(rest_backoff_ms(0), 0);
    for (i = 0; i < 5000; i++) {
        long ms = rest_backoff_ms(200);

        assert_in_range(ms, 0, 200);
        lo = ms < lo ? ms : lo;
        hi = ms > hi ? ms : hi;
    }
    assert_true(lo < 10 && hi > 190); /* full jitter: the whole range is used */
}

static void failures_before_sending_are_told_apart(void **state)
{
    (void)state;
    assert_true(rest_failed_before_sending(CURLE_COULDNT_CONNECT, 0, 0));
    assert_true(rest_failed_before_sending(CURLE_COULDNT_RESOLVE_HOST, 0, 0));
    assert_true(rest_failed_before_sending(CURLE_COULDNT_RESOLVE_PROXY, 0, 0));
    assert_true(rest_failed_before_sending(CURLE_SSL_CONNECT_ERROR, 0, 0));
    assert_true(rest_failed_before_sending(CURLE_OPERATION_TIMEDOUT, 0, 0)); /* connecting */
    assert_false(rest_failed_before_sending(CURLE_OPERATION_TIMEDOUT, 250, 1200));
    assert_false(rest_failed_before_sending(CURLE_OPERATION_TIMEDOUT, 250, 0));
    assert_false(rest_failed_before_sending(CURLE_OPERATION_TIMEDOUT, 0, 1200));
    assert_false(rest_failed_before_sending(CURLE_GOT_NOTHING, 250, 1200));
    assert_false(rest_failed_before_sending(CURLE_RECV_ERROR, 250, 1200));
    assert_false(rest_failed_before_sending(CURLE_SEND_ERROR, 100, 0));
    assert_false(rest_failed_before_sending(CURLE_WEIRD_SERVER_REPLY, 250, 1200));
    assert_false(rest_failed_before_sending(CURLE_OK, 0, 0));
}

/* ---- Error answers ------------------------------------------------------------------------ */

static int answer(long status, const char *body, int attempts, struct rest_reply *reply,
                  struct hl_err *err)
{
    memset(reply, 0, sizeof(*reply));
    return rest_answer_error(status, body, strlen(body), attempts, reply, err);
}

static void twilio_error_json_becomes_a_sentence(void **state)
{
    struct rest_reply r;
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(answer(400,
                            "{\"code\": 21211, \"message\": \"The 'To' number +1555 is not a "
                            "valid phone number.\", \"more_info\": "
                            "\"https://www.twilio.com/docs/errors/21211\", \"status\": 400}",
                            1, &r, &err),
                     HL_EREMOTE);
    assert_string_equal(err.msg, "Twilio refused the request (HTTP 400, code 21211): The 'To' "
                                 "number +1555 is not a valid phone number. "
                                 "(https://www.twilio.com/docs/errors/21211)");
    assert_int_equal(r.twilio_code, 21211);
    assert_string_equal(r.more_info, "https://www.twilio.com/docs/errors/21211");
    assert_int_equal(answer(404, "{\"code\": 20404, \"message\": \"Not found\"}", 1, &r, &err),
                     HL_ENOTFOUND);
    assert_string_equal(err.msg, "Twilio has no such resource (HTTP 404, code 20404): Not found");
    assert_int_equal(answer(401,
                            "{\"code\": \"20003\", \"message\": \"Authenticate\", \"detail\": "
                            "\"Your AccountSid or AuthToken was incorrect.\"}",
                            1, &r, &err),
                     HL_EREMOTE);
    assert_string_equal(err.msg, "Twilio refused the request (HTTP 401, code 20003): "
                                 "Authenticate: Your AccountSid or AuthToken was incorrect.");
}

static void odd_error_answers_still_explain(void **state)
{
    struct rest_reply r;
    struct hl_err err = {0};

    (void)state;
    answer(429, "{\"code\": 20429, \"message\": \"Too Many Requests\"}", 4, &r, &err);
    assert_string_equal(err.msg, "Twilio refused the request (HTTP 429, code 20429): Too Many "
                                 "Requests Gave up after 4 attempts.");
    answer(500, "{\"message\": \"Internal\\nerror\"}", 1, &r, &err);
    assert_string_equal(err.msg, "Twilio failed to handle the request (HTTP 500): Internal error "
                                 "It was not repeated.");
    assert_int_equal(r.twilio_code, 0);
    assert_int_equal(answer(502, "<html>\r\nBad gateway</html>", 1, &r, &err), HL_EREMOTE);
    assert_string_equal(err.msg, "Twilio failed to handle the request (HTTP 502) with an answer "
                                 "that is not Twilio's error JSON: \"<html>??Bad gateway</html>\"."
                                 " It was not repeated.");
    answer(403, "", 1, &r, &err);
    assert_string_equal(err.msg, "Twilio refused the request (HTTP 403) with an empty answer.");
    answer(400, "[1, 2]", 1, &r, &err);
    assert_non_null(strstr(err.msg, "not Twilio's error JSON: \"[1, 2]\""));
}

static void secrets_are_scrubbed_from_messages(void **state)
{
    struct hl_err err = {0};

    (void)state;
    hl_err_set(&err, HL_EREMOTE, "echo " PASSWORD " and " PASSWORD);
    assert_int_equal(rest_finish(client, HL_EREMOTE, &err), HL_EREMOTE);
    assert_null(strstr(err.msg, PASSWORD));
    assert_non_null(strstr(err.msg, "echo ***"));
}

/* ---- Parsing answers ---------------------------------------------------------------------- */

static int parse_call(const char *json, struct rest_call *out)
{
    return rest_parse_call(json, strlen(json), out);
}

static int parse_message(const char *json, struct rest_message *out)
{
    return rest_parse_message(json, strlen(json), out);
}

static void answers_fill_the_result_structs(void **state)
{
    struct rest_call call;
    struct rest_message msg;
    struct rest_recording rec;
    const char *rec_json = "{\"sid\": \"RE1\", \"channels\": 2, \"duration\": \"x\"}";

    (void)state;
    assert_int_equal(parse_call("{\"sid\": \"" CALL_SID "\", \"status\": \"queued\", "
                                "\"duration\": \"15\", \"to\": null}",
                                &call),
                     HL_OK);
    assert_string_equal(call.sid, CALL_SID);
    assert_string_equal(call.status, "queued");
    assert_string_equal(call.to, "");
    assert_int_equal(call.duration_s, 15);
    assert_int_equal(parse_call("{\"sid\": \"CA1\", \"duration\": null}", &call), HL_OK);
    assert_int_equal(call.duration_s, -1);
    assert_int_equal(parse_call("{\"status\": \"queued\"}", &call), HL_EINVAL);
    assert_int_equal(parse_call("<html>", &call), HL_EINVAL);
    assert_int_equal(parse_message("{\"sid\": \"SM1\", \"num_segments\": \"2\", "
                                   "\"error_code\": 30007}",
                                   &msg),
                     HL_OK);
    assert_int_equal(msg.num_segments, 2);
    assert_int_equal(msg.error_code, 30007);
    assert_int_equal(parse_message("{\"sid\": \"SM1\", \"error_code\": null}", &msg), HL_OK);
    assert_int_equal(msg.num_segments, -1);
    assert_int_equal(msg.error_code, 0);
    assert_int_equal(rest_parse_recording(rec_json, strlen(rec_json), &rec), HL_OK);
    assert_int_equal(rec.channels, 2);
    assert_int_equal(rec.duration_s, -1);
}

static void long_values_are_cut_at_a_character(void **state)
{
    char dst[4];
    char *long_from = repeat("\xc3\xa9", 100), json[512];
    struct rest_call call;

    (void)state;
    rest_copy_text(dst, sizeof(dst), "\xc3\xa9\xc3\xa9");
    assert_string_equal(dst, "\xc3\xa9");
    rest_copy_text(dst, sizeof(dst), "abcdef");
    assert_string_equal(dst, "abc");
    rest_copy_text(dst, sizeof(dst), NULL);
    assert_string_equal(dst, "");
    snprintf(json, sizeof(json), "{\"sid\": \"CA1\", \"from\": \"%s\"}", long_from);
    assert_int_equal(rest_parse_call(json, strlen(json), &call), HL_OK);
    assert_int_equal(strlen(call.from), 62);
    assert_int_equal(rest_utf8_chars(call.from, strlen(call.from)), 31);
    free(long_from);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(call_create_checks_its_parameters),
        cmocka_unit_test(call_update_checks_its_parameters),
        cmocka_unit_test(sids_in_paths_are_checked),
        cmocka_unit_test(message_body_counts_characters_not_bytes),
        cmocka_unit_test(message_checks_senders_and_media),
        cmocka_unit_test(client_options_are_checked),
        cmocka_unit_test(download_urls_stay_on_the_api_origin),
        cmocka_unit_test(form_encoding_escapes_everything_but_unreserved),
        cmocka_unit_test(utf8_counting),
        cmocka_unit_test(backoff_bounds),
        cmocka_unit_test(failures_before_sending_are_told_apart),
        cmocka_unit_test(twilio_error_json_becomes_a_sentence),
        cmocka_unit_test(odd_error_answers_still_explain),
        cmocka_unit_test(secrets_are_scrubbed_from_messages),
        cmocka_unit_test(answers_fill_the_result_structs),
        cmocka_unit_test(long_values_are_cut_at_a_character),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
