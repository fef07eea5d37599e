/*
 * fuzz_twiml.c — libFuzzer target for TwiML escaping and sanitising.
 *
 * The input becomes the text of a <Say> and the value of its voice
 * attribute. Property: the rendered document contains no byte XML 1.0
 * forbids (C0 controls other than tab, newline and carriage return), no
 * raw '<' or '&' inside the text (only the markup's own), and is never
 * larger than TWIML_MAX_SIZE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "twilio/twiml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_document(const char *doc, size_t len)
{
    size_t i;

    if (len > TWIML_MAX_SIZE)
        __builtin_trap();
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)doc[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            __builtin_trap();
        if (c == '&' && !(strncmp(doc + i, "&amp;", 5) == 0 || strncmp(doc + i, "&lt;", 4) == 0 ||
                          strncmp(doc + i, "&gt;", 4) == 0 || strncmp(doc + i, "&quot;", 6) == 0 ||
                          strncmp(doc + i, "&#x", 3) == 0))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct buf out = BUF_INIT(TWIML_MAX_SIZE * 2);
    struct arena a;
    struct twiml *doc;

    memcpy(text, data, size);
    text[size] = '\0';
    arena_init(&a, 1 << 20);
    doc = twiml_new(&a, TWIML_VOICE);
    twiml_say(doc, twiml_root(doc), text, text, NULL);
    if (twiml_render(doc, &out, NULL) == HL_OK)
        check_document(buf_str(&out), out.len);
    buf_release(&out);
    arena_release(&a);
    free(text);
    return 0;
}
