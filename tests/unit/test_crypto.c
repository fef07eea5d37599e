/*
 * test_crypto.c — the crypto module against published test vectors:
 * RFC 2202 (HMAC-SHA1), RFC 4231 (HMAC-SHA256), FIPS 180-2 (SHA-256),
 * RFC 4648 §10 (base64), AES-256-GCM from the GCM specification (McGrew &
 * Viega, test cases 13-16) and NIST CAVP gcmEncryptExtIV256.rsp, plus the
 * streaming SHA-256, the strictness of the base64 decoders and the
 * contracts of crypto_equal, crypto_random and crypto_wipe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/hl.h"
#include "crypto/crypto.h"
#include "core/banned.h"

struct hmac_vector {
    const char *name;
    unsigned char key_byte; /* the key is key_len copies of key_byte ... */
    size_t key_len;         /* ... or, when key_byte is 0, the bytes 1..key_len */
    const char *key_text;   /* ... or this text when set */
    unsigned char data_byte;
    size_t data_len;
    const char *data_text;
    const char *sha1_hex;   /* RFC 2202; NULL where it has no such case */
    const char *sha256_hex; /* RFC 4231; NULL where it has no such case */
};

static const struct hmac_vector hmac_vectors[] = {
    {"case 1", 0x0b, 20, NULL, 0, 0, "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"case 2", 0, 0, "Jefe", 0, 0, "what do ya want for nothing?",
     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"case 3", 0xaa, 20, NULL, 0xdd, 50, NULL, "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"case 4", 0, 25, NULL, 0xcd, 50, NULL, "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"rfc2202 case 5", 0x0c, 20, NULL, 0, 0, "Test With Truncation",
     "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", NULL},
    {"rfc2202 case 6", 0xaa, 80, NULL, 0, 0,
     "Test Using Larger Than Block-Size Key - Hash Key First",
     "aa4ae5e15272d00e95705637ce8a3b55ed402112", NULL},
    {"rfc2202 case 7", 0xaa, 80, NULL, 0, 0,
     "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
     "e8e99d0f45237d786d6bbaa7965c7808bbff1a91", NULL},
    {"rfc4231 case 6", 0xaa, 131, NULL, 0, 0,
     "Test Using Larger Than Block-Size Key - Hash Key First", NULL,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"rfc4231 case 7", 0xaa, 131, NULL, 0, 0,
     "This is a test using a larger than block-size key and a larger than block-size data. "
     "The key needs to be hashed before being used by the HMAC algorithm.",
     NULL, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

/* Materialise a vector's key or data into buf; returns its length. */
static size_t vector_bytes(unsigned char *buf, unsigned char byte, size_t len, const char *text)
{
    size_t i;

    if (text) {
        memcpy(buf, text, strlen(text));
        return strlen(text);
    }
    for (i = 0; i < len; i++)
        buf[i] = byte ? byte : (unsigned char)(i + 1);
    return len;
}

static void check_hmac(enum crypto_digest d, const struct hmac_vector *v, const char *want)
{
    unsigned char key[200], data[200], mac[CRYPTO_MAX_DIGEST_LEN];
    char hex[2 * CRYPTO_MAX_DIGEST_LEN + 1];
    size_t key_len = vector_bytes(key, v->key_byte, v->key_len, v->key_text);
    size_t data_len = vector_bytes(data, v->data_byte, v->data_len, v->data_text);

    assert_int_equal(crypto_hmac(d, key, key_len, data, data_len, mac), HL_OK);
    crypto_hex_encode(hex, mac, crypto_digest_len(d));
    assert_string_equal(hex, want);
}

static void hmac_sha1_matches_rfc2202(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(hmac_vectors); i++)
        if (hmac_vectors[i].sha1_hex)
            check_hmac(CRYPTO_SHA1, &hmac_vectors[i], hmac_vectors[i].sha1_hex);
}

static void hmac_sha256_matches_rfc4231(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(hmac_vectors); i++)
        if (hmac_vectors[i].sha256_hex)
            check_hmac(CRYPTO_SHA256, &hmac_vectors[i], hmac_vectors[i].sha256_hex);
}

