/*
 * test_rest_sim.c — hotline's REST client against hotline's emulator, over
 * real HTTP on loopback: every operation the client has (calls, messages,
 * recording metadata, media and deletion), with both kinds of credentials,
 * and the errors the emulator answers as Twilio does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hl.h"
#include "crypto/crypto.h"
#include "http/httpd.h"
#include "sim/sim.h"
#include "twilio/rest.h"

#include "core/banned.h"

static struct {
    struct httpd *httpd;
    struct sim *sim;
    struct sim_account account;
    char base[64];
} fx;

static void handle(void *ctx, struct http_request *req, struct http_response *res)
{
    (void)ctx;
    if (!sim_handle(fx.sim, req, res))
        http_respond_text(res, 404, "not the emulator\n");
}

static void fill_account(struct sim_account *a)
{
    unsigned char bytes[16];

    assert_int_equal(crypto_random(bytes, sizeof(bytes)), HL_OK);
    memcpy(a->sid, "AC", 2);
    crypto_hex_encode(a->sid + 2, bytes, sizeof(bytes));
    memcpy(a->api_key_sid, "SK", 2);
    crypto_hex_encode(a->api_key_sid + 2, bytes, sizeof(bytes));
    snprintf(a->token, sizeof(a->token), "%s", "0123456789abcdef0123456789abcdef");
    snprintf(a->api_key_secret, sizeof(a->api_key_secret), "%s",
             "SecretSecretSecretSecretSecret12");
}

/* Calls stay where the REST API puts them: the built-in call driver is off. */
static void no_driver(void *ctx, const char *sid)
{
    (void)ctx, (void)sid;
}

static int setup(void **state)
{
    struct httpd_config hc = {"127.0.0.1", 0, 2, 64, 10, 1 << 20, 32 << 10, handle, NULL, NULL};
    struct sim_options so = {0};
    struct hl_err err = {0};

    (void)state;
    fill_account(&fx.account);
    if (httpd_start(&fx.httpd, &hc, &err) != HL_OK)
        return -1;
    snprintf(fx.base, sizeof(fx.base), "http://127.0.0.1:%d", httpd_port(fx.httpd));
    so.account = &fx.account;
    so.webhook_base = fx.base;
    so.call_created = no_driver;
    return sim_new(&fx.sim, &so, &err) == HL_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sim_free(fx.sim);
    httpd_stop(fx.httpd, 2000);
    return 0;
}

/* A client with the account's token (api_key 0) or its API key (1); wrong spoils the secret. */
static struct rest_client *client(int api_key, int wrong)
{
    struct rest_options o = {0};
    struct rest_client *c = NULL;
    struct hl_err err = {0};

    o.api_base = fx.base;
    o.account_sid = fx.account.sid;
    o.username = api_key ? fx.account.api_key_sid : fx.account.sid;
    o.password = wrong ? "not-the-secret" : api_key ? fx.account.api_key_secret : fx.account.token;
    o.timeout_ms = 5000;
    if (rest_client_new(&c, &o, &err) != HL_OK)
        fail_msg("rest_client_new: %s", err.msg);
    return c;
}

static void calls_are_created_fetched_and_canceled(void **state)
{
    struct rest_client *c = client(0, 0);
    struct rest_call_params p = {0};
    struct rest_call_update u = {0};
    struct rest_call call, again;
    struct rest_reply reply;
    struct hl_err err = {0};

    (void)state;
    p.to = "+14155550123";
    p.from = "+15005550006";
    p.url = "http://127.0.0.1:9/twilio/voice";
    p.status_callback_events = REST_CALL_INITIATED | REST_CALL_COMPLETED;
    p.status_callback = "http://127.0.0.1:9/twilio/status";
    assert_int_equal(rest_call_create(c, &p, &call, &reply, &err), HL_OK);
    assert_int_equal(reply.http_status, 201);
    assert_int_equal(strlen(call.sid), 34);
    assert_memory_equal(call.sid, "CA", 2);
    assert_string_equal(call.status, "queued");
    assert_string_equal(call.to, "+14155550123");
    assert_string_equal(call.direction, "outbound-api");
    assert_int_equal(rest_call_fetch(c, call.sid, &again, &reply, &err), HL_OK);
    assert_string_equal(again.sid, call.sid);
    u.status = "canceled";
    assert_int_equal(rest_call_update(c, call.sid, &u, &again, &reply, &err), HL_OK);
    assert_string_equal(again.status, "canceled");
    assert_int_equal(rest_call_fetch(c, "CA00000000000000000000000000000000", &again, &reply, &err),
                     HL_ENOTFOUND);
    assert_int_equal(reply.twilio_code, 20404);
    rest_client_free(c);
}

