/*
 * memo_seal.c — seal a file as an encrypted memo with hotline's memo module
 * and print its link, for tests/integration/test_memo_cli.py (the pipeline
 * that seals memos in production needs the job queue).
 *
 * usage: memo_seal MEDIA_DIR AUDIO_FILE [META_JSON [BASE_URL]]
 *
 * Prints the link on stdout and "sha256 <hex of the key>" on stderr. Exit
 * status 1 when sealing fails, 2 on wrong usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/fs.h"
#include "core/hl.h"
#include "crypto/crypto.h"
#include "memo/memo.h"
#include "core/banned.h"

int main(int argc, char **argv)
{
    struct memo_sealed memo;
    unsigned char key[MEMO_KEY_LEN];
    char link[MEMO_PATH_MAX];
    struct hl_err err = {0};
    char *audio = NULL;
    size_t len = 0;
    int rc;

    if (argc < 3 || argc > 5) {
        fputs("usage: memo_seal MEDIA_DIR AUDIO_FILE [META_JSON [BASE_URL]]\n", stderr);
        return 2;
    }
    rc = fs_read_all(argv[2], MEMO_MAX_PART, &audio, &len, &err);
    if (rc == HL_OK)
        rc = memo_seal(argv[1], audio, len, argc > 3 ? argv[3] : NULL, &memo, key, &err);
    free(audio);
    if (rc != HL_OK) {
        fprintf(stderr, "memo_seal: %s\n", err.msg);
        return 1;
    }
    rc = memo_link(argc > 4 ? argv[4] : "http://127.0.0.1:8080", memo.id, key, link, sizeof(link));
    crypto_wipe(key, sizeof(key));
    if (rc != HL_OK) {
        fputs("memo_seal: the base URL is too long\n", stderr);
        return 1;
    }
    printf("%s\n", link);
    fprintf(stderr, "sha256 %s\n", memo.key_sha256);
    crypto_wipe(link, sizeof(link));
    return 0;
}
