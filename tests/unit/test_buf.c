/*
 * test_buf.c — the bounded growable buffer (src/core/buf.h).
 *
 * Covers the empty state, appends of every kind, binary data with NUL bytes
 * (len is authoritative, a NUL always follows), the ceiling (HL_ETOOLARGE
 * leaves the contents exactly as they were, reaching max exactly is fine),
 * buf_addf growing through several reallocations, detach (ownership passes,
 * the buffer is left empty and reusable), reset (memory kept), release and
 * reuse, and a ceiling of SIZE_MAX ("no practical limit"), which runs in a
 * child process because the failure it guards against is a heap overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/hl.h"
#include "core/banned.h"

/* The contents must be exactly these n bytes, followed by a NUL. */
static void assert_buf_is(const struct buf *b, const void *data, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(buf_str(b), data, n);
    assert_int_equal(buf_str(b)[n], '\0');
    assert_true(b->len <= b->max);
    if (b->ptr)
        assert_true(b->cap > b->len);
}

static int call_vaddf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int call_vaddf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

static void new_buffer_is_empty_string(void **state)
{
    struct buf b = BUF_INIT(100);
    struct buf c;

    (void)state;
    buf_init(&c, 100);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    assert_memory_equal(&b, &c, sizeof(b));
}

static void add_appends_and_terminates(void **state)
{
    struct buf b = BUF_INIT(1000);

    (void)state;
    assert_int_equal(buf_add(&b, "abc", 3), HL_OK);
    assert_int_equal(buf_adds(&b, "def"), HL_OK);
    assert_int_equal(buf_addc(&b, 'g'), HL_OK);
    assert_int_equal(buf_add(&b, "xyz", 0), HL_OK);
    assert_int_equal(buf_adds(&b, ""), HL_OK);
    assert_buf_is(&b, "abcdefg", 7);
    buf_release(&b);
}

static void binary_data_with_nuls_is_kept_whole(void **state)
{
    static const char data[] = {'a', '\0', 'b', '\0', '\0', 'c', (char)0xff};
    struct buf b = BUF_INIT(1000);

    (void)state;
    assert_int_equal(buf_add(&b, data, sizeof(data)), HL_OK);
    assert_int_equal(buf_addc(&b, '\0'), HL_OK);
    assert_int_equal(buf_add(&b, data, sizeof(data)), HL_OK);
    assert_int_equal(b.len, 2 * sizeof(data) + 1);
    assert_memory_equal(b.ptr, data, sizeof(data));
    assert_int_equal(b.ptr[sizeof(data)], '\0');
    assert_memory_equal(b.ptr + sizeof(data) + 1, data, sizeof(data));
    assert_int_equal(b.ptr[b.len], '\0');
    buf_release(&b);
}

static void add_may_reach_ceiling_exactly(void **state)
{
    struct buf b = BUF_INIT(8);

    (void)state;
    assert_int_equal(buf_adds(&b, "12345678"), HL_OK);
    assert_buf_is(&b, "12345678", 8);
    assert_int_equal(buf_add(&b, "", 0), HL_OK);
    buf_release(&b);
}

static void add_past_ceiling_leaves_content_unchanged(void **state)
{
    struct buf b = BUF_INIT(8);

    (void)state;
    assert_int_equal(buf_adds(&b, "abc"), HL_OK);
    assert_int_equal(buf_adds(&b, "defghi"), HL_ETOOLARGE);
    assert_buf_is(&b, "abc", 3);
    assert_int_equal(buf_add(&b, "12345", 5), HL_OK);
    assert_int_equal(buf_addc(&b, 'x'), HL_ETOOLARGE);
    assert_buf_is(&b, "abc12345", 8);
    buf_release(&b);
}

static void single_add_larger_than_ceiling_refused(void **state)
{
    struct buf b = BUF_INIT(4);

    (void)state;
    assert_int_equal(buf_adds(&b, "hello"), HL_ETOOLARGE);
    assert_buf_is(&b, "", 0);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX), HL_ETOOLARGE);
    assert_buf_is(&b, "", 0);
    buf_release(&b);
}

