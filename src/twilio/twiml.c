/*
 * twiml.c — the TwiML builder: one table of verbs, a tree in an arena, and a
 * renderer that escapes and sanitizes as it writes.
 *
 * twiml_specs[] is the whole vocabulary: element name, where it may nest,
 * whether it takes text, and its attributes (names as in Twilio's TwiML
 * reference, https://www.twilio.com/docs/voice/twiml and
 * https://www.twilio.com/docs/messaging/twiml, and twilio-node 6.2.0).
 * Adding a verb or an attribute is editing one row. Text is stored as given and made safe only
 * when rendered, in one pass that escapes markup, drops characters XML 1.0
 * forbids and replaces ill-formed UTF-8.
 */
#include "twilio/twiml.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

/* Where a verb may appear: inside verb v, or at the top of either kind of document. */
#define IN(v)             (UINT32_C(1) << (v))
#define AT_VOICE_ROOT     IN(TWIML_VERB_COUNT)
#define AT_MESSAGING_ROOT IN(TWIML_VERB_COUNT + 1)

_Static_assert(TWIML_VERB_COUNT + 2 <= 32, "parent masks are 32 bits");

struct twiml_spec {
    const char *name;
    uint32_t parents;  /* IN() and AT_*_ROOT bits */
    int takes_text;    /* may have character content */
    const char *attrs; /* attribute names, separated by single spaces */
};

static const struct twiml_spec twiml_specs[TWIML_VERB_COUNT] = {
    [TWIML_RESPONSE] = {"Response", 0, 0, ""},
    [TWIML_SAY] = {"Say", AT_VOICE_ROOT | IN(TWIML_GATHER), 1, "voice language loop"},
    [TWIML_PLAY] = {"Play", AT_VOICE_ROOT | IN(TWIML_GATHER), 1, "loop digits"},
    [TWIML_PAUSE] = {"Pause", AT_VOICE_ROOT | IN(TWIML_GATHER), 0, "length"},
    [TWIML_GATHER] = {"Gather", AT_VOICE_ROOT, 0,
                      "input action method timeout speechTimeout maxSpeechTime finishOnKey "
                      "numDigits hints language speechModel enhanced profanityFilter bargeIn "
                      "actionOnEmptyResult partialResultCallback partialResultCallbackMethod "
                      "debug"},
    [TWIML_RECORD] = {"Record", AT_VOICE_ROOT, 0,
                      "action method timeout finishOnKey maxLength playBeep trim "
                      "recordingStatusCallback recordingStatusCallbackMethod "
                      "recordingStatusCallbackEvent recordingConfigurationId transcribe "
                      "transcribeCallback"},
    [TWIML_DIAL] = {"Dial", AT_VOICE_ROOT, 1,
                    "action method timeout callerId record answerOnBridge hangupOnStar "
                    "timeLimit ringTone trim sequential recordingStatusCallback "
                    "recordingStatusCallbackMethod recordingStatusCallbackEvent recordingTrack "
                    "recordingConfigurationId referUrl referMethod events passports"},
    [TWIML_NUMBER] = {"Number", IN(TWIML_DIAL), 1,
                      "url method sendDigits statusCallback statusCallbackEvent "
                      "statusCallbackMethod byoc machineDetection machineDetectionTimeout "
                      "machineDetectionSpeechThreshold machineDetectionSpeechEndThreshold "
                      "machineDetectionSilenceTimeout amdStatusCallback amdStatusCallbackMethod"},
    [TWIML_CLIENT] = {"Client", IN(TWIML_DIAL), 1,
                      "url method statusCallback statusCallbackEvent statusCallbackMethod"},
    [TWIML_SIP] = {"Sip", IN(TWIML_DIAL), 1,
                   "username password url method statusCallback statusCallbackEvent "
                   "statusCallbackMethod machineDetection machineDetectionTimeout "
                   "machineDetectionSpeechThreshold machineDetectionSpeechEndThreshold "
                   "machineDetectionSilenceTimeout amdStatusCallback amdStatusCallbackMethod"},
    [TWIML_CONFERENCE] = {"Conference", IN(TWIML_DIAL), 1,
                          "muted beep startConferenceOnEnter endConferenceOnExit waitUrl "
                          "waitMethod maxParticipants record region coach trim "
                          "participantLabel jitterBufferSize statusCallback statusCallbackEvent "
                          "statusCallbackMethod recordingStatusCallback "
                          "recordingStatusCallbackMethod recordingStatusCallbackEvent "
                          "recordingConfigurationId eventCallbackUrl"},
    [TWIML_QUEUE] = {"Queue", IN(TWIML_DIAL), 1, "url method reservationSid postWorkActivitySid"},
    [TWIML_REDIRECT] = {"Redirect", AT_VOICE_ROOT | AT_MESSAGING_ROOT, 1, "method"},
    [TWIML_HANGUP] = {"Hangup", AT_VOICE_ROOT, 0, ""},
    [TWIML_REJECT] = {"Reject", AT_VOICE_ROOT, 0, "reason"},
    [TWIML_CONNECT] = {"Connect", AT_VOICE_ROOT, 0, "action method"},
    [TWIML_START] = {"Start", AT_VOICE_ROOT, 0, "action method"},
    [TWIML_STREAM] = {"Stream", IN(TWIML_CONNECT) | IN(TWIML_START), 0,
                      "url name track statusCallback statusCallbackMethod connectorName "
                      "audioFormat sampleRate"},
    [TWIML_PARAMETER] = {"Parameter", IN(TWIML_STREAM), 0, "name value"},
    [TWIML_MESSAGE] = {"Message", AT_MESSAGING_ROOT, 1, "to from action method statusCallback"},
    [TWIML_BODY] = {"Body", IN(TWIML_MESSAGE), 1, ""},
    [TWIML_MEDIA] = {"Media", IN(TWIML_MESSAGE), 1, ""},
};

