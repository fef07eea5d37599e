/*
 * test_tts.c — the TTS front end and its cache (src/speech/tts.h), espeak engine.
 *
 * Covers media ids (32 lowercase hex, stable for the same key, voice and
 * text; different for another key, voice or text; the guide's voice names
 * and their espeak voice share nothing but the mapping), lookup before and
 * after a render, the cached file (a valid 8 kHz WAV, mode 0600 in a 0700
 * directory), a second instance with the same key finding it, refusals
 * (empty text, bad or unknown voices, a bad engine), media_find refusing
 * anything but an id (paths, uppercase, short, long, suffixes), and four
 * threads rendering the same id at once leaving one whole file.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fs.h"
#include "speech/tts.h"
#include "speech/wav.h"
#include "core/banned.h"

static char media_dir[] = "/tmp/hl-test-tts-XXXXXX";

static struct tts *open_tts(const char *key)
{
    struct tts_options o = {0};
    struct tts *t = NULL;
    struct hl_err err = {0};

    o.engine = "espeak";
    o.media_dir = media_dir;
    o.id_key = key;
    o.default_voice = "naija_female";
    assert_int_equal(tts_new(&t, &o, &err), HL_OK);
    return t;
}

static int is_id(const char *id)
{
    return strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32;
}

static void ids_are_stable_and_keyed(void **state)
{
    struct tts *a = open_tts("key-one"), *b = open_tts("key-one"), *c = open_tts("key-two");
    char ia[TTS_ID_SIZE], ib[TTS_ID_SIZE], ic[TTS_ID_SIZE], iv[TTS_ID_SIZE], it[TTS_ID_SIZE];

    (void)state;
    assert_int_equal(tts_lookup(a, "naija_male", "Hello", ia, NULL), HL_ENOTFOUND);
    assert_true(is_id(ia));
    assert_int_equal(tts_lookup(b, "naija_male", "Hello", ib, NULL), HL_ENOTFOUND);
    assert_string_equal(ia, ib);
    assert_int_equal(tts_lookup(c, "naija_male", "Hello", ic, NULL), HL_ENOTFOUND);
    assert_string_not_equal(ia, ic);
    assert_int_equal(tts_lookup(a, "naija_female", "Hello", iv, NULL), HL_ENOTFOUND);
    assert_string_not_equal(ia, iv);
    assert_int_equal(tts_lookup(a, "naija_male", "Hello.", it, NULL), HL_ENOTFOUND);
    assert_string_not_equal(ia, it);
    /* The id is of the engine's voice: a guide name and its espeak voice are the same audio. */
    assert_int_equal(tts_lookup(a, "en+m3", "Hello", it, NULL), HL_ENOTFOUND);
    assert_string_equal(ia, it);
    /* NULL voice is the default one. */
    assert_int_equal(tts_lookup(a, NULL, "Hello", it, NULL), HL_ENOTFOUND);
    assert_string_equal(iv, it);
    tts_free(a);
    tts_free(b);
    tts_free(c);
}

