/*
 * rest_json.c — Twilio's JSON answers, read with jansson.
 *
 * Success answers are copied into the fixed-size result structs of rest.h:
 * strings cut at a character boundary, a missing or null field "" or -1.
 * Twilio writes several counts as strings ("duration": "15",
 * "num_segments": "1"), so integers are accepted in either form.
 *
 * Error answers have the shape of
 * https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions:
 * {"code": 21211, "message": "...", "more_info": "https://www.twilio.com/docs/errors/21211",
 * "status": 400}; they become one sentence for a person, with the code and
 * link also kept in struct rest_reply.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twilio/rest_internal.h"
#include "core/banned.h"

/* Longest piece of a non-JSON error answer quoted in a message. */
#define SNIPPET_MAX 80

void rest_copy_text(char *dst, size_t size, const char *src)
{
    size_t n;

    if (!size)
        return;
    n = src ? strlen(src) : 0;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *str_field(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void copy_field(char *dst, size_t size, const json_t *o, const char *key)
{
    rest_copy_text(dst, size, str_field(o, key));
}

/* An integer given as a JSON number or as a string of digits; absent otherwise. */
static long long int_field(const json_t *o, const char *key, long long absent)
{
    const json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    char *end;
    long long n;

    if (json_is_integer(v))
        return json_integer_value(v);
    if (!s || !*s)
        return absent;
    n = strtoll(s, &end, 10);
    return *end ? absent : n;
}

static int int_clamped(long long v)
{
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

/* A JSON object with a string "sid", or NULL (nothing to free). */
static json_t *load_resource(const char *body, size_t len)
{
    json_t *j = json_loadb(body, len, 0, NULL);

    if (j && json_is_object(j) && str_field(j, "sid"))
        return j;
    json_decref(j);
    return NULL;
}

int rest_parse_call(const char *body, size_t len, struct rest_call *out)
{
    json_t *j = load_resource(body, len);

    if (!j)
        return HL_EINVAL;
    copy_field(out->sid, sizeof(out->sid), j, "sid");
    copy_field(out->status, sizeof(out->status), j, "status");
    copy_field(out->direction, sizeof(out->direction), j, "direction");
    copy_field(out->from, sizeof(out->from), j, "from");
    copy_field(out->to, sizeof(out->to), j, "to");
    copy_field(out->date_created, sizeof(out->date_created), j, "date_created");
    out->duration_s = int_field(j, "duration", -1);
    json_decref(j);
    return HL_OK;
}

static void message_fields(const json_t *j, struct rest_message *out)
{
    copy_field(out->sid, sizeof(out->sid), j, "sid");
    copy_field(out->status, sizeof(out->status), j, "status");
    copy_field(out->direction, sizeof(out->direction), j, "direction");
    copy_field(out->from, sizeof(out->from), j, "from");
    copy_field(out->to, sizeof(out->to), j, "to");
    copy_field(out->date_created, sizeof(out->date_created), j, "date_created");
    out->num_segments = int_clamped(int_field(j, "num_segments", -1));
    out->error_code = int_clamped(int_field(j, "error_code", 0));
}

int rest_parse_message(const char *body, size_t len, struct rest_message *out)
{
    json_t *j = load_resource(body, len);

    if (!j)
        return HL_EINVAL;
    message_fields(j, out);
    json_decref(j);
    return HL_OK;
}

/* "Messages.json?..." from "/2010-04-01/Accounts/AC.../Messages.json?..." */
static void next_resource(const json_t *page, char *next, size_t size)
{
    const char *uri = str_field(page, "next_page_uri"),
               *at = uri ? strstr(uri, "/Accounts/") : NULL;

    next[0] = '\0';
    if (at && (at = strchr(at + 10, '/')) && strlen(at + 1) < size)
        snprintf(next, size, "%s", at + 1);
}

int rest_parse_message_page(const char *body, size_t len,
                            int (*each)(void *ctx, const struct rest_message *m, const char *body),
                            void *ctx, int *stopped, char *next, size_t next_size)
{
    json_t *page = json_loadb(body, len, 0, NULL);
    json_t *list = json_object_get(page, "messages"), *item;
    size_t i;

    *stopped = 0;
    if (!json_is_array(list)) {
        json_decref(page);
        return HL_EINVAL;
    }
    json_array_foreach(list, i, item)
    {
        struct rest_message m;
        memset(&m, 0, sizeof(m));
        if (!json_is_object(item) || !str_field(item, "sid"))
            continue;
        message_fields(item, &m);
        if ((*stopped = each(ctx, &m, str_field(item, "body"))) != 0)
            break;
    }
    next_resource(page, next, next_size);
    json_decref(page);
    return HL_OK;
}

int rest_parse_recording(const char *body, size_t len, struct rest_recording *out)
{
    json_t *j = load_resource(body, len);

    if (!j)
        return HL_EINVAL;
    copy_field(out->sid, sizeof(out->sid), j, "sid");
    copy_field(out->call_sid, sizeof(out->call_sid), j, "call_sid");
    copy_field(out->status, sizeof(out->status), j, "status");
    copy_field(out->source, sizeof(out->source), j, "source");
    copy_field(out->date_created, sizeof(out->date_created), j, "date_created");
    out->duration_s = int_field(j, "duration", -1);
    out->channels = int_clamped(int_field(j, "channels", -1));
    json_decref(j);
    return HL_OK;
}

int rest_bad_answer(long status, struct hl_err *err)
{
    return hl_err_set(err, HL_EUNKNOWN,
                      "Twilio's answer (HTTP %ld) is not the JSON expected; the request may have "
                      "been carried out, the outcome is unknown and it was not repeated",
                      status);
}

/* ---- Error answers ------------------------------------------------------------------------ */

/* Copy text into dst[size] with control characters as spaces (it ends up in log lines). */
static void clean_text(char *dst, size_t size, const char *text)
{
    char *p;

    rest_copy_text(dst, size, text);
    for (p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

/* The first bytes of a body that is not JSON, printable ASCII only. */
static void snippet(char *dst, size_t size, const char *body, size_t len)
{
    size_t i, n = len < size - 1 ? len : size - 1;

    for (i = 0; i < n; i++)
        dst[i] = body[i] >= 0x20 && body[i] < 0x7f ? body[i] : '?';
    dst[n] = '\0';
}

static const char *error_prefix(long status)
{
    if (status == 404)
        return "Twilio has no such resource";
    if (status >= 500)
        return "Twilio failed to handle the request";
    return "Twilio refused the request";
}

/* Twilio's "message", with its "detail" when it has one (401s say little without it). */
static int error_text(const json_t *j, char *dst, size_t size)
{
    const char *message = str_field(j, "message"), *detail = str_field(j, "detail");
    char both[512];

    if (!message || !*message)
        return 0;
    if (detail && *detail) {
        snprintf(both, sizeof(both), "%s: %s", message, detail);
        message = both;
    }
    clean_text(dst, size, message);
    return 1;
}

/* What comes after the sentence: more_info, and what happened to the request. */
static void error_tail(char *dst, size_t size, long status, int attempts, const char *more_info)
{
    char after[64] = "";

    if (status == 429)
        snprintf(after, sizeof(after), " Gave up after %d attempt%s.", attempts,
                 attempts == 1 ? "" : "s");
    else if (status >= 500)
        snprintf(after, sizeof(after), " It was not repeated.");
    snprintf(dst, size, "%s%s%s%s", *more_info ? " (" : "", more_info, *more_info ? ")" : "",
             after);
}

int rest_answer_error(long status, const char *body, size_t len, int attempts,
                      struct rest_reply *reply, struct hl_err *err)
{
    int rc = status == 404 ? HL_ENOTFOUND : HL_EREMOTE;
    json_t *j = json_loadb(body, len, 0, NULL);
    char text[256], code[32] = "", tail[256];

    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    if (j) {
        reply->twilio_code = int_clamped(int_field(j, "code", 0));
        clean_text(reply->more_info, sizeof(reply->more_info), str_field(j, "more_info"));
    }
    if (reply->twilio_code)
        snprintf(code, sizeof(code), ", code %d", reply->twilio_code);
    error_tail(tail, sizeof(tail), status, attempts, reply->more_info);
    if (j && error_text(j, text, sizeof(text)))
        hl_err_set(err, rc, "%s (HTTP %ld%s): %s%s", error_prefix(status), status, code, text,
                   tail);
    else if (len == 0)
        hl_err_set(err, rc, "%s (HTTP %ld%s) with an empty answer.%s", error_prefix(status), status,
                   code, tail);
    else {
        snippet(text, SNIPPET_MAX + 1, body, len);
        hl_err_set(err, rc,
                   "%s (HTTP %ld%s) with an answer that is not Twilio's error JSON: "
                   "\"%s\".%s",
                   error_prefix(status), status, code, text, tail);
    }
    json_decref(j);
    return rc;
}
