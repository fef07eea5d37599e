/*
 * store.h — hotline's storage interface: calls, messages, recordings, opt-outs,
 * and (as later work adds them) memos, bookings, contacts and jobs.
 *
 * This header is the whole contract between hotline and its database. Which
 * engine answers is chosen once, by DATABASE_URL, in store_open(); no caller
 * ever sees SQL or knows whether SQLite or PostgreSQL is underneath. Every
 * operation below is one atomic unit: it happens completely or not at all.
 *
 * Conventions that hold for every function here:
 *
 *  - Results. Functions return HL_OK (0) or a negative code, and fill err
 *    (which may be NULL) with a message for a person:
 *      HL_EINVAL    a required argument is missing, or the data breaks a rule
 *                   of the schema (malformed JSON, consent other than 0/1);
 *      HL_EBUSY     the database stayed locked by another process for 5 s;
 *      HL_ESTORE    anything else the database refused or failed at;
 *      HL_ECONFIG   store_open() only: DATABASE_URL is unusable.
 *    On failure nothing was written.
 *
 *  - Strings in record structs are borrowed for the duration of the call;
 *    the store copies what it keeps. NULL means "absent". "" is a value.
 *    Phone numbers are stored in full (hotline must be able to call back);
 *    masking them for logs and API answers is the caller's job.
 *
 *  - Integers in record structs are STORE_NONE (-1) when absent; every
 *    integer the store keeps is >= 0. Start records from their _INIT macro
 *    (struct store_call c = STORE_CALL_INIT;) so that every integer begins
 *    absent rather than 0.
 *
 *  - Upserts: an absent field never overwrites a stored one. A present one
 *    does, unless the function says otherwise (Twilio's status ordering, a
 *    call's numbers).
 *
 *  - Fields ending in _json hold a JSON text, stored as given and checked
 *    for well-formedness by the database (HL_EINVAL if malformed).
 *
 *  - The store stamps created_at/updated_at itself, in UTC with milliseconds
 *    ("2026-11-21T05:35:09.123Z").
 *
 *  - One struct store serves a whole process: every function may be called
 *    from any number of threads at once, except store_close().
 */
#ifndef HL_STORE_H
#define HL_STORE_H

#include "core/hl.h"

/* "Absent" for the integer fields of every record struct. */
#define STORE_NONE (-1)

struct store;

/*
 * Open the database DATABASE_URL names:
 *
 *   sqlite:PATH         SQLite file at PATH ("sqlite:./data/hotline.db",
 *                       "sqlite:/var/lib/hotline.db"; "sqlite:///var/..." is
 *                       the same as "sqlite:/var/..."). The file and any
 *                       missing parent directories are created, mode 0600
 *                       and 0700: the database holds callers' numbers.
 *   postgres://...      PostgreSQL: not built yet, refused with HL_ECONFIG.
 *   postgresql://...
 *
 * Anything else is HL_ECONFIG with a message naming the problem. Messages
 * never repeat the URL, which may carry a password. HL_EIO: the file or its
 * directories could not be created; HL_ESTORE: SQLite could not open it.
 *
 * Opening does not migrate: a fresh database has no tables until
 * store_migrate() runs (`hotline serve` and `hotline migrate` call it). On
 * success *out is a handle the caller releases with store_close().
 */
int store_open(struct store **out, const char *database_url, struct hl_err *err);

/* Close the database and free s. NULL is ignored. No call may be in flight. */
void store_close(struct store *s);

/*
 * Bring the schema up to date, applying each missing migration step in its
 * own transaction, and set *applied (may be NULL) to how many ran. Running it
 * again applies nothing; several processes may run it at once. A database
 * whose schema is newer than this build knows is HL_ESTORE, untouched.
 */
int store_migrate(struct store *s, int *applied, struct hl_err *err);

/* The schema version the database is at: 0 before the first migration. */
int store_schema_version(struct store *s, int *version, struct hl_err *err);

/*
 * The self-test's "Database" check: a read that proves the database answers
 * and that its schema is exactly the version this build expects. HL_ESTORE
 * with "run `hotline migrate`" in the message when it is behind.
 */
int store_ping(struct store *s, struct hl_err *err);

