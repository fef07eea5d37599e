/*
 * sim_script.h — the emulator's scripted caller and the transcript of a call.
 *
 * A script is what the person on the phone will do, in order: press digits
 * (`Digits=1`), answer a speech <Gather> (`Speech=yes`), speak into a
 * <Record> (`Say=I need an appointment`), and what a <Dial>ed party does
 * (`Dial=no-answer`). The call driver takes the next item when a verb wants
 * input of its kind; an item of another kind stays for a later verb.
 *
 * The transcript is the conversation as it happens, one line at a time, for
 * a person to read: who ("hotline", "caller" or "twilio") and what. Lines
 * are numbered from 1. Neither structure locks: the driver does.
 */
#ifndef HL_SIM_SCRIPT_H
#define HL_SIM_SCRIPT_H

#include <stddef.h>

#include "sim/sim_sid.h"

enum sim_input {
    SIM_IN_DIGITS = 1 << 0,
    SIM_IN_SPEECH = 1 << 1,
    SIM_IN_SAY = 1 << 2,
    SIM_IN_DIAL = 1 << 3,
};

/* Most items in one script, and bytes in one item. */
#define SIM_SCRIPT_MAX_ITEMS 64
#define SIM_SCRIPT_MAX_TEXT  1000

struct sim_script_item {
    enum sim_input kind;
    char *text;
};

struct sim_script {
    struct sim_script_item *items;
    size_t count, pos;
};

/*
 * Add a form parameter to the script when it is one (Digits, Speech, Say,
 * Dial): 1 when added, 0 when name is not a script parameter, -1 when the
 * script is full, or the value empty, too long or (Digits) not 0-9 * # w.
 */
int sim_script_add_param(struct sim_script *s, const char *name, const char *value);

/* Take the next item when its kind is one of kinds (a mask); NULL (and nothing taken) if not. */
const struct sim_script_item *sim_script_take(struct sim_script *s, unsigned kinds);

/* Is nothing left? */
int sim_script_done(const struct sim_script *s);

/* Free the items; s is empty afterwards. Moving a script: copy the struct, zero the source. */
void sim_script_release(struct sim_script *s);

/* ---- transcripts -------------------------------------------------------------------------- */

#define SIM_TRANSCRIPT_MAX_LINES 2000

struct sim_transcript_line {
    const char *who; /* static: "hotline", "caller", "twilio" */
    char *text;
};

struct sim_transcript {
    char sid[SIM_SID_SIZE];
    struct sim_transcript_line *lines;
    size_t count, cap;
    int done;
    char status[16];             /* the call's final status once done */
    int error_code;              /* Twilio's error code that ended the call, 0 for none */
    struct sim_transcript *next; /* the driver's list, newest first */
};

struct sim_transcript *sim_transcript_new(const char *sid);

/* Append a line (text copied, at most SIM_SCRIPT_MAX_TEXT bytes kept); past the cap, dropped. */
void sim_transcript_add(struct sim_transcript *t, const char *who, const char *text);

void sim_transcript_free(struct sim_transcript *t);

#endif
