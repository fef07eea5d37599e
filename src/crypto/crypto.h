/*
 * crypto.h — hotline's only door to OpenSSL 3 (libcrypto).
 *
 * Every hash, MAC, random byte and constant-time comparison in hotline goes
 * through this header, so that no other module includes an OpenSSL header
 * (the way git's http.c is the only file that talks libcurl). It offers:
 *
 *   - SHA-256, raw and as lowercase hex (memo key digests, bodySHA256);
 *   - HMAC-SHA1 and HMAC-SHA256, one-shot and streaming (X-Twilio-Signature
 *     is HMAC-SHA1 over a string that is never built in one piece);
 *   - base64 with padding (RFC 4648 §4) and base64url without padding
 *     (RFC 4648 §5, the memo keys in /voice/{id}#{key} links), both strict;
 *   - bytes from the CSPRNG, a constant-time comparison and a secure wipe;
 *   - streaming SHA-256 and AES-256-GCM (encrypted memos).
 *
 * Conventions: functions that can fail return HL_OK or a negative HL_E* code
 * (core/hl.h). HL_EIO means OpenSSL itself failed (out of memory inside the
 * library, a provider that will not load); it is not an input error. Nothing
 * here allocates memory that the caller must free except crypto_hmac_new() and
 * crypto_sha256_begin().
 *
 * Thread safety: every function may be called from any thread. The OpenSSL
 * algorithm objects are fetched once, on first use, and kept for the life of
 * the process.
 *
 * Base64 encoding and decoding do not branch on, or index tables with, the
 * data, so they are safe for keys.
 */
#ifndef HL_CRYPTO_H
#define HL_CRYPTO_H

#include <stddef.h>

enum crypto_digest {
    CRYPTO_SHA1,
    CRYPTO_SHA256,
};

#define CRYPTO_SHA1_LEN       20
#define CRYPTO_SHA256_LEN     32
#define CRYPTO_MAX_DIGEST_LEN 32

/* Size of a lowercase hex SHA-256, including the NUL. */
#define CRYPTO_SHA256_HEX_SIZE (2 * CRYPTO_SHA256_LEN + 1)

/* Output size of a digest (20 or 32). */
size_t crypto_digest_len(enum crypto_digest d);

/* SHA-256 of len bytes. Returns HL_OK or HL_EIO. */
int crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN]);

/* SHA-256 as 64 lowercase hex digits and a NUL. Returns HL_OK or HL_EIO. */
int crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX_SIZE]);

/* Write 2 * len lowercase hex digits and a NUL to dst (2 * len + 1 bytes). */
void crypto_hex_encode(char *dst, const void *src, size_t len);

/*
 * One-shot HMAC. out must have room for crypto_digest_len(d) bytes; that many
 * are written. The key may be empty. Returns HL_OK or HL_EIO.
 */
int crypto_hmac(enum crypto_digest d, const void *key, size_t key_len, const void *data, size_t len,
                unsigned char *out);

/*
 * Streaming HMAC, for a message that arrives in pieces:
 *
 *     struct crypto_hmac *h = crypto_hmac_new(CRYPTO_SHA1, key, key_len);
 *     crypto_hmac_update(h, part1, n1); crypto_hmac_update(h, part2, n2);
 *     rc = crypto_hmac_final(h, out);
 *     crypto_hmac_free(h);
 *
 * crypto_hmac_new() returns NULL only when OpenSSL fails. update and final
 * return HL_OK or HL_EIO; after final the context may not be updated again.
 * crypto_hmac_free(NULL) does nothing.
 */
struct crypto_hmac;
struct crypto_hmac *crypto_hmac_new(enum crypto_digest d, const void *key, size_t key_len);
int crypto_hmac_update(struct crypto_hmac *h, const void *data, size_t len);
int crypto_hmac_final(struct crypto_hmac *h, unsigned char *out);
void crypto_hmac_free(struct crypto_hmac *h);

/*
 * Start h over for a new message with the key it was made with, whatever was
 * fed to it before (final included). Cheaper than a new context: the key
 * schedule and OpenSSL's look-ups are not repeated, so a context kept for
 * one key can serve many messages. Returns HL_OK or HL_EIO.
 */
int crypto_hmac_reset(struct crypto_hmac *h);

/*
 * Base64. Sizes: CRYPTO_BASE64_SIZE(n) is enough for standard base64 of n
 * bytes (padding and NUL included) and also for base64url of n bytes;
 * CRYPTO_BASE64_DECODED_MAX(n) bounds what n characters decode to.
 *
 * The encoders write the text and a NUL; *out_len (when not NULL) gets the
 * text length. They return HL_OK, or HL_ETOOLARGE when dst_size is too small
 * (dst is then left as an empty string if it has room for one byte).
 *
 * The decoders are strict: no whitespace, no line breaks, nothing outside
 * the alphabet. Standard base64 must be padded to a multiple of four with at
 * most two '='; base64url must carry no padding and cannot have a length of
 * 4k+1. The unused low bits of the last character must be zero, so every
 * byte string has exactly one accepted encoding. They return HL_OK, HL_EINVAL
 * for malformed text, or HL_ETOOLARGE when the result does not fit in
 * dst_size bytes. On error the contents of dst are unspecified.
 */
