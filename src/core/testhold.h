/*
 * testhold.h — a test-only pause inside the recording pipeline, for the
 * crash-safety test (tests/integration/test_pipeline_crash.py).
 *
 * With HOTLINE_TEST_HOLD=<stage>:<point> in the environment (never in the
 * configuration table or a .env file), the worker that reaches that point
 * writes a marker file — HOTLINE_TEST_HOLD_FILE, default ./hotline-hold —
 * holding the point's name, and then blocks for good, so that the test can
 * kill -9 the server exactly there. Unset (always, outside that test), a
 * hold point costs one comparison of a cached pointer. docs/pipeline.md
 * lists the points.
 */
#ifndef HL_TESTHOLD_H
#define HL_TESTHOLD_H

/* Block here for good if HOTLINE_TEST_HOLD names "<stage>:<point>"; else return at once. */
void test_hold(const char *stage, const char *point);

#endif
