/*
 * cmd_memo.c — `hotline memo`: open an encrypted memo from its link, or show
 * the link as a QR code in the terminal.
 *
 *     hotline memo decrypt LINK [-o FILE] [--meta]
 *     hotline memo qr LINK [--ansi] [--invert]
 *
 * decrypt reads MEDIA_DIR from the configuration, opens the memo with the key
 * in the link's fragment (memo/memo.h) and writes the audio bytes exactly as
 * they were sealed. The audio goes to FILE (mode 0600), or to stdout when
 * that is not a terminal; the transcript/analysis JSON goes to stderr, or to
 * stdout with --meta (then the audio is written only with -o). A memo with
 * no audio (an SMS note) prints its JSON on stdout unless -o is given. Exit status:
 * 0 done, 1 wrong key / memo gone / I/O error, 2 malformed link or usage.
 *
 * qr draws the link with libqrencode (error correction M, byte mode) and a
 * quiet zone of 4 modules. By default two module rows share one text line
 * as UTF-8 half blocks, light modules drawn as blocks, as `qrencode -t UTF8`
 * does for dark terminals (--invert for light ones); --ansi paints each
 * module as two spaces with background colours instead. The version and
 * module count go to stderr.
 */
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/fs.h"
#include "memo/memo.h"
#include "core/banned.h"

#define MEMO_QR_QUIET 4

static int memo_usage(void)
{
    fputs("usage: hotline memo decrypt LINK [-o FILE] [--meta]\n"
          "       hotline memo qr LINK [--ansi] [--invert]\n",
          stderr);
    return 2;
}

/* Wipe a buffer that held plaintext, then free it. */
static void wipe_release(struct buf *b)
{
    if (b->ptr)
        crypto_wipe(b->ptr, b->cap);
    buf_release(b);
}

static int write_stdout(const void *data, size_t len)
{
    return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
}

static int memo_decrypt(const char *link, const char *out_path, int meta_only)
{
    struct buf audio = BUF_INIT(MEMO_MAX_PART), meta = BUF_INIT(MEMO_MAX_PART);
    unsigned char key[MEMO_KEY_LEN];
    char id[MEMO_ID_LEN + 1];
    struct hl_err err = {0};
    struct config cfg;
    int rc, status = 0, want_audio = out_path || !meta_only;

    if (memo_parse_link(link, id, key, &err) != HL_OK) {
        fprintf(stderr, "hotline: memo: %s\n", err.msg);
        return 2;
    }
    if ((rc = cli_load_config(&cfg)) != 0) {
        crypto_wipe(key, sizeof(key));
        return rc;
    }
    rc = memo_open(cfg.media_dir, id, key, want_audio ? &audio : NULL, &meta, &err);
    crypto_wipe(key, sizeof(key));
    if (rc != HL_OK) {
        fprintf(stderr, "hotline: memo: %s\n", err.msg);
        status = 1;
        goto out;
    }
    if (want_audio && !out_path && audio.len == 0) { /* a note: no audio, the JSON is all */
        meta_only = 1;
        want_audio = 0;
    } else if (want_audio && !out_path && isatty(STDOUT_FILENO)) {
        fputs("hotline: memo: refusing to write audio to a terminal; use -o FILE or a redirect\n",
              stderr);
        status = 2;
        goto out;
    }
    if (want_audio && out_path && strcmp(out_path, "-") != 0)
        rc = fs_write_atomic(out_path, audio.ptr ? audio.ptr : "", audio.len, 0600, &err);
    else if (want_audio && write_stdout(audio.ptr ? audio.ptr : "", audio.len) != 0)
        rc = hl_err_set(&err, HL_EIO, "cannot write the audio to stdout");
    if (rc != HL_OK) {
        fprintf(stderr, "hotline: memo: %s\n", err.msg);
        status = 1;
        goto out;
    }
    fprintf(meta_only ? stdout : stderr, "%s\n", buf_str(&meta));
out:
    wipe_release(&audio);
    wipe_release(&meta);
    config_release(&cfg);
    return status;
}

static int qr_dark(const QRcode *qr, int x, int y)
{
    x -= MEMO_QR_QUIET;
    y -= MEMO_QR_QUIET;
    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
        return 0;
    return qr->data[y * qr->width + x] & 1;
}

/* UTF-8 half blocks: one line per two module rows; "lit" cells are drawn. */
static void qr_print_utf8(const QRcode *qr, int invert)
{
    static const char *const cells[4] = {" ", "\xe2\x96\x80", "\xe2\x96\x84", "\xe2\x96\x88"};
    int size = qr->width + 2 * MEMO_QR_QUIET, x, y;

    for (y = 0; y < size; y += 2) {
        for (x = 0; x < size; x++) {
            int top = qr_dark(qr, x, y) ^ !invert;
            /* Below the last row is the terminal's own background: not lit. */
            int bottom = y + 1 < size ? qr_dark(qr, x, y + 1) ^ !invert : 0;
            fputs(cells[top | bottom << 1], stdout);
        }
        fputc('\n', stdout);
    }
}

/* ANSI background colours, two spaces per module: independent of the terminal's theme. */
static void qr_print_ansi(const QRcode *qr)
{
    int size = qr->width + 2 * MEMO_QR_QUIET, x, y;

    for (y = 0; y < size; y++) {
        for (x = 0; x < size; x++)
            fputs(qr_dark(qr, x, y) ? "\033[40m  " : "\033[47m  ", stdout);
        fputs("\033[0m\n", stdout);
    }
}

static int memo_qr(const char *link, int ansi, int invert)
{
    unsigned char key[MEMO_KEY_LEN];
    char id[MEMO_ID_LEN + 1];
    struct hl_err err = {0};
    QRcode *qr;

    if (memo_parse_link(link, id, key, &err) != HL_OK) {
        fprintf(stderr, "hotline: memo: %s\n", err.msg);
        return 2;
    }
    crypto_wipe(key, sizeof(key));
    qr = QRcode_encodeString(link, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        fprintf(stderr, "hotline: memo: cannot make a QR code of this link\n");
        return 1;
    }
    if (ansi)
        qr_print_ansi(qr);
    else
        qr_print_utf8(qr, invert);
    fflush(stdout);
    fprintf(stderr, "QR version %d, %dx%d modules, quiet zone %d\n", qr->version, qr->width,
            qr->width, MEMO_QR_QUIET);
    crypto_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
    QRcode_free(qr);
    return 0;
}

int cmd_memo(int argc, char **argv)
{
    const char *link = NULL, *out_path = NULL;
    int i, meta = 0, ansi = 0, invert = 0;

    if (argc < 2)
        return memo_usage();
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out_path = argv[++i];
        else if (strcmp(argv[i], "--meta") == 0)
            meta = 1;
        else if (strcmp(argv[i], "--ansi") == 0)
            ansi = 1;
        else if (strcmp(argv[i], "--invert") == 0)
            invert = 1;
        else if (argv[i][0] != '-' && !link)
            link = argv[i];
        else
            return memo_usage();
    }
    if (!link)
        return memo_usage();
    if (strcmp(argv[1], "decrypt") == 0 && !ansi && !invert) {
        if (meta && out_path && strcmp(out_path, "-") == 0)
            return memo_usage(); /* audio and JSON would share stdout */
        return memo_decrypt(link, out_path, meta);
    }
    if (strcmp(argv[1], "qr") == 0 && !meta && !out_path)
        return memo_qr(link, ansi, invert);
    return memo_usage();
}
