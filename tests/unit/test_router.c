/*
 * test_router.c — path pattern matching (src/http/router.h).
 *
 * Covers exact literal matching on the raw path (case-sensitive, no
 * percent-decoding of literals, no trailing-slash folding, no "//"
 * collapsing), the root pattern "/", {placeholders} (one whole non-empty
 * segment each, several per pattern, percent-decoded values with "+" kept),
 * ROUTER_BAD_ESCAPE for malformed escapes and for %00 in a value, path_len
 * being authoritative (the query after it is ignored), params being reset by
 * every match, and placeholder binding when the request arena is full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "http/http.h"
#include "http/router.h"
#include "core/banned.h"

static struct arena test_arena;
static struct arena small_arena; /* for the full-arena test */
static struct http_request req;

static int setup(void **state)
{
    (void)state;
    arena_init(&test_arena, 1 << 20);
    arena_init(&small_arena, 0);
    memset(&req, 0, sizeof(req));
    req.arena = &test_arena;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&test_arena);
    arena_release(&small_arena);
    return 0;
}

/* Match a NUL-terminated path. */
static enum router_result match(const char *pattern, const char *path)
{
    req.path = path;
    req.path_len = strlen(path);
    return router_match(pattern, &req);
}

/* A bound value by name, looked up as http_param() does (http.c needs the edge to link). */
static const char *param(const char *name)
{
    size_t i;

    for (i = 0; i < req.param_count; i++)
        if (strcmp(req.params[i].name, name) == 0)
            return req.params[i].value;
    return NULL;
}

static void assert_param(size_t i, const char *name, const char *value)
{
    assert_true(i < req.param_count);
    assert_non_null(req.params[i].name);
    assert_non_null(req.params[i].value);
    assert_string_equal(req.params[i].name, name);
    assert_string_equal(req.params[i].value, value);
}

static void router_matches_exact_literal(void **state)
{
    (void)state;
    assert_int_equal(match("/twilio/voice", "/twilio/voice"), ROUTER_MATCH);
    assert_int_equal(req.param_count, 0);
    assert_int_equal(match("/health", "/health"), ROUTER_MATCH);
}

static void router_refuses_near_miss_literals(void **state)
{
    (void)state;
    assert_int_equal(match("/twilio/voice", "/twilio/voic"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice", "/twilio/voices"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice", "/twilio/Voice"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice", "/twilio"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice", "/twilio/voice/incoming"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice", "twilio/voice"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice", ""), ROUTER_NO_MATCH);
}

static void router_does_not_fold_trailing_slash(void **state)
{
    (void)state;
    assert_int_equal(match("/twilio/voice", "/twilio/voice/"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice/", "/twilio/voice"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice/", "/twilio/voice/"), ROUTER_MATCH);
    assert_int_equal(match("/r/{id}", "/r/CA1/"), ROUTER_NO_MATCH);
}

static void router_does_not_collapse_double_slash(void **state)
{
    (void)state;
    assert_int_equal(match("/twilio/voice", "/twilio//voice"), ROUTER_NO_MATCH);
    assert_int_equal(match("/twilio/voice", "//twilio/voice"), ROUTER_NO_MATCH);
}

static void router_literals_compare_raw_path(void **state)
{
    (void)state;
    /* %76 is "v": literals are not decoded, so this is a different path. */
    assert_int_equal(match("/twilio/voice", "/twilio/%76oice"), ROUTER_NO_MATCH);
    /* A malformed escape in a literal segment is simply no match. */
    assert_int_equal(match("/twilio/voice", "/twilio/%zz"), ROUTER_NO_MATCH);
}

static void router_root_pattern_matches_only_root(void **state)
{
    (void)state;
    assert_int_equal(match("/", "/"), ROUTER_MATCH);
    assert_int_equal(req.param_count, 0);
    assert_int_equal(match("/", ""), ROUTER_NO_MATCH);
    assert_int_equal(match("/", "//"), ROUTER_NO_MATCH);
    assert_int_equal(match("/", "/health"), ROUTER_NO_MATCH);
    assert_int_equal(match("/health", "/"), ROUTER_NO_MATCH);
}

static void router_binds_placeholder(void **state)
{
    (void)state;
    assert_int_equal(match("/twilio/recording/{CallSid}", "/twilio/recording/CA123"), ROUTER_MATCH);
    assert_int_equal(req.param_count, 1);
    assert_param(0, "CallSid", "CA123");
    assert_string_equal(param("CallSid"), "CA123");
    assert_null(param("callsid"));
}

static void router_binds_several_placeholders_in_order(void **state)
{
    (void)state;
    assert_int_equal(match("/a/{x}/b/{y}", "/a/1/b/two"), ROUTER_MATCH);
    assert_int_equal(req.param_count, 2);
    assert_param(0, "x", "1");
    assert_param(1, "y", "two");
    assert_int_equal(match("/{first}/{second}", "/p/q"), ROUTER_MATCH);
    assert_param(0, "first", "p");
    assert_param(1, "second", "q");
}

static void router_placeholder_literal_mismatch_after_bind(void **state)
{
    (void)state;
    assert_int_equal(match("/a/{x}/b", "/a/1/c"), ROUTER_NO_MATCH);
    assert_int_equal(match("/a/{x}/b", "/a/1"), ROUTER_NO_MATCH);
}

