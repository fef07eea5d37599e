/*
 * crypto.c — hashes, MACs, randomness and base64 over OpenSSL 3.
 *
 * Digests and MACs use the OpenSSL 3 provider APIs (EVP_Digest, EVP_MAC),
 * never the deprecated HMAC()/SHA256() one-liners. Fetching an algorithm by
 * name takes locks inside OpenSSL, so the four we need are fetched once
 * (pthread_once) and shared read-only by every thread afterwards.
 *
 * Base64 is written here rather than taken from EVP_EncodeBlock/DecodeBlock:
 * OpenSSL's decoder skips whitespace, has no base64url and reports padding
 * loosely, and memo keys need an encoder that does not index a table with
 * secret bytes. The character mapping below is arithmetic on masks instead.
 */
#include "crypto/crypto.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "core/hl.h"
#include "core/banned.h"

struct crypto_hmac {
    EVP_MAC_CTX *ctx;
    size_t len; /* output length of the digest */
};

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static EVP_MD *crypto_md_sha1;
static EVP_MD *crypto_md_sha256;
static EVP_MAC *crypto_mac_hmac;
static EVP_CIPHER *crypto_cipher_aes256gcm;

static void crypto_release_algorithms(void)
{
    EVP_MD_free(crypto_md_sha1);
    EVP_MD_free(crypto_md_sha256);
    EVP_MAC_free(crypto_mac_hmac);
    EVP_CIPHER_free(crypto_cipher_aes256gcm);
    crypto_cipher_aes256gcm = NULL;
    crypto_md_sha1 = crypto_md_sha256 = NULL;
    crypto_mac_hmac = NULL;
}

/*
 * The first fetch initialises OpenSSL, which registers its own atexit
 * cleanup; ours is registered after it and so runs before it (atexit is
 * last-in, first-out). Releasing the algorithms after OpenSSL has torn down
 * its library context would leak what they point into.
 */
static void crypto_fetch_algorithms(void)
{
    crypto_md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    crypto_md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    crypto_mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    crypto_cipher_aes256gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    atexit(crypto_release_algorithms);
}

static void crypto_ensure_algorithms(void)
{
    pthread_once(&crypto_once, crypto_fetch_algorithms);
}

/* Drop what OpenSSL queued about a failure, so it cannot surface elsewhere. */
static int crypto_failed(void)
{
    ERR_clear_error();
    return HL_EIO;
}

size_t crypto_digest_len(enum crypto_digest d)
{
    return d == CRYPTO_SHA1 ? CRYPTO_SHA1_LEN : CRYPTO_SHA256_LEN;
}

static const char *crypto_digest_name(enum crypto_digest d)
{
    return d == CRYPTO_SHA1 ? "SHA1" : "SHA256";
}

int crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
    unsigned int out_len = 0;

    crypto_ensure_algorithms();
    if (!crypto_md_sha256 || !EVP_Digest(data, len, out, &out_len, crypto_md_sha256, NULL))
        return crypto_failed();
    return HL_OK;
}

void crypto_hex_encode(char *dst, const void *src, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = src;
    size_t i;

    for (i = 0; i < len; i++) {
        dst[2 * i] = digits[p[i] >> 4];
        dst[2 * i + 1] = digits[p[i] & 15];
    }
    dst[2 * len] = '\0';
}

int crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX_SIZE])
{
    unsigned char md[CRYPTO_SHA256_LEN];
    int rc = crypto_sha256(data, len, md);

    if (rc == HL_OK)
        crypto_hex_encode(out, md, sizeof(md));
    return rc;
}

struct crypto_hmac *crypto_hmac_new(enum crypto_digest d, const void *key, size_t key_len)
{
    OSSL_PARAM params[2];
    struct crypto_hmac *h;

    crypto_ensure_algorithms();
    if (!crypto_mac_hmac)
        return NULL;
    h = hl_malloc(sizeof(*h));
    h->len = crypto_digest_len(d);
    h->ctx = EVP_MAC_CTX_new(crypto_mac_hmac);
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)crypto_digest_name(d), 0);
    params[1] = OSSL_PARAM_construct_end();
    /* An empty key must still be a non-NULL pointer: NULL means "keep the old key". */
    if (!h->ctx || !EVP_MAC_init(h->ctx, key_len ? key : (const void *)"", key_len, params)) {
        crypto_hmac_free(h);
        crypto_failed();
        return NULL;
    }
    return h;
}

