/*
 * fuzz_form.c — libFuzzer target for urlencoded decoding (every webhook body).
 *
 * Property: form_decode either refuses the input (HL_EINVAL, HL_ETOOLARGE)
 * or yields at most FORM_MAX_FIELDS fields whose decoded lengths never
 * exceed the input's, each NUL-terminated.
 */
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    struct form form;
    struct hl_err err = {0};
    size_t i;
    int rc;

    arena_init(&a, 1 << 20);
    rc = form_decode(&form, (const char *)data, size, &a, &err);
    if (rc == HL_OK) {
        if (form.count > FORM_MAX_FIELDS)
            __builtin_trap();
        for (i = 0; i < form.count; i++) {
            const struct form_field *f = &form.fields[i];
            if (f->name_len > size || f->value_len > size || f->name[f->name_len] != '\0' ||
                f->value[f->value_len] != '\0')
                __builtin_trap();
        }
    } else if (rc != HL_EINVAL && rc != HL_ETOOLARGE) {
        __builtin_trap();
    }
    arena_release(&a);
    return 0;
}
