/*
 * ratelimit.h — a token bucket per API key, for the API's sends.
 *
 * Each key may make `burst` sends at once and then `per_minute` sends a
 * minute, refilled continuously. Buckets are indexed by the key's position
 * in API_KEYS, so nothing here holds a key. Thread-safe.
 */
#ifndef HL_API_RATELIMIT_H
#define HL_API_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* per_minute 0 means no limit (ratelimit_take always allows). */
struct ratelimit *ratelimit_new(size_t keys, long per_minute, long burst);
void ratelimit_free(struct ratelimit *rl);

/*
 * Take one token from key's bucket at now_ns (CLOCK_MONOTONIC). Returns 1
 * when allowed; 0 when not, with *retry_after_s (may be NULL) the whole
 * seconds until a token is back (at least 1).
 */
int ratelimit_take(struct ratelimit *rl, size_t key, uint64_t now_ns, long *retry_after_s);

/* The same answer as ratelimit_take, without taking the token (to count only failures). */
int ratelimit_peek(struct ratelimit *rl, size_t key, uint64_t now_ns, long *retry_after_s);

#endif
