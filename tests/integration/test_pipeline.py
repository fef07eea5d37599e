"""test_pipeline.py — the recording pipeline end to end, offline: a scripted caller leaves a
message through the emulator, the job workers download it (through the REST client, with the
emulator's auth), transcribe it (PocketSphinx), analyse it, store the transcript, and — for
the receptionist — book and reply. A job run again after it finished repeats nothing: no
second download, no second message."""
import base64
import hashlib
import json
import os
import time
import unittest

import harness
from harness import ServerTest

CALLER = "+14155550161"
OWNER = "+14155550162"


class Pipeline(ServerTest):
    emulator = True
    extra_env = {"WORKERS": "2", "RECORDINGS_DELETE_AFTER_DOWNLOAD": "true", "OWNER_PHONE": OWNER}

    def call(self, flow, say):
        p = self.server.run_cli("sim", "call", "--flow", flow, "--from", CALLER, "--say", say)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def job_done(self, kind):
        return self.server.wait_for(lambda: self.server.rows(
            "SELECT * FROM jobs WHERE kind = ? AND state = 'done'", (kind,)), timeout=60,
            what="the %s job" % kind)[0]

    def stages(self, job):
        return {r["stage"]: json.loads(r["result"]) for r in self.server.rows(
            "SELECT stage, result FROM job_stages WHERE job_id = ?", (job["id"],))}

    def test_receptionist_transcribes_analyses_and_replies_once(self):
        self.call("receptionist", "I need an appointment tomorrow at three PM.")
        job = self.job_done("recording.receptionist")
        st = self.stages(job)
        self.assertEqual(set(st), {"download", "delete_remote", "transcribe", "analyze", "store",
                                   "booking", "reply", "owner_notice"})
        self.assertGreater(st["download"]["bytes"], 1000)
        self.assertEqual(len(st["download"]["sha256"]), 64)
        self.assertEqual(st["transcribe"]["engine"], "pocketsphinx")
        self.assertGreater(st["transcribe"]["duration_s"], 0.5)
        self.assertIn(st["analyze"]["intent"], ("booking", "question", "complaint", "opt-out",
                                                "other"))
        rec_sid = json.loads(job["payload"])["recording_sid"]
        rec = self.server.rows("SELECT * FROM recordings WHERE sid = ?", (rec_sid,))[0]
        self.assertEqual((rec["sha256"], rec["deleted_remote"]), (st["download"]["sha256"], 1))
        t = self.server.rows("SELECT * FROM transcriptions WHERE recording_sid = ?", (rec_sid,))
        self.assertEqual(len(t), 1)
        replies = self.server.rows("SELECT * FROM messages WHERE direction = 'outbound-api' "
                                   "AND to_number = ?", (CALLER,))
        self.assertEqual(len(replies), 1)
        self.assertIn("Thanks for calling Test Dental", replies[0]["body"])
        # The recording is gone from Twilio (the emulator) once hotline has it.
        self.assertEqual(self.server.twilio("GET", "/Recordings/%s.json" % rec["sid"]).status, 404)

        # Run the whole job again: every stage is on record, so nothing is repeated.
        with self.server.db() as db:
            db.execute("UPDATE jobs SET state = 'failed' WHERE id = ?", (job["id"],))
        self.assertEqual(self.server.run_cli("jobs", "retry", str(job["id"])).returncode, 0)
        self.job_done("recording.receptionist")
        time.sleep(0.3)
        self.assertEqual(self.server.count("messages", "direction = 'outbound-api' AND "
                                                       "to_number = ?", (CALLER,)), 1)
        self.assertEqual(self.server.count("transcriptions", "recording_sid = ?", (rec_sid,)), 1)

    def test_record_analyze_stores_a_transcript(self):
        self.call("record-analyze", "Do you have any openings next Monday at ten?")
        job = self.job_done("recording.analyze")
        self.assertNotIn("reply", self.stages(job))
        rec_sid = json.loads(job["payload"])["recording_sid"]
        row = self.server.rows("SELECT * FROM transcriptions WHERE recording_sid = ?", (rec_sid,))
        self.assertEqual(len(row), 1)
        self.assertIsNotNone(json.loads(row[0]["analysis"])["summary"])

    def test_voicemail_becomes_an_encrypted_memo_only_the_link_opens(self):
        self.call("voicemail", "Please call me back tomorrow morning.")
        job = self.job_done("recording.memo")
        st = self.stages(job)
        self.assertEqual(set(st), {"download", "delete_remote", "memo_id", "memo"})
        self.assertEqual(st["memo_id"]["memo_id"], st["memo"]["memo_id"])
        memo = self.server.rows("SELECT * FROM memos WHERE id = ?", (st["memo"]["memo_id"],))[0]
        self.assertEqual(len(memo["key_sha256"]), 64)
        self.assertIsNotNone(memo["owner_notified_at"])
        # hotline keeps the owner's text without the key; only the message itself carried it.
        kept = self.server.rows("SELECT body FROM messages WHERE to_number = ? AND body LIKE "
                                "'New voicemail%'", (OWNER,))
        self.assertEqual(len(kept), 1)
        self.assertIn("(key withheld)", kept[0]["body"])
        sent = [m for m in self.server.twilio("GET", "/Messages.json?PageSize=1000").json()
                ["messages"] if m["to"].endswith(OWNER) and "Listen: " in m["body"]]
        link = sent[0]["body"].split("Listen: ", 1)[1]
        self.assertIn("/voice/%s#" % memo["id"], link)
        key = link.split("#", 1)[1]
        self.assertEqual(hashlib.sha256(base64.urlsafe_b64decode(key + "=")).hexdigest(),
                         memo["key_sha256"])
        # The link opens the exact recorded audio; another key does not.
        out = os.path.join(self.server.dir, "memo.wav")
        p = self.server.run_cli("memo", "decrypt", link, "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), st["download"]["sha256"])
        wrong = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
        p = self.server.run_cli("memo", "decrypt", wrong, "-o", out + ".x")
        self.assertEqual(p.returncode, 1)
        self.assertIn("wrong key", p.stderr)
        # No plaintext of the memo stays: no downloaded file, no transcript row, no stage text.
        self.assertFalse(os.path.exists(st["download"]["path"]))
        self.assertEqual(self.server.count("transcriptions", "recording_sid = ?",
                                           (json.loads(job["payload"])["recording_sid"],)), 0)
        for r in self.server.rows("SELECT result FROM job_stages WHERE job_id = ?", (job["id"],)):
            self.assertNotIn("transcript", r["result"])
        self.assertNotIn(key, self.server.read_log())

if __name__ == "__main__":
    harness.main()
