/*
 * ideas.h — the ideas of sealed SMS notes, held in memory only, briefly
 * (guide 004's IDEAS keyword, when notes are encrypted).
 *
 * Once a note is sealed as a memo, hotline keeps neither its text nor its
 * analysis: the only lasting copy is the memo, which only the owner's link
 * opens. So that a sender who texts IDEAS right after a note still gets its
 * ideas, the job that seals the note leaves them here for a short while:
 *
 *   - at most max_entries notes (the oldest goes first when full), each at
 *     most IDEAS_TEXT_MAX bytes (longer text is cut at a line);
 *   - each entry lives ttl_ms from when it was put, then a sweeper thread
 *     wipes it (crypto_wipe) and frees it, whether or not anyone asks again;
 *   - ideas_cache_free() wipes everything left.
 *
 * Nothing here is written anywhere: a restart, or another instance sharing
 * the database, has no ideas to give (docs/pipeline.md). Every function is
 * safe from any thread.
 */
#ifndef HL_NOTES_IDEAS_H
#define HL_NOTES_IDEAS_H

#include <stddef.h>

#include "core/hl.h"

#define IDEAS_TEXT_MAX 1400 /* bytes of ideas kept per note */

struct ideas_cache;

/* A cache of at most max_entries (>= 1) notes, each kept ttl_ms (>= 1); HL_EIO: no thread. */
int ideas_cache_new(struct ideas_cache **out, size_t max_entries, long ttl_ms, struct hl_err *err);

/* Wipe every entry, stop the sweeper, free c. NULL is ignored. */
void ideas_cache_free(struct ideas_cache *c);

/*
 * Keep ideas (one idea a line, "" for none) for note_id, replacing what the
 * note had; its time to live starts now. NULL c is ignored.
 */
void ideas_cache_put(struct ideas_cache *c, long long note_id, const char *ideas);

/*
 * Copy note_id's ideas into out (NUL-terminated, cut to out_size) when they
 * are still here: 1; else 0 (out is ""). The caller wipes out when done.
 */
int ideas_cache_get(struct ideas_cache *c, long long note_id, char *out, size_t out_size);

/* How many notes' ideas are held now. */
size_t ideas_cache_count(struct ideas_cache *c);

/*
 * The reply to IDEAS for note_id from its ideas (one a line; "" for none):
 * "Ideas from your note (ID: 42):\n1. ...\n2. ..." or "Your note (ID: 42)
 * has no ideas we could find.", cut at a whole idea to fit out_size (at
 * most an SMS's 1,600 characters).
 */
void ideas_reply(long long note_id, const char *ideas, char *out, size_t out_size);

#endif