/* ---- Calls ---------------------------------------------------------------------------- */

/*
 * A call, keyed by Twilio's CallSid. direction is Twilio's word ("inbound",
 * "outbound-api", "outbound-dial"); status is Twilio's CallStatus.
 */
struct store_call {
    const char *sid; /* required */
    const char *account_sid;
    const char *direction;
    const char *from_number; /* E.164 */
    const char *to_number;
    const char *status;
    const char *flow;           /* the flow running the call */
    const char *current_step;   /* its step the call is at */
    const char *variables_json; /* the flow's variables, an object */
    const char *answered_by;    /* AnsweredBy: human, machine_start, ... */
    const char *parent_sid;     /* ParentCallSid of a <Dial> leg */
    const char *user_id;        /* userId given to POST /api/calls */
    const char *metadata_json;  /* metadata given to POST /api/calls */
    int consent;                /* recording consent: 0 refused, 1 given */
    long long duration_s;       /* CallDuration */
};

#define STORE_CALL_INIT                                                                            \
    {                                                                                              \
        .consent = STORE_NONE, .duration_s = STORE_NONE                                            \
    }

/*
 * Insert the call or update the one with the same sid. Absent fields keep
 * their stored values, so a flow may write only current_step. This always
 * applies call->status as given; status callbacks go through
 * store_call_event_add(), which keeps Twilio's order.
 *
 * from_number and to_number are the call's identity: stored when first
 * known, never replaced afterwards (here or by events).
 */
int store_call_upsert(struct store *s, const struct store_call *call, struct hl_err *err);

/*
 * One call status callback. idempotency_key identifies the delivery: the
 * I-Twilio-Idempotency-Token header when Twilio sent one, else
 * "CallSid|CallStatus|SequenceNumber" (the caller computes it).
 */
struct store_call_event {
    const char *idempotency_key; /* required */
    const char *call_sid;        /* required */
    const char *status;          /* required: CallStatus */
    long long sequence;          /* SequenceNumber; STORE_NONE when Twilio sent none */
    const char *timestamp;       /* Twilio's Timestamp parameter, verbatim */
    const char *params_json;     /* every parameter of the request, an object */
    /* What the callback says about the call, applied to its row: */
    const char *account_sid;
    const char *direction;
    const char *from_number;
    const char *to_number;
    const char *answered_by;
    const char *parent_sid;
    long long duration_s; /* CallDuration */
};

#define STORE_CALL_EVENT_INIT                                                                      \
    {                                                                                              \
        .sequence = STORE_NONE, .duration_s = STORE_NONE                                           \
    }

/*
 * Store the event and, in the same transaction, create or update its call.
 * A key seen before stores nothing and sets *inserted to 0 (a retried
 * webhook); otherwise *inserted is 1.
 *
 * Twilio may deliver callbacks out of order and numbers them with
 * SequenceNumber for this reason ("Status callback events", Twilio Voice
 * docs). The call's status and duration therefore follow an event only when
 * its sequence is >= the highest one applied so far; an older event is kept
 * in the history but only fills a duration the call lacks. Events without a
 * sequence always apply.
 */
int store_call_event_add(struct store *s, const struct store_call_event *event, int *inserted,
                         struct hl_err *err);

/* ---- Recordings ----------------------------------------------------------------------- */

/* A recording, keyed by Twilio's RecordingSid. */
struct store_recording {
    const char *sid; /* required */
    const char *call_sid;
    const char *account_sid;
    const char *url; /* RecordingUrl, without a media extension */
    const char *status;
    const char *source;     /* RecordingSource: RecordVerb, DialVerb, ... */
    const char *error_code; /* ErrorCode, as Twilio sent it */
    const char *local_path; /* the downloaded copy under MEDIA_DIR */
    const char *sha256;     /* of the downloaded copy, lowercase hex */
    long long duration_s;
    long long channels;
    long long size_bytes;
    int deleted_remote; /* 1 once deleted from Twilio */
};

#define STORE_RECORDING_INIT                                                                       \
    {                                                                                              \
        .duration_s = STORE_NONE, .channels = STORE_NONE, .size_bytes = STORE_NONE,                \
        .deleted_remote = STORE_NONE                                                               \
    }

