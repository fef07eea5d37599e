/*
 * sqlite.c — the SQLite engine behind store.h.
 *
 * Connections. SQLite lets one connection at a time write a database, and a
 * writer that finds it locked sleeps in SQLite's busy handler, polling in
 * steps of up to 100 ms. So this engine keeps one writer connection behind a
 * mutex — this process's writers queue on the mutex, which wakes them at once
 * — and a small pool of query-only reader connections (mutex + condition
 * variable) that WAL lets read while the writer writes. busy_timeout (5 s)
 * only ever matters against other processes (`hotline migrate`, a sqlite3
 * shell). Each connection is used by one thread at a time, so connections are
 * opened SQLITE_OPEN_NOMUTEX.
 *
 * Statements. Every statement is prepared once per connection, on first use
 * (the tables may not exist before store_migrate), and kept: the hot path is
 * bind, step, reset.
 *
 * Transactions. A write of several statements runs between BEGIN IMMEDIATE
 * and COMMIT: it takes the write lock up front, so it never fails halfway for
 * a lock it could not upgrade, and on any error it is rolled back whole.
 * Concurrent writes share one transaction (group commit, sqlite_commit.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite_internal.h"

#include "core/banned.h"

/*
 * The SQL. Statements over one table number their parameters alike, so that
 * one bind function serves them all. UPSERTs leave indexed columns that never
 * change (a call's numbers, a recording's call) out of their DO UPDATE SET:
 * SQLite rewrites every index whose column is assigned, even to the same
 * value, and those extra pages would triple what a status callback writes.
 */

/* clang-format off */

/* "col = COALESCE(excluded.col, table.col), ": an absent new value keeps the old. */
#define NEWER(table, col) col " = COALESCE(excluded." col ", " table "." col "), "
/* "col = COALESCE(col, ?n), ": only fill what is missing. */
#define FILL(col, n) col " = COALESCE(" col ", ?" n "), "

/* calls (bind_call): ?1 sid ... ?15 metadata, ?16 now. */
#define CALL_COLUMNS                                                                       \
    "sid, account_sid, direction, from_number, to_number, status, flow, current_step, "   \
    "variables, consent, answered_by, duration_s, parent_sid, user_id, metadata"

/*
 * A status callback moves the call only if it is not older than what was
 * applied: Twilio numbers a call's callbacks with SequenceNumber.
 */
#define EVENT_IS_CURRENT                                                                   \
    "(excluded.last_sequence IS NULL OR calls.last_sequence IS NULL OR "                   \
    "excluded.last_sequence >= calls.last_sequence)"

/* recordings (bind_recording): ?1 sid ... ?13 deleted_remote, ?14 now. */
#define REC_COLUMNS                                                                        \
    "sid, call_sid, account_sid, url, status, source, error_code, local_path, sha256, "   \
    "duration_s, channels, size_bytes, deleted_remote"
#define REC_UPDATE                                                                         \
    NEWER("recordings", "account_sid") NEWER("recordings", "url")                          \
    NEWER("recordings", "status") NEWER("recordings", "source")                            \
    NEWER("recordings", "error_code") NEWER("recordings", "local_path")                    \
    NEWER("recordings", "sha256") NEWER("recordings", "duration_s")                        \
    NEWER("recordings", "channels") NEWER("recordings", "size_bytes")                      \
    "deleted_remote = COALESCE(?13, recordings.deleted_remote), "                          \
    "updated_at = excluded.updated_at"

/* messages (bind_message): ?1 sid ... ?14 num_media, ?15 now. */
#define MSG_COLUMNS                                                                        \
    "sid, account_sid, direction, channel, from_number, to_number, body, media, status, "  \
    "error_code, error_message, user_id, metadata, num_media"

/* jobs, as read back (sqlite_jobs.c's read_job) */
#define JOB_COLUMNS                                                                        \
    "id, kind, payload, state, attempts, max_attempts, run_at, lease_owner, "             \
    "lease_expires_at, last_error, created_at, updated_at"

/* a memo (sqlite_read.c's read_memo), its list cursor, and the number of its caller
 * (voicemail) or sender (note) */
#define MEMO_ROW                                                                           \
    "m.id, m.kind, m.call_sid, m.recording_sid, m.message_id, m.key_sha256, m.audio_path, "\
    "m.meta_path, m.owner_notified_at, m.created_at, m.deleted_at, m.rowid, "              \
    "COALESCE(c.from_number, g.from_number) "                                              \
    "FROM memos m LEFT JOIN calls c ON c.sid = m.call_sid "                                \
    "LEFT JOIN messages g ON g.id = m.message_id"

/*
 * What erasing the number ?1 reaches: its calls and their <Dial> legs, their
 * recordings, its messages, the memos of any of these, and jobs whose
 * payload names any of these. The sets select "+sid", "+id": without the
 * column's affinity, "json_extract(payload, ...) IN (set)" can use the
 * jobs' expression indexes instead of parsing every payload. Messages that
 * only quote the number, and jobs whose payload holds it, are found by one
 * scan each (ST_ERASE_QUOTES, ST_ERASE_JOBS_NAMING).
 */
#define ERASE_CALLS                                                                        \
    "SELECT +sid FROM calls WHERE from_number = ?1 OR to_number = ?1 OR parent_sid IN "   \
    "(SELECT sid FROM calls WHERE from_number = ?1 OR to_number = ?1)"
#define ERASE_RECORDINGS "SELECT +sid FROM recordings WHERE call_sid IN (" ERASE_CALLS ")"
#define ERASE_MESSAGES "SELECT +id FROM messages WHERE from_number = ?1 OR to_number = ?1"
#define ERASE_MEMOS                                                                        \
    "SELECT id FROM memos WHERE call_sid IN (" ERASE_CALLS ") OR recording_sid IN ("      \
    ERASE_RECORDINGS ") OR message_id IN (" ERASE_MESSAGES ")"
#define ERASE_JOB_REFERS                                                                   \
    "(json_extract(payload, '$.call_sid') IN (" ERASE_CALLS ") OR "                        \
    "json_extract(payload, '$.recording_sid') IN (" ERASE_RECORDINGS ") OR "               \
    "json_extract(payload, '$.message_id') IN (" ERASE_MESSAGES "))"
