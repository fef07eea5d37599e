/*
 * sim_messages.h — messages as the emulator keeps them, for the modules
 * that make them (the Messages routes and the /sim/ inbound route).
 */
#ifndef HL_SIM_MESSAGES_H
#define HL_SIM_MESSAGES_H

#include "sim/sim_state.h"

/*
 * A new message (not yet in the table): strings copied, dates now, segments
 * counted from body (one for WhatsApp). NULL when no SID could be made.
 */
struct sim_message *sim_message_new(const char *to, const char *from, const char *body,
                                    const char *direction, const char *status);

/* Free a message: one that never went into the table, or a row the table lets go. */
void sim_message_discard(struct sim_message *m);

/*
 * Start an outbound message on its way (call without sim->lock): on the
 * sender thread it becomes "sent", then "delivered", and each change is
 * reported to its StatusCallback when it has one, as Twilio reports them.
 */
void sim_message_dispatch(struct sim *sim, const char *sid);

#endif
