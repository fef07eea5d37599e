"""test_erasure.py — erasing a person (DELETE /api/contacts/{phone}, `hotline contacts erase`)
and memos (GET/DELETE /api/memos) through the emulator.

A caller leaves a voicemail (an encrypted memo), calls the receptionist (transcript, booking,
reply), texts and opts out; a second caller leaves data too. Erasing the first removes every
row and file about them — no trace of their number is left anywhere in the database — keeps
the second caller's data, records the erasure without the number, and keeps the opt-out as a
keyed hash that still blocks sends."""
import csv
import hashlib
import hmac
import json
import os
import secrets
import shutil
import time
import unittest

import harness
from harness import ServerTest

ERASED = "+14155550171"
KEPT = "+14155550172"
OWNER = "+14155550173"
MEMO_CALLER = "+14155550174"
BUSY = "+14155550175"
CLI_ERASED = "+14155550176"
STUCK = "+14155550177"
harness.TEST_NUMBERS.extend([ERASED, KEPT, OWNER, MEMO_CALLER, BUSY, CLI_ERASED, STUCK])


def db_text(server):
    """Every value in the database, as one text (SQL dump)."""
    with server.db() as conn:
        return "\n".join(conn.iterdump())


def subject_of(server, number):
    """The keyed hash an erased number is kept as: HMAC-SHA256 under the database's key."""
    key = server.rows("SELECT value FROM store_keys WHERE name = 'subject'")[0]["value"]
    return "h1:" + hmac.new(bytes.fromhex(key), number.encode(), hashlib.sha256).hexdigest()


