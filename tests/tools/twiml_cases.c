/*
 * twiml_cases.c — build TwiML documents described in a JSON file with
 * hotline's builder (src/twilio/twiml.c) and print what it renders, so that
 * tests/sdk/test_twiml_sdk.py can compare them with what twilio-node builds
 * from the same file (tests/sdk/twiml_build.js).
 *
 * usage: twiml_cases CASES.json
 *
 * CASES.json is an array of {"kind": "voice" | "messaging", "verbs": [VERB...]}
 * where VERB is {"verb": "Say", "text": "...", "attrs": {...}, "children": [VERB...]}.
 * Attribute values are strings, integers, booleans ("true"/"false"), arrays
 * (joined with spaces, as twilio-node joins them) or null (left out). Two
 * extensions reach bytes JSON cannot carry, for inputs only this builder is
 * asked about: "text_hex" instead of "text", and {"hex": "..."} as a value.
 *
 * Output: a JSON array with, for each case, the rendered document as a string
 * or {"error": "message"}. Exit status 2 when the file cannot be read.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/hl.h"
#include "twilio/twiml.h"

#include "core/banned.h"

/* What building one case needs; err holds problems with the case itself. */
struct build {
    struct arena *arena;
    struct twiml *doc;
    struct hl_err *err;
};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode the hex string in json into bytes in the arena. */
static int hex_decode(struct build *b, const json_t *json, const char **out, size_t *len)
{
    const char *hex = json_string_value(json);
    size_t n, i;
    char *bytes;

    if (!hex || strlen(hex) % 2)
        return hl_err_set(b->err, HL_EINVAL, "hex value is not an even-length string");
    n = strlen(hex);
    bytes = arena_alloc(b->arena, n / 2 + 1);
    if (!bytes)
        return hl_err_set(b->err, HL_ETOOLARGE, "hex value too large");
    for (i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return hl_err_set(b->err, HL_EINVAL, "bad hex digit in \"%s\"", hex);
        bytes[i] = (char)(hi << 4 | lo);
    }
    *out = bytes;
    *len = n / 2;
    return HL_OK;
}

/* Append one array element the way JavaScript's String() would write it. */
static int join_item(struct build *b, struct buf *joined, const json_t *item)
{
    if (json_is_string(item))
        return buf_add(joined, json_string_value(item), json_string_length(item));
    if (json_is_integer(item))
        return buf_addf(joined, "%lld", (long long)json_integer_value(item));
    if (json_is_boolean(item))
        return buf_adds(joined, json_is_true(item) ? "true" : "false");
    return hl_err_set(b->err, HL_EINVAL, "unsupported array element in an attribute");
}

/* An array value: the elements joined with single spaces, as twilio-node does. */
static int set_joined_attr(struct build *b, struct twiml_node *node, const char *name,
                           const json_t *array)
{
    struct buf joined = BUF_INIT(1 << 20);
    size_t i;
    int rc = HL_OK;

    for (i = 0; i < json_array_size(array) && rc == HL_OK; i++) {
        if (i > 0)
            rc = buf_addc(&joined, ' ');
        if (rc == HL_OK)
            rc = join_item(b, &joined, json_array_get(array, i));
    }
    if (rc == HL_OK)
        rc = twiml_attrn(b->doc, node, name, buf_str(&joined), joined.len);
    buf_release(&joined);
    return rc;
}

static int set_attr(struct build *b, struct twiml_node *node, const char *name, json_t *value)
{
    const char *bytes;
    size_t len;

    if (json_is_string(value))
        return twiml_attrn(b->doc, node, name, json_string_value(value), json_string_length(value));
    if (json_is_integer(value))
        return twiml_attr_int(b->doc, node, name, (long)json_integer_value(value));
    if (json_is_boolean(value))
        return twiml_attr_bool(b->doc, node, name, json_is_true(value));
    if (json_is_null(value))
        return twiml_attr(b->doc, node, name, NULL);
    if (json_is_array(value))
        return set_joined_attr(b, node, name, value);
    if (!json_is_object(value))
        return hl_err_set(b->err, HL_EINVAL, "unsupported value for attribute %s", name);
    if (hex_decode(b, json_object_get(value, "hex"), &bytes, &len) != HL_OK)
        return b->err->code;
    return twiml_attrn(b->doc, node, name, bytes, len);
}