struct twiml_attr {
    struct twiml_attr *next;
    const char *name; /* points into the table's list; name_len bytes */
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct twiml_node {
    enum twiml_verb verb;
    const char *text;
    size_t text_len;
    struct twiml_attr *attrs, *last_attr;
    struct twiml_node *children, *last_child;
    struct twiml_node *next;
};

struct twiml {
    struct arena *arena;
    enum twiml_kind kind;
    struct twiml_node root;
    struct hl_err err; /* the first error; err.code is HL_OK while there is none */
};

/* Record the first build error; later ones are consequences and are not kept. */
static int twiml_fail(struct twiml *doc, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int twiml_fail(struct twiml *doc, int rc, const char *fmt, ...)
{
    va_list ap;

    if (doc->err.code != HL_OK)
        return rc;
    doc->err.code = rc;
    va_start(ap, fmt);
    vsnprintf(doc->err.msg, sizeof(doc->err.msg), fmt, ap);
    va_end(ap);
    return rc;
}

struct twiml *twiml_new(struct arena *a, enum twiml_kind kind)
{
    struct twiml *doc;

    if (kind != TWIML_VOICE && kind != TWIML_MESSAGING)
        return NULL;
    doc = arena_zalloc(a, sizeof(*doc));
    if (!doc)
        return NULL;
    doc->arena = a;
    doc->kind = kind;
    doc->root.verb = TWIML_RESPONSE;
    return doc;
}

struct twiml_node *twiml_root(struct twiml *doc)
{
    return doc ? &doc->root : NULL;
}

const char *twiml_verb_name(enum twiml_verb verb)
{
    if ((unsigned)verb >= TWIML_VERB_COUNT)
        return NULL;
    return twiml_specs[verb].name;
}

int twiml_verb_lookup(const char *name, enum twiml_verb *verb)
{
    size_t i;

    for (i = 0; i < TWIML_VERB_COUNT; i++) {
        if (strcmp(twiml_specs[i].name, name) == 0) {
            *verb = (enum twiml_verb)i;
            return HL_OK;
        }
    }
    return HL_ENOTFOUND;
}

/* The parent-mask bit that stands for "a child of parent". */
static uint32_t twiml_place(const struct twiml *doc, const struct twiml_node *parent)
{
    if (parent != &doc->root)
        return IN(parent->verb);
    return doc->kind == TWIML_VOICE ? AT_VOICE_ROOT : AT_MESSAGING_ROOT;
}

/* The name of what parent stands for in messages: an element or a kind of document. */
static const char *twiml_place_name(const struct twiml *doc, const struct twiml_node *parent)
{
    if (parent != &doc->root)
        return twiml_specs[parent->verb].name;
    return doc->kind == TWIML_VOICE ? "voice Response" : "messaging Response";
}

/* HL_OK when a verb with len bytes of text may go under parent; else the recorded error. */
static int twiml_check_add(struct twiml *doc, const struct twiml_node *parent, enum twiml_verb verb,
                           size_t len)
{
    if ((unsigned)verb >= TWIML_VERB_COUNT || verb == TWIML_RESPONSE)
        return twiml_fail(doc, HL_EINVAL, "cannot add TwiML element number %d", (int)verb);
    if (!parent)
        return twiml_fail(doc, HL_EINVAL, "<%s> added to a NULL parent", twiml_specs[verb].name);
    if (!(twiml_specs[verb].parents & twiml_place(doc, parent)))
        return twiml_fail(doc, HL_EINVAL, "<%s> may not appear in <%s>", twiml_specs[verb].name,
                          twiml_place_name(doc, parent));
    if (len && !twiml_specs[verb].takes_text)
        return twiml_fail(doc, HL_EINVAL, "<%s> takes no text", twiml_specs[verb].name);
    return HL_OK;
}

struct twiml_node *twiml_addn(struct twiml *doc, struct twiml_node *parent, enum twiml_verb verb,
                              const char *text, size_t len)
{
    struct twiml_node *node;

    if (!doc || twiml_check_add(doc, parent, verb, text ? len : 0) != HL_OK)
        return NULL;
    node = arena_zalloc(doc->arena, sizeof(*node));
    if (node && text && len)
        node->text = arena_strndup(doc->arena, text, len);
    if (!node || (text && len && !node->text)) {
        twiml_fail(doc, HL_ETOOLARGE, "arena full adding <%s>", twiml_specs[verb].name);
        return NULL;
    }
    node->verb = verb;
    node->text_len = node->text ? len : 0;
    if (parent->last_child)
        parent->last_child->next = node;
    else
        parent->children = node;
    parent->last_child = node;
    return node;
}

struct twiml_node *twiml_add(struct twiml *doc, struct twiml_node *parent, enum twiml_verb verb,
                             const char *text)
{
    return twiml_addn(doc, parent, verb, text, text ? strlen(text) : 0);
}

/* Where name stands as a whole word in verb's attribute list, or NULL if the verb has no such. */
static const char *twiml_attr_name(enum twiml_verb verb, const char *name, size_t len)
{
    const char *p = twiml_specs[verb].attrs;

    if (len == 0 || memchr(name, ' ', len))
        return NULL;
    while (p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, name, len) == 0 && (p[len] == ' ' || p[len] == '\0'))
            return *p ? p : NULL;
        p = strchr(p, ' ');
    }
    return NULL;
}