static void render_then_lookup_and_find(void **state)
{
    struct tts *t = open_tts("key-one"), *again;
    char id[TTS_ID_SIZE], id2[TTS_ID_SIZE];
    struct tts_media m;
    struct hl_err err = {0};
    struct wav_info w;
    struct stat st;
    char *data, dir[600];
    size_t len;

    (void)state;
    assert_int_equal(tts_render(t, "Polly.Joanna-Neural", "Your table is ready.", id, &err), HL_OK);
    assert_int_equal(tts_lookup(t, "Polly.Joanna", "Your table is ready.", id2, &err), HL_OK);
    assert_string_equal(id, id2);
    assert_int_equal(tts_media_find(t, id, &m, &err), HL_OK);
    assert_string_equal(m.content_type, "audio/x-wav");
    assert_non_null(strstr(m.path, id));
    assert_int_equal(fs_read_all(m.path, 1 << 24, &data, &len, &err), HL_OK);
    assert_int_equal((long long)len, m.size_bytes);
    assert_int_equal(wav_parse(data, len, &w, &err), HL_OK);
    assert_int_equal(w.rate_hz, 8000);
    assert_true(w.samples > 8000 / 2);
    free(data);
    assert_int_equal(stat(m.path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(dir, sizeof(dir), "%s/tts", media_dir);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    /* Another instance with the same key finds it without rendering. */
    again = open_tts("key-one");
    assert_int_equal(tts_lookup(again, "Polly.Joanna", "Your table is ready.", id2, &err), HL_OK);
    tts_free(again);
    tts_free(t);
}

static void bad_requests_are_refused(void **state)
{
    struct tts *t = open_tts("key-one");
    struct tts_options o = {0};
    struct tts *bad = NULL;
    char id[TTS_ID_SIZE];
    struct hl_err err = {0};

    (void)state;
    assert_int_equal(tts_render(t, NULL, "", id, &err), HL_EINVAL);
    assert_non_null(strstr(err.msg, "text"));
    assert_int_equal(tts_render(t, "../../etc", "Hi", id, &err), HL_EINVAL);
    assert_true(strncmp(err.msg, "voice:", 6) == 0);
    assert_int_equal(tts_render(t, "zz-no-such-voice", "Hi", id, &err), HL_EINVAL);
    assert_true(strncmp(err.msg, "voice:", 6) == 0);
    assert_non_null(strstr(err.msg, "zz-no-such-voice"));
    assert_int_equal(tts_lookup(t, "zz-no-such-voice", "Hi", id, &err), HL_ENOTFOUND);
    o.engine = "festival";
    o.media_dir = media_dir;
    assert_int_equal(tts_new(&bad, &o, &err), HL_ECONFIG);
    o.engine = "http";
    assert_int_equal(tts_new(&bad, &o, &err), HL_ECONFIG);
    assert_non_null(strstr(err.msg, "TTS_BASE_URL"));
    tts_free(t);
}

static void media_find_takes_only_ids(void **state)
{
    static const char *const bad[] = {"../x",
                                      "",
                                      "abc",
                                      "../../../../etc/passwd",
                                      "0123456789abcdef0123456789abcde",
                                      "0123456789abcdef0123456789abcdef0",
                                      "0123456789ABCDEF0123456789ABCDEF",
                                      "0123456789abcdef0123456789abcde/",
                                      "0123456789abcdef0123456789abcdeg"};
    struct tts *t = open_tts("key-one");
    char id[TTS_ID_SIZE], upper[TTS_ID_SIZE], suffixed[64];
    struct tts_media m;
    size_t i;

    (void)state;
    assert_int_equal(tts_render(t, "naija_male", "One two three.", id, NULL), HL_OK);
    assert_int_equal(tts_media_find(t, id, &m, NULL), HL_OK);
    for (i = 0; i < HL_ARRAY_LEN(bad); i++)
        assert_int_equal(tts_media_find(t, bad[i], &m, NULL), HL_ENOTFOUND);
    assert_int_equal(tts_media_find(t, NULL, &m, NULL), HL_ENOTFOUND);
    for (i = 0; i < 32; i++)
        upper[i] = (char)(id[i] >= 'a' ? id[i] - 32 : id[i]);
    upper[32] = '\0';
    assert_int_equal(tts_media_find(t, upper, &m, NULL), HL_ENOTFOUND);
    snprintf(suffixed, sizeof(suffixed), "%s.wav", id);
    assert_int_equal(tts_media_find(t, suffixed, &m, NULL), HL_ENOTFOUND);
    tts_free(t);
}

struct race {
    struct tts *t;
    char id[TTS_ID_SIZE];
    int rc;
};

static void *race_render(void *arg)
{
    struct race *r = arg;

    r->rc = tts_render(r->t, "naija_female", "Everyone renders this at once.", r->id, NULL);
    return NULL;
}

static void concurrent_renders_leave_one_whole_file(void **state)
{
    struct tts *t = open_tts("key-race");
    struct race r[4];
    pthread_t th[4];
    struct tts_media m;
    struct wav_info w;
    char *data;
    size_t len;
    int i;

    (void)state;
    for (i = 0; i < 4; i++) {
        r[i].t = t;
        assert_int_equal(pthread_create(&th[i], NULL, race_render, &r[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(r[i].rc, HL_OK);
        assert_string_equal(r[i].id, r[0].id);
    }
    assert_int_equal(tts_media_find(t, r[0].id, &m, NULL), HL_OK);
    assert_int_equal(fs_read_all(m.path, 1 << 24, &data, &len, NULL), HL_OK);
    assert_int_equal(wav_parse(data, len, &w, NULL), HL_OK);
    assert_int_equal(w.data_len + WAV_HEADER_SIZE, len);
    free(data);
    tts_free(t);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(media_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[256];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", media_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_are_stable_and_keyed),
        cmocka_unit_test(render_then_lookup_and_find),
        cmocka_unit_test(bad_requests_are_refused),
        cmocka_unit_test(media_find_takes_only_ids),
        cmocka_unit_test(concurrent_renders_leave_one_whole_file),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
