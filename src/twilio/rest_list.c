/*
 * rest_list.c — listing Messages, newest first, page after page
 * (https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources).
 * The pipeline reads it to learn whether a message it may have sent before a
 * crash reached Twilio (outbound.h).
 */
#include <stdio.h>
#include <string.h>

#include "twilio/rest_internal.h"
#include "core/banned.h"

enum { NEXT_MAX = 2048 };

/* "To=...&From=...&PageSize=n" */
static int first_query(const struct rest_message_query *q, struct buf *b, struct hl_err *err)
{
    char size[16];
    int rc = HL_OK;

    snprintf(size, sizeof(size), "%d",
             q->page_size > 0 && q->page_size <= 1000 ? q->page_size : 50);
    if (rc == HL_OK && q->to)
        rc = rest_form_add(b, "To", q->to);
    if (rc == HL_OK && q->from)
        rc = rest_form_add(b, "From", q->from);
    if (rc == HL_OK)
        rc = rest_form_add(b, "PageSize", size);
    return rc == HL_OK ? HL_OK : hl_err_set(err, HL_EINVAL, "message list filters: too long");
}

int rest_message_list(struct rest_client *c, const struct rest_message_query *q,
                      int (*each)(void *ctx, const struct rest_message *m, const char *body),
                      void *ctx, struct rest_reply *reply, struct hl_err *err)
{
    struct rest_reply scratch;
    struct buf first = BUF_INIT(REST_FORM_MAX);
    char next[NEXT_MAX];
    int pages = q->max_pages > 0 ? q->max_pages : 1, stopped = 0, rc;

    reply = rest_reply_start(reply, &scratch);
    rc = first_query(q, &first, err);
    if (rc == HL_OK &&
        snprintf(next, sizeof(next), "Messages.json?%s", buf_str(&first)) >= (int)sizeof(next))
        rc = hl_err_set(err, HL_EINVAL, "message list filters: too long");
    while (rc == HL_OK && next[0] && pages-- > 0 && !stopped) {
        struct rest_xfer x;
        char resource[NEXT_MAX];
        snprintf(resource, sizeof(resource), "%s", next);
        rc = rest_api(c, "GET", resource, NULL, &x, reply, err);
        if (rc == HL_OK && rest_parse_message_page(buf_str(&x.body), x.body.len, each, ctx,
                                                   &stopped, next, sizeof(next)) != HL_OK)
            rc = rest_bad_answer(x.status, err);
        rest_xfer_release(&x);
    }
    buf_release(&first);
    return rest_finish(c, rc, err);
}
