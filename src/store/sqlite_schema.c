/*
 * sqlite_schema.c — the SQLite schema, as the ordered list of migration
 * steps that builds it.
 *
 * sqlite.c's store_migrate() runs each step whose version the database's
 * schema_version table lacks, in its own transaction, and records it there.
 * Steps are append-only: once released a step is never edited; changing the
 * schema means adding a step. The PostgreSQL engine will carry the same steps
 * with the same version numbers, so the types used here are the ones that
 * map cleanly (docs/storage.md has the table):
 *
 *   INTEGER PRIMARY KEY    identity column (BIGINT GENERATED ... AS IDENTITY)
 *   INTEGER                64-bit integer (BIGINT); booleans are 0/1
 *   REAL                   DOUBLE PRECISION
 *   TEXT                   TEXT, also for timestamps: ISO-8601 UTC with
 *                          milliseconds, fixed width, so they sort as strings
 *   TEXT CHECK(json_valid) JSON documents (JSONB); json_valid(NULL) is 0 in
 *                          SQLite 3.40, hence "x IS NULL OR" on nullable ones
 *
 * Twilio's own vocabularies (call status, direction) get no CHECK: a new word
 * from Twilio must never make a webhook fail to store. hotline's own
 * vocabularies (job states, memo kinds) do.
 */
#include <stddef.h>

#include "store/engine.h"

#include "core/banned.h"

static const char calls_sql[] =
    "CREATE TABLE calls ("
    "  id INTEGER PRIMARY KEY,"
    "  sid TEXT NOT NULL UNIQUE,"
    "  account_sid TEXT,"
    "  direction TEXT," /* inbound | outbound-api | outbound-dial */
    "  from_number TEXT,"
    "  to_number TEXT,"
    "  status TEXT,"
    "  flow TEXT,"
    "  current_step TEXT,"
    "  variables TEXT CHECK (variables IS NULL OR json_valid(variables)),"
    "  consent INTEGER CHECK (consent IN (0, 1)),"
    "  answered_by TEXT,"
    "  duration_s INTEGER CHECK (duration_s >= 0),"
    "  parent_sid TEXT,"
    "  user_id TEXT,"
    "  metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),"
    "  last_sequence INTEGER," /* highest SequenceNumber applied to status */
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE INDEX calls_created_at ON calls (created_at);"
    "CREATE INDEX calls_from_number ON calls (from_number, created_at);"
    "CREATE INDEX calls_to_number ON calls (to_number, created_at);"
    /* Events are inserted before their call is upserted, in one transaction. */
    "CREATE TABLE call_events ("
    "  id INTEGER PRIMARY KEY,"
    "  call_sid TEXT NOT NULL REFERENCES calls (sid) ON DELETE CASCADE"
    "    DEFERRABLE INITIALLY DEFERRED,"
    "  status TEXT NOT NULL,"
    "  sequence INTEGER CHECK (sequence >= 0),"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  twilio_timestamp TEXT,"
    "  params TEXT CHECK (params IS NULL OR json_valid(params)),"
    "  received_at TEXT NOT NULL"
    ");"
    "CREATE INDEX call_events_call_sid ON call_events (call_sid, id);";