class ErasePerson(ServerTest):
    emulator = True
    extra_env = {"WORKERS": "2", "OWNER_PHONE": OWNER}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        path = os.path.join(s.dir, "contacts.csv")
        with open(path, "w", newline="") as f:
            csv.writer(f).writerows([["phone", "name"], [ERASED, "Ada"], [KEPT, "Bob"]])
        assert s.run_cli("contacts", "import", path).returncode == 0
        cls.call(ERASED, "voicemail", "Hi, this is Ada. Please call me back tomorrow.")
        cls.call(ERASED, "receptionist", "I need an appointment tomorrow at three PM.")
        cls.call(KEPT, "receptionist", "I need an appointment on Friday at ten AM.")
        for who, text in ((ERASED, "Is the office open on Saturday?"), (KEPT, "Thanks!")):
            p = s.run_cli("sim", "sms", "--from", who, text)
            assert p.returncode == 0, p.stdout + p.stderr
        s.wait_for(lambda: s.count("jobs", "kind LIKE 'recording.%' AND state = 'done'") == 3,
                   timeout=90, what="the pipeline jobs")
        p = s.run_cli("sim", "sms", "--from", ERASED, "STOP")
        assert p.returncode == 0, p.stdout + p.stderr
        # A booking not tied to a call (whether speech recognition made one from the call
        # depends on what it heard).
        with s.db() as db:
            db.execute("INSERT INTO bookings (phone, starts_at, created_at, updated_at) VALUES "
                       "(?, '2026-12-01T15:00:00.000Z', '2026-11-21T00:00:00.000Z', "
                       "'2026-11-21T00:00:00.000Z')", (ERASED,))

    @classmethod
    def call(cls, who, flow, say):
        p = cls.server.run_cli("sim", "call", "--flow", flow, "--from", who, "--say", say)
        assert p.returncode == 0, p.stdout + p.stderr

    def calls_of(self, number):
        return [r["sid"] for r in self.server.rows(
            "SELECT sid FROM calls WHERE from_number = ? OR to_number = ?", (number, number))]

    def snapshot(self, number):
        s = self.server
        calls = self.calls_of(number)
        marks = ",".join("?" * len(calls)) or "''"
        recs = s.rows("SELECT sid, local_path FROM recordings WHERE call_sid IN (%s)" % marks,
                      calls)
        # The voicemail's memo, and the memos SMS notes were sealed into (FEATURE_ENCRYPTED_NOTES).
        memos = s.rows("SELECT * FROM memos WHERE call_sid IN (%s) OR message_id IN (SELECT id "
                       "FROM messages WHERE from_number = ?) ORDER BY id" % marks,
                       calls + [number])
        return {
            "calls": len(calls),
            "events": s.count("call_events", "call_sid IN (%s)" % marks, calls),
            "recordings": recs,
            "transcriptions": s.count("transcriptions", "call_sid IN (%s)" % marks, calls),
            "memos": memos,
            "messages": s.count("messages", "from_number = ? OR to_number = ?", (number, number)),
            "bookings": s.count("bookings", "phone = ?", (number,)),
            "contacts": s.count("contacts", "phone = ?", (number,)),
        }

    def test_erasure_removes_everything_about_a_number_and_nothing_else(self):
        s = self.server
        before = self.snapshot(ERASED)
        kept_before = self.snapshot(KEPT)
        self.assertEqual(sorted(m["kind"] for m in before["memos"]), ["sms_note", "voicemail"])
        self.assertGreaterEqual(before["bookings"], 1)
        self.assertEqual(before["contacts"], 1)
        self.assertGreaterEqual(before["transcriptions"], 1)
        self.assertGreaterEqual(before["messages"], 3)  # text, auto-reply, receptionist reply
        self.assertEqual(s.count("optouts", "phone = ?", (ERASED,)), 1)
        memo = next(m for m in before["memos"] if m["kind"] == "voicemail")
        erased_files = {p for m in before["memos"] for p in (m["audio_path"], m["meta_path"])
                        if p} | {r["local_path"] for r in before["recordings"] if r["local_path"]}
        # (the voicemail's own download is gone already: the memo pipeline deletes it)
        self.assertGreaterEqual(sum(os.path.exists(f) for f in erased_files), 3)
        kept_files = {r["local_path"] for r in kept_before["recordings"] if r["local_path"]}
        self.assertTrue(kept_files and all(os.path.exists(f) for f in kept_files))
        notices = sum(s.count("messages", "to_number = ? AND body LIKE ?",
                              (OWNER, "%/voice/" + m["id"] + "%")) for m in before["memos"])
        self.assertEqual(notices, len(before["memos"]))  # one link for each memo
        # The voicemail's recording is still at Twilio (RECORDINGS_DELETE_AFTER_DOWNLOAD off).
        vm_rec = memo["recording_sid"]
        self.assertEqual(s.twilio("GET", "/Recordings/%s.json" % vm_rec).status, 200)

        r = s.api("DELETE", "/api/contacts/%2B" + ERASED[1:])
        self.assertEqual(r.status, 200, r.text)
        body = r.json()
        self.assertEqual(body["phone"], "+1***-***-0171")
        self.assertTrue(body["optout_kept"])
        e = body["erased"]
        self.assertEqual(e["calls"], before["calls"])
        self.assertEqual(e["call_events"], before["events"])
        self.assertEqual(e["recordings"], len(before["recordings"]))
        self.assertEqual(e["transcriptions"], before["transcriptions"])
        self.assertEqual(e["memos"], len(before["memos"]))
        self.assertEqual(e["messages"], before["messages"] + notices)
        self.assertEqual((e["bookings"], e["contacts"]), (before["bookings"], 1))
        self.assertGreaterEqual(e["jobs"], 2)
        self.assertEqual(body["files_removed"], len(erased_files))
        self.assertGreaterEqual(body["twilio_recordings_deleted"], 1)
        self.assertEqual(body["pending_cleanup"], 0)
        self.assertNotIn(ERASED[1:], r.text)

        # Nothing about the number is left: no row anywhere holds it, no file remains.
        dump = db_text(s)
        self.assertNotIn(ERASED[1:], dump)
        after = self.snapshot(ERASED)
        self.assertEqual(after, {"calls": 0, "events": 0, "recordings": [], "transcriptions": 0,
                                 "memos": [], "messages": 0, "bookings": 0, "contacts": 0})
        self.assertEqual(s.count("memos", "id = ?", (memo["id"],)), 0)
        self.assertEqual(s.count("messages", "body LIKE ?", ("%/voice/" + memo["id"] + "%",)), 0)
        for f in erased_files:
            self.assertFalse(os.path.exists(f), f)
        self.assertFalse(os.path.exists(os.path.dirname(memo["audio_path"])))
        self.assertEqual(s.twilio("GET", "/Recordings/%s.json" % vm_rec).status, 404)

        # The other caller's data is untouched.
        self.assertEqual(self.snapshot(KEPT), kept_before)
        self.assertTrue(all(os.path.exists(f) for f in kept_files))

        # The erasure is on record, without the number: counts only, a keyed hash as subject.
        rows = s.rows("SELECT * FROM erasures WHERE subject = ?", (subject_of(s, ERASED),))
        self.assertEqual(len(rows), 1)
        self.assertRegex(rows[0]["subject"], r"^h1:[0-9a-f]{64}$")
        what = json.loads(rows[0]["what"])
        self.assertEqual(what["tables"]["calls"], before["calls"])
        self.assertEqual(what["files"], len(erased_files))
        self.assertTrue(what["optout_kept_hashed"])

        # The opt-out survives as that hash and still blocks every send.
        self.assertEqual(s.count("optouts", "phone = ?", (rows[0]["subject"],)), 1)
        r = s.api("POST", "/api/messages", {"to": ERASED, "body": "Hello again"})
        self.assertEqual((r.status, r.json()["error"]["code"]), (409, "opted_out"))
        r = s.api("POST", "/api/calls", {"to": ERASED, "message": "Hello again"})
        self.assertEqual(r.status, 409, r.text)
        self.assertEqual(s.api("POST", "/api/messages", {"to": KEPT, "body": "Hi"}).status, 201)

        # The cleanup job finds everything gone and finishes.
        s.wait_for(lambda: s.count("jobs", "kind = 'erasure.cleanup' AND state = 'done' AND "
                                           "payload LIKE ?", ("%" + memo["id"] + "%",)) == 1,
                   what="the cleanup job")

        # Again: nothing is stored any more.
        r = s.api("DELETE", "/api/contacts/" + ERASED)
        self.assertEqual((r.status, r.json()["error"]["code"]), (404, "not_found"))
        self.assertEqual(s.count("erasures", "subject = ?", (subject_of(s, ERASED),)), 1)

    def test_keys_are_required(self):
        r = self.server.api("DELETE", "/api/contacts/" + KEPT, key="")
        self.assertEqual(r.status, 401)
        r = self.server.api("DELETE", "/api/contacts/" + KEPT, key="key_wrong")
        self.assertEqual(r.status, 403)
        self.assertEqual(self.server.api("GET", "/api/memos", key="").status, 401)
        self.assertEqual(self.server.api("DELETE", "/api/memos/" + "A" * 22, key="x").status, 403)
        self.assertEqual(self.snapshot(KEPT)["calls"], 1)

    def test_wrong_numbers_are_400_and_unknown_ones_404(self):
        for bad in ("12345", "notanumber", "%2B1", "+0123456789", "%2B1415555017x"):
            r = self.server.api("DELETE", "/api/contacts/" + bad)
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(r.json()["error"]["field"], "phone")
            self.assertIn("E.164", r.json()["error"]["message"])
        r = self.server.api("DELETE", "/api/contacts/+14155550199")
        self.assertEqual(r.status, 404)
        self.assertEqual(self.server.api("GET", "/api/contacts/" + KEPT).status, 405)

    def test_a_running_job_about_the_number_defers_the_erasure(self):
        s = self.server
        call = harness.sid("CA")
        lease = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 600))
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        with s.db() as db:
            db.execute("INSERT INTO calls (sid, from_number, to_number, status, created_at, "
                       "updated_at) VALUES (?, ?, ?, 'completed', ?, ?)",
                       (call, BUSY, harness.BUSINESS, now, now))
            db.execute("INSERT INTO jobs (kind, payload, state, run_at, lease_owner, "
                       "lease_expires_at, created_at, updated_at) VALUES ('test.never', ?, "
                       "'running', ?, 'elsewhere', ?, ?, ?)",
                       (json.dumps({"call_sid": call}), now, lease, now, now))
        r = s.api("DELETE", "/api/contacts/" + BUSY)
        self.assertEqual((r.status, r.json()["error"]["code"]), (409, "busy"))
        self.assertEqual(r.headers.get("retry-after"), "5")
        self.assertEqual(len(self.calls_of(BUSY)), 1)  # nothing was erased
        with s.db() as db:  # its server died: the lease runs out
            db.execute("UPDATE jobs SET lease_expires_at = ? WHERE kind = 'test.never'", (now,))
        r = s.api("DELETE", "/api/contacts/" + BUSY)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual((r.json()["erased"]["calls"], r.json()["erased"]["jobs"]), (1, 1))
        self.assertFalse(r.json()["optout_kept"])
        self.assertEqual(s.count("jobs", "kind = 'test.never'"), 0)

    def test_a_file_that_will_not_go_is_left_to_the_cleanup_job(self):
        s = self.server
        call, rec = harness.sid("CA"), harness.sid("RE")
        path = os.path.join(s.env["MEDIA_DIR"], "recordings", rec + ".wav")
        os.makedirs(os.path.join(path, "inside"))  # a directory: unlink() refuses it
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        with s.db() as db:
            db.execute("INSERT INTO calls (sid, from_number, to_number, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?)", (call, STUCK, harness.BUSINESS, now, now))
            db.execute("INSERT INTO recordings (sid, call_sid, local_path, deleted_remote, "
                       "created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
                       (rec, call, path, now, now))
        r = s.api("DELETE", "/api/contacts/" + STUCK)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual((r.json()["files_removed"], r.json()["pending_cleanup"]), (0, 1))
        job = s.wait_for(lambda: s.rows("SELECT * FROM jobs WHERE kind = 'erasure.cleanup' AND "
                                        "payload LIKE ? AND attempts >= 1 AND state = 'queued'",
                                        ("%" + rec + "%",)), what="a failed cleanup attempt")[0]
        self.assertIn("still there", job["last_error"])
        shutil.rmtree(path)  # whatever held it is gone: the next attempt finds nothing left
        s.wait_for(lambda: s.count("jobs", "id = ? AND state = 'done'", (job["id"],)),
                   timeout=20, what="the cleanup job to finish")
        self.assertIn("erasure: file not removed", s.read_log())

    def test_the_cli_erases_through_the_same_path(self):
        s = self.server
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        with s.db() as db:
            db.execute("INSERT INTO messages (direction, channel, from_number, to_number, body, "
                       "created_at, updated_at) VALUES ('inbound', 'sms', ?, ?, 'hi', ?, ?)",
                       (CLI_ERASED, harness.BUSINESS, now, now))
            db.execute("INSERT INTO optouts (phone, keyword, created_at) VALUES (?, 'STOP', ?)",
                       (CLI_ERASED, now))
        p = s.run_cli("contacts", "erase", CLI_ERASED)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("erased +1***-***-0176: 0 calls", p.stdout)
        self.assertIn("1 messages", p.stdout)
        self.assertIn("opt-out is kept as a keyed hash", p.stdout)
        self.assertNotIn(CLI_ERASED[1:], p.stdout + p.stderr)
        self.assertNotIn(CLI_ERASED[1:], db_text(s))
        r = s.api("POST", "/api/messages", {"to": CLI_ERASED, "body": "Hello"})
        self.assertEqual(r.status, 409)
        p = s.run_cli("contacts", "erase", CLI_ERASED)
        self.assertEqual(p.returncode, 1)
        self.assertIn("nothing is stored about this number", p.stderr)
        self.assertEqual(s.run_cli("contacts", "erase", "0123").returncode, 2)