int crypto_hmac_update(struct crypto_hmac *h, const void *data, size_t len)
{
    if (len && !EVP_MAC_update(h->ctx, data, len))
        return crypto_failed();
    return HL_OK;
}

int crypto_hmac_final(struct crypto_hmac *h, unsigned char *out)
{
    size_t out_len = 0;

    if (!EVP_MAC_final(h->ctx, out, &out_len, h->len) || out_len != h->len)
        return crypto_failed();
    return HL_OK;
}

int crypto_hmac_reset(struct crypto_hmac *h)
{
    /* A NULL key restarts from the key already set (OpenSSL's HMAC keeps its padded state). */
    if (!EVP_MAC_init(h->ctx, NULL, 0, NULL))
        return crypto_failed();
    return HL_OK;
}

void crypto_hmac_free(struct crypto_hmac *h)
{
    if (!h)
        return;
    EVP_MAC_CTX_free(h->ctx);
    free(h);
}

int crypto_hmac(enum crypto_digest d, const void *key, size_t key_len, const void *data, size_t len,
                unsigned char *out)
{
    struct crypto_hmac *h = crypto_hmac_new(d, key, key_len);
    int rc;

    if (!h)
        return HL_EIO;
    rc = crypto_hmac_update(h, data, len);
    if (rc == HL_OK)
        rc = crypto_hmac_final(h, out);
    crypto_hmac_free(h);
    return rc;
}

int crypto_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    while (len > 0) {
        int n = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(p, n) != 1)
            return crypto_failed();
        p += n;
        len -= (size_t)n;
    }
    return HL_OK;
}

int crypto_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    /*
     * On a length mismatch compare a with itself, so the work done is still
     * a_len bytes and b is never read out of bounds.
     */
    int same_len = a_len == b_len;
    const void *other = same_len ? b : a;

    return (CRYPTO_memcmp(a, other, a_len) == 0) & same_len;
}

void crypto_wipe(void *p, size_t len)
{
    OPENSSL_cleanse(p, len);
}

/*
 * Base64 without secret-dependent branches or table lookups. Every value
 * here is below 2^8, so "k - v" wraps into the top bit exactly when v > k.
 */
static uint32_t ct_gt(uint32_t v, uint32_t k)
{
    return 0u - ((k - v) >> 31);
}

static uint32_t ct_in(uint32_t c, uint32_t lo, uint32_t hi)
{
    return ~(ct_gt(lo, c) | ct_gt(c, hi));
}

/* 'A'..'Z', 'a'..'z', '0'..'9', then '+' '/' (or '-' '_' for base64url). */
static char b64_char(uint32_t v, int url)
{
    uint32_t c = v + 'A';

    c += ct_gt(v, 25) & 6;
    c -= ct_gt(v, 51) & 75;
    c -= ct_gt(v, 61) & (url ? 13u : 15u);
    c += ct_gt(v, 62) & (url ? 49u : 3u);
    return (char)c;
}

/* The 6-bit value of c; sets bits in *bad when c is outside the alphabet. */
static uint32_t b64_value(unsigned char ch, int url, uint32_t *bad)
{
    uint32_t c = ch;
    uint32_t upper = ct_in(c, 'A', 'Z'), lower = ct_in(c, 'a', 'z'), digit = ct_in(c, '0', '9');
    uint32_t c62 = ct_in(c, url ? '-' : '+', url ? '-' : '+');
    uint32_t c63 = ct_in(c, url ? '_' : '/', url ? '_' : '/');

    uint32_t v = (upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52));

    *bad |= ~(upper | lower | digit | c62 | c63);
    return (v | (c62 & 62) | (c63 & 63)) & 63;
}

/* Encode n (1..3) bytes as n + 1 characters. */
static void b64_put_group(char *dst, const unsigned char *src, size_t n, int url)
{
    uint32_t w = (uint32_t)src[0] << 16;
    size_t i;

    if (n > 1)
        w |= (uint32_t)src[1] << 8;
    if (n > 2)
        w |= src[2];
    for (i = 0; i <= n; i++)
        dst[i] = b64_char((w >> (18 - 6 * i)) & 63, url);
}

