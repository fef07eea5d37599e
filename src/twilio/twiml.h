/*
 * twiml.h — build TwiML, the XML with which hotline answers Twilio's webhooks.
 *
 * A document is a tree of verbs (Say, Gather, Dial, Message ...) under a
 * <Response> root. Which verbs exist, where each may nest, whether it takes
 * text and which attributes it has is one table in twiml.c; the functions here
 * only consult it. The rendered bytes match what Twilio's own helper library
 * (twilio-node's VoiceResponse / MessagingResponse) produces for the same tree:
 * the XML declaration, then the elements with no whitespace between them,
 * attributes in the order they were set, empty elements self-closed.
 *
 * Memory: a document and everything in it live in the arena passed to
 * twiml_new(); there is nothing to free but the arena. Text and attribute
 * values are copied, so the caller's strings may go away after each call.
 * There is no global state: documents in different threads need no locking.
 *
 * Errors: building never stops half-way with a broken tree. A call that cannot
 * do what it was asked (a verb where it may not nest, an attribute the verb
 * does not have, the arena's ceiling reached) changes nothing, returns NULL or
 * a negative result, and the document remembers the first such error.
 * twiml_render() then refuses with that error, so a caller may build a whole
 * document without checking every call and check once at the end. Every
 * function accepts a NULL document or node left behind by an earlier failure
 * and simply fails again.
 *
 * Text: any bytes may be passed. Markup characters are escaped; bytes that
 * XML 1.0 does not allow (C0 controls other than tab, newline and carriage
 * return; U+FFFE and U+FFFF) are dropped; ill-formed UTF-8 (overlong forms,
 * surrogates, truncated sequences, code points past U+10FFFF) becomes U+FFFD.
 * Whatever the input, the output is a well-formed UTF-8 document.
 */
#ifndef HL_TWIML_H
#define HL_TWIML_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/hl.h"

/* The Content-Type a rendered document is served with. */
#define TWIML_CONTENT_TYPE "text/xml; charset=utf-8"

/*
 * Twilio refuses a TwiML response body larger than 64 kB (error 11750,
 * https://www.twilio.com/docs/api/errors/11750; TwiML overview at
 * https://www.twilio.com/docs/voice/twiml). twiml_render() fails with
 * HL_ETOOLARGE past this many bytes rather than serve a document Twilio
 * would reject, or a truncated one.
 */
#define TWIML_MAX_SIZE (64 * 1024)

/* Which root a document has: a voice call's or a message's <Response>. */
enum twiml_kind {
    TWIML_VOICE,
    TWIML_MESSAGING,
};

/* Every element the builder knows. TWIML_RESPONSE is the root; it cannot be added. */
enum twiml_verb {
    TWIML_RESPONSE,
    TWIML_SAY,
    TWIML_PLAY,
    TWIML_PAUSE,
    TWIML_GATHER,
    TWIML_RECORD,
    TWIML_DIAL,
    TWIML_NUMBER,
    TWIML_CLIENT,
    TWIML_SIP,
    TWIML_CONFERENCE,
    TWIML_QUEUE,
    TWIML_REDIRECT,
    TWIML_HANGUP,
    TWIML_REJECT,
    TWIML_CONNECT,
    TWIML_START,
    TWIML_STREAM,
    TWIML_PARAMETER,
    TWIML_MESSAGE,
    TWIML_BODY,
    TWIML_MEDIA,
    TWIML_VERB_COUNT
};

struct twiml;      /* a document */
struct twiml_node; /* one element in it */

/*
 * Start an empty document of the given kind in arena a. Returns NULL when the
 * arena's ceiling is reached (or kind is not a twiml_kind); the other
 * functions accept that NULL and fail, and twiml_render() reports it.
 */
struct twiml *twiml_new(struct arena *a, enum twiml_kind kind);

/* The <Response> element, parent of the top-level verbs. */
struct twiml_node *twiml_root(struct twiml *doc);