class Memos(ServerTest):
    """The memos API over memos written straight into the database, with files on disk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.ids = []
        call = harness.sid("CA")
        with s.db() as db:
            db.execute("INSERT INTO calls (sid, from_number, to_number, created_at, updated_at) "
                       "VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                       (call, MEMO_CALLER, harness.BUSINESS))
            for i in range(5):
                mid = secrets.token_urlsafe(16)[:22]
                d = os.path.join(s.env["MEDIA_DIR"], "memos", mid)
                os.makedirs(d)
                for part in ("audio.enc", "meta.enc"):
                    with open(os.path.join(d, part), "wb") as f:
                        f.write(b"HLM1" + os.urandom(40))
                when = "2026-01-0%dT10:00:00.000Z" % (i + 1)
                db.execute("INSERT INTO memos (id, kind, call_sid, recording_sid, key_sha256, "
                           "audio_path, meta_path, owner_notified_at, created_at) VALUES "
                           "(?, 'voicemail', ?, ?, ?, ?, ?, ?, ?)",
                           (mid, call if i % 2 == 0 else None, harness.sid("RE"), "a" * 64,
                            os.path.join(d, "audio.enc"), os.path.join(d, "meta.enc"), when, when))
                cls.ids.append((when, mid))
        cls.newest_first = [mid for _, mid in reversed(cls.ids)]  # the order they came in

    def test_list_pages_newest_first_with_masked_numbers_and_no_secrets(self):
        s = self.server
        seen, before = [], None
        while True:
            q = "/api/memos?limit=2" + ("&before=%d" % before if before else "")
            r = s.api("GET", q)
            self.assertEqual(r.status, 200, r.text)
            page = r.json()
            seen += [m["id"] for m in page["memos"]]
            for m in page["memos"]:
                self.assertEqual(set(m), {"id", "kind", "call_sid", "recording_sid", "message_id",
                                          "phone", "owner_notified_at", "created_at"})
                self.assertIn(m["phone"], ("+1***-***-0174", None))
            self.assertNotIn("a" * 64, r.text)
            self.assertNotIn("audio.enc", r.text)
            before = page["next_before"]
            if not before:
                break
        self.assertEqual(seen, self.newest_first)
        r = s.api("GET", "/api/memos?phoneNumber=%2B" + MEMO_CALLER[1:])
        self.assertEqual(len(r.json()["memos"]), s.count("memos", "call_sid IS NOT NULL"))
        self.assertGreater(len(r.json()["memos"]), 0)
        r = s.api("GET", "/api/memos?phoneNumber=" + MEMO_CALLER[-4:])  # its last digits
        self.assertEqual(len(r.json()["memos"]), s.count("memos", "call_sid IS NOT NULL"))
        self.assertEqual(s.api("GET", "/api/memos?before=nonsense").status, 400)
        self.assertEqual(s.api("GET", "/api/memos?limit=0").status, 400)

    def test_get_one(self):
        mid = self.newest_first[-1]
        r = self.server.api("GET", "/api/memos/" + mid)
        self.assertEqual(r.status, 200)
        self.assertEqual((r.json()["id"], r.json()["kind"]), (mid, "voicemail"))
        self.assertEqual(self.server.api("GET", "/api/memos/" + "B" * 22).status, 404)

    def test_delete_removes_row_and_files_once(self):
        s = self.server
        mid = self.newest_first[0]
        row = s.rows("SELECT * FROM memos WHERE id = ?", (mid,))[0]
        self.assertEqual(s.request("GET", "/voice/%s/memo.json" % mid).status, 200)
        r = s.api("DELETE", "/api/memos/" + mid)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["id"], mid)
        self.assertEqual((r.json()["erased"]["memos"], r.json()["files_removed"]), (1, 2))
        self.assertFalse(os.path.exists(row["audio_path"]))
        self.assertFalse(os.path.exists(os.path.dirname(row["audio_path"])))
        self.assertEqual(s.count("memos", "id = ?", (mid,)), 0)
        self.assertEqual(s.count("erasures", "subject = ?", ("memo:" + mid,)), 1)
        self.assertEqual(s.api("DELETE", "/api/memos/" + mid).status, 404)
        self.assertEqual(s.api("GET", "/api/memos/" + mid).status, 404)
        self.assertEqual(s.request("GET", "/voice/%s/memo.json" % mid).status, 404)  # the page
        self.assertEqual(s.api("DELETE", "/api/memos/not-a-memo").status, 404)
        self.assertEqual(s.count("memos"), 4)
        type(self).newest_first = self.newest_first[1:]


if __name__ == "__main__":
    harness.main()