/* The verb's text: "text", the bytes of "text_hex", or none. */
static int verb_text(struct build *b, const json_t *spec, const char **text, size_t *len)
{
    const json_t *plain = json_object_get(spec, "text");
    const json_t *hex = json_object_get(spec, "text_hex");

    *text = NULL;
    *len = 0;
    if (hex)
        return hex_decode(b, hex, text, len);
    if (plain && !json_is_string(plain))
        return hl_err_set(b->err, HL_EINVAL, "\"text\" is not a string");
    if (plain) {
        *text = json_string_value(plain);
        *len = json_string_length(plain);
    }
    return HL_OK;
}

static int build_verbs(struct build *b, struct twiml_node *parent, const json_t *verbs);

/* Add one VERB object under parent, then its attributes and children. */
static int build_verb(struct build *b, struct twiml_node *parent, json_t *spec)
{
    const char *name = json_string_value(json_object_get(spec, "verb")), *key, *text;
    enum twiml_verb verb;
    struct twiml_node *node;
    json_t *value;
    size_t len;
    int rc;

    if (!name || twiml_verb_lookup(name, &verb) != HL_OK)
        return hl_err_set(b->err, HL_EINVAL, "unknown verb %s", name ? name : "(none)");
    rc = verb_text(b, spec, &text, &len);
    if (rc != HL_OK)
        return rc;
    node = twiml_addn(b->doc, parent, verb, text, len);
    if (!node)
        return HL_EINVAL; /* the document recorded why; rendering reports it */
    json_object_foreach(json_object_get(spec, "attrs"), key, value)
    {
        rc = set_attr(b, node, key, value);
        if (rc != HL_OK)
            return rc;
    }
    return build_verbs(b, node, json_object_get(spec, "children"));
}

static int build_verbs(struct build *b, struct twiml_node *parent, const json_t *verbs)
{
    size_t i;
    int rc;

    for (i = 0; i < json_array_size(verbs); i++) {
        rc = build_verb(b, parent, json_array_get(verbs, i));
        if (rc != HL_OK)
            return rc;
    }
    return HL_OK;
}

/* {"error": msg}; a message that is not valid UTF-8 is replaced by a fixed one. */
static json_t *error_entry(const char *msg)
{
    json_t *text = json_string(msg);

    if (!text)
        text = json_string("error (message is not UTF-8)");
    return json_pack("{s:o}", "error", text);
}

/* Build and render one case: the document as a JSON string, or an error entry. */
static json_t *run_case(const json_t *spec)
{
    const char *kind = json_string_value(json_object_get(spec, "kind"));
    int messaging = kind && strcmp(kind, "messaging") == 0;
    struct arena arena;
    struct buf out = BUF_INIT(1 << 20);
    struct hl_err err = {HL_OK, ""};
    struct build b = {&arena, NULL, &err};
    json_t *result;

    if (!messaging && !(kind && strcmp(kind, "voice") == 0))
        return error_entry("\"kind\" is neither \"voice\" nor \"messaging\"");
    arena_init(&arena, 16 << 20);
    b.doc = twiml_new(&arena, messaging ? TWIML_MESSAGING : TWIML_VOICE);
    if (build_verbs(&b, twiml_root(b.doc), json_object_get(spec, "verbs")) != HL_OK &&
        err.code != HL_OK)
        result = error_entry(err.msg);
    else if (twiml_render(b.doc, &out, &err) != HL_OK)
        result = error_entry(err.msg);
    else
        result = json_stringn(buf_str(&out), out.len);
    if (!result)
        result = error_entry("rendered document is not valid UTF-8");
    buf_release(&out);
    arena_release(&arena);
    return result;
}

int main(int argc, char **argv)
{
    json_error_t jerr;
    json_t *cases, *results;
    size_t i;

    if (argc != 2) {
        fputs("usage: twiml_cases CASES.json\n", stderr);
        return 2;
    }
    cases = json_load_file(argv[1], JSON_ALLOW_NUL, &jerr);
    if (!json_is_array(cases)) {
        fprintf(stderr, "twiml_cases: %s: %s (line %d)\n", argv[1],
                cases ? "not a JSON array" : jerr.text, jerr.line);
        return 2;
    }
    results = json_array();
    for (i = 0; i < json_array_size(cases); i++)
        json_array_append_new(results, run_case(json_array_get(cases, i)));
    json_dumpf(results, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(results);
    json_decref(cases);
    return 0;
}
