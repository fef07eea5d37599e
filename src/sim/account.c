/*
 * account.c — creating and reading the emulator's account file.
 */
#include "sim/account.h"

#include <stdio.h>
#include <string.h>

#include "core/dotenv.h"
#include "core/fs.h"
#include "crypto/crypto.h"
#include "core/banned.h"

static int random_hex(char *out, size_t hex_len)
{
    unsigned char bytes[32];

    if (hex_len / 2 > sizeof(bytes) || crypto_random(bytes, hex_len / 2) != HL_OK)
        return HL_EIO;
    crypto_hex_encode(out, bytes, hex_len / 2);
    out[hex_len] = '\0';
    return HL_OK;
}

static int account_create(struct sim_account *acct, const char *path, struct hl_err *err)
{
    char text[256];
    int n;

    memcpy(acct->sid, "AC", 2);
    if (random_hex(acct->sid + 2, 32) != HL_OK || random_hex(acct->token, 32) != HL_OK)
        return hl_err_set(err, HL_EIO, "the system's random number generator failed");
    n = snprintf(
        text, sizeof(text),
        "# hotline emulator account (made by hotline; used when no Twilio account is set)\n"
        "TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n",
        acct->sid, acct->token);
    if (n < 0 || (size_t)n >= sizeof(text))
        return hl_err_set(err, HL_EINVAL, "emulator account text does not fit");
    if (fs_mkdirs_for(path, 0700, err) != HL_OK)
        return err->code;
    return fs_write_atomic(path, text, (size_t)n, 0600, err);
}

static int account_parse(struct sim_account *acct, const struct dotenv *env, const char *path,
                         struct hl_err *err)
{
    const char *sid = dotenv_get(env, "TWILIO_ACCOUNT_SID");
    const char *token = dotenv_get(env, "TWILIO_AUTH_TOKEN");

    if (!sid || strlen(sid) != 34 || strncmp(sid, "AC", 2) != 0 || !token || strlen(token) != 32)
        return hl_err_set(err, HL_ECONFIG,
                          "%s: not an emulator account file (delete it to make a new one)", path);
    memcpy(acct->sid, sid, sizeof(acct->sid));
    memcpy(acct->token, token, sizeof(acct->token));
    return HL_OK;
}

int sim_account_load(struct sim_account *acct, const char *path, struct hl_err *err)
{
    struct dotenv env;
    FILE *probe = fopen(path, "r");
    int rc;

    if (!probe)
        return account_create(acct, path, err);
    fclose(probe);
    rc = dotenv_read(&env, path, err);
    if (rc == HL_OK)
        rc = account_parse(acct, &env, path, err);
    dotenv_release(&env);
    return rc;
}
