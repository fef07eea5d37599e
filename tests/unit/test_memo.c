/*
 * test_memo.c — encrypted memos (src/memo): a WAV survives seal and open
 * byte for byte; a wrong key, and any change to a file (ciphertext, nonce,
 * tag, magic, moving it to another memo or part), is refused; links are
 * parsed strictly; the key is in no file under MEDIA_DIR and the files are
 * 0600. Also prints AES-256-GCM throughput on this machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/hl.h"
#include "crypto/crypto.h"
#include "memo/memo.h"
#include "core/banned.h"

#define WAV_DATA 48000

struct fixture {
    char dir[64];
    unsigned char wav[44 + WAV_DATA];
    struct memo_sealed memo;
    unsigned char key[MEMO_KEY_LEN];
};

static const char meta_json[] =
    "{\"transcript\":\"call me back tomorrow at 3\",\"intent\":\"callback\"}";

static void put_le(unsigned char *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A 16-bit mono 8 kHz WAV with random samples. */
static void make_wav(unsigned char *w)
{
    memcpy(w, "RIFF", 4);
    put_le(w + 4, 36 + WAV_DATA, 4);
    memcpy(w + 8, "WAVEfmt ", 8);
    put_le(w + 16, 16, 4);
    put_le(w + 20, 1, 2);
    put_le(w + 22, 1, 2);
    put_le(w + 24, 8000, 4);
    put_le(w + 28, 16000, 4);
    put_le(w + 32, 2, 2);
    put_le(w + 34, 16, 2);
    memcpy(w + 36, "data", 4);
    put_le(w + 40, WAV_DATA, 4);
    assert_int_equal(crypto_random(w + 44, WAV_DATA), HL_OK);
}

static void rm_tree(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char child[1024];

    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
                rm_tree(child);
            }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int setup(void **state)
{
    struct fixture *f = hl_calloc(1, sizeof(*f));
    struct hl_err err = {0};

    snprintf(f->dir, sizeof(f->dir), "/tmp/hl-memo-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    make_wav(f->wav);
    if (memo_seal(f->dir, f->wav, sizeof(f->wav), meta_json, &f->memo, f->key, &err) != HL_OK) {
        print_error("memo_seal: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    rm_tree(f->dir);
    free(f);
    return 0;
}

/* Open f's memo with key; returns the result and, on success, checks the contents. */
static int open_memo(struct fixture *f, const char *id, const unsigned char *key,
                     struct hl_err *err)
{
    struct buf audio = BUF_INIT(1 << 20), meta = BUF_INIT(4096);
    int rc = memo_open(f->dir, id, key, &audio, &meta, err);

    if (rc == HL_OK && strcmp(id, f->memo.id) == 0) {
        assert_int_equal(audio.len, sizeof(f->wav));
        assert_memory_equal(audio.ptr, f->wav, sizeof(f->wav));
        assert_string_equal(buf_str(&meta), meta_json);
    }
    if (rc != HL_OK) {
        assert_int_equal(audio.len, 0);
        assert_int_equal(meta.len, 0);
    }
    buf_release(&audio);
    buf_release(&meta);
    return rc;
}

static void seal_open_round_trips_wav_byte_for_byte(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};
    char hex[CRYPTO_SHA256_HEX_SIZE];
    struct stat st;

    assert_int_equal(strlen(f->memo.id), MEMO_ID_LEN);
    assert_true(memo_id_valid(f->memo.id, MEMO_ID_LEN));
    assert_int_equal(crypto_sha256_hex(f->key, MEMO_KEY_LEN, hex), HL_OK);
    assert_string_equal(f->memo.key_sha256, hex);
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_OK);
    /* Each file is exactly 32 bytes longer than its plaintext. */
    assert_int_equal(stat(f->memo.audio_path, &st), 0);
    assert_int_equal((size_t)st.st_size, sizeof(f->wav) + MEMO_OVERHEAD);
    assert_int_equal(stat(f->memo.meta_path, &st), 0);
    assert_int_equal((size_t)st.st_size, strlen(meta_json) + MEMO_OVERHEAD);
}

static void open_one_part_only(void **state)
{
    struct fixture *f = *state;
    struct buf meta = BUF_INIT(4096);
    struct hl_err err = {0};

    assert_int_equal(memo_open(f->dir, f->memo.id, f->key, NULL, &meta, &err), HL_OK);
    assert_string_equal(buf_str(&meta), meta_json);
    buf_release(&meta);
}

/* A crash left the memo's files and a temporary one: removed, then sealed again under its id. */
static void reseal_under_the_same_id_after_remove(void **state)
{
    struct fixture *f = *state;
    unsigned char key2[MEMO_KEY_LEN];
    struct memo_sealed again;
    struct hl_err err = {0};
    char tmp[MEMO_PATH_MAX + 16];
    FILE *fp;

    snprintf(tmp, sizeof(tmp), "%s.tmpAbCdEf", f->memo.audio_path);
    assert_non_null(fp = fopen(tmp, "wb"));
    fputs("half", fp);
    fclose(fp);
    assert_int_equal(memo_remove(f->dir, f->memo.id, &err), HL_OK);
    assert_int_equal(access(f->memo.dir, F_OK), -1);
    assert_int_equal(memo_remove(f->dir, f->memo.id, &err), HL_OK); /* gone already */
    assert_int_equal(memo_remove(f->dir, "../../etc", &err), HL_EINVAL);
    assert_int_equal(
        memo_seal_as(f->dir, f->memo.id, f->wav, sizeof(f->wav), meta_json, &again, key2, &err),
        HL_OK);
    assert_string_equal(again.id, f->memo.id);
    assert_string_not_equal(again.key_sha256, f->memo.key_sha256);
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_EBADSIG); /* the old key: no */
    memcpy(f->key, key2, sizeof(key2));
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_OK);
    assert_int_equal(memo_seal_as(f->dir, "short", f->wav, 4, NULL, &again, key2, &err), HL_EINVAL);
}