/*
 * A finished <Record> (its action webhook): store the recording and queue
 * one job of job_kind (required) with job_payload_json (NULL means "{}") to
 * process it — both in one transaction, so there is never a recording
 * without its job or a job without its recording. *inserted is 1 when the
 * job was queued.
 *
 * Idempotent per recording: if this recording was received before, nothing
 * changes and *inserted is 0 — never a second job. A row that only
 * store_recording_status() created (the status callback can arrive first)
 * does not count as received: it is completed and the job is queued.
 */
int store_recording_received(struct store *s, const struct store_recording *rec,
                             const char *job_kind, const char *job_payload_json, int *inserted,
                             struct hl_err *err);

/*
 * A recording status callback: insert or update the recording by sid. It
 * never queues work; only store_recording_received() does. In both, a
 * recording's call_sid is stored when the row is created and never replaced.
 */
int store_recording_status(struct store *s, const struct store_recording *rec, struct hl_err *err);

/* ---- Messages ------------------------------------------------------------------------- */

/*
 * An SMS or WhatsApp message. id is the store's number for it (the "ID: N"
 * of SMS notes). sid may be absent for an outbound message written before
 * Twilio has answered with one.
 */
struct store_message {
    const char *sid;
    const char *account_sid;
    const char *direction;   /* inbound, outbound-api, outbound-reply (outbound-call from Twilio) */
    const char *channel;     /* "sms" or "whatsapp" (anything else is HL_EINVAL) */
    const char *from_number; /* E.164, without the "whatsapp:" prefix */
    const char *to_number;
    const char *body;
    const char *media_json; /* [{"url":..., "content_type":...}, ...] */
    const char *status;
    const char *error_code;
    const char *error_message;
    const char *user_id;
    const char *metadata_json;
    long long num_media;
    long long job_id;      /* outbound: the job whose stage sends it; STORE_NONE (or 0): none */
    const char *job_stage; /* with job_id: that stage's name */
};

#define STORE_MESSAGE_INIT                                                                         \
    {                                                                                              \
        .num_media = STORE_NONE, .job_id = STORE_NONE                                              \
    }

/*
 * Store a message and set *id to its id. Idempotent by sid: when a message
 * with this sid exists, *id is that message's, *inserted is 0, and the
 * existing row only gains the fields it lacked (it may be a row that
 * store_message_status() created); nothing stored is overwritten. Messages
 * without a sid are always new (*inserted 1).
 */
int store_message_add(struct store *s, const struct store_message *msg, long long *id,
                      int *inserted, struct hl_err *err);

/*
 * A message status callback: set the status (required) and error_code (may
 * be NULL) of the message with this sid (required).
 *
 * An unknown sid is not an error: a row holding just the sid and status is
 * created, so the status of a message sent elsewhere (the console, another
 * service on the account) is kept, and a later store_message_add() with the
 * same sid completes that row.
 *
 * Twilio does not promise that status callbacks arrive in order ("Track the
 * Message Status of Outbound Messages", Twilio Messaging docs), so a status
 * earlier in the life of a message (queued < sending < sent < delivered,
 * undelivered, failed, read...) never replaces a later one.
 */
int store_message_status(struct store *s, const char *sid, const char *status,
                         const char *error_code, struct hl_err *err);

/* ---- Outbound calls and messages ------------------------------------------------------ */

/*
 * What hotline writes as the status of a call or message it has stored but
 * not yet heard Twilio answer for; "unknown" when the REST request's outcome
 * could not be learned (a timeout after sending). Twilio's own words follow.
 */
#define STORE_STATUS_REQUESTING "requesting"
#define STORE_STATUS_UNKNOWN    "unknown"

/* Size of a SID buffer: "CA" + 32 hex + NUL. */
#define STORE_SID_SIZE 35

/*
 * An outbound call is stored before Twilio is asked to place it, so that a
 * crash in between leaves a visible row, never an untracked call. Twilio's
 * CallSid is not known yet, so the row gets a provisional sid, "HL" and 32
 * random hex digits, written to sid_out. call->sid must be NULL; status NULL
 * means STORE_STATUS_REQUESTING.
 */
int store_call_outbound_begin(struct store *s, const struct store_call *call,
                              char sid_out[STORE_SID_SIZE], struct hl_err *err);

