/* media.c — placeholder while GET /media/{id} is being written. */
#include "media/media.h"

#include "core/banned.h"

void media_serve(struct app_request *r)
{
    http_respond_text(r->res, 404, "Not found.\n");
}
