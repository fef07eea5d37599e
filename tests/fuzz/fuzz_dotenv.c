/*
 * fuzz_dotenv.c — libFuzzer target for .env parsing.
 *
 * Property: dotenv_parse either fails with HL_ECONFIG (naming a line) or
 * yields keys made only of letters, digits and underscores.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "core/dotenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dotenv env = {0};
    struct hl_err err = {0};
    size_t i, j;
    int rc = dotenv_parse(&env, (const char *)data, size, "fuzz.env", &err);

    if (rc != HL_OK && (rc != HL_ECONFIG || !strstr(err.msg, "fuzz.env:")))
        __builtin_trap();
    for (i = 0; rc == HL_OK && i < env.count; i++)
        for (j = 0; env.keys[i][j]; j++)
            if (!isalnum((unsigned char)env.keys[i][j]) && env.keys[i][j] != '_')
                __builtin_trap();
    dotenv_release(&env);
    return 0;
}
