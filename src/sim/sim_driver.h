/*
 * sim_driver.h — the emulator's call driver: what Twilio does with a call.
 *
 * For each call it is given, the driver moves the call through its statuses
 * (initiated, ringing, in-progress, then completed/busy/failed/no-answer,
 * each with its status callback), requests the voice URL with Twilio's
 * signed webhook, executes the TwiML that comes back (sim_twiml.h) and
 * follows actions and redirects, playing a scripted caller (sim_script.h).
 * Everything said and done goes into the call's transcript. Time is
 * simulated (a <Pause length="10"/> adds ten seconds to the call's duration
 * and takes no time); only the webhooks take real time.
 *
 * Calls run on a small pool of threads of the driver's own; a call waits
 * for its webhooks without holding any lock, while the emulator's sender
 * thread sends them. Limits: SIM_DRIVER_MAX_DOCUMENTS documents and
 * SIM_DRIVER_MAX_SECONDS of real time per call.
 */
#ifndef HL_SIM_DRIVER_H
#define HL_SIM_DRIVER_H

#include <jansson.h>

#include "core/hl.h"
#include "sim/sim_script.h"

#define SIM_DRIVER_THREADS       8
#define SIM_DRIVER_MAX_QUEUED    1000 /* calls waiting for a thread */
#define SIM_DRIVER_MAX_DOCUMENTS 50
#define SIM_DRIVER_MAX_SECONDS   60
#define SIM_DRIVER_TRANSCRIPTS   1000 /* transcripts kept (finished ones are forgotten first) */

struct sim;
struct sim_driver;

int sim_driver_new(struct sim_driver **out, struct sim *sim, struct hl_err *err);

/*
 * Stop: calls in progress stop at their next step (without sending more
 * webhooks) and the threads are joined. Call before the sender stops; the
 * sender's late answers still touch the driver, so sim_driver_free() comes
 * after the sender is gone. NULL ignored.
 */
void sim_driver_stop(struct sim_driver *d);
void sim_driver_free(struct sim_driver *d);

/*
 * Place call sid (which must be in the emulator's table): direction is
 * "inbound" (a person calls the business) or "outbound-api"; script (may be
 * NULL: no input) is moved into the driver and left empty. HL_EBUSY when
 * the queue is full or the driver is stopping.
 */
int sim_driver_place(struct sim_driver *d, const char *sid, const char *direction,
                     struct sim_script *script);

/*
 * The transcript of call sid from line after+1 on, as
 * {"lines":[{"n":..,"who":..,"text":..}],"done":..,"status":..,"error_code":..};
 * NULL when the driver has no transcript for it. A new reference.
 */
json_t *sim_driver_transcript_json(struct sim_driver *d, const char *sid, long after);

#endif