static void seal_makes_distinct_ids_keys_and_nonces(void **state)
{
    struct fixture *f = *state;
    struct memo_sealed other;
    unsigned char key[MEMO_KEY_LEN];
    struct hl_err err = {0};
    char *a = NULL, *b = NULL;
    size_t alen, blen;

    assert_int_equal(memo_seal(f->dir, f->wav, sizeof(f->wav), meta_json, &other, key, &err),
                     HL_OK);
    assert_string_not_equal(other.id, f->memo.id);
    assert_memory_not_equal(key, f->key, MEMO_KEY_LEN);
    assert_int_equal(fs_read_all(f->memo.audio_path, 1 << 20, &a, &alen, &err), HL_OK);
    assert_int_equal(fs_read_all(other.audio_path, 1 << 20, &b, &blen, &err), HL_OK);
    assert_memory_equal(a, MEMO_MAGIC, 4);
    assert_memory_not_equal(a + 4, b + 4, CRYPTO_AES_GCM_NONCE_LEN);
    free(a);
    free(b);
    crypto_wipe(key, sizeof(key));
}

static void open_rejects_wrong_key(void **state)
{
    struct fixture *f = *state;
    unsigned char key[MEMO_KEY_LEN];
    struct hl_err err = {0};

    memcpy(key, f->key, sizeof(key));
    key[0] ^= 1;
    assert_int_equal(open_memo(f, f->memo.id, key, &err), HL_EBADSIG);
    assert_string_equal(err.msg, "wrong key for this memo");
}

/* Flip bit 0 of byte off in path, open, restore; returns what open said. */
static int open_with_flipped_byte(struct fixture *f, const char *path, size_t off)
{
    char *data = NULL;
    size_t len;
    struct hl_err err = {0};
    int rc;

    assert_int_equal(fs_read_all(path, 1 << 20, &data, &len, &err), HL_OK);
    assert_true(off < len);
    data[off] ^= 1;
    assert_int_equal(fs_write_atomic(path, data, len, 0600, &err), HL_OK);
    rc = open_memo(f, f->memo.id, f->key, &err);
    data[off] ^= 1;
    assert_int_equal(fs_write_atomic(path, data, len, 0600, &err), HL_OK);
    free(data);
    return rc;
}

static void open_rejects_tampered_files(void **state)
{
    struct fixture *f = *state;
    const char *paths[] = {f->memo.audio_path, f->memo.meta_path};
    struct hl_err err = {0};

    for (size_t i = 0; i < 2; i++) {
        struct stat st;
        assert_int_equal(stat(paths[i], &st), 0);
        size_t len = (size_t)st.st_size;
        assert_int_equal(open_with_flipped_byte(f, paths[i], 0), HL_EINVAL);         /* magic */
        assert_int_equal(open_with_flipped_byte(f, paths[i], 4), HL_EBADSIG);        /* nonce */
        assert_int_equal(open_with_flipped_byte(f, paths[i], 15), HL_EBADSIG);       /* nonce */
        assert_int_equal(open_with_flipped_byte(f, paths[i], 16), HL_EBADSIG);       /* cipher */
        assert_int_equal(open_with_flipped_byte(f, paths[i], len - 17), HL_EBADSIG); /* cipher */
        assert_int_equal(open_with_flipped_byte(f, paths[i], len - 16), HL_EBADSIG); /* tag */
        assert_int_equal(open_with_flipped_byte(f, paths[i], len - 1), HL_EBADSIG);  /* tag */
    }
    /* Unchanged again after the restores. */
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_OK);
    /* Truncated files. */
    assert_int_equal(truncate(f->memo.meta_path, MEMO_OVERHEAD - 1), 0);
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_EINVAL);
    assert_int_equal(truncate(f->memo.meta_path, 0), 0);
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_EINVAL);
}