static void router_percent_decodes_params(void **state)
{
    (void)state;
    assert_int_equal(match("/r/{id}", "/r/a%20b%2Fc%2b+d"), ROUTER_MATCH);
    /* "+" is a space only in forms; in a path it stays "+". */
    assert_param(0, "id", "a b/c++d");
    assert_int_equal(match("/r/{id}", "/r/%E2%82%ac"), ROUTER_MATCH);
    assert_param(0, "id", "\xe2\x82\xac");
}

static void router_bad_escape_in_param(void **state)
{
    (void)state;
    assert_int_equal(match("/r/{id}", "/r/%zz"), ROUTER_BAD_ESCAPE);
    assert_int_equal(match("/r/{id}", "/r/ab%4"), ROUTER_BAD_ESCAPE);
    assert_int_equal(match("/r/{id}", "/r/ab%"), ROUTER_BAD_ESCAPE);
    assert_int_equal(match("/r/{id}", "/r/%4g"), ROUTER_BAD_ESCAPE);
    assert_int_equal(match("/r/{id}/x", "/r/%zz/x"), ROUTER_BAD_ESCAPE);
}

static void router_refuses_nul_in_param(void **state)
{
    (void)state;
    assert_int_equal(match("/r/{id}", "/r/CA1%00.mp3"), ROUTER_BAD_ESCAPE);
    assert_int_equal(match("/r/{id}", "/r/%00"), ROUTER_BAD_ESCAPE);
}

static void router_empty_segment_does_not_match_placeholder(void **state)
{
    (void)state;
    assert_int_equal(match("/r/{id}", "/r/"), ROUTER_NO_MATCH);
    assert_int_equal(match("/r/{id}", "/r"), ROUTER_NO_MATCH);
    assert_int_equal(match("/r/{id}/x", "/r//x"), ROUTER_NO_MATCH);
    assert_int_equal(match("/{id}", "/"), ROUTER_NO_MATCH);
}

static void router_placeholder_takes_one_segment(void **state)
{
    (void)state;
    assert_int_equal(match("/r/{id}", "/r/a/b"), ROUTER_NO_MATCH);
}

static void router_empty_braces_are_literal(void **state)
{
    (void)state;
    assert_int_equal(match("/a/{}", "/a/{}"), ROUTER_MATCH);
    assert_int_equal(req.param_count, 0);
    assert_int_equal(match("/a/{}", "/a/x"), ROUTER_NO_MATCH);
}

static void router_uses_path_len_not_nul(void **state)
{
    static const char target[] = "/twilio/recording/CA9?x=1";

    (void)state;
    req.path = target;
    req.path_len = strlen("/twilio/recording/CA9");
    assert_int_equal(router_match("/twilio/recording/{CallSid}", &req), ROUTER_MATCH);
    assert_param(0, "CallSid", "CA9");
    req.path_len = strlen("/twilio/rec");
    assert_int_equal(router_match("/twilio/recording/{CallSid}", &req), ROUTER_NO_MATCH);
}

static void router_resets_params_on_each_match(void **state)
{
    (void)state;
    assert_int_equal(match("/r/{id}", "/r/one"), ROUTER_MATCH);
    assert_int_equal(req.param_count, 1);
    assert_int_equal(match("/health", "/health"), ROUTER_MATCH);
    assert_int_equal(req.param_count, 0);
    assert_null(param("id"));
}

static void router_more_placeholders_than_room_never_match(void **state)
{
    (void)state;
    assert_int_not_equal(match("/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5"), ROUTER_MATCH);
    assert_true(req.param_count <= HTTP_MAX_PATH_PARAMS);
    assert_int_equal(match("/{a}/{b}/{c}/{d}", "/1/2/3/4"), ROUTER_MATCH);
    assert_param(3, "d", "4");
}

/*
 * With the arena almost full, the value may fit while the copy of the
 * placeholder's name does not. A match must then still carry a name (or not
 * be a match at all): http_param() strcmp()s every name, so a NULL name
 * crashes the handler.
 */
static void router_full_arena_never_matches_with_null_name(void **state)
{
    enum router_result rc;

    (void)state;
    arena_init(&small_arena, 16); /* "abc" takes 16 bytes; the name "id" has no room */
    req.arena = &small_arena;
    rc = match("/r/{id}", "/r/abc");
    if (rc == ROUTER_MATCH) {
        assert_int_equal(req.param_count, 1);
        assert_non_null(req.params[0].name);
        assert_string_equal(req.params[0].name, "id");
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(router_matches_exact_literal),
        T(router_refuses_near_miss_literals),
        T(router_does_not_fold_trailing_slash),
        T(router_does_not_collapse_double_slash),
        T(router_literals_compare_raw_path),
        T(router_root_pattern_matches_only_root),
        T(router_binds_placeholder),
        T(router_binds_several_placeholders_in_order),
        T(router_placeholder_literal_mismatch_after_bind),
        T(router_percent_decodes_params),
        T(router_bad_escape_in_param),
        T(router_refuses_nul_in_param),
        T(router_empty_segment_does_not_match_placeholder),
        T(router_placeholder_takes_one_segment),
        T(router_empty_braces_are_literal),
        T(router_uses_path_len_not_nul),
        T(router_resets_params_on_each_match),
        T(router_more_placeholders_than_room_never_match),
        T(router_full_arena_never_matches_with_null_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
