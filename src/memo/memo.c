/*
 * memo.c — sealing and opening encrypted memos (see memo.h for the format).
 *
 * Every file is encrypted in memory and written with fs_write_atomic(), so
 * neither the plaintext nor a half-written file ever reaches the disk. The
 * associated data binds each file to its memo id and part name; the magic
 * and nonce travel in the clear at the front of the file.
 *
 * Keys live in caller-provided arrays and in stack copies here, and every
 * path out of a function that held one wipes it.
 */
#include "memo/memo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/banned.h"

#define MEMO_AAD_MAX (sizeof(MEMO_AAD_PREFIX) + MEMO_ID_LEN + 16)

static int b64url_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

int memo_id_valid(const char *id, size_t len)
{
    size_t i;

    if (len != MEMO_ID_LEN)
        return 0;
    for (i = 0; i < len; i++)
        if (!b64url_char((unsigned char)id[i]))
            return 0;
    return 1;
}

/* "hotline-memo-v1:<id>:<part>" into aad; returns its length. */
static size_t memo_aad(char aad[MEMO_AAD_MAX], const char *id, const char *part)
{
    int n = snprintf(aad, MEMO_AAD_MAX, "%s%s:%s", MEMO_AAD_PREFIX, id, part);

    return n < 0 ? 0 : (size_t)n;
}

static int memo_paths(struct memo_sealed *m, const char *media_dir, const char *id,
                      struct hl_err *err)
{
    int a = snprintf(m->dir, sizeof(m->dir), "%s/memos/%s", media_dir, id);
    int b = snprintf(m->audio_path, sizeof(m->audio_path), "%s/audio.enc", m->dir);
    int c = snprintf(m->meta_path, sizeof(m->meta_path), "%s/meta.enc", m->dir);

    if (a < 0 || b < 0 || c < 0 || (size_t)a >= sizeof(m->dir) ||
        (size_t)b >= sizeof(m->audio_path) || (size_t)c >= sizeof(m->meta_path))
        return hl_err_set(err, HL_ETOOLARGE, "MEDIA_DIR path is too long");
    return HL_OK;
}

/* Encrypt one part and write it as magic | nonce | ciphertext | tag. */
static int memo_write_part(const char *path, const char *id, const char *part,
                           const unsigned char *key, const void *data, size_t len,
                           struct hl_err *err)
{
    char aad[MEMO_AAD_MAX];
    size_t aad_len = memo_aad(aad, id, part);
    unsigned char *file;
    int rc;

    if (len > SIZE_MAX - MEMO_OVERHEAD)
        return hl_err_set(err, HL_ETOOLARGE, "memo %s is too large", part);
    file = hl_malloc(len + MEMO_OVERHEAD);
    memcpy(file, MEMO_MAGIC, MEMO_MAGIC_LEN);
    rc = crypto_random(file + MEMO_MAGIC_LEN, CRYPTO_AES_GCM_NONCE_LEN);
    if (rc == HL_OK)
        rc = crypto_aes_gcm_seal(key, file + MEMO_MAGIC_LEN, aad, aad_len, data, len,
                                 file + MEMO_HEADER_LEN);
    if (rc != HL_OK)
        hl_err_set(err, rc, "cannot encrypt the memo's %s", part);
    else
        rc = fs_write_atomic(path, file, len + MEMO_OVERHEAD, 0600, err);
    free(file); /* ciphertext only: nothing secret to wipe */
    return rc;
}

static void memo_remove_files(const struct memo_sealed *m)
{
    unlink(m->audio_path);
    unlink(m->meta_path);
    rmdir(m->dir);
}

int memo_new_id(char id[MEMO_ID_LEN + 1], struct hl_err *err)
{
    unsigned char raw_id[MEMO_ID_BYTES];

    if (crypto_random(raw_id, sizeof(raw_id)) != HL_OK)
        return hl_err_set(err, HL_EIO, "the random number generator failed");
    crypto_base64url_encode(id, MEMO_ID_LEN + 1, raw_id, sizeof(raw_id), NULL);
    return HL_OK;
}

