/*
 * media.h — GET /media/{id}: audio hotline made (TTS), for Twilio's <Play>.
 *
 * Ids are unguessable (see speech/tts.h), so the route needs no key: the
 * URL is the capability, as Twilio fetches it without credentials.
 */
#ifndef HL_MEDIA_H
#define HL_MEDIA_H

#include "app/app.h"

void media_serve(struct app_request *r);

#endif