/* the number as a JSON string in a payload */
#define ERASE_JOB_NAMES "instr(payload, ?1 || '\"') > 0"

/*
 * Where a message status stands in a message's life; a callback never moves
 * a message back (see store_message_status). Unknown words rank as final.
 */
#define MSG_RANK(s)                                                                        \
    "(CASE WHEN " s " IS NULL THEN 0 WHEN " s " IN ('accepted', 'scheduled', 'queued') "   \
    "THEN 1 WHEN " s " IN ('sending', 'receiving') THEN 2 WHEN " s " = 'sent' THEN 3 "     \
    "WHEN " s " = 'read' THEN 5 ELSE 4 END)"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT hl_write",
    [ST_RELEASE] = "RELEASE hl_write",
    [ST_ROLLBACK_TO] = "ROLLBACK TO hl_write",
    [ST_SCHEMA_EXISTS] =
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    [ST_SCHEMA_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_version",
    [ST_SCHEMA_HAS] = "SELECT 1 FROM schema_version WHERE version = ?1",
    [ST_SCHEMA_RECORD] = "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",

    [ST_CALL_UPSERT] =
        "INSERT INTO calls (" CALL_COLUMNS ", created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16) "
        "ON CONFLICT (sid) DO UPDATE SET "
        NEWER("calls", "account_sid") NEWER("calls", "direction") NEWER("calls", "status")
        NEWER("calls", "flow") NEWER("calls", "current_step") NEWER("calls", "variables")
        NEWER("calls", "consent") NEWER("calls", "answered_by") NEWER("calls", "duration_s")
        NEWER("calls", "parent_sid") NEWER("calls", "user_id") NEWER("calls", "metadata")
        "updated_at = excluded.updated_at",
    /* ?1 sid, ?2 from, ?3 to: writes only when a number is missing. */
    [ST_CALL_NUMBERS] =
        "UPDATE calls SET from_number = COALESCE(from_number, ?2), "
        "to_number = COALESCE(to_number, ?3) WHERE sid = ?1 AND "
        "((from_number IS NULL AND ?2 IS NOT NULL) OR (to_number IS NULL AND ?3 IS NOT NULL))",

    /* call events (bind_event): ?1 call_sid ... ?13 duration_s, ?14 now. */
    [ST_EVENT_INSERT] =
        "INSERT INTO call_events (call_sid, status, sequence, idempotency_key, "
        "twilio_timestamp, params, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?14) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    [ST_EVENT_CALL] =
        "INSERT INTO calls (sid, status, last_sequence, account_sid, direction, from_number, "
        "to_number, answered_by, parent_sid, duration_s, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14) "
        "ON CONFLICT (sid) DO UPDATE SET "
        "status = CASE WHEN " EVENT_IS_CURRENT " THEN excluded.status ELSE calls.status END, "
        "duration_s = CASE WHEN " EVENT_IS_CURRENT
        " THEN COALESCE(excluded.duration_s, calls.duration_s)"
        " ELSE COALESCE(calls.duration_s, excluded.duration_s) END, "
        "last_sequence = CASE WHEN " EVENT_IS_CURRENT
        " THEN COALESCE(excluded.last_sequence, calls.last_sequence)"
        " ELSE calls.last_sequence END, "
        NEWER("calls", "account_sid") NEWER("calls", "direction")
        NEWER("calls", "answered_by") NEWER("calls", "parent_sid")
        "updated_at = excluded.updated_at",

    [ST_REC_STATUS] =
        "INSERT INTO recordings (" REC_COLUMNS ", created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, COALESCE(?13, 0), ?14, ?14) "
        "ON CONFLICT (sid) DO UPDATE SET " REC_UPDATE,
    /* Returns a row only when the recording was not received before. */
    [ST_REC_RECEIVED] =
        "INSERT INTO recordings (" REC_COLUMNS ", received_at, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, COALESCE(?13, 0), "
        "?14, ?14, ?14) ON CONFLICT (sid) DO UPDATE SET " REC_UPDATE ", "
        "received_at = excluded.received_at WHERE recordings.received_at IS NULL RETURNING id",
    [ST_JOB_INSERT] =
        "INSERT INTO jobs (kind, payload, run_at, created_at, updated_at) "
        "VALUES (?1, COALESCE(?2, '{}'), ?3, ?3, ?3) RETURNING id",
    [ST_REC_SET_JOB] = "UPDATE recordings SET job_id = ?2 WHERE sid = ?1",

    [ST_MSG_INSERT] =
        "INSERT INTO messages (" MSG_COLUMNS ", created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) "
        "ON CONFLICT (sid) DO NOTHING RETURNING id",
    [ST_MSG_FILL] =
        "UPDATE messages SET "
        FILL("account_sid", "2") FILL("direction", "3") FILL("channel", "4")
        FILL("from_number", "5") FILL("to_number", "6") FILL("body", "7") FILL("media", "8")
        FILL("status", "9") FILL("error_code", "10") FILL("error_message", "11")
        FILL("user_id", "12") FILL("metadata", "13") FILL("num_media", "14")
        "updated_at = ?15 WHERE sid = ?1 RETURNING id",
    [ST_MSG_STATUS] =
        "INSERT INTO messages (sid, status, error_code, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (sid) DO UPDATE SET "
        "status = CASE WHEN " MSG_RANK("excluded.status") " >= " MSG_RANK("messages.status")
        " THEN excluded.status ELSE messages.status END, "
        "error_code = COALESCE(excluded.error_code, messages.error_code), "
        "updated_at = excluded.updated_at",

    [ST_OPTOUT_SET] =
        "INSERT INTO optouts (phone, keyword, created_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (phone) DO NOTHING",
    /* ?2: the number's keyed hash, the form an erased number's opt-out is kept in */
    [ST_OPTOUT_CLEAR] = "DELETE FROM optouts WHERE phone IN (?1, ?2)",
    [ST_OPTOUT_CHECK] = "SELECT 1 FROM optouts WHERE phone IN (?1, ?2) LIMIT 1",

    /* outbound calls and messages (sqlite_outbound.c) */
    [ST_CALL_OUT_INSERT] =
        "INSERT INTO calls (" CALL_COLUMNS ", created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
    /* ?1 sid, ?2 new sid (or NULL), ?3 status, ?4 error_code, ?5 error_message, ?6 now */
    [ST_CALL_OUT_STATUS] =
        "UPDATE calls SET status = ?3, error_code = ?4, error_message = ?5, updated_at = ?6 "
        "WHERE sid = ?1 RETURNING id",
    [ST_CALL_SID_EXISTS] = "SELECT id FROM calls WHERE sid = ?2",
    [ST_CALL_OUT_RENAME] =
        "UPDATE calls SET sid = ?2, status = ?3, error_code = ?4, error_message = ?5, "
        "updated_at = ?6 WHERE sid = ?1 RETURNING id",
    /* The callback's row (t) gains what only the provisional row (p) knew. */
    [ST_CALL_OUT_MERGE] =
        "UPDATE calls AS t SET "
        "account_sid = COALESCE(t.account_sid, p.account_sid), "
        "direction = COALESCE(t.direction, p.direction), "
        "from_number = COALESCE(t.from_number, p.from_number), "
        "to_number = COALESCE(t.to_number, p.to_number), "
        "status = COALESCE(t.status, ?3), flow = COALESCE(t.flow, p.flow), "
        "current_step = COALESCE(t.current_step, p.current_step), "
        "variables = COALESCE(t.variables, p.variables), "
        "consent = COALESCE(t.consent, p.consent), user_id = COALESCE(t.user_id, p.user_id), "
        "metadata = COALESCE(t.metadata, p.metadata), "
        "error_code = COALESCE(t.error_code, ?4), error_message = COALESCE(t.error_message, ?5), "
        "created_at = MIN(t.created_at, p.created_at), updated_at = ?6 "
        "FROM (SELECT * FROM calls WHERE sid = ?1) AS p WHERE t.sid = ?2 RETURNING id",
    [ST_CALL_DELETE] = "DELETE FROM calls WHERE sid = ?1",
    /* ?1 id, ?2 sid: remove a row a status callback made first, giving back its status. */
    [ST_MSG_OUT_TAKE] =
        "DELETE FROM messages WHERE sid = ?2 AND id <> ?1 RETURNING status, error_code",
    /* ?1 id, ?2 sid, ?3 status, ?4 error_code, ?5 error_message, ?6 callback status,
     * ?7 callback error_code, ?8 now */
    [ST_MSG_OUT_END] =
        "UPDATE messages SET sid = ?2, "
        "status = CASE WHEN ?6 IS NOT NULL AND " MSG_RANK("?6") " > " MSG_RANK("?3")
        " THEN ?6 ELSE ?3 END, "
        "error_code = COALESCE(?4, ?7), error_message = ?5, updated_at = ?8 "
        "WHERE id = ?1 RETURNING id",

    /* history (sqlite_read.c): ?1 before id (NULL: newest), ?2 limit, ?3 phone */
    [ST_CALL_LIST] =
        "SELECT id, " CALL_COLUMNS ", error_code, error_message, created_at, updated_at "
        "FROM calls WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    [ST_CALL_LIST_PHONE] =
        "SELECT id, " CALL_COLUMNS ", error_code, error_message, created_at, updated_at "
        "FROM calls WHERE (from_number = ?3 OR to_number = ?3) AND (?1 IS NULL OR id < ?1) "
        "ORDER BY id DESC LIMIT ?2",
    [ST_CALL_GET] =
        "SELECT id, " CALL_COLUMNS ", error_code, error_message, created_at, updated_at "
        "FROM calls WHERE sid = ?1",
    [ST_EVENT_LIST] =
        "SELECT id, call_sid, status, sequence, twilio_timestamp, params, received_at "
        "FROM call_events WHERE call_sid = ?1 ORDER BY id",
    [ST_REC_LIST_CALL] =
        "SELECT id, " REC_COLUMNS ", received_at, created_at, updated_at "
        "FROM recordings WHERE call_sid = ?1 ORDER BY id",
    [ST_TRANSCRIPT_LIST_CALL] =
        "SELECT id, recording_sid, call_sid, engine, text, confidence, duration_s, analysis, "
        "created_at FROM transcriptions WHERE call_sid = ?1 ORDER BY id",
    [ST_MSG_LIST] =
        "SELECT id, " MSG_COLUMNS ", created_at, updated_at "
        "FROM messages WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    [ST_MSG_LIST_PHONE] =
        "SELECT id, " MSG_COLUMNS ", created_at, updated_at "
        "FROM messages WHERE (from_number = ?3 OR to_number = ?3) AND (?1 IS NULL OR id < ?1) "
        "ORDER BY id DESC LIMIT ?2",

    [ST_CONTACT_PUT] =
        "INSERT INTO contacts (phone, name, fields, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (phone) DO UPDATE SET name = excluded.name, "
        "fields = excluded.fields, updated_at = excluded.updated_at",
    [ST_CONTACT_GET] = "SELECT phone, name, fields FROM contacts WHERE phone = ?1",

    /* jobs (sqlite_jobs.c): ?1 owner, ?2 lease end, ?3 now, ?4 kinds ("a,b"; NULL: any) */
    [ST_JOB_CLAIM] =
        "UPDATE jobs SET state = 'running', lease_owner = ?1, lease_expires_at = ?2, "
        "attempts = attempts + 1, updated_at = ?3 WHERE id = (SELECT id FROM jobs WHERE "
        "((state = 'queued' AND run_at <= ?3) OR (state = 'running' AND lease_expires_at <= ?3)) "
        "AND (?4 IS NULL OR instr(',' || ?4 || ',', ',' || kind || ',') > 0) "
        "ORDER BY run_at, id LIMIT 1) RETURNING " JOB_COLUMNS,
    /* ?1 id, ?2 owner, ?3 lease end, ?4 now */
    [ST_JOB_RENEW] =
        "UPDATE jobs SET lease_expires_at = ?3, updated_at = ?4 WHERE id = ?1 AND "
        "lease_owner = ?2 AND state = 'running' RETURNING id",
    /* ?1 id, ?2 owner, ?3 now */
    [ST_JOB_FINISH] =
        "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, "
        "updated_at = ?3 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running' RETURNING id",
    /* ?1 id, ?2 owner, ?3 error, ?4 run at (NULL: park as failed), ?5 now */
    [ST_JOB_FAIL] =
        "UPDATE jobs SET state = CASE WHEN ?4 IS NULL THEN 'failed' ELSE 'queued' END, "
        "run_at = COALESCE(?4, run_at), last_error = ?3, lease_owner = NULL, "
        "lease_expires_at = NULL, updated_at = ?5 "
        "WHERE id = ?1 AND lease_owner = ?2 AND state = 'running' RETURNING id",
    /* ?1 id, ?2 now */
    [ST_JOB_RETRY] =
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?2, updated_at = ?2 "
        "WHERE id = ?1 AND state = 'failed' RETURNING id",
    [ST_JOB_STAGE_GET] = "SELECT result FROM job_stages WHERE job_id = ?1 AND stage = ?2",
    /* ?1 job, ?2 stage, ?3 result, ?4 now */
    [ST_JOB_STAGE_DONE] =
        "INSERT INTO job_stages (job_id, stage, result, finished_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (job_id, stage) DO NOTHING",
    /* ?1 before id, ?2 limit, ?3 state */
    [ST_JOB_LIST] = "SELECT " JOB_COLUMNS " FROM jobs WHERE (?1 IS NULL OR id < ?1) "
                    "ORDER BY id DESC LIMIT ?2",
    [ST_JOB_LIST_STATE] = "SELECT " JOB_COLUMNS " FROM jobs WHERE state = ?3 AND "
                          "(?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    [ST_JOB_GET] = "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?1",
    [ST_JOB_STAGES] =
        "SELECT stage, result, finished_at FROM job_stages WHERE job_id = ?1 ORDER BY finished_at",

    /* ?1 recording, ?2 call, ?3 engine, ?4 text, ?5 confidence, ?6 duration, ?7 analysis, ?8 now */
    [ST_TRANSCRIPT_ADD] =
        "INSERT INTO transcriptions (recording_sid, call_sid, engine, text, confidence, "
        "duration_s, analysis, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 "
        "WHERE NOT EXISTS (SELECT 1 FROM transcriptions WHERE recording_sid = ?1) RETURNING id",
    /* ?1 call, ?2 phone, ?3 starts_at, ?4 timezone, ?5 summary, ?6 now */
    [ST_BOOKING_ADD] =
        "INSERT INTO bookings (call_sid, phone, starts_at, timezone, summary, created_at, "
        "updated_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?6 WHERE NOT EXISTS (SELECT 1 FROM bookings "
        "WHERE call_sid IS ?1 AND starts_at = ?3) RETURNING id",
    /* ?1 before id (NULL: newest), ?2 limit, ?3 phone */
    [ST_BOOKING_LIST] =
        "SELECT id, call_sid, phone, starts_at, timezone, summary, status, created_at "
        "FROM bookings WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    [ST_BOOKING_LIST_PHONE] =
        "SELECT id, call_sid, phone, starts_at, timezone, summary, status, created_at "
        "FROM bookings WHERE phone = ?3 AND (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    /* ?1 id .. ?8 meta_path, ?9 notified (1/NULL), ?10 now */
    [ST_MEMO_ADD] =
        "INSERT INTO memos (id, kind, call_sid, recording_sid, message_id, key_sha256, audio_path, "
        "meta_path, owner_notified_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "CASE WHEN ?9 = 1 THEN ?10 END, ?10) ON CONFLICT (id) DO UPDATE SET "
        "key_sha256 = excluded.key_sha256, audio_path = excluded.audio_path, "
        "meta_path = excluded.meta_path, owner_notified_at = excluded.owner_notified_at "
        "WHERE memos.owner_notified_at IS NULL AND memos.kind = excluded.kind "
        "AND memos.recording_sid IS excluded.recording_sid "
        "AND memos.message_id IS excluded.message_id RETURNING id",
    /* ?1 id, ?2 now */
    [ST_MEMO_NOTIFIED] =
        "UPDATE memos SET owner_notified_at = COALESCE(owner_notified_at, ?2) WHERE id = ?1 "
        "RETURNING id",
    /* ?1 message id, ?2 job id, ?3 stage */
    [ST_MSG_SET_JOB] = "UPDATE messages SET job_id = ?2, job_stage = ?3 WHERE id = ?1",
    [ST_MSG_FOR_JOB] =
        "SELECT id, " MSG_COLUMNS ", created_at, updated_at FROM messages "
        "WHERE job_id = ?1 AND job_stage = ?2 ORDER BY id DESC LIMIT 1",
    [ST_MEMO_GET] = "SELECT " MEMO_ROW " WHERE m.id = ?1",

    /* notes (sqlite_notes.c): ?1 message id, ?2 phone, ?3 now */
    [ST_NOTE_ADD] =
        "INSERT INTO notes (message_id, phone, created_at, updated_at) VALUES (?1, ?2, ?3, ?3) "
        "ON CONFLICT (message_id) DO NOTHING RETURNING message_id",
    /* ?1 message id; the note and its message's text */
    [ST_NOTE_GET] =
        "SELECT n.message_id, n.phone, n.state, m.body, n.analysis, n.memo_id, n.created_at "
        "FROM notes n JOIN messages m ON m.id = n.message_id WHERE n.message_id = ?1",
    /* ?2 phone: the sender's newest note */
    [ST_NOTE_LAST] =
        "SELECT n.message_id, n.phone, n.state, m.body, n.analysis, n.memo_id, n.created_at "
        "FROM notes n JOIN messages m ON m.id = n.message_id WHERE n.phone = ?2 "
        "ORDER BY n.message_id DESC LIMIT 1",
    /* ?1 message id, ?2 analysis, ?3 now */
    [ST_NOTE_ANALYSED] =
        "UPDATE notes SET state = 'analysed', analysis = ?2, updated_at = ?3 "
        "WHERE message_id = ?1 AND state <> 'sealed' RETURNING message_id",
    /* ?1 message id, ?2 memo id, ?3 now */
    [ST_NOTE_SEALED] =
        "UPDATE notes SET state = 'sealed', memo_id = ?2, analysis = NULL, updated_at = ?3 "
        "WHERE message_id = ?1 AND state <> 'sealed' RETURNING message_id",
    /* ?1 message id, ?2 now */
    [ST_NOTE_CLEAR_BODY] =
        "UPDATE messages SET body = NULL, updated_at = ?2 WHERE id = ?1",
    /* the dashboard (sqlite_read.c): ?1 before, ?2 limit, ?3 last digits of a number */
    [ST_CALL_LIST_SUFFIX] =
        "SELECT id, " CALL_COLUMNS ", error_code, error_message, created_at, updated_at "
        "FROM calls WHERE (from_number LIKE '%' || ?3 OR to_number LIKE '%' || ?3) "
        "AND (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    [ST_MSG_LIST_SUFFIX] =
        "SELECT id, " MSG_COLUMNS ", created_at, updated_at "
        "FROM messages WHERE (from_number LIKE '%' || ?3 OR to_number LIKE '%' || ?3) "
        "AND (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    [ST_BOOKING_LIST_SUFFIX] =
        "SELECT id, call_sid, phone, starts_at, timezone, summary, status, created_at "
        "FROM bookings WHERE phone LIKE '%' || ?3 AND (?1 IS NULL OR id < ?1) "
        "ORDER BY id DESC LIMIT ?2",
    /* ?1 before, ?2 limit, ?3 whole number (NULL: any), ?4 last digits (NULL: any);
     * the columns of ST_MEMO_GET, then the cursor */
    [ST_MEMO_LIST] =
        "SELECT " MEMO_ROW " WHERE (?1 IS NULL OR m.rowid < ?1) "
        "AND (?3 IS NULL OR ?3 IN (c.from_number, c.to_number, g.from_number, g.to_number)) "
        "AND (?4 IS NULL OR c.from_number LIKE '%' || ?4 OR c.to_number LIKE '%' || ?4 "
        "OR g.from_number LIKE '%' || ?4 OR g.to_number LIKE '%' || ?4) "
        "ORDER BY m.rowid DESC LIMIT ?2",
    [ST_OPTOUT_LIST] =
        "SELECT rowid, phone, keyword, created_at FROM optouts WHERE (?1 IS NULL OR rowid < ?1) "
        "AND (?3 IS NULL OR phone = ?3) AND (?4 IS NULL OR phone LIKE '%' || ?4) "
        "ORDER BY rowid DESC LIMIT ?2",
    /* ?1 since, ?2 until */
    [ST_ACTIVITY_COUNT] =
        "SELECT (SELECT COUNT(*) FROM calls WHERE created_at >= ?1 AND created_at < ?2), "
        "(SELECT COUNT(*) FROM messages WHERE created_at >= ?1 AND created_at < ?2)",

    /* sessions (sqlite_sessions.c): ?1 token hash */
    [ST_SESSION_PRUNE] = "DELETE FROM sessions WHERE expires_at <= ?1 OR idle_expires_at <= ?1",
    /* ?2 idle end, ?3 end, ?4 now */
    [ST_SESSION_ADD] =
        "INSERT INTO sessions (token_sha256, idle_expires_at, expires_at, created_at, "
        "last_seen_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    /* ?2 now, ?3 the idle end a check made a minute ago would have set: 1 when older */
    [ST_SESSION_GET] =
        "SELECT idle_expires_at < ?3 FROM sessions WHERE token_sha256 = ?1 AND expires_at > ?2 "
        "AND idle_expires_at > ?2",
    /* ?2 idle end, ?3 now */
    [ST_SESSION_TOUCH] =
        "UPDATE sessions SET idle_expires_at = MIN(?2, expires_at), last_seen_at = ?3 "
        "WHERE token_sha256 = ?1",
    [ST_SESSION_DELETE] = "DELETE FROM sessions WHERE token_sha256 = ?1",

    [ST_SUBJECT_KEY] = "SELECT value FROM store_keys WHERE name = 'subject'",

    /* erasure of a number (sqlite_erase.c): ?1 phone, ?2 now */
    [ST_ERASE_BUSY] =
        "SELECT count(*) FROM jobs WHERE state = 'running' AND lease_expires_at > ?2 AND ("
        ERASE_JOB_REFERS " OR " ERASE_JOB_NAMES ")",
    [ST_ERASE_JOBS] = "DELETE FROM jobs WHERE " ERASE_JOB_REFERS " RETURNING id",
    [ST_ERASE_JOBS_NAMING] = "DELETE FROM jobs WHERE " ERASE_JOB_NAMES " RETURNING id",
    [ST_ERASE_NOTICES] =
        "DELETE FROM messages WHERE EXISTS (SELECT 1 FROM memos m WHERE m.id IN ("
        ERASE_MEMOS ") AND instr(messages.body, '/voice/' || m.id) > 0) RETURNING id",
    [ST_ERASE_MEMOS] =
        "DELETE FROM memos WHERE id IN (" ERASE_MEMOS ") RETURNING audio_path, meta_path",
    [ST_ERASE_TRANSCRIPTS] =
        "DELETE FROM transcriptions WHERE recording_sid IN (" ERASE_RECORDINGS ") "
        "OR call_sid IN (" ERASE_CALLS ") RETURNING id",
    [ST_ERASE_RECORDINGS] =
        "DELETE FROM recordings WHERE call_sid IN (" ERASE_CALLS ") "
        "RETURNING local_path, CASE WHEN deleted_remote = 0 THEN sid END",
    [ST_ERASE_BOOKINGS] =
        "DELETE FROM bookings WHERE phone = ?1 OR call_sid IN (" ERASE_CALLS ") RETURNING id",
    [ST_ERASE_MESSAGES] =
        "DELETE FROM messages WHERE from_number = ?1 OR to_number = ?1 RETURNING id",
    /* a body that quotes the number: not followed by another digit */
    [ST_ERASE_QUOTES] =
        "DELETE FROM messages WHERE body GLOB '*' || ?1 || '[^0-9]*' OR body GLOB '*' || ?1 "
        "RETURNING id",
    [ST_ERASE_EVENTS] =
        "DELETE FROM call_events WHERE call_sid IN (" ERASE_CALLS ") RETURNING id",
    [ST_ERASE_CALLS] = "DELETE FROM calls WHERE sid IN (" ERASE_CALLS ") RETURNING id",
    [ST_ERASE_CONTACT] = "DELETE FROM contacts WHERE phone = ?1 RETURNING 1",
    [ST_ERASE_OPTOUT] = "DELETE FROM optouts WHERE phone = ?1 RETURNING keyword, created_at",
    /* ?1 subject, ?2 keyword, ?3 when the number opted out */
    [ST_ERASE_OPTOUT_KEEP] =
        "INSERT INTO optouts (phone, keyword, created_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (phone) DO NOTHING",

    /* erasure of a memo: ?1 memo id */
    [ST_ERASE_MEMO_EXISTS] = "SELECT 1 FROM memos WHERE id = ?1",
    [ST_ERASE_MEMO_MESSAGES] =
        "DELETE FROM messages WHERE id = (SELECT message_id FROM memos WHERE id = ?1) "
        "OR instr(body, '/voice/' || ?1) > 0 RETURNING id",
    [ST_ERASE_MEMO_TRANSCRIPTS] =
        "DELETE FROM transcriptions WHERE recording_sid = "
        "(SELECT recording_sid FROM memos WHERE id = ?1) RETURNING id",
    [ST_ERASE_MEMO_RECORDING] =
        "DELETE FROM recordings WHERE sid = (SELECT recording_sid FROM memos WHERE id = ?1) "
        "RETURNING local_path, CASE WHEN deleted_remote = 0 THEN sid END",
    [ST_ERASE_MEMO] = "DELETE FROM memos WHERE id = ?1 RETURNING audio_path, meta_path",

    /* ?1 subject, ?2 what (JSON), ?3 now */
    [ST_ERASURE_RECORD] =
        "INSERT INTO erasures (subject, what, created_at) VALUES (?1, json(?2), ?3) RETURNING id",
    /* ?1 job, ?2 list ("files", "recordings"), ?3 value: append to the cleanup job's payload */
    [ST_CLEANUP_ADD] =
        "UPDATE jobs SET payload = json_insert(payload, '$.' || ?2 || '[#]', ?3) WHERE id = ?1",
};