/* How a REST request for an outbound call or message ended. */
struct store_outcome {
    const char *sid;    /* Twilio's CallSid/MessageSid; NULL when Twilio gave none */
    const char *status; /* required: Twilio's status, "failed", or STORE_STATUS_UNKNOWN */
    const char *error_code;
    const char *error_message;
};

/*
 * Record the outcome on the row store_call_outbound_begin() made. With a sid
 * the row takes it. Twilio's status callbacks can arrive before the REST
 * answer; if one already created a row under that sid, the two become one
 * row — the callback's (its events and later status kept, the outbound
 * fields such as flow, user_id and metadata added) — and the provisional
 * row is removed. HL_ENOTFOUND when no row has provisional_sid.
 */
int store_call_outbound_end(struct store *s, const char *provisional_sid,
                            const struct store_outcome *outcome, struct hl_err *err);

/*
 * The same for a message stored with store_message_add() (sid NULL) before
 * its REST request: the row id takes the sid, status and error. A row a
 * status callback made under that sid first is folded into it (the later of
 * the two statuses wins, as in store_message_status). HL_ENOTFOUND: no row id.
 */
int store_message_outbound_end(struct store *s, long long id, const struct store_outcome *outcome,
                               struct hl_err *err);

/* ---- Reading history ------------------------------------------------------------------ */

/*
 * Rows are handed to a callback one at a time, newest first where the
 * function says so; strings in a row are valid only during the callback.
 * Lists page with a cursor: pass the id of the last row seen as before_id
 * (STORE_NONE: from the newest) and at most limit rows (1..1000) come back.
 */
struct store_list {
    const char *phone; /* only rows from or to this number (E.164); NULL: all */
    long long before_id;
    int limit;
    const char *phone_suffix; /* only rows whose number ends with these digits; NULL: all */
};

struct store_call_row {
    long long id;
    struct store_call call;
    const char *error_code;
    const char *error_message;
    const char *created_at;
    const char *updated_at;
};

struct store_event_row {
    long long id;
    const char *call_sid;
    const char *status;
    long long sequence;
    const char *timestamp;
    const char *params_json;
    const char *received_at;
};

struct store_recording_row {
    long long id;
    struct store_recording rec;
    const char *received_at;
    const char *created_at;
    const char *updated_at;
};

struct store_transcription_row {
    long long id;
    const char *recording_sid;
    const char *call_sid;
    const char *engine;
    const char *text;
    double confidence;  /* < 0 when unknown */
    double duration_s;  /* < 0 when unknown */
    const char *analysis_json;
    const char *created_at;
};

struct store_message_row {
    long long id;
    struct store_message msg;
    const char *created_at;
    const char *updated_at;
};

/* Calls, newest first. */
int store_call_list(struct store *s, const struct store_list *q,
                    void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                    struct hl_err *err);

/* One call by sid (HL_ENOTFOUND when there is none). */
int store_call_get(struct store *s, const char *sid,
                   void (*each)(void *ctx, const struct store_call_row *row), void *ctx,
                   struct hl_err *err);

/* A call's status events, recordings and transcriptions, oldest first. */
int store_call_events(struct store *s, const char *call_sid,
                      void (*each)(void *ctx, const struct store_event_row *row), void *ctx,
                      struct hl_err *err);
int store_call_recordings(struct store *s, const char *call_sid,
                          void (*each)(void *ctx, const struct store_recording_row *row),
                          void *ctx, struct hl_err *err);
int store_call_transcriptions(struct store *s, const char *call_sid,
                              void (*each)(void *ctx, const struct store_transcription_row *row),
                              void *ctx, struct hl_err *err);

/* Messages, newest first. */
int store_message_list(struct store *s, const struct store_list *q,
                       void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                       struct hl_err *err);

/*
 * The newest message stored with this job_id and job_stage (a job stage's
 * send, store_message_add()), handed to each; HL_ENOTFOUND when there is none.
 */
int store_message_for_job(struct store *s, long long job_id, const char *stage,
                          void (*each)(void *ctx, const struct store_message_row *row), void *ctx,
                          struct hl_err *err);