static int b64_encode(char *dst, size_t dst_size, const void *src, size_t len, int url,
                      size_t *out_len)
{
    const unsigned char *p = src;
    size_t rest = len % 3, i, o = 0;
    size_t need = len / 3 * 4 + (rest ? (url ? rest + 1 : 4) : 0);

    if (len / 3 >= SIZE_MAX / 4 - 1 || need >= dst_size) {
        if (dst_size)
            dst[0] = '\0';
        return HL_ETOOLARGE;
    }
    for (i = 0; i + 3 <= len; i += 3, o += 4)
        b64_put_group(dst + o, p + i, 3, url);
    if (rest) {
        b64_put_group(dst + o, p + i, rest, url);
        for (o += rest + 1; o < need; o++)
            dst[o] = '=';
    }
    dst[need] = '\0';
    if (out_len)
        *out_len = need;
    return HL_OK;
}

/*
 * Decode n (2..4) characters into n - 1 bytes. Bits of the last character
 * that fall outside those bytes must be zero (RFC 4648 §3.5 "canonical").
 */
static void b64_get_group(unsigned char *dst, const char *src, size_t n, int url, uint32_t *bad)
{
    uint32_t w = 0;
    size_t i;

    for (i = 0; i < 4; i++)
        w = w << 6 | (i < n ? b64_value((unsigned char)src[i], url, bad) : 0);
    for (i = 0; i + 1 < n; i++)
        dst[i] = (unsigned char)(w >> (16 - 8 * i));
    *bad |= n == 4 ? 0 : w & (n == 3 ? 0xffu : 0xffffu);
}

static int b64_decode(void *dst, size_t dst_size, const char *src, size_t len, int url,
                      size_t *out_len)
{
    unsigned char *out = dst;
    size_t chars = len, tail, need, i, o = 0;
    uint32_t bad = 0;

    if (url ? len % 4 == 1 : len % 4 != 0)
        return HL_EINVAL;
    if (!url && len && src[len - 1] == '=')
        chars -= src[len - 2] == '=' ? 2 : 1;
    tail = chars % 4;
    need = chars / 4 * 3 + (tail ? tail - 1 : 0);
    if (need > dst_size)
        return HL_ETOOLARGE;
    for (i = 0; i + 4 <= chars; i += 4, o += 3)
        b64_get_group(out + o, src + i, 4, url, &bad);
    if (tail)
        b64_get_group(out + o, src + i, tail, url, &bad);
    if (bad)
        return HL_EINVAL;
    if (out_len)
        *out_len = need;
    return HL_OK;
}

int crypto_base64_encode(char *dst, size_t dst_size, const void *src, size_t len, size_t *out_len)
{
    return b64_encode(dst, dst_size, src, len, 0, out_len);
}

int crypto_base64url_encode(char *dst, size_t dst_size, const void *src, size_t len,
                            size_t *out_len)
{
    return b64_encode(dst, dst_size, src, len, 1, out_len);
}

int crypto_base64_decode(void *dst, size_t dst_size, const char *src, size_t len, size_t *out_len)
{
    return b64_decode(dst, dst_size, src, len, 0, out_len);
}

int crypto_base64url_decode(void *dst, size_t dst_size, const char *src, size_t len,
                            size_t *out_len)
{
    return b64_decode(dst, dst_size, src, len, 1, out_len);
}

struct crypto_sha256_ctx {
    EVP_MD_CTX *md;
};

struct crypto_sha256_ctx *crypto_sha256_begin(void)
{
    struct crypto_sha256_ctx *c;

    crypto_ensure_algorithms();
    if (!crypto_md_sha256)
        return NULL;
    c = hl_malloc(sizeof(*c));
    c->md = EVP_MD_CTX_new();
    if (!c->md || !EVP_DigestInit_ex2(c->md, crypto_md_sha256, NULL)) {
        crypto_sha256_end(c, NULL);
        crypto_failed();
        return NULL;
    }
    return c;
}

int crypto_sha256_update(struct crypto_sha256_ctx *c, const void *data, size_t len)
{
    if (len && !EVP_DigestUpdate(c->md, data, len))
        return crypto_failed();
    return HL_OK;
}