/* clang-format on */

struct sqlite_store *sqlite_of(struct store *s)
{
    return (struct sqlite_store *)s;
}

/* Turn a failed SQLite call on db into a store result with SQLite's words. */
int db_fail(sqlite3 *db, int code, struct hl_err *err)
{
    int rc = HL_ESTORE;

    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        rc = HL_EBUSY;
    else if ((code & 0xff) == SQLITE_CONSTRAINT)
        rc = HL_EINVAL;
    return hl_err_set(err, rc, "sqlite: %s", db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
}

/* ---- Statements ----------------------------------------------------------------------- */

int stmt_open(struct sqlite_conn *c, enum stmt_id id, struct binder *b, struct hl_err *err)
{
    int src;

    b->src = SQLITE_OK;
    b->st = c->stmt[id];
    if (b->st)
        return HL_OK;
    src =
        sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[id], NULL);
    if (src != SQLITE_OK)
        return db_fail(c->db, src, err);
    b->st = c->stmt[id];
    return HL_OK;
}

/* Bind s as TEXT, borrowed until stmt_run; NULL binds SQL NULL. */
void bind_text(struct binder *b, int i, const char *s)
{
    if (b->src == SQLITE_OK)
        b->src =
            s ? sqlite3_bind_text(b->st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(b->st, i);
}

/* Bind v; STORE_NONE binds SQL NULL (other negatives reach the CHECKs). */
void bind_int(struct binder *b, int i, long long v)
{
    if (b->src == SQLITE_OK)
        b->src = v == STORE_NONE ? sqlite3_bind_null(b->st, i) : sqlite3_bind_int64(b->st, i, v);
}

/*
 * Run a bound statement to its end and reset it. *first (may be NULL) gets
 * column 0 of its first row — a count, or the id a RETURNING clause gave —
 * and *found (may be NULL) whether there was a row.
 */
int stmt_run(struct sqlite_conn *c, struct binder *b, long long *first, int *found,
             struct hl_err *err)
{
    int src = b->src, rows = 0, rc = HL_OK;

    if (src == SQLITE_OK) {
        while ((src = sqlite3_step(b->st)) == SQLITE_ROW)
            if (rows++ == 0 && first)
                *first = sqlite3_column_int64(b->st, 0);
        if (src == SQLITE_DONE)
            src = SQLITE_OK;
    }
    if (src != SQLITE_OK)
        rc = db_fail(c->db, src, err);
    sqlite3_reset(b->st);
    sqlite3_clear_bindings(b->st);
    if (found)
        *found = rows > 0;
    return rc;
}

/* Run a statement that takes no parameters. */
int stmt_simple(struct sqlite_conn *c, enum stmt_id id, long long *first, struct hl_err *err)
{
    struct binder b;
    int rc = stmt_open(c, id, &b, err);

    return rc ? rc : stmt_run(c, &b, first, NULL, err);
}

/* End the transaction BEGIN IMMEDIATE opened: commit if rc is HL_OK, else roll back. */
int tx_end(struct sqlite_conn *c, int rc, struct hl_err *err)
{
    if (rc == HL_OK && (rc = stmt_simple(c, ST_COMMIT, NULL, err)) == HL_OK)
        return HL_OK;
    /* Some errors (SQLITE_FULL, IOERR) have rolled back already. */
    if (!sqlite3_get_autocommit(c->db))
        stmt_simple(c, ST_ROLLBACK, NULL, NULL);
    return rc;
}

/* ---- Connections ---------------------------------------------------------------------- */

/*
 * Page caches are bounded below SQLite's 2 MB default, which every connection
 * (the writer and four readers) would otherwise fill over a server's life:
 * the writer's hot pages (the tables' and indexes' right edges, their
 * interior pages) fit in 1 MB, and the operating system caches the rest.
 */
static int conn_open(struct sqlite_conn *c, const char *path, int reader, struct hl_err *err)
{
    /*
     * secure_delete = FAST zeroes what a delete or update frees inside the
     * pages it writes anyway (no extra I/O): a sealed note's cleared text or an
     * erased row does not linger in the database file.
     */
    static const char writer_pragmas[] = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                                         "PRAGMA secure_delete = FAST; PRAGMA cache_size = -1024;";
    static const char reader_pragmas[] =
        "PRAGMA foreign_keys = ON; PRAGMA query_only = ON; PRAGMA cache_size = -512;";
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    int src = sqlite3_open_v2(path, &c->db, flags, NULL);

    if (src != SQLITE_OK)
        return hl_err_set(err, HL_ESTORE, "cannot open database %s: %s", path,
                          c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(src));
    sqlite3_busy_timeout(c->db, SQLITE_BUSY_MS);
    src = sqlite3_exec(c->db, reader ? reader_pragmas : writer_pragmas, NULL, NULL, NULL);
    return src == SQLITE_OK ? HL_OK : db_fail(c->db, src, err);
}

static void conn_close(struct sqlite_conn *c)
{
    size_t i;

    for (i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
}

/* Switch the database to write-ahead logging; it stays so in the file. */
static int conn_use_wal(struct sqlite_conn *c, struct hl_err *err)
{
    sqlite3_stmt *st;
    const char *mode;
    int rc, src = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);

    if (src != SQLITE_OK)
        return db_fail(c->db, src, err);
    src = sqlite3_step(st);
    mode = src == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (src != SQLITE_ROW)
        rc = db_fail(c->db, src, err);
    else if (!mode || strcmp(mode, "wal") != 0)
        rc = hl_err_set(err, HL_ESTORE, "cannot switch the database to WAL (journal mode is %s)",
                        mode ? mode : "unknown");
    else
        rc = HL_OK;
    sqlite3_finalize(st);
    return rc;
}

struct sqlite_conn *writer_get(struct sqlite_store *s)
{
    pthread_mutex_lock(&s->write_lock);
    return &s->writer;
}

void writer_put(struct sqlite_store *s)
{
    pthread_mutex_unlock(&s->write_lock);
}

struct sqlite_conn *reader_get(struct sqlite_store *s)
{
    struct sqlite_conn *c;

    pthread_mutex_lock(&s->pool_lock);
    while (s->n_idle == 0)
        pthread_cond_wait(&s->pool_ready, &s->pool_lock);
    c = s->idle[--s->n_idle];
    pthread_mutex_unlock(&s->pool_lock);
    return c;
}

void reader_put(struct sqlite_store *s, struct sqlite_conn *c)
{
    pthread_mutex_lock(&s->pool_lock);
    s->idle[s->n_idle++] = c;
    pthread_cond_signal(&s->pool_ready);
    pthread_mutex_unlock(&s->pool_lock);
}

/* ---- Opening and closing -------------------------------------------------------------- */

/*
 * Create the directories above path (0700) and the file itself (0600) if
 * missing: SQLite would create the file 0644, and its -wal and -shm files
 * copy the database file's mode.
 */
static int path_prepare(const char *path, struct hl_err *err)
{
    char *dir = hl_strdup(path), *p;
    int rc = HL_OK, fd;

    for (p = strchr(dir + 1, '/'); p && rc == HL_OK; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = hl_err_set(err, HL_EIO, "cannot create directory %s: %s", dir, strerror(errno));
        *p = '/';
    }
    free(dir);
    if (rc != HL_OK)
        return rc;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return hl_err_set(err, HL_EIO, "cannot create database %s: %s", path, strerror(errno));
    close(fd);
    return HL_OK;
}

static void sqlite_close(struct store *base)
{
    struct sqlite_store *s = sqlite_of(base);
    size_t i;

    sqlite_commit_release(s); /* finishes queued tasks first */
    sqlite_checkpoint_stop(s);
    conn_close(&s->writer);
    for (i = 0; i < SQLITE_READERS; i++)
        conn_close(&s->readers[i]);
    pthread_mutex_destroy(&s->write_lock);
    pthread_mutex_destroy(&s->pool_lock);
    pthread_cond_destroy(&s->pool_ready);
    free(s);
}

/* Open the writer (switching the file to WAL) and then the readers. */
static int sqlite_connect(struct sqlite_store *s, const char *path, struct hl_err *err)
{
    int rc = conn_open(&s->writer, path, 0, err);
    size_t i;

    if (rc == HL_OK)
        rc = conn_use_wal(&s->writer, err);
    for (i = 0; rc == HL_OK && i < SQLITE_READERS; i++) {
        rc = conn_open(&s->readers[i], path, 1, err);
        s->idle[s->n_idle++] = &s->readers[i];
    }
    if (rc == HL_OK)
        rc = sqlite_checkpoint_start(s, path, err);
    return rc;
}

static int sqlite_open(struct store **out, const char *target, struct hl_err *err)
{
    const char *path = strncmp(target, "//", 2) == 0 ? target + 2 : target;
    struct sqlite_store *s;
    int rc;

    if (!*path)
        return hl_err_set(err, HL_ECONFIG, "DATABASE_URL sqlite: needs a file path");
    if (strcmp(path, ":memory:") == 0)
        return hl_err_set(err, HL_ECONFIG,
                          "DATABASE_URL sqlite::memory: is not supported: "
                          "each pooled connection would see its own database");
    if (!sqlite3_threadsafe())
        return hl_err_set(err, HL_ECONFIG, "this SQLite library was built without threads");
    if ((rc = path_prepare(path, err)) != HL_OK)
        return rc;
    s = hl_calloc(1, sizeof(*s));
    s->base.engine = &store_sqlite_engine;
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_cond_init(&s->pool_ready, NULL);
    sqlite_commit_init(s);
    if ((rc = sqlite_connect(s, path, err)) != HL_OK) {
        sqlite_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return HL_OK;
}

/* ---- Schema --------------------------------------------------------------------------- */

static int latest_version(void)
{
    return sqlite_migrations[sqlite_migrations_count - 1].version;
}

/* The version the database is at on c; 0 before the first migration. */
static int conn_schema_version(struct sqlite_conn *c, int *version, struct hl_err *err)
{
    long long n = 0;
    int rc;

    *version = 0;
    if ((rc = stmt_simple(c, ST_SCHEMA_EXISTS, &n, err)) != HL_OK || n == 0)
        return rc;
    if ((rc = stmt_simple(c, ST_SCHEMA_VERSION, &n, err)) != HL_OK)
        return rc;
    *version = (int)n;
    return HL_OK;
}

/* Inside a transaction: apply m unless the database has it (another process may have). */
static int migration_step(struct sqlite_conn *c, const struct sqlite_migration *m, int *applied,
                          struct hl_err *err)
{
    char now[STORE_TIME_SIZE];
    struct binder b;
    int rc, found, src;

    if ((rc = stmt_open(c, ST_SCHEMA_HAS, &b, err)) != HL_OK)
        return rc;
    bind_int(&b, 1, m->version);
    if ((rc = stmt_run(c, &b, NULL, &found, err)) != HL_OK || found)
        return rc;
    if ((src = sqlite3_exec(c->db, m->sql, NULL, NULL, NULL)) != SQLITE_OK)
        return hl_err_set(err, HL_ESTORE, "migration %d (%s) failed: %s", m->version, m->name,
                          sqlite3_errmsg(c->db));
    if ((rc = stmt_open(c, ST_SCHEMA_RECORD, &b, err)) != HL_OK)
        return rc;
    store_time_now(now);
    bind_int(&b, 1, m->version);
    bind_text(&b, 2, now);
    if ((rc = stmt_run(c, &b, NULL, NULL, err)) == HL_OK)
        (*applied)++;
    return rc;
}

static int migrate_on(struct sqlite_conn *c, int *applied, struct hl_err *err)
{
    static const char create_sql[] = "CREATE TABLE IF NOT EXISTS schema_version ("
                                     "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
    int rc, version, src = sqlite3_exec(c->db, create_sql, NULL, NULL, NULL);
    size_t i;

    if (src != SQLITE_OK)
        return db_fail(c->db, src, err);
    if ((rc = conn_schema_version(c, &version, err)) != HL_OK)
        return rc;
    if (version > latest_version())
        return hl_err_set(err, HL_ESTORE,
                          "database schema version %d is newer than this build knows (%d): "
                          "upgrade hotline",
                          version, latest_version());
    for (i = 0; rc == HL_OK && i < sqlite_migrations_count; i++) {
        if ((rc = stmt_simple(c, ST_BEGIN, NULL, err)) == HL_OK)
            rc = tx_end(c, migration_step(c, &sqlite_migrations[i], applied, err), err);
    }
    return rc;
}

static int sqlite_migrate(struct store *base, int *applied, struct hl_err *err)
{
    struct sqlite_store *s = sqlite_of(base);
    int rc;

    *applied = 0;
    rc = migrate_on(writer_get(s), applied, err);
    writer_put(s);
    return rc;
}

static int sqlite_schema_version(struct store *base, int *version, struct hl_err *err)
{
    struct sqlite_store *s = sqlite_of(base);
    struct sqlite_conn *c = reader_get(s);
    int rc = conn_schema_version(c, version, err);

    reader_put(s, c);
    return rc;
}

static int sqlite_ping(struct store *base, struct hl_err *err)
{
    int rc, version;

    if ((rc = sqlite_schema_version(base, &version, err)) != HL_OK)
        return rc;
    if (version < latest_version())
        return hl_err_set(err, HL_ESTORE,
                          "database schema is at version %d, this build needs %d: "
                          "run `hotline migrate`",
                          version, latest_version());
    if (version > latest_version())
        return hl_err_set(err, HL_ESTORE,
                          "database schema version %d is newer than this build knows (%d)", version,
                          latest_version());
    return HL_OK;
}

const struct store_engine store_sqlite_engine = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .migrate = sqlite_migrate,
    .schema_version = sqlite_schema_version,
    .ping = sqlite_ping,
    .call_upsert = sqlite_call_upsert,
    .call_event_add = sqlite_call_event_add,
    .recording_received = sqlite_recording_received,
    .recording_status = sqlite_recording_status,
    .message_add = sqlite_message_add,
    .message_status = sqlite_message_status,
    .optout_set = sqlite_optout_set,
    .optout_clear = sqlite_optout_clear,
    .optout_check = sqlite_optout_check,
    .subject_key = sqlite_subject_key,
    .call_outbound_begin = sqlite_call_outbound_begin,
    .call_outbound_end = sqlite_call_outbound_end,
    .message_outbound_end = sqlite_message_outbound_end,
    .call_list = sqlite_call_list,
    .call_get = sqlite_call_get,
    .call_events = sqlite_call_events,
    .call_recordings = sqlite_call_recordings,
    .call_transcriptions = sqlite_call_transcriptions,
    .message_list = sqlite_message_list,
    .contact_put = sqlite_contact_put,
    .contact_get = sqlite_contact_get,
    .transcription_add = sqlite_transcription_add,
    .booking_add = sqlite_booking_add,
    .booking_list = sqlite_booking_list,
    .memo_add = sqlite_memo_add,
    .memo_notified = sqlite_memo_notified,
    .message_for_job = sqlite_message_for_job,
    .memo_get = sqlite_memo_get,
    .note_received = sqlite_note_received,
    .note_get = sqlite_note_get,
    .note_analysed = sqlite_note_analysed,
    .note_sealed = sqlite_note_sealed,
    .scrub = sqlite_scrub,
    .erase_phone = sqlite_erase_phone,
    .erase_memo = sqlite_erase_memo,
    .job_add = sqlite_job_add,
    .job_claim = sqlite_job_claim,
    .job_renew = sqlite_job_renew,
    .job_finish = sqlite_job_finish,
    .job_fail = sqlite_job_fail,
    .job_retry = sqlite_job_retry,
    .job_stage_get = sqlite_job_stage_get,
    .job_stage_done = sqlite_job_stage_done,
    .job_list = sqlite_job_list,
    .job_get = sqlite_job_get,
    .memo_list = sqlite_memo_list,
    .optout_list = sqlite_optout_list,
    .activity_count = sqlite_activity_count,
    .session_add = sqlite_session_add,
    .session_check = sqlite_session_check,
    .session_delete = sqlite_session_delete,
    .submit = sqlite_submit,
    .run_tasks = sqlite_run_tasks,
};