static const char messages_sql[] =
    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused: it is shown to people */
    "  sid TEXT UNIQUE,"                      /* NULL until Twilio answers */
    "  account_sid TEXT,"
    "  direction TEXT," /* inbound | outbound-api | outbound-reply | outbound-call */
    "  channel TEXT CHECK (channel IN ('sms', 'whatsapp')),"
    "  from_number TEXT,"
    "  to_number TEXT,"
    "  body TEXT,"
    "  num_media INTEGER CHECK (num_media >= 0),"
    "  media TEXT CHECK (media IS NULL OR json_valid(media)),"
    "  status TEXT,"
    "  error_code TEXT,"
    "  error_message TEXT,"
    "  user_id TEXT,"
    "  metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE INDEX messages_created_at ON messages (created_at);"
    "CREATE INDEX messages_from_number ON messages (from_number, created_at);"
    "CREATE INDEX messages_to_number ON messages (to_number, created_at);"
    "CREATE TABLE optouts ("
    "  phone TEXT PRIMARY KEY,"
    "  keyword TEXT," /* the word or phrase that opted out: STOP, 'remove me' */
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE TABLE contacts ("
    "  phone TEXT PRIMARY KEY,"
    "  name TEXT,"
    "  fields TEXT CHECK (fields IS NULL OR json_valid(fields))," /* {contact.*} of flow templates
                                                                   */
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");";

/*
 * Durable background work. A worker claims a queued job whose run_at has
 * passed by setting a lease; a job whose lease expired is claimable again.
 * job_stages records each finished stage so a retry resumes after it.
 */
static const char jobs_sql[] = "CREATE TABLE jobs ("
                               "  id INTEGER PRIMARY KEY,"
                               "  kind TEXT NOT NULL,"
                               "  payload TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),"
                               "  state TEXT NOT NULL DEFAULT 'queued'"
                               "    CHECK (state IN ('queued', 'running', 'done', 'failed')),"
                               "  attempts INTEGER NOT NULL DEFAULT 0,"
                               "  max_attempts INTEGER NOT NULL DEFAULT 8,"
                               "  run_at TEXT NOT NULL,"
                               "  lease_owner TEXT,"
                               "  lease_expires_at TEXT,"
                               "  last_error TEXT,"
                               "  created_at TEXT NOT NULL,"
                               "  updated_at TEXT NOT NULL"
                               ");"
                               "CREATE INDEX jobs_state_run_at ON jobs (state, run_at);"
                               "CREATE TABLE job_stages ("
                               "  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
                               "  stage TEXT NOT NULL,"
                               "  result TEXT CHECK (result IS NULL OR json_valid(result)),"
                               "  finished_at TEXT NOT NULL,"
                               "  PRIMARY KEY (job_id, stage)"
                               ");";

/*
 * What a recording becomes. recordings.received_at marks that the <Record>
 * action arrived and its job was queued (job_id is informative only: jobs
 * may be pruned, the mark stays). Memo and media ids are 128-bit random
 * strings, never integers, because they appear in public links.
 */
static const char recordings_sql[] =
    "CREATE TABLE recordings ("
    "  id INTEGER PRIMARY KEY,"
    "  sid TEXT NOT NULL UNIQUE,"
    "  call_sid TEXT,"
    "  account_sid TEXT,"
    "  url TEXT,"
    "  status TEXT,"
    "  duration_s INTEGER CHECK (duration_s >= 0),"
    "  channels INTEGER CHECK (channels >= 0),"
    "  source TEXT,"
    "  error_code TEXT,"
    "  local_path TEXT,"
    "  sha256 TEXT,"
    "  size_bytes INTEGER CHECK (size_bytes >= 0),"
    "  deleted_remote INTEGER NOT NULL DEFAULT 0 CHECK (deleted_remote IN (0, 1)),"
    "  received_at TEXT,"
    "  job_id INTEGER,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE INDEX recordings_call_sid ON recordings (call_sid);"
    "CREATE TABLE transcriptions ("
    "  id INTEGER PRIMARY KEY,"
    "  recording_sid TEXT REFERENCES recordings (sid) ON DELETE CASCADE,"
    "  call_sid TEXT,"
    "  engine TEXT NOT NULL," /* pocketsphinx | openai | ... */
    "  text TEXT,"
    "  confidence REAL,"
    "  duration_s REAL,"
    "  analysis TEXT CHECK (analysis IS NULL OR json_valid(analysis))," /* intent, booking, ideas */
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE INDEX transcriptions_recording_sid ON transcriptions (recording_sid);"
    "CREATE INDEX transcriptions_call_sid ON transcriptions (call_sid);"
    "CREATE TABLE memos ("
    "  id TEXT PRIMARY KEY CHECK (length(id) >= 22),"
    "  kind TEXT NOT NULL CHECK (kind IN ('voicemail', 'sms_note')),"
    "  call_sid TEXT,"
    "  recording_sid TEXT,"
    "  message_id INTEGER,"
    "  key_sha256 TEXT NOT NULL CHECK (length(key_sha256) = 64)," /* hex; never the key */
    "  audio_path TEXT,"
    "  meta_path TEXT,"
    "  owner_notified_at TEXT,"
    "  created_at TEXT NOT NULL,"
    "  deleted_at TEXT"
    ");"
    "CREATE INDEX memos_created_at ON memos (created_at);"
    "CREATE INDEX memos_call_sid ON memos (call_sid);"
    "CREATE TABLE bookings ("
    "  id INTEGER PRIMARY KEY,"
    "  call_sid TEXT,"
    "  phone TEXT,"
    "  starts_at TEXT NOT NULL," /* UTC, same form as every stamp */
    "  timezone TEXT,"           /* IANA name the caller spoke in */
    "  summary TEXT,"
    "  status TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (status IN ('pending', 'confirmed', 'cancelled')),"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE INDEX bookings_starts_at ON bookings (starts_at);"
    "CREATE INDEX bookings_phone ON bookings (phone);";

/* Files hotline serves, and the record of GDPR erasures (never the number itself). */
static const char media_sql[] = "CREATE TABLE media ("
                                "  id TEXT PRIMARY KEY CHECK (length(id) >= 22),"
                                "  kind TEXT NOT NULL CHECK (kind IN ('tts', 'recording', 'memo')),"
                                "  path TEXT NOT NULL,"
                                "  content_type TEXT NOT NULL,"
                                "  sha256 TEXT,"
                                "  size_bytes INTEGER CHECK (size_bytes >= 0),"
                                "  cache_key TEXT UNIQUE," /* TTS: hash of engine, voice and text */
                                "  created_at TEXT NOT NULL"
                                ");"
                                "CREATE TABLE erasures ("
                                "  id INTEGER PRIMARY KEY,"
                                "  subject TEXT NOT NULL," /* hashed or masked number */
                                "  what TEXT NOT NULL CHECK (json_valid(what)),"
                                "  created_at TEXT NOT NULL"
                                ");";

/*
 * Outbound calls are stored before Twilio answers with their sid (under a
 * provisional one), so a refused or unanswered request keeps its reason.
 */
static const char call_errors_sql[] = "ALTER TABLE calls ADD COLUMN error_code TEXT;"
                                      "ALTER TABLE calls ADD COLUMN error_message TEXT;";

/*
 * Dashboard logins (/voice). Only the SHA-256 of a session's token is kept: a
 * copy of the database does not let anyone into the dashboard. A session ends
 * at expires_at, or earlier when idle_expires_at passes without a request.
 */
static const char sessions_sql[] =
    "CREATE TABLE sessions ("
    "  token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),"
    "  idle_expires_at TEXT NOT NULL,"
    "  expires_at TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  last_seen_at TEXT NOT NULL"
    ");"
    "CREATE INDEX sessions_expires_at ON sessions (expires_at);";

/*
 * SMS notes (guide 004). A note is an inbound message plus this row: its
 * sender (for IDEAS: "my last note"), where it stands (pending until its job
 * ran; analysed — with the analysis — when notes are not encrypted; sealed
 * once it became a memo, when the message's body is cleared) and its memo.
 * secure_delete (sqlite.c) zeroes the cleared text inside the page.
 */
static const char notes_sql[] =
    "CREATE TABLE notes ("
    "  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,"
    "  phone TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'analysed', 'sealed')),"
    "  analysis TEXT CHECK (analysis IS NULL OR json_valid(analysis)),"
    "  memo_id TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE INDEX notes_phone ON notes (phone, message_id);";

/*
 * The key of subjects: numbers that must be recognised without being kept
 * (an erased person's opt-out, the subject of an erasure) are stored as
 * "h1:" and the hex HMAC-SHA256 of the number under this random key, made
 * once per database (randomblob: SQLite's CSPRNG, seeded by the OS).
 * Erasure finds a number's rows through indexes, so that it holds the
 * writer for milliseconds, not for a scan of every job.
 */
static const char store_keys_sql[] =
    "CREATE TABLE store_keys ("
    "  name TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL," /* hex */
    "  created_at TEXT NOT NULL"
    ");"
    "INSERT INTO store_keys (name, value, created_at) VALUES ('subject', "
    "lower(hex(randomblob(32))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"
    /* what erasure looks up: <Dial> legs by parent, jobs by what their payload names */
    "CREATE INDEX calls_parent_sid ON calls (parent_sid) WHERE parent_sid IS NOT NULL;"
    "CREATE INDEX jobs_call_sid ON jobs (json_extract(payload, '$.call_sid'));"
    "CREATE INDEX jobs_recording_sid ON jobs (json_extract(payload, '$.recording_sid'));"
    "CREATE INDEX jobs_message_id ON jobs (json_extract(payload, '$.message_id'));";

/*
 * A message a job stage sends carries the job and stage, so that the stage,
 * run again after a crash, finds it and asks Twilio whether it went out
 * instead of sending it twice.
 */
static const char message_jobs_sql[] =
    "ALTER TABLE messages ADD COLUMN job_id INTEGER;"
    "ALTER TABLE messages ADD COLUMN job_stage TEXT;"
    "CREATE INDEX messages_job ON messages (job_id, job_stage) WHERE job_id IS NOT NULL;";

/*
 * The calls of a number are listed newest id first and looked up by number
 * alone: created_at in these indexes served no query, and every call paid to
 * write it twice more.
 */
static const char call_number_indexes_sql[] =
    "DROP INDEX calls_from_number;"
    "DROP INDEX calls_to_number;"
    "CREATE INDEX calls_from_number ON calls (from_number);"
    "CREATE INDEX calls_to_number ON calls (to_number);";

const struct sqlite_migration sqlite_migrations[] = {
    {1, "calls and call events", calls_sql},
    {2, "messages, opt-outs and contacts", messages_sql},
    {3, "jobs and job stages", jobs_sql},
    {4, "recordings, transcriptions, memos and bookings", recordings_sql},
    {5, "media and erasures", media_sql},
    {6, "errors of outbound calls", call_errors_sql},
    {7, "dashboard sessions", sessions_sql},
    {8, "SMS notes", notes_sql},
    {9, "the key of hashed subjects, and indexes for erasure", store_keys_sql},
    {10, "the job stage that sent a message", message_jobs_sql},
    {11, "calls' number indexes without created_at", call_number_indexes_sql},
};

const size_t sqlite_migrations_count = HL_ARRAY_LEN(sqlite_migrations);
