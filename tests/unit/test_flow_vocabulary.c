/*
 * test_flow_vocabulary.c — flows_vocabulary(): the phrases the speech
 * recogniser is given (the built-in vocabulary, the settings' phrases and the
 * loaded flows' gather keywords), listed once each and bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "flows/flow.h"

#include "core/banned.h"

static size_t find(char **v, size_t n, const char *phrase)
{
    size_t i, hits = 0;

    for (i = 0; i < n; i++)
        hits += strcmp(v[i], phrase) == 0;
    return hits;
}

/* Every phrase once, lowercase words with single spaces, nothing else. */
static void assert_clean(char **v, size_t n)
{
    size_t i, k;

    assert_true(n > 0 && n <= FLOWS_VOCABULARY_MAX);
    for (i = 0; i < n; i++) {
        const char *p = v[i];
        assert_true(*p && p[0] != ' ' && p[strlen(p) - 1] != ' ');
        assert_null(strstr(p, "  "));
        for (; *p; p++)
            if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == ' ' ||
                  *p == '\''))
                fail_msg("phrase \"%s\" has '%c'", v[i], *p);
        for (k = i + 1; k < n; k++)
            if (strcmp(v[i], v[k]) == 0)
                fail_msg("\"%s\" is listed twice", v[i]);
    }
}

static void test_builtin_vocabulary(void **state)
{
    static const char *const want[] = {"yes",
                                       "no",
                                       "no thank you",
                                       "next monday",
                                       "friday morning",
                                       "the twelfth",
                                       "the twenty first",
                                       "march",
                                       "three p m",
                                       "ten thirty",
                                       "at noon",
                                       "tomorrow",
                                       "appointment"};
    char **v = NULL;
    size_t n = flows_vocabulary(NULL, NULL, &v), i;

    (void)state;
    assert_clean(v, n);
    for (i = 0; i < HL_ARRAY_LEN(want); i++)
        if (find(v, n, want[i]) != 1)
            fail_msg("\"%s\" missing", want[i]);
    flows_vocabulary_free(v, n);
}

/* A folder holding one flow file with the given gather keywords (a JSON array's insides). */
static void write_flow(const char *dir, const char *keywords_json)
{
    struct buf b = BUF_INIT((size_t)1 << 22);
    char path[256];
    FILE *f;

    buf_addf(&b,
             "{\"name\":\"menu-test\",\"start\":\"menu\",\"steps\":{"
             "\"menu\":{\"kind\":\"gather\",\"input\":\"speech\",\"prompt\":\"Say something.\","
             "\"branches\":[{\"keywords\":[%s],\"next\":\"bye\"},"
             "{\"keywords\":[\"yes\",\"Talk to Sales\"],\"next\":\"bye\"}]},"
             "\"bye\":{\"kind\":\"hangup\",\"text\":\"Bye.\"}}}",
             keywords_json);
    snprintf(path, sizeof(path), "%s/menu.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(b.ptr, 1, b.len, f), b.len);
    assert_int_equal(fclose(f), 0);
    buf_release(&b);
}

static struct flows *load(const char *dir, struct config *cfg)
{
    struct flows *fs = NULL;
    struct hl_err err = {0};

    memset(cfg, 0, sizeof(*cfg));
    cfg->flow = "voicemail";
    cfg->flows_dir = (char *)dir;
    cfg->optout_phrases = "Halt Now, remove me ,,stop";
    cfg->business_name = "Test Dental";
    cfg->company_name = "Alta";
    if (flows_load(&fs, cfg, &err) != HL_OK)
        fail_msg("%s", err.msg);
    return fs;
}

static void remove_flow(const char *dir)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/menu.json", dir);
    unlink(path);
    rmdir(dir);
}

static void test_flows_and_settings(void **state)
{
    char dir[] = "/tmp/hotline-vocab-XXXXXX", **v = NULL;
    struct config cfg;
    struct flows *fs;
    size_t n, base;

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_flow(dir, "\"Billing Department\", \"TECH  support!\", \"Yes\", \"xylophone\"");
    fs = load(dir, &cfg);
    base = flows_vocabulary(NULL, NULL, &v);
    flows_vocabulary_free(v, base);
    n = flows_vocabulary(fs, &cfg, &v);
    assert_clean(v, n);
    assert_int_equal(find(v, n, "billing department"), 1);
    assert_int_equal(find(v, n, "tech support"), 1);
    assert_int_equal(find(v, n, "talk to sales"), 1);
    assert_int_equal(find(v, n, "xylophone"), 1);
    assert_int_equal(find(v, n, "yes"), 1); /* a flow's "Yes" and the built-in "yes": once */
    assert_int_equal(find(v, n, "halt now"), 1);
    assert_int_equal(find(v, n, "remove me"), 1);
    assert_int_equal(find(v, n, "test dental"), 1);
    assert_int_equal(find(v, n, "alta"), 1);
    assert_true(n > base);
    flows_vocabulary_free(v, n);
    flows_free(fs);
    remove_flow(dir);
}

static void test_bounded(void **state)
{
    char dir[] = "/tmp/hotline-vocab-XXXXXX", **v = NULL;
    struct buf kw = BUF_INIT((size_t)1 << 22);
    struct config cfg;
    struct flows *fs;
    size_t n, i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (i = 0; i < FLOWS_VOCABULARY_MAX + 200; i++)
        buf_addf(&kw, "%s\"item number %zu\"", i ? "," : "", i);
    write_flow(dir, buf_str(&kw));
    fs = load(dir, &cfg);
    n = flows_vocabulary(fs, &cfg, &v);
    assert_int_equal(n, FLOWS_VOCABULARY_MAX);
    assert_clean(v, n);
    /* the flows' keywords come first: the cut falls on the last ones and the built-in words */
    assert_int_equal(find(v, n, "item number 0"), 1);
    assert_int_equal(find(v, n, "item number 1000"), 1);
    assert_int_equal(find(v, n, "item number 1223"), 0);
    assert_int_equal(find(v, n, "march"), 0);
    flows_vocabulary_free(v, n);
    flows_free(fs);
    buf_release(&kw);
    remove_flow(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_vocabulary),
        cmocka_unit_test(test_flows_and_settings),
        cmocka_unit_test(test_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
