/*
 * memo.h — encrypted voice memos: the on-disk format and the link that
 * carries the key (SPEC "Recording pipeline", guide 004).
 *
 * A memo is a 128-bit random id and a fresh 256-bit AES key. Its files live
 * in MEDIA_DIR/memos/<id>/:
 *
 *     audio.enc   the recording, as uploaded (WAV bytes, unchanged)
 *     meta.enc    a JSON document: transcript and analysis
 *
 * each written atomically with mode 0600 as
 *
 *     "HLM1" | nonce (12 random bytes) | AES-256-GCM ciphertext | tag (16)
 *
 * with associated data "hotline-memo-v1:<id>:<part>" (part "audio" or
 * "meta"), so a file moved to another memo or swapped with its sibling does
 * not open. docs/memo-format.md describes the format byte by byte.
 *
 * hotline never stores the key: memo_seal() hands it back once, the caller
 * builds the link `{base}/voice/{id}#{base64url(key)}` with memo_link(),
 * keeps only SHA-256(key) (to recognise the key later) and wipes the key with
 * crypto_wipe(). The fragment after '#' is never sent to a server by a
 * browser. Plaintext exists only in memory; it never touches the disk.
 *
 * Errors come back as HL_* codes with a message in struct hl_err:
 * HL_EINVAL for malformed ids, links and files, HL_EBADSIG when the key is
 * wrong (or a file was altered — GCM cannot tell the two apart),
 * HL_ENOTFOUND when the memo's files are gone, HL_EIO for the file system.
 */
#ifndef HL_MEMO_H
#define HL_MEMO_H

#include <stddef.h>

#include "core/buf.h"
#include "core/hl.h"
#include "crypto/crypto.h"

#define MEMO_ID_BYTES     16 /* random bytes behind an id */
#define MEMO_ID_LEN       22 /* base64url characters of an id */
#define MEMO_KEY_LEN      32 /* AES-256 key */
#define MEMO_KEY_TEXT_LEN 43 /* base64url characters of a key, no padding */
#define MEMO_MAGIC        "HLM1"
#define MEMO_MAGIC_LEN    4
#define MEMO_HEADER_LEN   (MEMO_MAGIC_LEN + CRYPTO_AES_GCM_NONCE_LEN)
#define MEMO_OVERHEAD     (MEMO_HEADER_LEN + CRYPTO_AES_GCM_TAG_LEN) /* 32 bytes a file adds */
#define MEMO_AAD_PREFIX   "hotline-memo-v1:"
#define MEMO_PATH_MAX     4096
#define MEMO_MAX_PART     ((size_t)1 << 30) /* largest audio or meta memo_open() reads */

/* What memo_seal() made. Everything here may be stored; none of it is secret. */
struct memo_sealed {
    char id[MEMO_ID_LEN + 1];
    char key_sha256[CRYPTO_SHA256_HEX_SIZE]; /* lowercase hex SHA-256 of the raw key */
    char dir[MEMO_PATH_MAX];                 /* MEDIA_DIR/memos/<id> */
    char audio_path[MEMO_PATH_MAX];          /* .../audio.enc */
    char meta_path[MEMO_PATH_MAX];           /* .../meta.enc */
};

/*
 * Encrypt audio (audio_len bytes, may be 0) and meta_json (a NUL-terminated
 * JSON text; NULL stands for "{}") into a new memo under media_dir, creating
 * media_dir/memos/<id>/ (mode 0700) as needed. On success out describes the
 * memo and key_out holds its key: the caller puts it into a link and wipes
 * it. On failure nothing of the memo is left on disk, key_out is zeroed and
 * err says why (HL_EIO, HL_ETOOLARGE for a media_dir path too long).
 */
int memo_seal(const char *media_dir, const void *audio, size_t audio_len, const char *meta_json,
              struct memo_sealed *out, unsigned char key_out[MEMO_KEY_LEN], struct hl_err *err);

/* A new memo id (128 random bits as 22 base64url characters). HL_EIO if the CSPRNG fails. */
int memo_new_id(char id[MEMO_ID_LEN + 1], struct hl_err *err);

/*
 * memo_seal() under a given id (memo_id_valid()), for a caller that must know
 * the id before the files exist — the pipeline, which removes what a crash
 * left (memo_remove()) and seals again. Files of that id are replaced.
 */
int memo_seal_as(const char *media_dir, const char *id, const void *audio, size_t audio_len,
                 const char *meta_json, struct memo_sealed *out,
                 unsigned char key_out[MEMO_KEY_LEN], struct hl_err *err);

/* Remove memo id's directory and all it holds, temporary files included. Gone already is fine. */
int memo_remove(const char *media_dir, const char *id, struct hl_err *err);

/*
 * Decrypt memo id with key. Each part goes to its buffer (appended; NULL
 * skips that part). The caller wipes and releases the buffers when done with
 * the plaintext. Returns HL_OK; HL_EINVAL for an id that is not 22 base64url
 * characters or a file that is not a memo file; HL_ENOTFOUND when the memo
 * is gone; HL_EBADSIG "wrong key for this memo" when authentication fails;
 * HL_ETOOLARGE when a part exceeds its buffer's ceiling; HL_EIO. The meta
 * part is opened first; when the audio then fails, meta is wiped and emptied
 * (buf_reset), so no plaintext is handed out with an error.
 */
int memo_open(const char *media_dir, const char *id, const unsigned char key[MEMO_KEY_LEN],
              struct buf *audio, struct buf *meta, struct hl_err *err);

/*
 * Write "{base}/voice/{id}#{base64url(key)}" and a NUL to out (a trailing '/'
 * of base is dropped). Returns HL_OK, or HL_ETOOLARGE when out_size is too
 * small (out is then ""). The caller wipes out when it no longer needs it.
 */
int memo_link(const char *base, const char *id, const unsigned char key[MEMO_KEY_LEN], char *out,
              size_t out_size);

/*
 * Take a link apart: it must contain "/voice/", then exactly 22 base64url
 * characters (the id), '#', and exactly 43 base64url characters (the key),
 * and nothing after. Anything may come before "/voice/" (scheme, host, path
 * prefix). Returns HL_OK or HL_EINVAL with a message naming the problem;
 * key_out is zeroed on failure.
 */
int memo_parse_link(const char *link, char id_out[MEMO_ID_LEN + 1],
                    unsigned char key_out[MEMO_KEY_LEN], struct hl_err *err);

/*
 * Where memo id's files are (out->dir, audio_path, meta_path; id copied,
 * key_sha256 left empty), without touching the disk. HL_EINVAL when id is not
 * 22 base64url characters, so a path is built only from a valid id;
 * HL_ETOOLARGE when media_dir is too long.
 */
int memo_locate(const char *media_dir, const char *id, struct memo_sealed *out,
                struct hl_err *err);

/* 1 when id is exactly 22 base64url characters (so it is safe in a path), else 0. */
int memo_id_valid(const char *id, size_t len);

#endif