#define CRYPTO_BASE64_SIZE(n)        (((n) + 2) / 3 * 4 + 1)
#define CRYPTO_BASE64_DECODED_MAX(n) (((n) + 3) / 4 * 3)

int crypto_base64_encode(char *dst, size_t dst_size, const void *src, size_t len, size_t *out_len);
int crypto_base64_decode(void *dst, size_t dst_size, const char *src, size_t len, size_t *out_len);
int crypto_base64url_encode(char *dst, size_t dst_size, const void *src, size_t len,
                            size_t *out_len);
int crypto_base64url_decode(void *dst, size_t dst_size, const char *src, size_t len,
                            size_t *out_len);

/* Fill buf with len bytes from OpenSSL's CSPRNG. Returns HL_OK or HL_EIO. */
int crypto_random(void *buf, size_t len);

/*
 * 1 when the byte strings are equal, else 0, in time that depends only on
 * a_len: the content is never a reason to stop early, and a length mismatch
 * still compares a_len bytes. Pass the secret or expected value as a (its
 * length is fixed and public) and the attacker's input as b.
 */
int crypto_equal(const void *a, size_t a_len, const void *b, size_t b_len);

/* Overwrite len bytes with zeros in a way the compiler cannot remove. */
void crypto_wipe(void *p, size_t len);

/*
 * Streaming SHA-256, for data that arrives in pieces (a download hashed as it
 * is written):
 *
 *     struct crypto_sha256_ctx *c = crypto_sha256_begin();
 *     crypto_sha256_update(c, part1, n1); crypto_sha256_update(c, part2, n2);
 *     rc = crypto_sha256_end(c, out);
 *
 * crypto_sha256_begin() returns NULL only when OpenSSL fails. update returns
 * HL_OK or HL_EIO. crypto_sha256_end() writes the digest to out and always
 * frees the context, even on error; pass out == NULL to abandon a hash
 * (crypto_sha256_end(NULL, NULL) does nothing). The result equals
 * crypto_sha256() over the concatenated pieces.
 */
struct crypto_sha256_ctx;
struct crypto_sha256_ctx *crypto_sha256_begin(void);
int crypto_sha256_update(struct crypto_sha256_ctx *c, const void *data, size_t len);
int crypto_sha256_end(struct crypto_sha256_ctx *c, unsigned char out[CRYPTO_SHA256_LEN]);

/*
 * AES-256-GCM (NIST SP 800-38D) with a 32-byte key, a 12-byte nonce and a
 * full 16-byte tag, for encrypted memos (memo/memo.h).
 *
 * crypto_aes_gcm_seal() encrypts len bytes of plain and authenticates them
 * together with aad_len bytes of associated data (which is not encrypted and
 * not written). out receives len + CRYPTO_AES_GCM_TAG_LEN bytes: the
 * ciphertext, then the tag. out may be the same pointer as plain (in-place)
 * but must not otherwise overlap it. A nonce must never be used twice with
 * one key; memos use a fresh random key and nonce each time.
 *
 * crypto_aes_gcm_open() is the inverse: sealed is ciphertext || tag
 * (sealed_len >= CRYPTO_AES_GCM_TAG_LEN) and out receives
 * sealed_len - CRYPTO_AES_GCM_TAG_LEN bytes of plaintext. It returns
 * HL_EBADSIG when the tag does not verify — wrong key, wrong nonce, wrong
 * associated data or altered bytes, which GCM cannot tell apart — and then
 * zeroes out, so no unauthenticated plaintext is left behind.
 *
 * Both return HL_OK, HL_EINVAL (open: sealed_len shorter than a tag) or
 * HL_EIO (OpenSSL failed). Inputs of any size are accepted; OpenSSL's int
 * lengths are handled by feeding it in chunks. aad may be NULL when aad_len is 0.
 */
#define CRYPTO_AES_GCM_KEY_LEN   32
#define CRYPTO_AES_GCM_NONCE_LEN 12
#define CRYPTO_AES_GCM_TAG_LEN   16

int crypto_aes_gcm_seal(const unsigned char key[CRYPTO_AES_GCM_KEY_LEN],
                        const unsigned char nonce[CRYPTO_AES_GCM_NONCE_LEN], const void *aad,
                        size_t aad_len, const void *plain, size_t len, unsigned char *out);
int crypto_aes_gcm_open(const unsigned char key[CRYPTO_AES_GCM_KEY_LEN],
                        const unsigned char nonce[CRYPTO_AES_GCM_NONCE_LEN], const void *aad,
                        size_t aad_len, const void *sealed, size_t sealed_len,
                        unsigned char *out);

#endif