static struct twiml_attr *twiml_find_attr(struct twiml_node *node, const char *name)
{
    struct twiml_attr *at;

    for (at = node->attrs; at; at = at->next)
        if (at->name == name)
            return at;
    return NULL;
}

/* A new, empty attribute at the end of node's list; NULL when the arena is full. */
static struct twiml_attr *twiml_append_attr(struct twiml *doc, struct twiml_node *node,
                                            const char *name, size_t name_len)
{
    struct twiml_attr *at = arena_zalloc(doc->arena, sizeof(*at));

    if (!at)
        return NULL;
    at->name = name;
    at->name_len = name_len;
    if (node->last_attr)
        node->last_attr->next = at;
    else
        node->attrs = at;
    node->last_attr = at;
    return at;
}

int twiml_attrn(struct twiml *doc, struct twiml_node *node, const char *name, const char *value,
                size_t len)
{
    size_t name_len = strlen(name);
    const char *known;
    struct twiml_attr *at;
    char *copy;

    if (!doc)
        return HL_ETOOLARGE;
    if (!node)
        return twiml_fail(doc, HL_EINVAL, "attribute %.64s set on a NULL node", name);
    known = twiml_attr_name(node->verb, name, name_len);
    if (!known)
        return twiml_fail(doc, HL_EINVAL, "<%s> has no attribute \"%.64s\"",
                          twiml_specs[node->verb].name, name);
    if (!value)
        return HL_OK;
    copy = arena_strndup(doc->arena, value, len);
    at = copy ? twiml_find_attr(node, known) : NULL;
    if (copy && !at)
        at = twiml_append_attr(doc, node, known, name_len);
    if (!at)
        return twiml_fail(doc, HL_ETOOLARGE, "arena full setting %s", name);
    at->value = copy;
    at->value_len = len;
    return HL_OK;
}

