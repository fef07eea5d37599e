/*
 * sim_twiml.c — the call driver's TwiML parser: expat events into a tree of
 * verbs, checked against a table of which element may sit where (Twilio's
 * voice TwiML, https://www.twilio.com/docs/voice/twiml). See sim_twiml.h.
 */
#include "sim/sim_twiml.h"

#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hl.h"
#include "core/banned.h"

enum { TWIML_MAX_DEPTH = 32 };

#define P(v)        (1u << (v))
#define SAY_PARENTS (P(SIM_V_RESPONSE) | P(SIM_V_GATHER))

/* Each element: its name and the parents it may have (0: only the root). */
static const struct {
    const char *name;
    unsigned parents;
} verbs[SIM_V_COUNT] = {
    [SIM_V_RESPONSE] = {"Response", 0},
    [SIM_V_SAY] = {"Say", SAY_PARENTS},
    [SIM_V_PLAY] = {"Play", SAY_PARENTS},
    [SIM_V_PAUSE] = {"Pause", SAY_PARENTS},
    [SIM_V_GATHER] = {"Gather", P(SIM_V_RESPONSE)},
    [SIM_V_RECORD] = {"Record", P(SIM_V_RESPONSE)},
    [SIM_V_DIAL] = {"Dial", P(SIM_V_RESPONSE)},
    [SIM_V_NUMBER] = {"Number", P(SIM_V_DIAL)},
    [SIM_V_CLIENT] = {"Client", P(SIM_V_DIAL)},
    [SIM_V_SIP] = {"Sip", P(SIM_V_DIAL)},
    [SIM_V_CONFERENCE] = {"Conference", P(SIM_V_DIAL)},
    [SIM_V_QUEUE] = {"Queue", P(SIM_V_DIAL)},
    [SIM_V_REDIRECT] = {"Redirect", P(SIM_V_RESPONSE)},
    [SIM_V_HANGUP] = {"Hangup", P(SIM_V_RESPONSE)},
    [SIM_V_REJECT] = {"Reject", P(SIM_V_RESPONSE)},
    [SIM_V_ENQUEUE] = {"Enqueue", P(SIM_V_RESPONSE)},
    [SIM_V_LEAVE] = {"Leave", P(SIM_V_RESPONSE)},
    [SIM_V_CONNECT] = {"Connect", P(SIM_V_RESPONSE)},
    [SIM_V_START] = {"Start", P(SIM_V_RESPONSE)},
    [SIM_V_STOP] = {"Stop", P(SIM_V_RESPONSE)},
    [SIM_V_STREAM] = {"Stream", P(SIM_V_CONNECT) | P(SIM_V_START) | P(SIM_V_STOP)},
    [SIM_V_PARAMETER] = {"Parameter", P(SIM_V_STREAM) | P(SIM_V_CLIENT)},
    [SIM_V_MESSAGE] = {"Message", P(SIM_V_RESPONSE)},
    [SIM_V_BODY] = {"Body", P(SIM_V_MESSAGE)},
    [SIM_V_MEDIA] = {"Media", P(SIM_V_MESSAGE)},
    [SIM_V_SSML] = {"(SSML)", P(SIM_V_SAY) | P(SIM_V_SSML)},
};

/* SSML elements Twilio accepts inside <Say> (https://www.twilio.com/docs/voice/twiml/say). */
static const char *const ssml_names[] = {"break",   "emphasis", "lang",         "p",
                                         "phoneme", "prosody",  "s",            "say-as",
                                         "sub",     "w",        "amazon:effect", "amazon:domain"};

struct parse {
    XML_Parser xp;
    struct arena *a;
    struct sim_twiml_error *err;
    struct sim_twiml_node *root;
    struct sim_twiml_node *stack[TWIML_MAX_DEPTH];
    struct sim_twiml_node *last[TWIML_MAX_DEPTH]; /* the last child of stack[i] */
    int depth;
};

const char *sim_twiml_verb_name(enum sim_verb verb)
{
    return verb < SIM_V_COUNT ? verbs[verb].name : "?";
}

/* Record the first error and stop expat. */
static void fail(struct parse *p, int code, const char *msg)
{
    if (p->err->code)
        return;
    p->err->code = code;
    snprintf(p->err->msg, sizeof(p->err->msg), "%s", msg);
    if (p->xp)
        XML_StopParser(p->xp, XML_FALSE);
}

static int verb_of(const char *name, enum sim_verb parent, enum sim_verb *out)
{
    size_t i;

    if (parent == SIM_V_SAY || parent == SIM_V_SSML) {
        for (i = 0; i < HL_ARRAY_LEN(ssml_names); i++)
            if (strcmp(name, ssml_names[i]) == 0) {
                *out = SIM_V_SSML;
                return 1;
            }
    }
    for (i = 0; i < SIM_V_SSML; i++)
        if (strcmp(name, verbs[i].name) == 0) {
            *out = (enum sim_verb)i;
            return 1;
        }
    return 0;
}

static const char **copy_attrs(struct arena *a, const char **attr)
{
    size_t n = 0, i;
    const char **out;

    while (attr[n])
        n++;
    out = arena_zalloc(a, (n + 1) * sizeof(*out));
    if (!out)
        return NULL;
    for (i = 0; i < n; i++)
        if (!(out[i] = arena_strdup(a, attr[i])))
            return NULL;
    return out;
}

static struct sim_twiml_node *node_new(struct parse *p, const char *name, enum sim_verb verb,
                                       const char **attr)
{
    struct sim_twiml_node *n = arena_zalloc(p->a, sizeof(*n));

    if (!n || !(n->name = arena_strdup(p->a, name)) || !(n->attr = copy_attrs(p->a, attr)) ||
        !(n->text = arena_strdup(p->a, ""))) {
        fail(p, SIM_ERR_PARSE, "the document is too large");
        return NULL;
    }
    n->verb = verb;
    return n;
}