static void zero_ceiling_takes_only_empty_appends(void **state)
{
    struct buf b = BUF_INIT(0);

    (void)state;
    assert_int_equal(buf_adds(&b, ""), HL_OK);
    assert_int_equal(buf_addc(&b, 'x'), HL_ETOOLARGE);
    assert_int_equal(buf_addf(&b, "%d", 1), HL_ETOOLARGE);
    assert_buf_is(&b, "", 0);
    buf_release(&b);
}

static void addf_formats_and_appends(void **state)
{
    struct buf b = BUF_INIT(1000);

    (void)state;
    assert_int_equal(buf_adds(&b, "n="), HL_OK);
    assert_int_equal(buf_addf(&b, "%d,%s,%c,%05ld", -12, "str", 'q', 42L), HL_OK);
    assert_int_equal(call_vaddf(&b, "|%x", 255u), HL_OK);
    assert_string_equal(buf_str(&b), "n=-12,str,q,00042|ff");
    assert_int_equal(b.len, strlen("n=-12,str,q,00042|ff"));
    buf_release(&b);
}

static void addf_grows_through_many_reallocations(void **state)
{
    static char expect[64 * 1024];
    struct buf b = BUF_INIT(1 << 20);
    size_t used = 0;
    int i;

    (void)state;
    for (i = 0; i < 5000; i++) {
        int n = snprintf(expect + used, sizeof(expect) - used, "%d,", i);
        used += (size_t)n;
        assert_int_equal(buf_addf(&b, "%d,", i), HL_OK);
    }
    assert_buf_is(&b, expect, used);
    buf_release(&b);
}

static void addf_output_longer_than_initial_capacity(void **state)
{
    struct buf b = BUF_INIT(1 << 16);

    (void)state;
    assert_int_equal(buf_addf(&b, "%5000s", "end"), HL_OK);
    assert_int_equal(b.len, 5000);
    assert_memory_equal(b.ptr + 4997, "end", 4);
    buf_release(&b);
}

static void addf_past_ceiling_leaves_content_unchanged(void **state)
{
    struct buf b = BUF_INIT(10);

    (void)state;
    assert_int_equal(buf_adds(&b, "hello"), HL_OK);
    assert_int_equal(buf_addf(&b, "%s", "world!"), HL_ETOOLARGE);
    assert_buf_is(&b, "hello", 5);
    assert_int_equal(call_vaddf(&b, "%d", 123456), HL_ETOOLARGE);
    assert_buf_is(&b, "hello", 5);
    assert_int_equal(buf_addf(&b, "%s", "world"), HL_OK);
    assert_buf_is(&b, "helloworld", 10);
    buf_release(&b);
}

static void addf_can_write_nul_byte(void **state)
{
    struct buf b = BUF_INIT(100);

    (void)state;
    assert_int_equal(buf_addf(&b, "a%cb", '\0'), HL_OK);
    assert_buf_is(&b, "a\0b", 3);
    buf_release(&b);
}

static void detach_hands_over_contents(void **state)
{
    struct buf b = BUF_INIT(100);
    size_t len = 0;
    char *p;

    (void)state;
    assert_int_equal(buf_add(&b, "x\0y", 3), HL_OK);
    p = buf_detach(&b, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "x\0y", 4);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_string_equal(buf_str(&b), "");
    /* The buffer is reusable and does not share memory with p. */
    assert_int_equal(buf_adds(&b, "new"), HL_OK);
    assert_ptr_not_equal(b.ptr, p);
    assert_memory_equal(p, "x\0y", 4);
    free(p);
    buf_release(&b);
}