static void hmac_streaming_equals_one_shot(void **state)
{
    static const char msg[] = "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA123";
    unsigned char whole[CRYPTO_SHA1_LEN], parts[CRYPTO_SHA1_LEN];
    struct crypto_hmac *h = crypto_hmac_new(CRYPTO_SHA1, "12345", 5);
    size_t i;

    (void)state;
    assert_non_null(h);
    for (i = 0; i < sizeof(msg) - 1; i += 7)
        assert_int_equal(
            crypto_hmac_update(h, msg + i, sizeof(msg) - 1 - i < 7 ? sizeof(msg) - 1 - i : 7),
            HL_OK);
    assert_int_equal(crypto_hmac_update(h, "", 0), HL_OK);
    assert_int_equal(crypto_hmac_final(h, parts), HL_OK);
    crypto_hmac_free(h);
    assert_int_equal(crypto_hmac(CRYPTO_SHA1, "12345", 5, msg, sizeof(msg) - 1, whole), HL_OK);
    assert_memory_equal(whole, parts, sizeof(whole));
}

/* A reset context gives what a new one gives, after a final or halfway through a message. */
static void hmac_reset_starts_over_with_the_same_key(void **state)
{
    static const char msg[] = "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA123";
    unsigned char fresh[CRYPTO_SHA1_LEN], again[CRYPTO_SHA1_LEN];
    struct crypto_hmac *h = crypto_hmac_new(CRYPTO_SHA1, "12345", 5);

    (void)state;
    assert_int_equal(crypto_hmac(CRYPTO_SHA1, "12345", 5, msg, sizeof(msg) - 1, fresh), HL_OK);
    assert_non_null(h);
    assert_int_equal(crypto_hmac_update(h, "other message", 13), HL_OK);
    assert_int_equal(crypto_hmac_final(h, again), HL_OK);
    assert_int_equal(crypto_hmac_reset(h), HL_OK);
    assert_int_equal(crypto_hmac_update(h, msg, sizeof(msg) - 1), HL_OK);
    assert_int_equal(crypto_hmac_final(h, again), HL_OK);
    assert_memory_equal(fresh, again, sizeof(fresh));
    assert_int_equal(crypto_hmac_update(h, "abandoned half", 14), HL_OK);
    assert_int_equal(crypto_hmac_reset(h), HL_OK);
    assert_int_equal(crypto_hmac_update(h, msg, sizeof(msg) - 1), HL_OK);
    assert_int_equal(crypto_hmac_final(h, again), HL_OK);
    assert_memory_equal(fresh, again, sizeof(fresh));
    crypto_hmac_free(h);
}

static void hmac_accepts_empty_key(void **state)
{
    unsigned char mac[CRYPTO_SHA256_LEN];
    char hex[2 * CRYPTO_SHA256_LEN + 1];

    (void)state;
    /* HMAC-SHA256("", "") as computed by Python's hmac module and openssl dgst. */
    assert_int_equal(crypto_hmac(CRYPTO_SHA256, "", 0, "", 0, mac), HL_OK);
    crypto_hex_encode(hex, mac, sizeof(mac));
    assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    crypto_hmac_free(NULL);
}

static void sha256_matches_fips180_vectors(void **state)
{
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    unsigned char md[CRYPTO_SHA256_LEN];
    char hex[CRYPTO_SHA256_HEX_SIZE];

    (void)state;
    assert_int_equal(crypto_sha256_hex("abc", 3, hex), HL_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(crypto_sha256_hex(two_blocks, sizeof(two_blocks) - 1, hex), HL_OK);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert_int_equal(crypto_sha256_hex("", 0, hex), HL_OK);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(crypto_sha256("abc", 3, md), HL_OK);
    assert_int_equal(md[0], 0xba);
    assert_int_equal(md[31], 0xad);
}

/* RFC 4648 §10, with the base64url (no padding) form beside each. */
static const struct {
    const char *plain, *b64, *b64url;
} rfc4648_vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void base64_encodes_rfc4648_vectors(void **state)
{
    char out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(rfc4648_vectors); i++) {
        const char *p = rfc4648_vectors[i].plain;
        assert_int_equal(crypto_base64_encode(out, sizeof(out), p, strlen(p), &n), HL_OK);
        assert_string_equal(out, rfc4648_vectors[i].b64);
        assert_int_equal(n, strlen(out));
        assert_int_equal(crypto_base64url_encode(out, sizeof(out), p, strlen(p), &n), HL_OK);
        assert_string_equal(out, rfc4648_vectors[i].b64url);
        assert_int_equal(n, strlen(out));
    }
}

