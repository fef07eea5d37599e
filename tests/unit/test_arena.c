/*
 * test_arena.c — the per-request arena (src/core/arena.h).
 *
 * Covers 16-byte alignment, the ceiling (NULL once the total handed out would
 * pass it, with used unchanged by a refused request), "used" counting rounded
 * sizes, allocations bigger than a block, many small allocations across
 * blocks that never overlap, zalloc, strndup/strdup/printf (also past the
 * ceiling), release and reuse, and requests so large that their size
 * arithmetic overflows. The overflow cases run in a child process because the
 * failure they guard against is a pointer to memory that does not exist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/banned.h"

static void assert_aligned16(const void *p)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
}

static char *call_vprintf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *call_vprintf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

static void alloc_is_aligned_to_16_for_odd_sizes(void **state)
{
    static const size_t sizes[] = {1, 3, 7, 15, 16, 17, 31, 33, 100, 4095, 4097, 9000, 1};
    struct arena a;
    size_t i;

    (void)state;
    arena_init(&a, 0);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        assert_aligned16(arena_alloc(&a, sizes[i]));
    arena_release(&a);
}

static void used_counts_sizes_rounded_up_to_16(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    assert_int_equal(a.used, 0);
    assert_non_null(arena_alloc(&a, 1));
    assert_int_equal(a.used, 16);
    assert_non_null(arena_alloc(&a, 16));
    assert_int_equal(a.used, 32);
    assert_non_null(arena_alloc(&a, 17));
    assert_int_equal(a.used, 64);
    arena_release(&a);
}

static void alloc_refuses_once_ceiling_would_be_passed(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 64);
    assert_non_null(arena_alloc(&a, 48));
    assert_non_null(arena_alloc(&a, 16));
    assert_int_equal(a.used, 64);
    assert_null(arena_alloc(&a, 1));
    assert_int_equal(a.used, 64);
    arena_release(&a);
}

static void refused_alloc_leaves_room_for_smaller_one(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 100);
    assert_null(arena_alloc(&a, 101));
    assert_int_equal(a.used, 0);
    assert_non_null(arena_alloc(&a, 80));
    assert_null(arena_alloc(&a, 32)); /* 80 + 32 > 100 */
    assert_int_equal(a.used, 80);
    assert_non_null(arena_alloc(&a, 16)); /* 96 <= 100 */
    assert_int_equal(a.used, 96);
    arena_release(&a);
}

static void alloc_fills_ceiling_exactly(void **state)
{
    struct arena a;
    char *p;

    (void)state;
    arena_init(&a, 4096);
    p = arena_alloc(&a, 4096);
    assert_non_null(p);
    memset(p, 'x', 4096);
    assert_int_equal(a.used, 4096);
    assert_null(arena_alloc(&a, 1));
    arena_release(&a);
}

static void zero_byte_alloc_succeeds_at_ceiling(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 32);
    assert_non_null(arena_alloc(&a, 32));
    assert_non_null(arena_alloc(&a, 0));
    assert_int_equal(a.used, 32);
    arena_release(&a);
}

static void big_alloc_gets_usable_block_of_its_own(void **state)
{
    struct arena a;
    char *small, *big, *after;

    (void)state;
    arena_init(&a, 0);
    small = arena_alloc(&a, 10);
    memset(small, 's', 10);
    big = arena_alloc(&a, 100000);
    assert_aligned16(big);
    memset(big, 'b', 100000); /* ASan/valgrind catch a short block */
    after = arena_alloc(&a, 10);
    assert_aligned16(after);
    memset(after, 'a', 10);
    assert_int_equal(small[9], 's');
    assert_int_equal(big[0], 'b');
    assert_int_equal(big[99999], 'b');
    assert_int_equal(after[0], 'a');
    assert_int_equal(a.used, 16 + 100000 + 16);
    arena_release(&a);
}

static void many_small_allocs_never_overlap(void **state)
{
    enum { N = 2000, SIZE = 40 };
    static unsigned char *ptrs[N];
    struct arena a;
    size_t i;

    (void)state;
    arena_init(&a, 0);
    for (i = 0; i < N; i++) {
        ptrs[i] = arena_alloc(&a, SIZE);
        assert_aligned16(ptrs[i]);
        memset(ptrs[i], (int)(i & 0xff), SIZE);
    }
    for (i = 0; i < N; i++) {
        assert_int_equal(ptrs[i][0], i & 0xff);
        assert_int_equal(ptrs[i][SIZE - 1], i & 0xff);
    }
    assert_int_equal(a.used, (size_t)N * 48);
    arena_release(&a);
}