int twiml_attr(struct twiml *doc, struct twiml_node *node, const char *name, const char *value)
{
    return twiml_attrn(doc, node, name, value, value ? strlen(value) : 0);
}

int twiml_attr_int(struct twiml *doc, struct twiml_node *node, const char *name, long value)
{
    char digits[24], *p = digits + sizeof(digits);
    unsigned long magnitude = value < 0 ? 0ul - (unsigned long)value : (unsigned long)value;

    do { /* "%ld" without printf: rendering is on every webhook's path */
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0)
        *--p = '-';
    return twiml_attrn(doc, node, name, p, (size_t)(digits + sizeof(digits) - p));
}

int twiml_attr_bool(struct twiml *doc, struct twiml_node *node, const char *name, int value)
{
    return twiml_attr(doc, node, name, value ? "true" : "false");
}

/*
 * Rendering. The writer appends to the caller's buffer and stops at the first
 * failure; twiml_render() then cuts the buffer back to where it started.
 */
struct twiml_writer {
    struct buf *out;
    size_t start;  /* out->len before rendering */
    int rc;        /* HL_OK until something fails */
    int over_size; /* the failure was TWIML_MAX_SIZE, not out's own ceiling */
};

static void emit(struct twiml_writer *w, const char *p, size_t n)
{
    if (w->rc != HL_OK || n == 0)
        return;
    if (n > TWIML_MAX_SIZE - (w->out->len - w->start)) {
        w->rc = HL_ETOOLARGE;
        w->over_size = 1;
        return;
    }
    w->rc = buf_add(w->out, p, n);
}

static void emits(struct twiml_writer *w, const char *s)
{
    emit(w, s, strlen(s));
}

/*
 * Length of the well-formed UTF-8 sequence at s, or 0 if it is ill-formed, in
 * which case *bad is the length of its "maximal subpart" (the bytes that still
 * looked like a valid start), which becomes one U+FFFD. Those are the byte
 * ranges of Unicode's table 3-7 and the replacement practice of the WHATWG
 * Encoding Standard; Python's decode(errors="replace") does the same.
 */
static size_t utf8_sequence(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] < 0xC2 || s[0] > 0xF4) {
        *bad = 1;
        return 0;
    }
    need = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    if (s[0] == 0xE0)
        lo = 0xA0; /* shorter forms are overlong */
    else if (s[0] == 0xED)
        hi = 0x9F; /* U+D800..U+DFFF are surrogates */
    else if (s[0] == 0xF0)
        lo = 0x90; /* overlong */
    else if (s[0] == 0xF4)
        hi = 0x8F; /* past U+10FFFF */
    for (i = 1; i < need; i++, lo = 0x80, hi = 0xBF) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
    }
    return need;
}

/*
 * What to write instead of the single byte c: NULL to keep it. In attribute
 * values tab, newline and carriage return are written as references, since a
 * parser turns them into spaces otherwise; in text only carriage return is,
 * since a parser turns "\r\n" into "\n". That is also what twilio-node writes.
 */
static const char *xml_ascii_replacement(unsigned char c, int in_attr)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '\r':
        return "&#xD;";
    case '"':
        return in_attr ? "&quot;" : NULL;
    case '\t':
        return in_attr ? "&#x9;" : NULL;
    case '\n':
        return in_attr ? "&#xA;" : NULL;
    default:
        return c < 0x20 ? "" : NULL; /* other C0 controls are not XML 1.0 characters */
    }
}

/* What to write instead of the n-byte sequence at s (n == 0: ill-formed), or NULL to keep it. */
static const char *xml_replacement(const unsigned char *s, size_t n, int in_attr)
{
    if (n == 0)
        return "\xEF\xBF\xBD"; /* U+FFFD */
    if (n == 1)
        return xml_ascii_replacement(s[0], in_attr);
    if (n == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE)
        return ""; /* U+FFFE and U+FFFF are not XML 1.0 characters */
    return NULL;
}

