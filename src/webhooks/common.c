/*
 * common.c — small pieces every webhook handler uses.
 */
#include "webhooks/webhooks.h"

#include <errno.h>
#include <stdlib.h>

#include "twilio/twiml.h"
#include "core/banned.h"

void webhook_empty_answer(struct app_request *r)
{
    app_twiml(r, twiml_new(r->req->arena, TWIML_VOICE));
}

long long webhook_int_param(const struct form *form, const char *name)
{
    const char *v = form_get(form, name);
    char *end;
    long long n;

    if (!v || !*v)
        return STORE_NONE;
    errno = 0;
    n = strtoll(v, &end, 10);
    return (errno || *end || n < 0) ? WEBHOOK_BAD_INT : n;
}