/* ---- Jobs ----------------------------------------------------------------------------- */

/*
 * Durable background work. store_recording_received() queues jobs; workers
 * (jobs/jobs.h) claim them with a lease that they renew while working. A job
 * whose lease runs out (its server died) is claimed again by anyone. Each
 * finished stage of a job is recorded, so a retried job skips what is done.
 * States: queued, running, done, failed.
 */
struct store_job {
    long long id;
    const char *kind;
    const char *payload_json;
    const char *state;
    long long attempts; /* claims so far, this one included */
    long long max_attempts;
    const char *run_at;           /* not before */
    const char *lease_owner;      /* the worker holding it */
    const char *lease_expires_at; /* its lease ends */
    const char *last_error;
    const char *created_at;
    const char *updated_at;
};

/* Queue a job of kind with payload_json (NULL: "{}"), due now; *id (may be NULL) gets its id. */
int store_job_add(struct store *s, const char *kind, const char *payload_json, long long *id,
                  struct hl_err *err);

/*
 * Claim the next runnable job of one of kinds (comma-separated; NULL: any)
 * — queued and due, or running with an expired lease — oldest due first: it
 * becomes running, owned by owner until lease_ms from now, one attempt
 * more. *found is 0 when there is none.
 */
int store_job_claim(struct store *s, const char *owner, const char *kinds, long lease_ms,
                    void (*each)(void *ctx, const struct store_job *job), void *ctx, int *found,
                    struct hl_err *err);

/* Extend owner's lease on job id by lease_ms from now; HL_ENOTFOUND when owner lost it. */
int store_job_renew(struct store *s, long long id, const char *owner, long lease_ms,
                    struct hl_err *err);

/* The job is done (HL_ENOTFOUND when owner no longer holds it). */
int store_job_finish(struct store *s, long long id, const char *owner, struct hl_err *err);

/*
 * The attempt failed with error: queued again to run retry_ms from now, or
 * (retry_ms < 0) parked as failed for a person to look at.
 */
int store_job_fail(struct store *s, long long id, const char *owner, const char *error,
                   long retry_ms, struct hl_err *err);

/* Put a failed job back in the queue, due now, with its attempts reset. */
int store_job_retry(struct store *s, long long id, struct hl_err *err);

/* A finished stage's result (JSON), handed to each; HL_ENOTFOUND when not done yet. */
int store_job_stage_get(struct store *s, long long job_id, const char *stage,
                        void (*each)(void *ctx, const char *result_json), void *ctx,
                        struct hl_err *err);

/* Record a finished stage (once: a second call keeps the first result). */
int store_job_stage_done(struct store *s, long long job_id, const char *stage,
                         const char *result_json, struct hl_err *err);

/* Jobs newest first, optionally in one state; paged like the other lists (phone unused). */
int store_job_list(struct store *s, const char *state, const struct store_list *q,
                   void (*each)(void *ctx, const struct store_job *job), void *ctx,
                   struct hl_err *err);

/* One job, then its finished stages in order (stage_each may be NULL). HL_ENOTFOUND if none. */
int store_job_get(struct store *s, long long id,
                  void (*each)(void *ctx, const struct store_job *job),
                  void (*stage_each)(void *ctx, const char *stage, const char *result_json,
                                     const char *finished_at),
                  void *ctx, struct hl_err *err);

/* ---- Transcriptions and bookings ------------------------------------------------------ */

struct store_transcription {
    const char *recording_sid; /* required */
    const char *call_sid;
    const char *engine; /* required */
    const char *text;
    double confidence; /* < 0: unknown */
    double duration_s; /* < 0: unknown */
    const char *analysis_json;
};

/* Store a recording's transcript once: a second call for the same recording stores nothing. */
int store_transcription_add(struct store *s, const struct store_transcription *t, int *inserted,
                            struct hl_err *err);

struct store_booking {
    const char *call_sid;
    const char *phone;     /* the caller, E.164 */
    const char *starts_at; /* required: UTC, the store's timestamp form */
    const char *timezone;  /* the zone the caller spoke in */
    const char *summary;
};

/* Store a booking once per call and time: a repeat stores nothing. */
int store_booking_add(struct store *s, const struct store_booking *b, int *inserted,
                      struct hl_err *err);

