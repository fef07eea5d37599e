/*
 * http.c — helpers over struct http_request / http_response that do not
 * depend on the server library.
 */
#include "http.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/banned.h"

const char *http_header(const struct http_request *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

void http_defer(struct http_response *res, void (*start)(void *ctx, struct http_pending *pending),
                void *ctx)
{
    res->defer_start = start;
    res->defer_ctx = ctx;
}

void http_batch(struct http_response *res, void *item)
{
    res->batch_item = item;
}

const char *http_param(const struct http_request *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->param_count; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}

void http_respond(struct http_response *res, int status, const char *content_type, const char *body,
                  size_t len)
{
    res->status = status;
    res->content_type = content_type;
    res->body = body;
    res->body_len = len;
}

void http_respond_text(struct http_response *res, int status, const char *text)
{
    http_respond(res, status, "text/plain; charset=utf-8", text, strlen(text));
}

void http_add_header(struct http_response *res, const char *name, const char *value)
{
    if (res->header_count == HTTP_MAX_RESPONSE_HEADERS)
        return;
    res->headers[res->header_count].name = name;
    res->headers[res->header_count].value = value;
    res->header_count++;
}

int http_content_type_is(const struct http_request *req, const char *type)
{
    const char *ct = http_header(req, "Content-Type");
    size_t n = strlen(type);

    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

enum http_method http_method_from_name(const char *name)
{
    static const struct {
        const char *name;
        enum http_method method;
    } methods[] = {
        {"GET", HTTP_GET},         {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
        {"PUT", HTTP_PUT},         {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH},
        {"OPTIONS", HTTP_OPTIONS},
    };
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].name, name) == 0)
            return methods[i].method;
    return HTTP_OTHER;
}

uint64_t http_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t http_elapsed_us(const struct http_request *req)
{
    return (http_now_ns() - req->start_ns) / 1000u;
}