static void copy_file(const char *from, const char *to)
{
    char *data = NULL;
    size_t len;
    struct hl_err err = {0};

    assert_int_equal(fs_read_all(from, 1 << 20, &data, &len, &err), HL_OK);
    assert_int_equal(fs_write_atomic(to, data, len, 0600, &err), HL_OK);
    free(data);
}

static void open_rejects_file_moved_to_other_memo_or_part(void **state)
{
    struct fixture *f = *state;
    struct memo_sealed other;
    unsigned char key[MEMO_KEY_LEN];
    struct hl_err err = {0};

    /*
     * f's files copied into another memo's folder and opened with f's key:
     * key, nonce and ciphertext all fit, only the associated data (the id)
     * differs.
     */
    assert_int_equal(memo_seal(f->dir, "x", 1, NULL, &other, key, &err), HL_OK);
    copy_file(f->memo.audio_path, other.audio_path);
    copy_file(f->memo.meta_path, other.meta_path);
    assert_int_equal(open_memo(f, other.id, f->key, &err), HL_EBADSIG);
    assert_string_equal(err.msg, "wrong key for this memo");
    /* Audio and meta swapped inside one memo. */
    copy_file(f->memo.audio_path, other.meta_path);
    copy_file(f->memo.meta_path, other.audio_path);
    copy_file(other.meta_path, f->memo.meta_path);
    copy_file(other.audio_path, f->memo.audio_path);
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_EBADSIG);
    crypto_wipe(key, sizeof(key));
}

static void open_reports_missing_memo_and_bad_id(void **state)
{
    struct fixture *f = *state;
    struct hl_err err = {0};

    assert_int_equal(open_memo(f, "AAAAAAAAAAAAAAAAAAAAAA", f->key, &err), HL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "not found"));
    unlink(f->memo.audio_path);
    assert_int_equal(open_memo(f, f->memo.id, f->key, &err), HL_ENOTFOUND);
    assert_int_equal(open_memo(f, "../../../../../etc/pas", f->key, &err), HL_EINVAL);
    assert_int_equal(open_memo(f, "short", f->key, &err), HL_EINVAL);
}

static void link_round_trips(void **state)
{
    struct fixture *f = *state;
    char link[256], id[MEMO_ID_LEN + 1], want[256], key_text[64];
    unsigned char key[MEMO_KEY_LEN];
    struct hl_err err = {0};

    assert_int_equal(memo_link("https://example.com/", f->memo.id, f->key, link, sizeof(link)),
                     HL_OK);
    crypto_base64url_encode(key_text, sizeof(key_text), f->key, MEMO_KEY_LEN, NULL);
    snprintf(want, sizeof(want), "https://example.com/voice/%s#%s", f->memo.id, key_text);
    assert_string_equal(link, want);
    assert_int_equal(strlen(key_text), MEMO_KEY_TEXT_LEN);
    assert_int_equal(memo_parse_link(link, id, key, &err), HL_OK);
    assert_string_equal(id, f->memo.id);
    assert_memory_equal(key, f->key, MEMO_KEY_LEN);
    assert_int_equal(memo_link("http://h", f->memo.id, f->key, link, 20), HL_ETOOLARGE);
    assert_string_equal(link, "");
}

