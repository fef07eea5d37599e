/*
 * sim_twiml.h — TwiML as the emulator's call driver reads it.
 *
 * The driver fetches a voice document and parses it here (expat) into a
 * small tree of verbs before executing anything, as Twilio does: a document
 * that is not well-formed XML, or whose root is not <Response>, is refused
 * with error 12100 "Document parse failure"; an element Twilio does not know,
 * or one where it may not nest (<Gather> inside <Gather>, <Number> outside
 * <Dial>, ...), with 12200 "Schema validation warning" — the call then ends
 * (https://www.twilio.com/docs/api/errors/12100, /12200). Unknown attributes
 * are ignored, as Twilio ignores them.
 *
 * Every node, attribute and text lives in the arena given to the parser:
 * nothing to free but the arena.
 */
#ifndef HL_SIM_TWIML_H
#define HL_SIM_TWIML_H

#include <stddef.h>

#include "core/arena.h"

/* Twilio's error codes for a document it cannot execute. */
#define SIM_ERR_HTTP_RETRIEVAL 11200 /* the URL answered with an error, or not at all */
#define SIM_ERR_PARSE          12100 /* not well-formed XML, or a root other than <Response> */
#define SIM_ERR_SCHEMA         12200 /* an unknown element, or one where it may not be */
#define SIM_ERR_CONTENT_TYPE   12300 /* the answer is not XML */

enum sim_verb {
    SIM_V_RESPONSE,
    SIM_V_SAY,
    SIM_V_PLAY,
    SIM_V_PAUSE,
    SIM_V_GATHER,
    SIM_V_RECORD,
    SIM_V_DIAL,
    SIM_V_NUMBER,
    SIM_V_CLIENT,
    SIM_V_SIP,
    SIM_V_CONFERENCE,
    SIM_V_QUEUE,
    SIM_V_REDIRECT,
    SIM_V_HANGUP,
    SIM_V_REJECT,
    SIM_V_ENQUEUE,
    SIM_V_LEAVE,
    SIM_V_CONNECT,
    SIM_V_START,
    SIM_V_STOP,
    SIM_V_STREAM,
    SIM_V_PARAMETER,
    SIM_V_MESSAGE,
    SIM_V_BODY,
    SIM_V_MEDIA,
    SIM_V_SSML, /* an SSML element inside <Say>: its text is spoken */
    SIM_V_COUNT
};

struct sim_twiml_node {
    enum sim_verb verb;
    const char *name;  /* the element's name as written */
    const char **attr; /* name, value, name, value, ..., NULL */
    char *text;        /* the element's text (its SSML children's included), trimmed; "" for none */
    struct sim_twiml_node *child, *next;
};

struct sim_twiml_error {
    int code; /* SIM_ERR_PARSE or SIM_ERR_SCHEMA */
    char msg[256];
};

/*
 * Parse len bytes of xml into a tree whose root is the <Response> node.
 * NULL when the document is refused, with err filled.
 */
struct sim_twiml_node *sim_twiml_parse(const char *xml, size_t len, struct arena *a,
                                       struct sim_twiml_error *err);

/* An attribute's value, or NULL when the node does not have it. */
const char *sim_twiml_attr(const struct sim_twiml_node *node, const char *name);

/* An attribute as a number (def when absent or not a number). */
long sim_twiml_attr_long(const struct sim_twiml_node *node, const char *name, long def);

/* An attribute as "true"/"false" (def when absent). */
int sim_twiml_attr_bool(const struct sim_twiml_node *node, const char *name, int def);

/* The name of a verb ("Gather"). */
const char *sim_twiml_verb_name(enum sim_verb verb);

#endif
