/*
 * fuzz_signature.c — libFuzzer target for X-Twilio-Signature validation.
 *
 * The input is split at its first two NUL bytes into a request-target, a
 * form body and a header. Properties: sig_validate never crashes on any of
 * them; and whenever the body decodes, the signature sig_compute makes for
 * PUBLIC_BASE_URL + target over that form is accepted, while the same
 * signature with one character changed is refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/form.h"
#include "twilio/signature.h"

#define TOKEN "12345"
#define BASE  "https://example.com"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct parts {
    const char *target, *body, *header;
    size_t target_len, body_len;
};

static void split(const char *text, size_t size, struct parts *p)
{
    const char *a = memchr(text, '\0', size);
    const char *b = a ? memchr(a + 1, '\0', size - (size_t)(a + 1 - text)) : NULL;

    p->target = text;
    p->target_len = a ? (size_t)(a - text) : size;
    p->body = a ? a + 1 : "";
    p->body_len = a ? (b ? (size_t)(b - a - 1) : size - (size_t)(a + 1 - text)) : 0;
    p->header = b ? b + 1 : NULL;
}

static void check_round_trip(struct parts *p, const struct form *form, struct arena *a)
{
    char url[4096 + sizeof(BASE)], sig[SIG_BASE64_SIZE];
    struct sig_request req = {BASE, p->target, p->target_len, form, p->body, p->body_len, sig};

    if (p->target_len == 0 || p->target[0] != '/' || p->target_len > 4096 ||
        memmem(p->target, p->target_len, "bodySHA256", 10))
        return;
    memcpy(url, BASE, sizeof(BASE) - 1);
    memcpy(url + sizeof(BASE) - 1, p->target, p->target_len);
    if (sig_compute(TOKEN, url, sizeof(BASE) - 1 + p->target_len, form, a, sig, NULL) != HL_OK)
        return;
    if (sig_validate(TOKEN, &req, a, NULL) != HL_OK)
        __builtin_trap(); /* our own signature refused */
    sig[3] = sig[3] == 'A' ? 'B' : 'A';
    if (sig_validate(TOKEN, &req, a, NULL) != HL_EBADSIG)
        __builtin_trap(); /* a changed signature accepted */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct arena a;
    struct form form;
    struct parts p;

    memcpy(text, data, size);
    text[size] = '\0';
    split(text, size, &p);
    arena_init(&a, 4 << 20);
    if (form_decode(&form, p.body, p.body_len, &a, NULL) == HL_OK) {
        struct sig_request req = {BASE,   p.target,   p.target_len, &form,
                                  p.body, p.body_len, p.header};
        sig_validate(TOKEN, &req, &a, NULL);
        check_round_trip(&p, &form, &a);
    }
    arena_release(&a);
    free(text);
    return 0;
}