/* Write len bytes of text escaped and sanitized, copying untouched runs in one piece. */
static void emit_escaped(struct twiml_writer *w, const char *text, size_t len, int in_attr)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, run = 0;

    while (i < len) {
        size_t bad = 0, n = utf8_sequence(s + i, len - i, &bad);
        const char *rep = xml_replacement(s + i, n, in_attr);

        if (rep) {
            emit(w, text + run, i - run);
            emits(w, rep);
        }
        i += n ? n : bad;
        if (rep)
            run = i;
    }
    emit(w, text + run, len - run);
}

/* Write node and its subtree; the table keeps the depth to 4 (Response > Start > Stream > ...). */
static void emit_node(struct twiml_writer *w, const struct twiml_node *node)
{
    const char *name = twiml_specs[node->verb].name;
    const struct twiml_attr *at;
    const struct twiml_node *child;

    emits(w, "<");
    emits(w, name);
    for (at = node->attrs; at; at = at->next) {
        emits(w, " ");
        emit(w, at->name, at->name_len);
        emits(w, "=\"");
        emit_escaped(w, at->value, at->value_len, 1);
        emits(w, "\"");
    }
    if (!node->text_len && !node->children) {
        emits(w, "/>");
        return;
    }
    emits(w, ">");
    if (node->text)
        emit_escaped(w, node->text, node->text_len, 0);
    for (child = node->children; child; child = child->next)
        emit_node(w, child);
    emits(w, "</");
    emits(w, name);
    emits(w, ">");
}

int twiml_render(const struct twiml *doc, struct buf *out, struct hl_err *err)
{
    struct twiml_writer w = {out, out->len, HL_OK, 0};

    if (!doc)
        return hl_err_set(err, HL_ETOOLARGE, "TwiML: arena full creating the document");
    if (doc->err.code != HL_OK)
        return hl_err_set(err, doc->err.code, "TwiML: %s", doc->err.msg);
    emits(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    emit_node(&w, &doc->root);
    if (w.rc == HL_OK)
        return HL_OK;
    out->len = w.start;
    if (out->ptr)
        out->ptr[out->len] = '\0';
    if (w.over_size)
        return hl_err_set(err, w.rc, "TwiML document larger than Twilio's %d-byte limit",
                          TWIML_MAX_SIZE);
    return hl_err_set(err, w.rc, "TwiML document does not fit in the output buffer");
}

/* The shorthands: twiml_add() and twiml_attr(), NULL if any of it failed. */

struct twiml_node *twiml_say(struct twiml *doc, struct twiml_node *parent, const char *text,
                             const char *voice, const char *language)
{
    struct twiml_node *say = twiml_add(doc, parent, TWIML_SAY, text);

    if (twiml_attr(doc, say, "voice", voice) != HL_OK ||
        twiml_attr(doc, say, "language", language) != HL_OK)
        return NULL;
    return say;
}

struct twiml_node *twiml_play(struct twiml *doc, struct twiml_node *parent, const char *url)
{
    return twiml_add(doc, parent, TWIML_PLAY, url);
}

struct twiml_node *twiml_pause(struct twiml *doc, struct twiml_node *parent, long seconds)
{
    struct twiml_node *pause = twiml_add(doc, parent, TWIML_PAUSE, NULL);

    if (!pause || (seconds > 0 && twiml_attr_int(doc, pause, "length", seconds) != HL_OK))
        return NULL;
    return pause;
}

struct twiml_node *twiml_redirect(struct twiml *doc, const char *url, const char *method)
{
    struct twiml_node *redirect = twiml_add(doc, twiml_root(doc), TWIML_REDIRECT, url);

    if (twiml_attr(doc, redirect, "method", method) != HL_OK)
        return NULL;
    return redirect;
}

struct twiml_node *twiml_hangup(struct twiml *doc)
{
    return twiml_add(doc, twiml_root(doc), TWIML_HANGUP, NULL);
}

struct twiml_node *twiml_reject(struct twiml *doc, const char *reason)
{
    struct twiml_node *reject = twiml_add(doc, twiml_root(doc), TWIML_REJECT, NULL);

    if (twiml_attr(doc, reject, "reason", reason) != HL_OK)
        return NULL;
    return reject;
}

struct twiml_node *twiml_message(struct twiml *doc, const char *body)
{
    return twiml_add(doc, twiml_root(doc), TWIML_MESSAGE, body);
}