static void parse_link_rejects_malformed_links(void **state)
{
    static const struct {
        const char *link, *msg;
    } bad[] = {
        {"https://h/voice/AAAAAAAAAAAAAAAAAAAAAA", "no #key"},
        {"https://h/memo/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
         "not a memo link"},
        {"https://h/voice/AAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
         "not a memo link"},
        {"/voice/AAAAAAAAAAA.AAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
         "22 base64url"},
        {"/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not 42"},
        {"/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not 44"},
        {"/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", "not valid"},
        {"/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "not valid"},
        {"/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "not valid"},
        {"/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "not 44"},
        {"/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAA", "not valid"},
        {"", "no #key"},
    };
    char id[MEMO_ID_LEN + 1];
    unsigned char key[MEMO_KEY_LEN];
    struct hl_err err = {0};

    (void)state;
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++) {
        memset(key, 0xee, sizeof(key));
        err.msg[0] = '\0';
        print_message("%s\n", bad[i].link);
        assert_int_equal(memo_parse_link(bad[i].link, id, key, &err), HL_EINVAL);
        assert_non_null(strstr(err.msg, bad[i].msg));
        for (size_t j = 0; j < sizeof(key); j++)
            assert_int_equal(key[j], 0);
    }
    assert_int_equal(
        memo_parse_link("voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                        id, key, &err),
        HL_EINVAL);
    assert_int_equal(
        memo_parse_link("/voice/AAAAAAAAAAAAAAAAAAAAAA#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE",
                        id, key, &err),
        HL_OK);
    assert_string_equal(id, "AAAAAAAAAAAAAAAAAAAAAA");
    assert_int_equal(key[31], 0x01);
}

static int contains(const char *hay, size_t n, const void *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

/* Check every file under path: mode 0600 (dirs 0700), none holds the key in any form. */
static size_t scan_tree(const char *path, struct fixture *f, const char *forms[3],
                        const size_t lens[3])
{
    struct stat st;
    size_t files = 0;

    assert_int_equal(lstat(path, &st), 0);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        char child[1024];
        assert_non_null(d);
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
                files += scan_tree(child, f, forms, lens);
            }
        closedir(d);
        if (strcmp(path, f->dir) != 0)
            assert_int_equal(st.st_mode & 0777, 0700);
        return files;
    }
    {
        char *data = NULL;
        size_t len;
        struct hl_err err = {0};
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_null(strstr(path, ".tmp")); /* no temporary files left */
        assert_int_equal(fs_read_all(path, 1 << 20, &data, &len, &err), HL_OK);
        for (int i = 0; i < 3; i++)
            assert_false(contains(data, len, forms[i], lens[i]));
        /* nor the plaintext */
        assert_false(contains(data, len, "call me back", 12));
        assert_false(contains(data, len, f->wav + 44, 32));
        free(data);
    }
    return 1;
}

static void key_is_in_no_file_and_files_are_private(void **state)
{
    struct fixture *f = *state;
    char b64[64], hex[80];
    const char *forms[3] = {(const char *)f->key, b64, hex};
    size_t lens[3] = {MEMO_KEY_LEN, MEMO_KEY_TEXT_LEN, 2 * MEMO_KEY_LEN};

    crypto_base64url_encode(b64, sizeof(b64), f->key, MEMO_KEY_LEN, NULL);
    crypto_hex_encode(hex, f->key, MEMO_KEY_LEN);
    assert_int_equal(scan_tree(f->dir, f, forms, lens), 2);
}

static void seal_failure_leaves_nothing_and_no_key(void **state)
{
    struct memo_sealed m;
    unsigned char key[MEMO_KEY_LEN];
    struct hl_err err = {0};

    (void)state;
    memset(key, 0xaa, sizeof(key));
    assert_int_not_equal(memo_seal("/proc/hl-no-such-dir", "a", 1, NULL, &m, key, &err), HL_OK);
    assert_true(err.msg[0] != '\0');
    for (size_t i = 0; i < sizeof(key); i++)
        assert_int_equal(key[i], 0);
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Not a benchmark gate: prints the figure, asserts only that it is plausible. */
static void aes_gcm_throughput(void **state)
{
    const size_t len = (size_t)64 << 20;
    unsigned char *data = hl_malloc(len + CRYPTO_AES_GCM_TAG_LEN);
    unsigned char key[32] = {7}, nonce[12] = {9};
    double t0, seal_s, open_s;

    (void)state;
    memset(data, 0x5a, len);
    t0 = now_seconds();
    assert_int_equal(crypto_aes_gcm_seal(key, nonce, "aad", 3, data, len, data), HL_OK);
    seal_s = now_seconds() - t0;
    t0 = now_seconds();
    assert_int_equal(crypto_aes_gcm_open(key, nonce, "aad", 3, data, len + 16, data), HL_OK);
    open_s = now_seconds() - t0;
    assert_int_equal(data[len - 1], 0x5a);
    fprintf(stderr, "AES-256-GCM throughput: seal %.0f MB/s, open %.0f MB/s (64 MiB in place)\n",
            (double)len / 1e6 / seal_s, (double)len / 1e6 / open_s);
    assert_true(seal_s < 30 && open_s < 30);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(seal_open_round_trips_wav_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(open_one_part_only, setup, teardown),
        cmocka_unit_test_setup_teardown(reseal_under_the_same_id_after_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(seal_makes_distinct_ids_keys_and_nonces, setup, teardown),
        cmocka_unit_test_setup_teardown(open_rejects_wrong_key, setup, teardown),
        cmocka_unit_test_setup_teardown(open_rejects_tampered_files, setup, teardown),
        cmocka_unit_test_setup_teardown(open_rejects_file_moved_to_other_memo_or_part, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(open_reports_missing_memo_and_bad_id, setup, teardown),
        cmocka_unit_test_setup_teardown(link_round_trips, setup, teardown),
        cmocka_unit_test(parse_link_rejects_malformed_links),
        cmocka_unit_test_setup_teardown(key_is_in_no_file_and_files_are_private, setup, teardown),
        cmocka_unit_test(seal_failure_leaves_nothing_and_no_key),
        cmocka_unit_test(aes_gcm_throughput),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
