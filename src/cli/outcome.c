/*
 * outcome.c — printing the result of `hotline call` / `hotline sms`.
 */
#include "cli/outcome.h"

#include <stdio.h>

#include "core/mask.h"
#include "core/banned.h"

static const char *hint(int rc)
{
    switch (rc) {
    case HL_EUNREACHABLE:
        return " (is `hotline serve` running, or TWILIO_API_BASE right?)";
    case HL_EUNKNOWN:
        return " (stored as \"unknown\"; not repeated, so nobody is called twice)";
    default:
        return "";
    }
}

int cli_report_send(const char *kind, int rc, const struct outbound_result *out,
                    const struct hl_err *err)
{
    char to[MASK_PHONE_MAX], from[MASK_PHONE_MAX];

    if (rc != HL_OK) {
        fprintf(stderr, "hotline: %s: %s%s\n", kind, err->msg, hint(rc));
        return rc == HL_EINVAL || rc == HL_ECONFIG ? 2 : 1;
    }
    mask_phone(out->to, to);
    mask_phone(out->from, from);
    printf("%s %s %s to %s from %s\n", kind, out->sid, out->status, to, from);
    return 0;
}