struct store_booking_row {
    long long id;
    struct store_booking booking;
    const char *status; /* pending, confirmed, cancelled */
    const char *created_at;
};

/* Bookings, newest first, paged like the other lists (phone: the caller's). */
int store_booking_list(struct store *s, const struct store_list *q,
                       void (*each)(void *ctx, const struct store_booking_row *row), void *ctx,
                       struct hl_err *err);

/* ---- Memos --------------------------------------------------------------------------- */

/* An encrypted memo's record: never its key, only the key's SHA-256. */
struct store_memo {
    const char *id;         /* required: 22 base64url characters */
    const char *kind;       /* required: "voicemail" or "sms_note" */
    const char *call_sid;
    const char *recording_sid;
    long long message_id;   /* an SMS note's message; STORE_NONE otherwise */
    const char *key_sha256; /* required: 64 lowercase hex */
    const char *audio_path;
    const char *meta_path;
    int owner_notified;     /* 1: the owner's link was sent (stamped now) */
};

/*
 * Store a memo. The same memo again (same id, kind, recording and message)
 * while its owner has not been notified replaces its key hash, paths and
 * notification: a pipeline that sealed it again after a crash, or that now
 * sent its link. Any other row under the id — a notified memo, another
 * memo's — is HL_EINVAL ("taken"), nothing written.
 */
int store_memo_add(struct store *s, const struct store_memo *m, struct hl_err *err);

/* The owner has the memo's link: stamp owner_notified_at once. HL_ENOTFOUND: no such memo. */
int store_memo_notified(struct store *s, const char *id, struct hl_err *err);
/*
 * A memo as stored: its record and stamps (deleted_at: when it was erased,
 * else NULL), the number it came from, and its place in the list. The store
 * never holds a memo's key, only the key's SHA-256; API answers show less.
 */
struct store_memo_row {
    struct store_memo memo; /* owner_notified is 1 when owner_notified_at is set */
    const char *created_at;
    const char *owner_notified_at;
    const char *deleted_at;
    long long seq; /* its place in store_memo_list: the cursor for before_id */
    const char *phone; /* the caller (voicemail) or sender (note), E.164; NULL if unknown */
};

/* The memo with this id, handed to each; HL_ENOTFOUND when there is none. */
int store_memo_get(struct store *s, const char *id,
                   void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                   struct hl_err *err);

/* ---- SMS notes ------------------------------------------------------------------------ */

/*
 * An SMS note (guide 004) is an inbound message that is not a keyword, plus
 * a note record: its sender, its state and what became of it.
 *
 *   pending    its job has not run yet; the message still holds the text
 *   analysed   notes are not encrypted: analysis_json holds the analysis
 *   sealed     it became the encrypted memo memo_id; the message's body was
 *              cleared in the same transaction and the note keeps no analysis
 */
struct store_note {
    long long message_id;
    const char *phone; /* the sender, E.164 */
    const char *state;
    const char *body; /* the message's text; NULL once sealed */
    const char *analysis_json;
    const char *memo_id;
    const char *created_at;
};

/*
 * Record message_id (an inbound message, from phone) as a note and queue
 * one job of job_kind with job_payload_json to process it, in one
 * transaction. Idempotent: a message already recorded as a note queues
 * nothing and sets *inserted to 0.
 */
int store_note_received(struct store *s, long long message_id, const char *phone,
                        const char *job_kind, const char *job_payload_json, int *inserted,
                        struct hl_err *err);

/* The note of message_id, or phone's newest note, handed to each; HL_ENOTFOUND when none. */
int store_note_get(struct store *s, long long message_id,
                   void (*each)(void *ctx, const struct store_note *note), void *ctx,
                   struct hl_err *err);
int store_note_last(struct store *s, const char *phone,
                    void (*each)(void *ctx, const struct store_note *note), void *ctx,
                    struct hl_err *err);

/* An unencrypted note was analysed: keep the analysis (HL_ENOTFOUND: no such unsealed note). */
int store_note_analysed(struct store *s, long long message_id, const char *analysis_json,
                        struct hl_err *err);