static void messages_are_created_with_the_api_key(void **state)
{
    struct rest_client *c = client(1, 0);
    const char *media[] = {"https://example.com/a.jpg"};
    struct rest_message_params p = {0};
    struct rest_message msg;
    struct rest_reply reply;
    struct hl_err err = {0};

    (void)state;
    p.to = "whatsapp:+14155550123";
    p.from = "whatsapp:+15005550006";
    p.body = "Hello from the REST client";
    p.media_urls = media;
    p.media_count = 1;
    assert_int_equal(rest_message_create(c, &p, &msg, &reply, &err), HL_OK);
    assert_memory_equal(msg.sid, "SM", 2);
    assert_string_equal(msg.status, "queued");
    assert_string_equal(msg.to, "whatsapp:+14155550123");
    p.to = "+1555";
    p.from = "+15005550006";
    p.media_count = 0;
    assert_int_equal(rest_message_create(c, &p, &msg, &reply, &err), HL_EREMOTE);
    assert_int_equal(reply.http_status, 400);
    assert_int_equal(reply.twilio_code, 21211);
    assert_non_null(strstr(err.msg, "21211"));
    rest_client_free(c);
}

struct listed {
    char bodies[8][64];
    char to[8][80];
    int n, stop_after;
};

static int list_one(void *ctx, const struct rest_message *m, const char *body)
{
    struct listed *l = ctx;

    snprintf(l->bodies[l->n], sizeof(l->bodies[0]), "%s", body ? body : "(null)");
    snprintf(l->to[l->n], sizeof(l->to[0]), "%s", m->to);
    l->n++;
    return l->n == l->stop_after || l->n == 8;
}

static void messages_are_listed_newest_first_by_to_across_pages(void **state)
{
    struct rest_client *c = client(0, 0);
    struct rest_message_params p = {0};
    struct rest_message_query q = {"+14155550124", "+15005550006", 2, 5};
    struct listed l;
    struct hl_err err = {0};
    const char *bodies[] = {"one", "two", "three"};
    size_t i;

    (void)state;
    p.from = "+15005550006";
    for (i = 0; i < 3; i++) {
        p.to = "+14155550124";
        p.body = bodies[i];
        assert_int_equal(rest_message_create(c, &p, NULL, NULL, &err), HL_OK);
        p.to = "+14155550125"; /* another recipient, filtered out */
        assert_int_equal(rest_message_create(c, &p, NULL, NULL, &err), HL_OK);
    }
    memset(&l, 0, sizeof(l));
    /* Two to a page: the third comes from next_page_uri. */
    assert_int_equal(rest_message_list(c, &q, list_one, &l, NULL, &err), HL_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.bodies[0], "three");
    assert_string_equal(l.bodies[2], "one");
    for (i = 0; i < 3; i++)
        assert_string_equal(l.to[i], "+14155550124");
    /* The walk stops when told to; one page read at most when max_pages is 1. */
    memset(&l, 0, sizeof(l));
    l.stop_after = 1;
    assert_int_equal(rest_message_list(c, &q, list_one, &l, NULL, &err), HL_OK);
    assert_int_equal(l.n, 1);
    memset(&l, 0, sizeof(l));
    q.max_pages = 1;
    assert_int_equal(rest_message_list(c, &q, list_one, &l, NULL, &err), HL_OK);
    assert_int_equal(l.n, 2);
    rest_client_free(c);
}