int crypto_sha256_end(struct crypto_sha256_ctx *c, unsigned char out[CRYPTO_SHA256_LEN])
{
    unsigned int out_len = 0;
    int rc = HL_OK;

    if (!c)
        return HL_OK;
    if (out && (!EVP_DigestFinal_ex(c->md, out, &out_len) || out_len != CRYPTO_SHA256_LEN))
        rc = crypto_failed();
    EVP_MD_CTX_free(c->md);
    free(c);
    return rc;
}

/*
 * AES-256-GCM over EVP_CIPHER_CTX. OpenSSL's update calls take int lengths,
 * so data is fed in chunks of at most 1 GiB. GCM is a stream mode: each
 * update writes exactly as many bytes as it reads, and final writes none.
 */
#define CRYPTO_GCM_CHUNK ((size_t)1 << 30)

static EVP_CIPHER_CTX *gcm_start(int enc, const unsigned char *key, const unsigned char *nonce,
                                 const void *aad, size_t aad_len)
{
    const unsigned char *a = aad;
    EVP_CIPHER_CTX *ctx;
    int n;

    crypto_ensure_algorithms();
    if (!crypto_cipher_aes256gcm || !(ctx = EVP_CIPHER_CTX_new()))
        return NULL;
    /* The default GCM IV length is 12 bytes, the one we use. */
    if (!EVP_CipherInit_ex2(ctx, crypto_cipher_aes256gcm, key, nonce, enc, NULL))
        goto fail;
    while (aad_len > 0) {
        size_t part = aad_len < CRYPTO_GCM_CHUNK ? aad_len : CRYPTO_GCM_CHUNK;
        if (!EVP_CipherUpdate(ctx, NULL, &n, a, (int)part))
            goto fail;
        a += part;
        aad_len -= part;
    }
    return ctx;
fail:
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
}

static int gcm_run(EVP_CIPHER_CTX *ctx, const unsigned char *in, size_t len, unsigned char *out)
{
    int n;

    while (len > 0) {
        size_t part = len < CRYPTO_GCM_CHUNK ? len : CRYPTO_GCM_CHUNK;
        if (!EVP_CipherUpdate(ctx, out, &n, in, (int)part) || (size_t)n != part)
            return 0;
        in += part;
        out += part;
        len -= part;
    }
    return 1;
}

int crypto_aes_gcm_seal(const unsigned char key[CRYPTO_AES_GCM_KEY_LEN],
                        const unsigned char nonce[CRYPTO_AES_GCM_NONCE_LEN], const void *aad,
                        size_t aad_len, const void *plain, size_t len, unsigned char *out)
{
    EVP_CIPHER_CTX *ctx = gcm_start(1, key, nonce, aad, aad_len);
    int n = 0, ok;

    if (!ctx)
        return crypto_failed();
    ok = gcm_run(ctx, plain, len, out) && EVP_EncryptFinal_ex(ctx, out + len, &n) && n == 0 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_AES_GCM_TAG_LEN, out + len);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? HL_OK : crypto_failed();
}

int crypto_aes_gcm_open(const unsigned char key[CRYPTO_AES_GCM_KEY_LEN],
                        const unsigned char nonce[CRYPTO_AES_GCM_NONCE_LEN], const void *aad,
                        size_t aad_len, const void *sealed, size_t sealed_len,
                        unsigned char *out)
{
    const unsigned char *in = sealed;
    unsigned char tag[CRYPTO_AES_GCM_TAG_LEN];
    EVP_CIPHER_CTX *ctx;
    size_t len;
    int n = 0, rc = HL_OK;

    if (sealed_len < CRYPTO_AES_GCM_TAG_LEN)
        return HL_EINVAL;
    len = sealed_len - CRYPTO_AES_GCM_TAG_LEN;
    /* Copy the tag first: out may overlap sealed when decrypting in place. */
    memcpy(tag, in + len, sizeof(tag));
    if (!(ctx = gcm_start(0, key, nonce, aad, aad_len)))
        return crypto_failed();
    if (!gcm_run(ctx, in, len, out) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_AES_GCM_TAG_LEN, tag))
        rc = crypto_failed();
    else if (EVP_DecryptFinal_ex(ctx, out + len, &n) <= 0) {
        /* The tag did not verify: an authentication failure, not an OpenSSL fault. */
        ERR_clear_error();
        rc = HL_EBADSIG;
    }
    EVP_CIPHER_CTX_free(ctx);
    if (rc != HL_OK)
        crypto_wipe(out, len);
    return rc;
}