static void base64_decodes_rfc4648_vectors(void **state)
{
    unsigned char out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(rfc4648_vectors); i++) {
        const char *b = rfc4648_vectors[i].b64, *u = rfc4648_vectors[i].b64url;
        const char *p = rfc4648_vectors[i].plain;
        assert_int_equal(crypto_base64_decode(out, sizeof(out), b, strlen(b), &n), HL_OK);
        assert_int_equal(n, strlen(p));
        assert_memory_equal(out, p, n);
        assert_int_equal(crypto_base64url_decode(out, sizeof(out), u, strlen(u), &n), HL_OK);
        assert_int_equal(n, strlen(p));
        assert_memory_equal(out, p, n);
    }
}

/* Every byte value, as encoded by Python's base64.b64encode(bytes(range(256))). */
static const char all_bytes_b64[] =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQk"
    "NERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWG"
    "h4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIyc"
    "rLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==";

static void base64_round_trips_every_byte_and_alphabet(void **state)
{
    unsigned char bytes[256], back[256];
    char text[CRYPTO_BASE64_SIZE(256)], url[CRYPTO_BASE64_SIZE(256)];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)i;
    assert_int_equal(crypto_base64_encode(text, sizeof(text), bytes, 256, &n), HL_OK);
    assert_string_equal(text, all_bytes_b64);
    assert_int_equal(crypto_base64_decode(back, sizeof(back), text, n, &n), HL_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(back, bytes, 256);
    /* base64url: the same text with "-_" for "+/" and without the padding. */
    assert_int_equal(crypto_base64url_encode(url, sizeof(url), bytes, 256, &n), HL_OK);
    assert_int_equal(n, strlen(all_bytes_b64) - 2);
    for (i = 0; i < n; i++)
        assert_int_equal(url[i], text[i] == '+' ? '-' : text[i] == '/' ? '_' : text[i]);
    assert_int_equal(crypto_base64url_decode(back, sizeof(back), url, n, &n), HL_OK);
    assert_memory_equal(back, bytes, 256);
}

static void base64_round_trips_random_lengths(void **state)
{
    unsigned char bytes[100], back[100];
    char text[CRYPTO_BASE64_SIZE(100)];
    size_t len, n, m;
    int url;

    (void)state;
    for (len = 0; len <= sizeof(bytes); len++) {
        assert_int_equal(crypto_random(bytes, len), HL_OK);
        for (url = 0; url <= 1; url++) {
            int rc = url ? crypto_base64url_encode(text, sizeof(text), bytes, len, &n)
                         : crypto_base64_encode(text, sizeof(text), bytes, len, &n);
            assert_int_equal(rc, HL_OK);
            assert_int_equal(n, strlen(text));
            assert_int_equal(n, url ? (len * 4 + 2) / 3 : (len + 2) / 3 * 4);
            rc = url ? crypto_base64url_decode(back, len, text, n, &m)
                     : crypto_base64_decode(back, len, text, n, &m);
            assert_int_equal(rc, HL_OK);
            assert_int_equal(m, len);
            assert_memory_equal(back, bytes, len);
            assert_true(CRYPTO_BASE64_DECODED_MAX(n) >= len);
        }
    }
}

static void base64_decode_rejects_malformed_input(void **state)
{
    static const char *const bad[] = {
        "Zg",       /* unpadded */
        "Zg=",      /* length not a multiple of four */
        "Z===",     /* three '=' */
        "====",     /* only padding */
        "Zh==",     /* non-zero unused bits */
        "Zm9=",     /* non-zero unused bits */
        "Zm 9v",    /* whitespace */
        "Zm9v\n",   /* line break */
        "Zg==Zg==", /* padding in the middle */
        "Zm=v",     /* '=' inside a group */
        "Zm9-",     /* base64url character */
        "Zm9_",     /* base64url character */
        "Zm9\x80",  /* not ASCII */
    };
    unsigned char out[16];
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(bad); i++)
        assert_int_equal(crypto_base64_decode(out, sizeof(out), bad[i], strlen(bad[i]), NULL),
                         HL_EINVAL);
    assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm\0v", 4, NULL), HL_EINVAL);
}

