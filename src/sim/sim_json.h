/*
 * sim_json.h — the emulator's resources as Twilio's REST API shows them.
 *
 * Every field of Twilio's 2010-04-01 Call, Message and Recording resources
 * is present (null when the emulator has no value for it, as Twilio writes
 * null), with Twilio's types: counts such as num_segments and duration are
 * strings, channels is a number, dates are RFC 2822, uri is the relative
 * .json path (https://www.twilio.com/docs/voice/api/call-resource,
 * /docs/messaging/api/message-resource, /docs/voice/api/recording). The
 * field names are the ones twilio-node's CallInstance, MessageInstance and
 * RecordingInstance read.
 *
 * Called with sim->lock held; each returns a new reference.
 */
#ifndef HL_SIM_JSON_H
#define HL_SIM_JSON_H

#include <jansson.h>

#include "sim/sim_state.h"

json_t *sim_json_call(const struct sim *sim, const struct sim_call *c);
json_t *sim_json_message(const struct sim *sim, const struct sim_message *m);

/* base is this emulator's own address ("http://127.0.0.1:8080"), for media_url. */
json_t *sim_json_recording(const struct sim *sim, const struct sim_recording *rec,
                           const char *base);

/* "(415) 555-1212" for a North American number, the number itself otherwise; NULL stays NULL. */
json_t *sim_json_formatted_number(const char *number);

#endif