/* Is verb allowed under the open element (or as the root)? Fails the parse when not. */
static int placed_well(struct parse *p, const char *name, enum sim_verb verb)
{
    enum sim_verb parent;
    char why[160];

    if (p->depth == 0) {
        snprintf(why, sizeof(why), "the root element is <%s>, not <Response>", name);
        if (verb != SIM_V_RESPONSE)
            fail(p, SIM_ERR_PARSE, why);
        return verb == SIM_V_RESPONSE;
    }
    parent = p->stack[p->depth - 1]->verb;
    if (!(verbs[verb].parents & P(parent))) {
        snprintf(why, sizeof(why), "<%s> may not be inside <%s>", name,
                 p->stack[p->depth - 1]->name);
        fail(p, SIM_ERR_SCHEMA, why);
        return 0;
    }
    return 1;
}

static void XMLCALL on_start(void *ctx, const XML_Char *name, const XML_Char **attr)
{
    struct parse *p = ctx;
    enum sim_verb verb;
    struct sim_twiml_node *n;
    char why[160];

    if (p->depth == TWIML_MAX_DEPTH) {
        fail(p, SIM_ERR_PARSE, "elements nested too deep");
        return;
    }
    if (!verb_of(name, p->depth ? p->stack[p->depth - 1]->verb : SIM_V_COUNT, &verb)) {
        snprintf(why, sizeof(why), p->depth ? "unknown element <%s>" : "the root element is <%s>, "
                                                                       "not <Response>",
                 name);
        fail(p, p->depth ? SIM_ERR_SCHEMA : SIM_ERR_PARSE, why);
        return;
    }
    if (!placed_well(p, name, verb) || !(n = node_new(p, name, verb, attr)))
        return;
    if (p->depth == 0)
        p->root = n;
    else if (p->last[p->depth - 1])
        p->last[p->depth - 1]->next = n;
    else
        p->stack[p->depth - 1]->child = n;
    if (p->depth)
        p->last[p->depth - 1] = n;
    p->stack[p->depth] = n;
    p->last[p->depth] = NULL;
    p->depth++;
}

/* Append text to the open element and, through its SSML ancestors, to their <Say>. */
static void XMLCALL on_text(void *ctx, const XML_Char *s, int len)
{
    struct parse *p = ctx;
    int i;

    for (i = p->depth - 1; i >= 0; i--) {
        struct sim_twiml_node *n = p->stack[i];
        char *joined = arena_printf(p->a, "%s%.*s", n->text, len, s);
        if (!joined) {
            fail(p, SIM_ERR_PARSE, "the document is too large");
            return;
        }
        n->text = joined;
        if (n->verb != SIM_V_SSML)
            break;
    }
}

static void XMLCALL on_end(void *ctx, const XML_Char *name)
{
    struct parse *p = ctx;

    (void)name;
    if (p->depth > 0)
        p->depth--;
}

/* Collapse blanks and trim every node's text. */
static void tidy_text(struct sim_twiml_node *n)
{
    for (; n; n = n->next) {
        char *r = n->text, *w = n->text;
        int blank = 1;
        for (; *r; r++) {
            int is_space = *r == ' ' || *r == '\t' || *r == '\n' || *r == '\r';
            if (is_space && !blank)
                *w++ = ' ';
            else if (!is_space)
                *w++ = *r;
            blank = is_space;
        }
        if (w > n->text && w[-1] == ' ')
            w--;
        *w = '\0';
        tidy_text(n->child);
    }
}

struct sim_twiml_node *sim_twiml_parse(const char *xml, size_t len, struct arena *a,
                                       struct sim_twiml_error *err)
{
    struct parse p;
    char why[200];

    memset(&p, 0, sizeof(p));
    memset(err, 0, sizeof(*err));
    p.a = a;
    p.err = err;
    if (len > (size_t)INT32_MAX || !(p.xp = XML_ParserCreate("UTF-8"))) {
        fail(&p, SIM_ERR_PARSE, "the document is too large");
        return NULL;
    }
    XML_SetUserData(p.xp, &p);
    XML_SetElementHandler(p.xp, on_start, on_end);
    XML_SetCharacterDataHandler(p.xp, on_text);
    if (XML_Parse(p.xp, xml, (int)len, XML_TRUE) == XML_STATUS_ERROR && !err->code) {
        snprintf(why, sizeof(why), "%s at line %lu", XML_ErrorString(XML_GetErrorCode(p.xp)),
                 (unsigned long)XML_GetCurrentLineNumber(p.xp));
        fail(&p, SIM_ERR_PARSE, why);
    }
    XML_ParserFree(p.xp);
    p.xp = NULL;
    if (!err->code && !p.root)
        fail(&p, SIM_ERR_PARSE, "the document is empty");
    if (err->code)
        return NULL;
    tidy_text(p.root);
    return p.root;
}

const char *sim_twiml_attr(const struct sim_twiml_node *node, const char *name)
{
    size_t i;

    for (i = 0; node->attr && node->attr[i]; i += 2)
        if (strcmp(node->attr[i], name) == 0)
            return node->attr[i + 1];
    return NULL;
}

long sim_twiml_attr_long(const struct sim_twiml_node *node, const char *name, long def)
{
    const char *v = sim_twiml_attr(node, name);
    char *end;
    long n;

    if (!v || !*v)
        return def;
    n = strtol(v, &end, 10);
    return *end ? def : n;
}

int sim_twiml_attr_bool(const struct sim_twiml_node *node, const char *name, int def)
{
    const char *v = sim_twiml_attr(node, name);

    if (!v)
        return def;
    return strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0 : def;
}