static void wrong_credentials_are_twilio_20003(void **state)
{
    struct rest_client *c = client(1, 1);
    struct rest_call call;
    struct rest_reply reply;
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(rest_call_fetch(c, "CA00000000000000000000000000000000", &call, &reply, &err),
                     HL_EREMOTE);
    assert_int_equal(reply.http_status, 401);
    assert_int_equal(reply.twilio_code, 20003);
    assert_null(strstr(err.msg, "not-the-secret"));
    rest_client_free(c);
}

/* A small 8 kHz 16-bit mono WAV: a header and n samples of a ramp. */
static size_t make_wav(unsigned char *out, size_t samples)
{
    static const unsigned char head[44] = {
        'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0, 0,
        1,   0,   1,   0,   0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0, 'd', 'a', 't', 'a'};
    size_t i, data = samples * 2, total = 44 + data;

    memcpy(out, head, 44);
    out[4] = (unsigned char)((total - 8) & 0xff);
    out[5] = (unsigned char)(((total - 8) >> 8) & 0xff);
    out[40] = (unsigned char)(data & 0xff);
    out[41] = (unsigned char)((data >> 8) & 0xff);
    for (i = 0; i < data; i++)
        out[44 + i] = (unsigned char)(i * 7);
    return total;
}

static void recordings_are_fetched_downloaded_and_deleted(void **state)
{
    struct rest_client *c = client(0, 0);
    struct rest_call_params p = {0};
    struct rest_call call;
    struct rest_recording rec;
    struct rest_download dl;
    struct rest_reply reply;
    struct hl_err err = {0};
    unsigned char wav[44 + 16000];
    char sid[35], url[256], path[] = "/tmp/hl-rest-sim-XXXXXX", want[65];
    size_t len = make_wav(wav, 8000);
    struct stat st;

    (void)state;
    p.to = "+14155550123";
    p.from = "+15005550006";
    p.twiml = "<Response><Say>hi</Say></Response>";
    assert_int_equal(rest_call_create(c, &p, &call, &reply, &err), HL_OK);
    assert_int_equal(sim_recording_add(fx.sim, call.sid, wav, len, 1, sid, &err), HL_OK);
    assert_int_equal(rest_recording_fetch(c, sid, &rec, &reply, &err), HL_OK);
    assert_string_equal(rec.sid, sid);
    assert_string_equal(rec.call_sid, call.sid);
    assert_string_equal(rec.status, "completed");
    assert_int_equal(rec.duration_s, 1);

    assert_non_null(mkdtemp(path));
    snprintf(url, sizeof(url), "%s/2010-04-01/Accounts/%s/Recordings/%s", fx.base, fx.account.sid,
             sid);
    {
        char file[300];
        snprintf(file, sizeof(file), "%s/rec.wav", path);
        assert_int_equal(rest_recording_download(c, url, file, &dl, &reply, &err), HL_OK);
        assert_int_equal(dl.size_bytes, (long long)len);
        crypto_sha256_hex(wav, len, want);
        assert_string_equal(dl.sha256, want);
        assert_string_equal(dl.content_type, "audio/x-wav");
        assert_int_equal(stat(file, &st), 0);
        assert_int_equal(st.st_size, (off_t)len);
        unlink(file);
    }
    rmdir(path);

    assert_int_equal(rest_recording_delete(c, sid, &reply, &err), HL_OK);
    assert_int_equal(reply.http_status, 204);
    assert_int_equal(rest_recording_fetch(c, sid, &rec, &reply, &err), HL_ENOTFOUND);
    rest_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calls_are_created_fetched_and_canceled),
        cmocka_unit_test(messages_are_created_with_the_api_key),
        cmocka_unit_test(messages_are_listed_newest_first_by_to_across_pages),
        cmocka_unit_test(wrong_credentials_are_twilio_20003),
        cmocka_unit_test(recordings_are_fetched_downloaded_and_deleted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