/*
 * Append a verb or noun as the last child of parent, with text as its content
 * (NULL or "" for none). Returns the new node, or NULL when the table does not
 * allow verb under parent (<Gather> inside <Say>, <Say> in a messaging
 * document ...), when the verb takes no text but text was given, or when the
 * arena is full; the document then records the error (HL_EINVAL or
 * HL_ETOOLARGE). Text is rendered before any children.
 */
struct twiml_node *twiml_add(struct twiml *doc, struct twiml_node *parent, enum twiml_verb verb,
                             const char *text);

/* twiml_add() with text given as len bytes, which may include NULs (they are dropped). */
struct twiml_node *twiml_addn(struct twiml *doc, struct twiml_node *parent, enum twiml_verb verb,
                              const char *text, size_t len);

/*
 * Set attribute name on node to value. Attributes render in the order they
 * were first set; setting one again replaces its value in place. A NULL value
 * sets nothing and returns HL_OK, so optional attributes need no if (as
 * twilio-node skips undefined ones); "" renders name="". Returns HL_OK,
 * HL_EINVAL (and records it) when the verb has no such attribute — names are
 * case-sensitive, as Twilio's are — or HL_ETOOLARGE when the arena is full.
 */
int twiml_attr(struct twiml *doc, struct twiml_node *node, const char *name, const char *value);

/* twiml_attr() with value given as len bytes. */
int twiml_attrn(struct twiml *doc, struct twiml_node *node, const char *name, const char *value,
                size_t len);

/* twiml_attr() with a decimal number: timeout="5", loop="0". */
int twiml_attr_int(struct twiml *doc, struct twiml_node *node, const char *name, long value);

/* twiml_attr() with "true" or "false", as twilio-node renders booleans. */
int twiml_attr_bool(struct twiml *doc, struct twiml_node *node, const char *name, int value);

/*
 * Append the document to out: the XML declaration and the <Response>
 * element. Returns HL_OK; the first error recorded while building (err says
 * which call failed and why); or HL_ETOOLARGE when the document would pass
 * TWIML_MAX_SIZE or out's own ceiling. On any error out is left exactly as
 * it was — a caller never serves half a document. err may be NULL.
 */
int twiml_render(const struct twiml *doc, struct buf *out, struct hl_err *err);

/* The element name of verb ("Say"), or NULL for a value outside the enum. */
const char *twiml_verb_name(enum twiml_verb verb);

/* The verb whose element name is name (case-sensitive); HL_ENOTFOUND if none. */
int twiml_verb_lookup(const char *name, enum twiml_verb *verb);

/*
 * Shorthands for the verbs flows use most. Each is twiml_add() plus
 * twiml_attr() calls, with the same errors; a NULL optional argument leaves
 * its attribute out. They return the new node, or NULL if any step failed.
 */

/* <Say voice=".." language="..">text</Say> under the root or a <Gather>. */
struct twiml_node *twiml_say(struct twiml *doc, struct twiml_node *parent, const char *text,
                             const char *voice, const char *language);

/* <Play>url</Play> under the root or a <Gather>. */
struct twiml_node *twiml_play(struct twiml *doc, struct twiml_node *parent, const char *url);

/* <Pause length="seconds"/>; seconds <= 0 leaves length out (Twilio's default is 1). */
struct twiml_node *twiml_pause(struct twiml *doc, struct twiml_node *parent, long seconds);

/* <Redirect method="..">url</Redirect> at the top of either kind of document. */
struct twiml_node *twiml_redirect(struct twiml *doc, const char *url, const char *method);

/* <Hangup/> at the top of a voice document. */
struct twiml_node *twiml_hangup(struct twiml *doc);

/* <Reject reason=".."/> ("busy" or "rejected") at the top of a voice document. */
struct twiml_node *twiml_reject(struct twiml *doc, const char *reason);

/* <Message>body</Message> at the top of a messaging document. */
struct twiml_node *twiml_message(struct twiml *doc, const char *body);

#endif
