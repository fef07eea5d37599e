/*
 * account.c — creating, reading and upgrading the emulator's account file.
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

/* len letters and digits, uniformly (248 = 4 * 62: bytes at or above it are drawn again). */
static int random_alnum(char *out, size_t len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char byte;
    size_t n = 0;

    while (n < len) {
        if (crypto_random(&byte, 1) != HL_OK)
            return HL_EIO;
        if (byte < 248)
            out[n++] = alphabet[byte % 62];
    }
    out[len] = '\0';
    return HL_OK;
}

static int is_hex_id(const char *s, const char *prefix, size_t hex_len)
{
    size_t i, p = strlen(prefix);

    if (!s || strlen(s) != p + hex_len || strncmp(s, prefix, p) != 0)
        return 0;
    for (i = p; i < p + hex_len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    return 1;
}

static int is_alnum_secret(const char *s)
{
    size_t i;

    if (!s || strlen(s) != 32)
        return 0;
    for (i = 0; i < 32; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

static int make_api_key(struct sim_account *acct)
{
    memcpy(acct->api_key_sid, "SK", 2);
    if (random_hex(acct->api_key_sid + 2, 32) != HL_OK ||
        random_alnum(acct->api_key_secret, 32) != HL_OK)
        return HL_EIO;
    return HL_OK;
}

static int account_write(const struct sim_account *acct, const char *path, struct hl_err *err)
{
    char text[512];
    int n = snprintf(
        text, sizeof(text),
        "# hotline emulator account (made by hotline; used when no Twilio account is set)\n"
        "TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n"
        "TWILIO_API_KEY_SID=%s\nTWILIO_API_KEY_SECRET=%s\n",
        acct->sid, acct->token, acct->api_key_sid, acct->api_key_secret);

    if (n < 0 || (size_t)n >= sizeof(text))
        return hl_err_set(err, HL_EINVAL, "emulator account text does not fit");
    if (fs_mkdirs_for(path, 0700, err) != HL_OK)
        return err->code;
    return fs_write_atomic(path, text, (size_t)n, 0600, err);
}

static int account_create(struct sim_account *acct, const char *path, struct hl_err *err)
{
    memcpy(acct->sid, "AC", 2);
    if (random_hex(acct->sid + 2, 32) != HL_OK || random_hex(acct->token, 32) != HL_OK ||
        make_api_key(acct) != HL_OK)
        return hl_err_set(err, HL_EIO, "the system's random number generator failed");
    return account_write(acct, path, err);
}

/* *missing_key is set when the file has no API key pair at all (an older file). */
static int account_parse(struct sim_account *acct, const struct dotenv *env, const char *path,
                         int *missing_key, struct hl_err *err)
{
    const char *sid = dotenv_get(env, "TWILIO_ACCOUNT_SID");
    const char *token = dotenv_get(env, "TWILIO_AUTH_TOKEN");
    const char *key = dotenv_get(env, "TWILIO_API_KEY_SID");
    const char *secret = dotenv_get(env, "TWILIO_API_KEY_SECRET");

    *missing_key = !key && !secret;
    if (!is_hex_id(sid, "AC", 32) || !is_hex_id(token, "", 32) ||
        (!*missing_key && (!is_hex_id(key, "SK", 32) || !is_alnum_secret(secret))))
        return hl_err_set(err, HL_ECONFIG,
                          "%s: not an emulator account file (delete it to make a new one)", path);
    memcpy(acct->sid, sid, sizeof(acct->sid));
    memcpy(acct->token, token, sizeof(acct->token));
    if (!*missing_key) {
        memcpy(acct->api_key_sid, key, sizeof(acct->api_key_sid));
        memcpy(acct->api_key_secret, secret, sizeof(acct->api_key_secret));
    }
    return HL_OK;
}

/* An account file from before API keys: add a pair, keeping the SID and token. */
static int account_add_key(struct sim_account *acct, const char *path, struct hl_err *err)
{
    if (make_api_key(acct) != HL_OK)
        return hl_err_set(err, HL_EIO, "the system's random number generator failed");
    return account_write(acct, path, err);
}

int sim_account_load(struct sim_account *acct, const char *path, struct hl_err *err)
{
    struct dotenv env;
    FILE *probe = fopen(path, "r");
    int rc, missing_key = 0;

    memset(acct, 0, sizeof(*acct));
    if (!probe)
        return account_create(acct, path, err);
    fclose(probe);
    rc = dotenv_read(&env, path, err);
    if (rc == HL_OK)
        rc = account_parse(acct, &env, path, &missing_key, err);
    dotenv_release(&env);
    if (rc == HL_OK && missing_key)
        rc = account_add_key(acct, path, err);
    return rc;
}