static void zalloc_zero_fills(void **state)
{
    struct arena a;
    unsigned char *p;
    size_t i;

    (void)state;
    arena_init(&a, 0);
    /* Dirty a block first so that zeros cannot come from a fresh page. */
    p = arena_alloc(&a, 2000);
    memset(p, 0xab, 2000);
    p = arena_zalloc(&a, 1000);
    assert_non_null(p);
    for (i = 0; i < 1000; i++)
        assert_int_equal(p[i], 0);
    arena_release(&a);
}

static void zalloc_returns_null_past_ceiling(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 64);
    assert_null(arena_zalloc(&a, 65));
    assert_int_equal(a.used, 0);
    arena_release(&a);
}

static void strndup_copies_n_bytes_and_terminates(void **state)
{
    struct arena a;
    char *p;

    (void)state;
    arena_init(&a, 0);
    p = arena_strndup(&a, "abcdef", 3);
    assert_string_equal(p, "abc");
    p = arena_strndup(&a, "xyz", 0);
    assert_string_equal(p, "");
    arena_release(&a);
}

static void strndup_keeps_embedded_nul(void **state)
{
    struct arena a;
    char *p;

    (void)state;
    arena_init(&a, 0);
    p = arena_strndup(&a, "a\0b", 3);
    assert_non_null(p);
    assert_memory_equal(p, "a\0b", 4);
    arena_release(&a);
}

static void strndup_does_not_read_past_n(void **state)
{
    struct arena a;
    char unterminated[4] = {'w', 'x', 'y', 'z'};

    (void)state;
    arena_init(&a, 0);
    assert_string_equal(arena_strndup(&a, unterminated, sizeof(unterminated)), "wxyz");
    arena_release(&a);
}

static void strdup_copies_whole_string(void **state)
{
    struct arena a;
    const char *src = "hello, arena";
    char *p;

    (void)state;
    arena_init(&a, 0);
    p = arena_strdup(&a, src);
    assert_string_equal(p, src);
    assert_ptr_not_equal(p, src);
    arena_release(&a);
}

static void strndup_returns_null_past_ceiling(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 16);
    /* 16 bytes need 17 with the NUL. */
    assert_null(arena_strndup(&a, "0123456789abcdef", 16));
    assert_null(arena_strdup(&a, "0123456789abcdef"));
    assert_string_equal(arena_strdup(&a, "0123456789abcde"), "0123456789abcde");
    arena_release(&a);
}

static void printf_formats_into_arena(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    assert_string_equal(arena_printf(&a, "%s-%d-%05.1f", "call", 42, 3.5), "call-42-003.5");
    assert_string_equal(arena_printf(&a, "%s", ""), "");
    assert_string_equal(call_vprintf(&a, "%c%c%c", 'a', 'b', 'c'), "abc");
    arena_release(&a);
}

/* Around the size formatted on the stack first, every length comes out whole. */
static void printf_lengths_around_the_stack_buffer(void **state)
{
    struct arena a;
    int width;

    (void)state;
    arena_init(&a, 0);
    for (width = 250; width <= 260; width++) {
        char *p = arena_printf(&a, "%*d|", width, 5);
        assert_non_null(p);
        assert_int_equal(strlen(p), (size_t)width + 1);
        assert_int_equal(p[width - 1], '5');
        assert_int_equal(p[width], '|');
    }
    arena_release(&a);
}

static void printf_output_larger_than_a_block(void **state)
{
    struct arena a;
    char *p;

    (void)state;
    arena_init(&a, 0);
    p = arena_printf(&a, "%9000d|", 7);
    assert_non_null(p);
    assert_int_equal(strlen(p), 9001);
    assert_int_equal(p[8999], '7');
    assert_int_equal(p[9000], '|');
    arena_release(&a);
}

static void concat_joins_strings_up_to_null(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 64);
    assert_string_equal(arena_concat(&a, "https://x", "/twilio/flow/", "a", "?flow=", "b", NULL),
                        "https://x/twilio/flow/a?flow=b");
    assert_string_equal(arena_concat(&a, NULL), "");
    assert_null(arena_concat(&a, "this string is longer than ", "what is left", NULL));
    arena_release(&a);
}

static void printf_returns_null_past_ceiling(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 32);
    assert_null(arena_printf(&a, "%s", "this string is longer than the ceiling"));
    assert_null(call_vprintf(&a, "%040d", 1));
    assert_int_equal(a.used, 0);
    /* 31 characters and the NUL fit exactly. */
    assert_string_equal(arena_printf(&a, "%031d", 5), "0000000000000000000000000000005");
    assert_int_equal(a.used, 32);
    arena_release(&a);
}