int memo_remove(const char *media_dir, const char *id, struct hl_err *err)
{
    struct memo_sealed m;
    int rc;

    if ((rc = memo_locate(media_dir, id, &m, err)) != HL_OK ||
        (rc = fs_remove_prefixed(m.dir, "", err)) != HL_OK)
        return rc;
    if (rmdir(m.dir) != 0 && errno != ENOENT)
        return hl_err_set(err, HL_EIO, "cannot remove %s: %s", m.dir, strerror(errno));
    return HL_OK;
}

int memo_seal_as(const char *media_dir, const char *id, const void *audio, size_t audio_len,
                 const char *meta_json, struct memo_sealed *out,
                 unsigned char key_out[MEMO_KEY_LEN], struct hl_err *err)
{
    unsigned char key[MEMO_KEY_LEN];
    const char *meta = meta_json ? meta_json : "{}";
    int rc, made = 0;

    memset(out, 0, sizeof(*out));
    crypto_wipe(key_out, MEMO_KEY_LEN);
    if (!memo_id_valid(id, strlen(id)))
        return hl_err_set(err, HL_EINVAL, "a memo id is 22 base64url characters");
    if ((rc = crypto_random(key, sizeof(key))) != HL_OK) {
        hl_err_set(err, rc, "the random number generator failed");
        goto out;
    }
    snprintf(out->id, sizeof(out->id), "%s", id);
    if ((rc = memo_paths(out, media_dir, out->id, err)) != HL_OK)
        goto out;
    if ((rc = fs_mkdirs(out->dir, 0700, err)) != HL_OK)
        goto out;
    made = 1;
    rc = memo_write_part(out->audio_path, out->id, "audio", key, audio, audio_len, err);
    if (rc == HL_OK)
        rc = memo_write_part(out->meta_path, out->id, "meta", key, meta, strlen(meta), err);
    if (rc == HL_OK && (rc = crypto_sha256_hex(key, sizeof(key), out->key_sha256)) != HL_OK)
        hl_err_set(err, rc, "cannot hash the memo key");
    if (rc == HL_OK)
        memcpy(key_out, key, sizeof(key));
out:
    if (rc != HL_OK && made)
        memo_remove_files(out);
    crypto_wipe(key, sizeof(key));
    return rc;
}

int memo_seal(const char *media_dir, const void *audio, size_t audio_len, const char *meta_json,
              struct memo_sealed *out, unsigned char key_out[MEMO_KEY_LEN], struct hl_err *err)
{
    char id[MEMO_ID_LEN + 1];
    int rc = memo_new_id(id, err);

    if (rc != HL_OK) {
        memset(out, 0, sizeof(*out));
        crypto_wipe(key_out, MEMO_KEY_LEN);
        return rc;
    }
    return memo_seal_as(media_dir, id, audio, audio_len, meta_json, out, key_out, err);
}

/*
 * Read and decrypt one part into dst. The file is decrypted in place in the
 * buffer it was read into, which is wiped before it is freed.
 */
static int memo_read_part(const char *path, const char *id, const char *part,
                          const unsigned char *key, struct buf *dst, struct hl_err *err)
{
    char aad[MEMO_AAD_MAX];
    size_t aad_len = memo_aad(aad, id, part), len = 0, plain_len;
    char *file = NULL;
    int rc;

    rc = fs_read_all(path, MEMO_MAX_PART + MEMO_OVERHEAD, &file, &len, err);
    if (rc == HL_ENOTFOUND)
        return hl_err_set(err, rc, "memo %s not found (deleted?)", id);
    if (rc != HL_OK)
        return rc;
    if (len < MEMO_OVERHEAD || memcmp(file, MEMO_MAGIC, MEMO_MAGIC_LEN) != 0) {
        rc = hl_err_set(err, HL_EINVAL, "%s is not a hotline memo file", path);
        goto out;
    }
    plain_len = len - MEMO_OVERHEAD;
    rc = crypto_aes_gcm_open(key, (unsigned char *)file + MEMO_MAGIC_LEN, aad, aad_len,
                             file + MEMO_HEADER_LEN, len - MEMO_HEADER_LEN,
                             (unsigned char *)file + MEMO_HEADER_LEN);
    if (rc == HL_EBADSIG)
        hl_err_set(err, rc, "wrong key for this memo");
    else if (rc != HL_OK)
        hl_err_set(err, rc, "cannot decrypt the memo's %s", part);
    else if ((rc = buf_add(dst, file + MEMO_HEADER_LEN, plain_len)) != HL_OK)
        hl_err_set(err, rc, "the memo's %s is larger than %zu bytes", part, dst->max);
out:
    crypto_wipe(file, len);
    free(file);
    return rc;
}