static void base64url_decode_rejects_malformed_input(void **state)
{
    static const char *const bad[] = {
        "Zg==",  /* padding */
        "Zm9vY", /* length 4k+1 */
        "Zh",    /* non-zero unused bits */
        "Zm9",   /* non-zero unused bits */
        "+_8",   /* standard alphabet */
        "-/8",   /* standard alphabet */
        "Zm 9",  /* whitespace */
    };
    unsigned char out[16];
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(bad); i++)
        assert_int_equal(crypto_base64url_decode(out, sizeof(out), bad[i], strlen(bad[i]), NULL),
                         HL_EINVAL);
    assert_int_equal(crypto_base64url_decode(out, sizeof(out), "-_8", 3, NULL), HL_OK);
    assert_int_equal(out[0], 0xfb);
    assert_int_equal(out[1], 0xff);
}

static void base64_reports_too_small_buffers(void **state)
{
    char text[8];
    unsigned char out[2];
    size_t n = 99;

    (void)state;
    /* "foobar" needs 8 characters plus the NUL. */
    assert_int_equal(crypto_base64_encode(text, 8, "foobar", 6, &n), HL_ETOOLARGE);
    assert_string_equal(text, "");
    assert_int_equal(n, 99);
    assert_int_equal(crypto_base64url_encode(text, 8, "foobar", 6, NULL), HL_ETOOLARGE);
    assert_int_equal(crypto_base64url_encode(text, 5, "foo", 3, NULL), HL_OK);
    assert_int_equal(crypto_base64_decode(out, sizeof(out), "Zm9v", 4, NULL), HL_ETOOLARGE);
    assert_int_equal(crypto_base64url_decode(out, sizeof(out), "Zm8", 3, &n), HL_OK);
    assert_int_equal(n, 2);
}

static void equal_compares_content_and_length(void **state)
{
    (void)state;
    assert_true(crypto_equal("abc", 3, "abc", 3));
    assert_true(crypto_equal("", 0, "", 0));
    assert_false(crypto_equal("abc", 3, "abd", 3));
    assert_false(crypto_equal("abc", 3, "xbc", 3));
    assert_false(crypto_equal("abc", 3, "ab", 2));
    assert_false(crypto_equal("ab", 2, "abc", 3));
    assert_false(crypto_equal("abc", 3, "", 0));
    assert_false(crypto_equal("", 0, "a", 1));
    assert_false(crypto_equal("a\0b", 3, "a\0c", 3));
}

static void random_fills_distinct_bytes(void **state)
{
    unsigned char a[32] = {0}, b[32] = {0}, zero[32] = {0};

    (void)state;
    assert_int_equal(crypto_random(a, sizeof(a)), HL_OK);
    assert_int_equal(crypto_random(b, sizeof(b)), HL_OK);
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(crypto_random(a, 0), HL_OK);
}

static void wipe_zeroes_memory(void **state)
{
    unsigned char key[32];

    (void)state;
    memset(key, 0x5a, sizeof(key));
    crypto_wipe(key, sizeof(key));
    for (size_t i = 0; i < sizeof(key); i++)
        assert_int_equal(key[i], 0);
}

static void hex_encode_is_lowercase(void **state)
{
    char hex[9];

    (void)state;
    crypto_hex_encode(hex, "\x00\xab\xcd\xff", 4);
    assert_string_equal(hex, "00abcdff");
    crypto_hex_encode(hex, "", 0);
    assert_string_equal(hex, "");
}

/* Decode hex into dst; returns the byte count. */
static size_t unhex(unsigned char *dst, const char *hex)
{
    size_t n = strlen(hex) / 2, i;

    for (i = 0; i < n; i++) {
        unsigned int v = 0;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        dst[i] = (unsigned char)v;
    }
    return n;
}