/*
 * A note became memo m (kind "sms_note", message_id the note's): store the
 * memo, mark the note sealed with m->id, and clear the message's body — all
 * or nothing. HL_ENOTFOUND when the note is gone or already sealed (then
 * nothing is stored).
 */
int store_note_sealed(struct store *s, const struct store_memo *m, struct hl_err *err);

/*
 * Make what was deleted or cleared so far unrecoverable from the database's
 * own files, as far as the engine can: SQLite zeroes freed bytes in the
 * pages it writes (secure_delete) and here folds its write-ahead log into
 * the database and truncates it, so no older page image keeps a cleared
 * value. It may wait seconds for readers and holds up writers while it
 * runs: call it off the request path, for rare events (a sealed note).
 */
int store_scrub(struct store *s, struct hl_err *err);
/* ---- Erasure -------------------------------------------------------------------------- */

/*
 * Erasing a person (GDPR art. 17) or one memo. Each is one transaction that
 * deletes the rows, records in `erasures` what was erased — table names and
 * counts, never the data, and a subject that is not the number — and
 * queues a cleanup job (kind cleanup_kind, payload
 * {"files":[paths],"recordings":[RecordingSids still at Twilio]}) so that
 * files and Twilio's copies are removed even if the caller dies right after
 * the commit. Once committed, each(ctx, what, value) is called for every
 * such file and recording, so the caller can remove them at once (the job
 * then finds them gone).
 */
struct store_erasure {
    long long id; /* the erasures row */
    long long calls, call_events, recordings, transcriptions, memos, messages, bookings,
        contacts, jobs;
    long long files;      /* files listed for removal */
    long long recordings_remote; /* recordings still at Twilio, listed for deletion */
    int optout_kept;      /* 1: the number's opt-out was kept as its keyed hash */
};

enum store_erased { STORE_ERASED_FILE, STORE_ERASED_TWILIO_RECORDING };

typedef void (*store_erased_fn)(void *ctx, enum store_erased what, const char *value);

/*
 * Erase everything stored about phone (E.164): its calls (and <Dial> legs of
 * them) with their events, recordings, transcriptions and memos; messages
 * from or to it, or that quote it, and the owner's memo notices of its
 * memos; bookings; its contact; jobs whose payload names any of these. An
 * opt-out is not forgotten: its row is replaced by the number's keyed hash,
 * which store_optout_check() still matches. The erasures row's subject is
 * that hash.
 *
 * HL_ENOTFOUND: nothing is stored about phone (nothing written).
 * HL_EBUSY: a job about phone is running under a live lease (a pipeline
 * would write again what was erased); nothing written: try again shortly.
 */
int store_erase_phone(struct store *s, const char *phone, const char *cleanup_kind,
                      struct store_erasure *out, store_erased_fn each, void *ctx,
                      struct hl_err *err);

/*
 * Erase memo id: its row, the voicemail's recording (and transcriptions),
 * an SMS note's message, and the owner's notice that linked to it. The
 * erasures row's subject is "memo:<id>". HL_ENOTFOUND: no such memo.
 */
int store_erase_memo(struct store *s, const char *id, const char *cleanup_kind,
                     struct store_erasure *out, store_erased_fn each, void *ctx,
                     struct hl_err *err);

/* Size of a subject: "h1:" + 64 hex digits + NUL. */
#define STORE_SUBJECT_SIZE 68

/*
 * The keyed hash a number is kept as once erased: "h1:" + hex
 * HMAC-SHA256(this database's subject key, phone). Deterministic per
 * database, so an operator can ask whether a number was erased.
 */
int store_subject(struct store *s, const char *phone, char out[STORE_SUBJECT_SIZE],
                  struct hl_err *err);

/* ---- The dashboard's reads ------------------------------------------------------------ */

/*
 * Memos newest first, paged like the other lists (row->seq is the cursor);
 * phone and phone_suffix match the numbers of the memo's call or message.
 */
int store_memo_list(struct store *s, const struct store_list *q,
                    void (*each)(void *ctx, const struct store_memo_row *row), void *ctx,
                    struct hl_err *err);

struct store_optout_row {
    long long seq; /* the cursor for before_id */
    const char *phone;
    const char *keyword;
    const char *created_at;
};