int memo_locate(const char *media_dir, const char *id, struct memo_sealed *out,
                struct hl_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!id || !memo_id_valid(id, strlen(id)))
        return hl_err_set(err, HL_EINVAL, "a memo id is 22 base64url characters");
    memcpy(out->id, id, MEMO_ID_LEN);
    return memo_paths(out, media_dir, id, err);
}

int memo_open(const char *media_dir, const char *id, const unsigned char key[MEMO_KEY_LEN],
              struct buf *audio, struct buf *meta, struct hl_err *err)
{
    struct memo_sealed m;
    int rc;

    if ((rc = memo_locate(media_dir, id, &m, err)) != HL_OK)
        return rc;
    /* The meta part first: it is small, so a wrong key is found cheaply. */
    if (meta && (rc = memo_read_part(m.meta_path, id, "meta", key, meta, err)) != HL_OK)
        return rc;
    if (audio && (rc = memo_read_part(m.audio_path, id, "audio", key, audio, err)) != HL_OK) {
        if (meta && meta->ptr) {
            crypto_wipe(meta->ptr, meta->cap);
            buf_reset(meta);
        }
        return rc;
    }
    return HL_OK;
}

int memo_link(const char *base, const char *id, const unsigned char key[MEMO_KEY_LEN], char *out,
              size_t out_size)
{
    char key_text[MEMO_KEY_TEXT_LEN + 1];
    size_t base_len = strlen(base);
    int n;

    if (base_len && base[base_len - 1] == '/')
        base_len--;
    crypto_base64url_encode(key_text, sizeof(key_text), key, MEMO_KEY_LEN, NULL);
    n = snprintf(out, out_size, "%.*s/voice/%s#%s", (int)base_len, base, id, key_text);
    crypto_wipe(key_text, sizeof(key_text));
    if (n < 0 || (size_t)n >= out_size) {
        if (out_size)
            crypto_wipe(out, out_size);
        return HL_ETOOLARGE;
    }
    return HL_OK;
}

int memo_parse_link(const char *link, char id_out[MEMO_ID_LEN + 1],
                    unsigned char key_out[MEMO_KEY_LEN], struct hl_err *err)
{
    const char *hash = strchr(link, '#'), *id, *key_text;
    size_t key_len, got = 0;
    int rc;

    crypto_wipe(key_out, MEMO_KEY_LEN);
    id_out[0] = '\0';
    if (!hash)
        return hl_err_set(err, HL_EINVAL, "the link has no #key part (copy the whole link)");
    key_text = hash + 1;
    key_len = strlen(key_text);
    if ((size_t)(hash - link) < MEMO_ID_LEN + 7 ||
        memcmp(hash - MEMO_ID_LEN - 7, "/voice/", 7) != 0)
        return hl_err_set(err, HL_EINVAL, "not a memo link: expected .../voice/ID#KEY");
    id = hash - MEMO_ID_LEN;
    if (!memo_id_valid(id, MEMO_ID_LEN))
        return hl_err_set(err, HL_EINVAL, "the memo id must be 22 base64url characters");
    if (key_len != MEMO_KEY_TEXT_LEN)
        return hl_err_set(err, HL_EINVAL,
                          "the key must be 43 base64url characters, not %zu (truncated link?)",
                          key_len);
    rc = crypto_base64url_decode(key_out, MEMO_KEY_LEN, key_text, key_len, &got);
    if (rc != HL_OK || got != MEMO_KEY_LEN) {
        crypto_wipe(key_out, MEMO_KEY_LEN);
        return hl_err_set(err, HL_EINVAL, "the key is not valid base64url");
    }
    memcpy(id_out, id, MEMO_ID_LEN);
    id_out[MEMO_ID_LEN] = '\0';
    return HL_OK;
}