static void release_resets_used_and_arena_is_reusable(void **state)
{
    struct arena a;
    char *p;

    (void)state;
    arena_init(&a, 256);
    assert_non_null(arena_alloc(&a, 200));
    assert_null(arena_alloc(&a, 100));
    arena_release(&a);
    assert_int_equal(a.used, 0);
    assert_null(a.head);
    assert_int_equal(a.limit, 256); /* the ceiling survives release */
    p = arena_alloc(&a, 240);
    assert_non_null(p);
    memset(p, 1, 240);
    assert_null(arena_alloc(&a, 32));
    arena_release(&a);
}

static void release_of_empty_arena_is_harmless(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    arena_release(&a);
    arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
}

static void zero_limit_means_no_ceiling(void **state)
{
    struct arena a;
    size_t i;

    (void)state;
    arena_init(&a, 0);
    for (i = 0; i < 64; i++)
        assert_non_null(arena_alloc(&a, 64 * 1024));
    assert_int_equal(a.used, 64 * 64 * 1024);
    arena_release(&a);
}

static void size_max_request_refused_under_ceiling(void **state)
{
    struct arena a;

    (void)state;
    arena_init(&a, 1 << 20);
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 15));
    assert_int_equal(a.used, 0);
    arena_release(&a);
}

/*
 * In a child: ask an arena without ceiling for n bytes. The contract allows
 * two outcomes for a request no machine can satisfy: abort (out-of-memory) or
 * NULL. A non-NULL pointer means the block size wrapped around.
 */
static void assert_huge_request_aborts_or_fails(size_t n)
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0) {
        struct arena a;
        void *p;
        arena_init(&a, 0);
        p = arena_alloc(&a, n);
        _exit(p ? 1 : 0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
        assert_int_equal(WTERMSIG(status), SIGABRT);
        return;
    }
    assert_true(WIFEXITED(status));
    /* exit 1: arena_alloc returned a pointer for a block that was never allocated */
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void size_max_request_without_ceiling_never_returns_pointer(void **state)
{
    (void)state;
    assert_huge_request_aborts_or_fails(SIZE_MAX);
}

static void wrapping_block_size_without_ceiling_never_returns_pointer(void **state)
{
    (void)state;
    /* Rounds to SIZE_MAX - 15; the block header then wraps the malloc size. */
    assert_huge_request_aborts_or_fails(SIZE_MAX - 15);
    assert_huge_request_aborts_or_fails(SIZE_MAX - 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_is_aligned_to_16_for_odd_sizes),
        cmocka_unit_test(used_counts_sizes_rounded_up_to_16),
        cmocka_unit_test(alloc_refuses_once_ceiling_would_be_passed),
        cmocka_unit_test(refused_alloc_leaves_room_for_smaller_one),
        cmocka_unit_test(alloc_fills_ceiling_exactly),
        cmocka_unit_test(zero_byte_alloc_succeeds_at_ceiling),
        cmocka_unit_test(big_alloc_gets_usable_block_of_its_own),
        cmocka_unit_test(many_small_allocs_never_overlap),
        cmocka_unit_test(zalloc_zero_fills),
        cmocka_unit_test(zalloc_returns_null_past_ceiling),
        cmocka_unit_test(strndup_copies_n_bytes_and_terminates),
        cmocka_unit_test(strndup_keeps_embedded_nul),
        cmocka_unit_test(strndup_does_not_read_past_n),
        cmocka_unit_test(strdup_copies_whole_string),
        cmocka_unit_test(strndup_returns_null_past_ceiling),
        cmocka_unit_test(printf_formats_into_arena),
        cmocka_unit_test(printf_lengths_around_the_stack_buffer),
        cmocka_unit_test(printf_output_larger_than_a_block),
        cmocka_unit_test(printf_returns_null_past_ceiling),
        cmocka_unit_test(concat_joins_strings_up_to_null),
        cmocka_unit_test(release_resets_used_and_arena_is_reusable),
        cmocka_unit_test(release_of_empty_arena_is_harmless),
        cmocka_unit_test(zero_limit_means_no_ceiling),
        cmocka_unit_test(size_max_request_refused_under_ceiling),
        cmocka_unit_test(size_max_request_without_ceiling_never_returns_pointer),
        cmocka_unit_test(wrapping_block_size_without_ceiling_never_returns_pointer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