static void detach_of_empty_buffer_gives_empty_string(void **state)
{
    struct buf b = BUF_INIT(100);
    size_t len = 99;
    char *p;

    (void)state;
    p = buf_detach(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
    /* len may be NULL. */
    assert_int_equal(buf_adds(&b, "abc"), HL_OK);
    p = buf_detach(&b, NULL);
    assert_string_equal(p, "abc");
    free(p);
}

static void reset_empties_but_keeps_memory(void **state)
{
    struct buf b = BUF_INIT(1000);
    const char *before;
    size_t cap;

    (void)state;
    assert_int_equal(buf_addf(&b, "%300d", 1), HL_OK);
    before = b.ptr;
    cap = b.cap;
    buf_reset(&b);
    assert_buf_is(&b, "", 0);
    assert_ptr_equal(b.ptr, before);
    assert_int_equal(b.cap, cap);
    assert_int_equal(buf_adds(&b, "again"), HL_OK);
    assert_buf_is(&b, "again", 5);
    assert_ptr_equal(b.ptr, before);
    buf_release(&b);
}

static void reset_of_unused_buffer_is_harmless(void **state)
{
    struct buf b = BUF_INIT(10);

    (void)state;
    buf_reset(&b);
    assert_null(b.ptr);
    assert_string_equal(buf_str(&b), "");
}

static void release_frees_and_keeps_ceiling(void **state)
{
    struct buf b = BUF_INIT(4);

    (void)state;
    assert_int_equal(buf_adds(&b, "abcd"), HL_OK);
    buf_release(&b);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    buf_release(&b); /* twice is fine */
    assert_int_equal(buf_adds(&b, "abcde"), HL_ETOOLARGE);
    assert_int_equal(buf_adds(&b, "wxyz"), HL_OK);
    assert_buf_is(&b, "wxyz", 4);
    buf_release(&b);
}

static void byte_at_a_time_growth_keeps_content(void **state)
{
    struct buf b = BUF_INIT(20000);
    size_t i;

    (void)state;
    for (i = 0; i < 20000; i++)
        assert_int_equal(buf_addc(&b, (char)('a' + i % 26)), HL_OK);
    assert_int_equal(buf_addc(&b, 'z'), HL_ETOOLARGE);
    assert_int_equal(b.len, 20000);
    for (i = 0; i < 20000; i++)
        assert_int_equal(b.ptr[i], 'a' + i % 26);
    assert_int_equal(b.ptr[20000], '\0');
    buf_release(&b);
}

/*
 * A ceiling of SIZE_MAX is the natural way to say "no practical limit". In a
 * child (a heap overflow must not take the other tests down): append and check
 * that the buffer really holds what it claims. Exit 0 when it does.
 */
static void size_max_ceiling_still_allocates_room(void **state)
{
    pid_t pid;
    int status;

    (void)state;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct buf b = BUF_INIT(SIZE_MAX);
        int ok = buf_adds(&b, "hello, world") == HL_OK && b.cap > b.len && b.len == 12 &&
                 strcmp(buf_str(&b), "hello, world") == 0;
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_buffer_is_empty_string),
        cmocka_unit_test(add_appends_and_terminates),
        cmocka_unit_test(binary_data_with_nuls_is_kept_whole),
        cmocka_unit_test(add_may_reach_ceiling_exactly),
        cmocka_unit_test(add_past_ceiling_leaves_content_unchanged),
        cmocka_unit_test(single_add_larger_than_ceiling_refused),
        cmocka_unit_test(zero_ceiling_takes_only_empty_appends),
        cmocka_unit_test(addf_formats_and_appends),
        cmocka_unit_test(addf_grows_through_many_reallocations),
        cmocka_unit_test(addf_output_longer_than_initial_capacity),
        cmocka_unit_test(addf_past_ceiling_leaves_content_unchanged),
        cmocka_unit_test(addf_can_write_nul_byte),
        cmocka_unit_test(detach_hands_over_contents),
        cmocka_unit_test(detach_of_empty_buffer_gives_empty_string),
        cmocka_unit_test(reset_empties_but_keeps_memory),
        cmocka_unit_test(reset_of_unused_buffer_is_harmless),
        cmocka_unit_test(release_frees_and_keeps_ceiling),
        cmocka_unit_test(byte_at_a_time_growth_keeps_content),
        cmocka_unit_test(size_max_ceiling_still_allocates_room),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