/* Opted-out numbers, newest first, paged like the other lists. */
int store_optout_list(struct store *s, const struct store_list *q,
                      void (*each)(void *ctx, const struct store_optout_row *row), void *ctx,
                      struct hl_err *err);

/*
 * How many calls and messages were created from since (included) to until
 * (excluded), both in the store's timestamp form.
 */
int store_activity_count(struct store *s, const char *since, const char *until, long long *calls,
                         long long *messages, struct hl_err *err);

/* ---- Dashboard sessions --------------------------------------------------------------- */

/*
 * A logged-in dashboard session, known only by the SHA-256 of its token
 * (64 lowercase hex): the token itself is never given to the store. A
 * session lasts at most max_s seconds and ends earlier after idle_s seconds
 * without a check. Adding one also removes every session that has ended.
 */
int store_session_add(struct store *s, const char *token_sha256, long idle_s, long max_s,
                      struct hl_err *err);

/*
 * *valid is 1 when the session exists and has not ended; its idle time then
 * starts again (written at most once a minute, so that most checks are reads).
 */
int store_session_check(struct store *s, const char *token_sha256, long idle_s, int *valid,
                        struct hl_err *err);

/* End the session (logout); one that does not exist is not an error. */
int store_session_delete(struct store *s, const char *token_sha256, struct hl_err *err);

/* ---- Contacts ------------------------------------------------------------------------- */

/*
 * What hotline knows about a number, for flow templates ({contact.name},
 * {contact.<field>}). fields_json is an object of strings.
 */
struct store_contact {
    const char *phone; /* E.164, required */
    const char *name;
    const char *fields_json;
};

/* Insert the contact or replace the one with the same phone. */
int store_contact_put(struct store *s, const struct store_contact *c, struct hl_err *err);

/* The contact of phone, handed to each (HL_ENOTFOUND when there is none). */
int store_contact_get(struct store *s, const char *phone,
                      void (*each)(void *ctx, const struct store_contact *c), void *ctx,
                      struct hl_err *err);

/* ---- Batched work (group commit) --------------------------------------------------- */

/*
 * Work that runs on the store's writer thread inside a transaction shared
 * with other queued work, so that many webhooks pay for one commit.
 *
 * run(ctx) may call any store function: its writes join the shared
 * transaction (each undone alone if it fails) and its reads see the
 * transaction's writes. done(ctx, rc, err) runs afterwards on the same
 * thread: rc is HL_OK once everything run wrote is committed, else the
 * commit's failure (nothing run wrote was kept). Neither may block for long:
 * they hold up every task queued behind them.
 *
 * The task stays owned by the caller and must live until done() is called.
 * store_close() finishes queued tasks before it returns.
 */
struct store_task {
    void (*run)(void *ctx);
    void (*done)(void *ctx, int rc, const struct hl_err *err);
    void *ctx;
    struct store_task *next; /* the store's */
};

void store_submit(struct store *s, struct store_task *task);

/*
 * The same on the calling thread, for a list of tasks linked by next: run
 * them all in one transaction (shared with other threads' writes that arrive
 * meanwhile: group commit), commit, then call each task's done() with the
 * commit's result — all before returning. This is how the HTTP edge commits
 * a round's webhooks (see http_batch).
 */
void store_run_tasks(struct store *s, struct store_task *tasks);

/* ---- Opt-outs ------------------------------------------------------------------------- */

/*
 * The numbers that must never be called or messaged again. phone is E.164
 * without any "whatsapp:" prefix; the store does not normalise it, so callers
 * must pass the same form everywhere.
 *
 * store_optout_set() records phone with the keyword or phrase that opted it
 * out (may be NULL); setting it again keeps the first record.
 * store_optout_clear() removes it (START, UNSTOP); clearing a number that is
 * not opted out succeeds. store_optout_check() sets *opted_out to 1 or 0.
 * Both also match the keyed hash an erased number's opt-out is kept as
 * (store_erase_phone), so erasure never lets a number be contacted again.
 */
int store_optout_set(struct store *s, const char *phone, const char *keyword, struct hl_err *err);
int store_optout_clear(struct store *s, const char *phone, struct hl_err *err);
int store_optout_check(struct store *s, const char *phone, int *opted_out, struct hl_err *err);

#endif
