/* speech.c — placeholder while POST /api/tts and /api/calls/{sid}/say are being written. */
#include "api/api_internal.h"

#include "core/banned.h"

void api_tts_create(struct app_request *r)
{
    app_json_error(r->res, r->req->arena, 501, "not_implemented", "Not built yet.");
}

void api_call_say(struct app_request *r)
{
    app_json_error(r->res, r->req->arena, 501, "not_implemented", "Not built yet.");
}