struct gcm_vector {
    const char *name, *key, *iv, *aad, *pt, *ct, *tag;
};

static const struct gcm_vector gcm_vectors[] = {
    {"gcm-spec test case 13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"gcm-spec test case 14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"gcm-spec test case 15", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"gcm-spec test case 16 (aad)",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {"cavp ExtIV256 PTlen=0 AADlen=128 count 0 (aad)",
     "78dc4e0aaf52d935c3c01eea57428f00ca1fd475f5da86a49c8dd73d68c8e223",
     "d79cf22d504cc793c3fb6c8a", "b96baa8c1c75a671bfb2d08d06be5f36", "", "",
     "3e5d486aa2e30b22e040b85723a06e76"},
    {"cavp ExtIV256 PTlen=128 AADlen=0 count 0",
     "31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22",
     "0d18e06c7c725ac9e362e1ce", "", "2db5168e932556f8089a0622981d017d",
     "fa4362189661d163fcd6a56d8bf0405a", "d636ac1bbedd5cc3ee727dc2ab4a9489"},
};

static void aes_gcm_matches_published_vectors(void **state)
{
    unsigned char key[32], iv[12], aad[64], pt[64], ct[64], tag[16], out[80], back[64];
    size_t i;

    (void)state;
    for (i = 0; i < HL_ARRAY_LEN(gcm_vectors); i++) {
        const struct gcm_vector *v = &gcm_vectors[i];
        size_t aad_len, pt_len;

        print_message("%s\n", v->name);
        assert_int_equal(unhex(key, v->key), 32);
        assert_int_equal(unhex(iv, v->iv), 12);
        aad_len = unhex(aad, v->aad);
        pt_len = unhex(pt, v->pt);
        assert_int_equal(unhex(ct, v->ct), pt_len);
        assert_int_equal(unhex(tag, v->tag), 16);
        assert_int_equal(crypto_aes_gcm_seal(key, iv, aad_len ? aad : NULL, aad_len, pt, pt_len,
                                             out),
                         HL_OK);
        assert_memory_equal(out, ct, pt_len);
        assert_memory_equal(out + pt_len, tag, 16);
        memset(back, 0x55, sizeof(back));
        assert_int_equal(crypto_aes_gcm_open(key, iv, aad, aad_len, out, pt_len + 16, back), HL_OK);
        assert_memory_equal(back, pt, pt_len);
    }
}

static void aes_gcm_open_rejects_any_change(void **state)
{
    const struct gcm_vector *v = &gcm_vectors[3]; /* plaintext and aad */
    unsigned char key[32], iv[12], aad[32], pt[64], sealed[80], out[64];
    size_t aad_len, pt_len, i;

    (void)state;
    unhex(key, v->key);
    unhex(iv, v->iv);
    aad_len = unhex(aad, v->aad);
    pt_len = unhex(pt, v->pt);
    assert_int_equal(crypto_aes_gcm_seal(key, iv, aad, aad_len, pt, pt_len, sealed), HL_OK);
    /* Flip one bit of each byte of ciphertext and tag in turn. */
    for (i = 0; i < pt_len + 16; i++) {
        sealed[i] ^= 0x01;
        memset(out, 0x55, sizeof(out));
        assert_int_equal(crypto_aes_gcm_open(key, iv, aad, aad_len, sealed, pt_len + 16, out),
                         HL_EBADSIG);
        for (size_t j = 0; j < pt_len; j++)
            assert_int_equal(out[j], 0); /* no unauthenticated plaintext left */
        sealed[i] ^= 0x01;
    }
    key[31] ^= 0x80;
    assert_int_equal(crypto_aes_gcm_open(key, iv, aad, aad_len, sealed, pt_len + 16, out),
                     HL_EBADSIG);
    key[31] ^= 0x80;
    iv[0] ^= 0x01;
    assert_int_equal(crypto_aes_gcm_open(key, iv, aad, aad_len, sealed, pt_len + 16, out),
                     HL_EBADSIG);
    iv[0] ^= 0x01;
    assert_int_equal(crypto_aes_gcm_open(key, iv, aad, aad_len - 1, sealed, pt_len + 16, out),
                     HL_EBADSIG);
    assert_int_equal(crypto_aes_gcm_open(key, iv, aad, aad_len, sealed, 15, out), HL_EINVAL);
    assert_int_equal(crypto_aes_gcm_open(key, iv, aad, aad_len, sealed, pt_len + 16, out), HL_OK);
    assert_memory_equal(out, pt, pt_len);
}

static void aes_gcm_works_in_place(void **state)
{
    unsigned char key[32] = {1}, iv[12] = {2}, data[1000 + 16], copy[1000];

    (void)state;
    assert_int_equal(crypto_random(copy, sizeof(copy)), HL_OK);
    memcpy(data, copy, sizeof(copy));
    assert_int_equal(crypto_aes_gcm_seal(key, iv, "a", 1, data, 1000, data), HL_OK);
    assert_memory_not_equal(data, copy, 1000);
    assert_int_equal(crypto_aes_gcm_open(key, iv, "a", 1, data, sizeof(data), data), HL_OK);
    assert_memory_equal(data, copy, 1000);
}

static void sha256_streaming_equals_one_shot(void **state)
{
    unsigned char data[3000], want[32], got[32];
    size_t cut;

    (void)state;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7);
    assert_int_equal(crypto_sha256(data, sizeof(data), want), HL_OK);
    for (cut = 0; cut <= sizeof(data); cut += 997) {
        struct crypto_sha256_ctx *c = crypto_sha256_begin();
        assert_non_null(c);
        assert_int_equal(crypto_sha256_update(c, data, cut), HL_OK);
        assert_int_equal(crypto_sha256_update(c, data + cut, sizeof(data) - cut), HL_OK);
        assert_int_equal(crypto_sha256_end(c, got), HL_OK);
        assert_memory_equal(got, want, 32);
    }
    /* FIPS 180-2 "abc", fed one byte at a time; and an abandoned hash. */
    {
        struct crypto_sha256_ctx *c = crypto_sha256_begin();
        char hex[CRYPTO_SHA256_HEX_SIZE];
        assert_int_equal(crypto_sha256_update(c, "a", 1), HL_OK);
        assert_int_equal(crypto_sha256_update(c, "b", 1), HL_OK);
        assert_int_equal(crypto_sha256_update(c, "", 0), HL_OK);
        assert_int_equal(crypto_sha256_update(c, "c", 1), HL_OK);
        assert_int_equal(crypto_sha256_end(c, got), HL_OK);
        crypto_hex_encode(hex, got, 32);
        assert_string_equal(hex,
                            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        c = crypto_sha256_begin();
        crypto_sha256_update(c, "x", 1);
        assert_int_equal(crypto_sha256_end(c, NULL), HL_OK);
        assert_int_equal(crypto_sha256_end(NULL, NULL), HL_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hmac_sha1_matches_rfc2202),
        cmocka_unit_test(hmac_sha256_matches_rfc4231),
        cmocka_unit_test(hmac_streaming_equals_one_shot),
        cmocka_unit_test(hmac_reset_starts_over_with_the_same_key),
        cmocka_unit_test(hmac_accepts_empty_key),
        cmocka_unit_test(sha256_matches_fips180_vectors),
        cmocka_unit_test(base64_encodes_rfc4648_vectors),
        cmocka_unit_test(base64_decodes_rfc4648_vectors),
        cmocka_unit_test(base64_round_trips_every_byte_and_alphabet),
        cmocka_unit_test(base64_round_trips_random_lengths),
        cmocka_unit_test(base64_decode_rejects_malformed_input),
        cmocka_unit_test(base64url_decode_rejects_malformed_input),
        cmocka_unit_test(base64_reports_too_small_buffers),
        cmocka_unit_test(equal_compares_content_and_length),
        cmocka_unit_test(random_fills_distinct_bytes),
        cmocka_unit_test(wipe_zeroes_memory),
        cmocka_unit_test(hex_encode_is_lowercase),
        cmocka_unit_test(aes_gcm_matches_published_vectors),
        cmocka_unit_test(aes_gcm_open_rejects_any_change),
        cmocka_unit_test(aes_gcm_works_in_place),
        cmocka_unit_test(sha256_streaming_equals_one_shot),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
