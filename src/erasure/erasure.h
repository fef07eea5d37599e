/*
 * erasure.h — erasing what hotline holds about a person, or one memo
 * (SPEC: DELETE /api/contacts/{phone}, DELETE /api/memos/{id}; guide 004's
 * GDPR deletion).
 *
 * An erasure is the store's one transaction (store_erase_phone/_memo: the
 * rows, the `erasures` record of what went, and a cleanup job), then, once
 * it is committed, the files under MEDIA_DIR and the recordings Twilio still
 * holds. Whatever cannot be removed at once (a file system error, Twilio
 * unreachable) is left to the cleanup job, which the job workers retry
 * with backoff until it is gone (`hotline jobs list` shows it meanwhile).
 * Log lines never name the number: files are named by recording and memo
 * ids only.
 *
 * The API and `hotline contacts erase` share this path.
 */
#ifndef HL_ERASURE_H
#define HL_ERASURE_H

#include "app/app.h"
#include "jobs/jobs.h"

/* The job kind that removes an erasure's files and Twilio recordings. */
#define ERASURE_CLEANUP_KIND "erasure.cleanup"

struct erasure_report {
    struct store_erasure erased; /* what the transaction removed */
    long long files_removed;     /* files gone now (removed, or absent already) */
    long long twilio_deleted;    /* recordings deleted at Twilio now (or gone already) */
    long long left;              /* files or recordings the cleanup job will retry */
};

/*
 * Erase everything about phone (E.164). HL_EINVAL: not E.164;
 * HL_ENOTFOUND: nothing is stored about it; HL_EBUSY: a job about it is
 * running, try again shortly; other codes: the store failed (nothing erased).
 */
int erasure_phone(struct app *app, const char *phone, struct erasure_report *out,
                  struct hl_err *err);

/* Erase memo id. HL_ENOTFOUND: no such memo (or a malformed id). */
int erasure_memo(struct app *app, const char *id, struct erasure_report *out,
                 struct hl_err *err);

/* The cleanup job kind, with app as its context, for the job workers. */
size_t erasure_kinds(struct app *app, struct job_kind *out, size_t max);

#endif
