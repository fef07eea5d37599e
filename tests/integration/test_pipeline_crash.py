"""test_pipeline_crash.py — issue 5's crash-safety test: the recording pipeline survives kill -9
at every stage.

The emulator runs as its own process (`hotline sim serve`), so that it outlives the hotline it
serves and its Messages list is the truth about what was sent. For each flow and each hold
point (docs/pipeline.md, "Crash safety"), a fresh hotline with HOTLINE_TEST_HOLD=<stage>:<point>
takes a call, its worker stops at that point and writes a marker file, the test kills the server
with SIGKILL by its PID, and starts it again on the same database and media directory without the
hold. JOB_LEASE_MS=1000 lets the dead server's lease run out at once. Then the job must be done
with exactly one transcript (one memo for voicemail), exactly one notification — one row in
hotline's database and one message in the emulator's list — and nothing half-written: no temporary
file under MEDIA_DIR, no plaintext audio or transcript of a memo, every file whole (the recording's
SHA-256 is the one downloaded; the memo decrypts, with the link the owner got, to that audio)."""
import base64
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import harness
from harness import HOTLINE, Server, assert_log_private, free_port, start_emulator

CALLER = "+14155550171"
OWNER = "+14155550172"

# (flow, job kind, what the caller says, hold points: "<stage>:<point>")
CASES = [
    ("voicemail", "recording.memo", "Please call me back tomorrow morning.",
     ["download:before", "download:after", "delete_remote:after", "memo_id:after",
      "memo:before", "memo:sealed", "memo:sent", "memo:after"]),
    ("receptionist", "recording.receptionist", "I need an appointment tomorrow at three PM.",
     ["transcribe:after", "analyze:after", "store:before", "store:after", "booking:after",
      "reply:before", "reply:sent", "reply:after", "owner_notice:sent", "owner_notice:after"]),
    ("record-analyze", "recording.analyze", "Do you have any openings next Monday at ten?",
     ["download:after", "transcribe:before", "store:after"]),
    # An SMS note (guide 004) is sealed as a memo by the same code as the voicemail's.
    ("sms-note", "sms.note", "Remember to order more flour before Friday.",
     ["memo_id:after", "memo:sealed", "memo:sent", "memo:after"]),
]


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


class Emulator:
    """`hotline sim serve` on its own port, delivering webhooks to hotline_base."""

    def __init__(self, directory, hotline_base):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.account_file = os.path.join(directory, "emulator-account")
        self.sid = "AC" + secrets.token_hex(16)
        self.token = secrets.token_hex(16)
        fd = os.open(self.account_file, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, ("TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n"
                      % (self.sid, self.token)).encode())
        os.close(fd)
        self.proc, self.log_path = start_emulator(directory, self.account_file, self.port,
                                                  hotline_base)

    def messages(self, to):
        """Every message the emulator holds for to, newest first."""
        s = Server.__new__(Server)  # only its raw HTTP helpers
        s.port = self.port
        auth = base64.b64encode(("%s:%s" % (self.sid, self.token)).encode()).decode()
        r = s.request("GET", "/2010-04-01/Accounts/%s/Messages.json?%s" % (
            self.sid, urllib.parse.urlencode({"To": to, "PageSize": 1000})),
            headers={"Authorization": "Basic " + auth})
        assert r.status == 200, r.text
        return r.json()["messages"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        log = read(self.log_path, "rb").decode("utf-8", "replace")
        assert rc == 0, log[-3000:]
        assert_log_private(log, [self.token])


class PipelineCrash(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="hotline-crash-")
        cls.port = free_port()
        cls.sim = Emulator(cls.dir, "http://127.0.0.1:%d" % cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    # ---- one crash --------------------------------------------------------------------------

    def server(self, hold):
        """A hotline on the class's port, talking to the standalone emulator, held at hold."""
        s = Server({"WORKERS": "1", "JOB_LEASE_MS": "1000", "OWNER_PHONE": OWNER,
                    "RECORDINGS_DELETE_AFTER_DOWNLOAD": "true"}, emulator=True)
        s.port = self.port
        s.base = "http://127.0.0.1:%d" % self.port
        s.env.update({"PORT": str(self.port), "PUBLIC_BASE_URL": s.base,
                      "SIM_ACCOUNT_FILE": self.sim.account_file, "TWILIO_API_BASE": self.sim.base,
                      "HOTLINE_TEST_HOLD": hold,
                      "HOTLINE_TEST_HOLD_FILE": os.path.join(s.dir, "held")})
        s.account_sid, s.auth_token = self.sim.sid, self.sim.token
        return s.start()

    def crash_at(self, s, hold, flow, say):
        args = (["sim", "sms", "--from", CALLER, say] if flow == "sms-note" else
                ["sim", "call", "--flow", flow, "--from", CALLER, "--say", say])
        call = subprocess.Popen([HOTLINE] + args, env=s.env, cwd=s.dir, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        out = call.communicate(timeout=60)[0]
        self.assertEqual(call.returncode, 0, out)
        marker = os.path.join(s.dir, "held")
        s.wait_for(lambda: os.path.exists(marker) and read(marker).strip(), timeout=30,
                   what="the worker to reach " + hold)
        self.assertEqual(read(marker).split()[0], hold)
        s.kill()
        os.unlink(marker)
        del s.env["HOTLINE_TEST_HOLD"]

    def partial_download_left(self, s):
        """What kill -9 in the middle of a download leaves: its temporary file."""
        rec = json.loads(s.rows("SELECT payload FROM jobs")[0]["payload"])["recording_sid"]
        d = os.path.join(s.env["MEDIA_DIR"], "recordings")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, rec + ".wav.tmpAb12Cd"), "wb") as f:
            f.write(b"RIFF\x00\x00")

    def run_case(self, flow, kind, say, hold):
        before = {m["sid"] for who in (OWNER, CALLER) for m in self.sim.messages(who)}
        s = self.server(hold)
        try:
            self.crash_at(s, hold, flow, say)
            if hold == "download:before":
                self.partial_download_left(s)
            s.start()
            job = s.wait_for(lambda: s.rows("SELECT * FROM jobs WHERE state = 'done'"),
                             timeout=60, what="the job after the restart")[0]
            self.assertEqual(job["kind"], kind)
            self.assertGreaterEqual(job["attempts"], 2)
            self.assertEqual(s.count("jobs"), 1)
            stages = {r["stage"]: json.loads(r["result"]) for r in s.rows(
                "SELECT stage, result FROM job_stages WHERE job_id = ?", (job["id"],))}
            time.sleep(0.3)  # the emulator's status callbacks for the last message
            new = lambda who: [m for m in self.sim.messages(who) if m["sid"] not in before]
            if flow == "sms-note":
                self.check_note(s, stages, new(OWNER))
                self.check_after(s, hold)
                return
            rec = s.rows("SELECT * FROM recordings")[0]
            self.assertEqual(rec["deleted_remote"], 1)
            if flow == "voicemail":
                self.check_memo(s, stages, rec, new(OWNER))
            else:
                self.check_transcript(s, stages, rec)
            if flow == "receptionist":
                self.check_reply(s, stages, new(CALLER), new(OWNER), hold)
            elif flow == "record-analyze":
                self.assertEqual((new(CALLER), new(OWNER)), ([], []))
            else:
                self.assertEqual(new(CALLER), [])
            self.check_after(s, hold)
        finally:
            s.stop()

    # ---- what must hold after every crash --------------------------------------------------

    def check_after(self, s, hold):
        self.check_no_temporary_files(s)
        if hold.endswith(":sent"):  # found at Twilio, not sent again
            self.assertIn("outbound message had gone out before a restart", s.read_log())

    def owner_link(self, s, memo_id, sent):
        """The one link the owner got for memo_id, checked against hotline's one row of it."""
        memos = s.rows("SELECT * FROM memos")
        self.assertEqual(len(memos), 1)
        self.assertEqual(memos[0]["id"], memo_id)
        self.assertIsNotNone(memos[0]["owner_notified_at"])
        self.assertEqual(len(sent), 1, [m["body"] for m in sent])
        rows = s.rows("SELECT * FROM messages WHERE direction = 'outbound-api'")
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0]["sid"], sent[0]["sid"])
        self.assertTrue(rows[0]["body"].endswith("/voice/%s#(key withheld)" % memo_id))
        link = sent[0]["body"].split(": ", 1)[1].split(" ")[-1]
        key = link.split("#", 1)[1]
        self.assertEqual(hashlib.sha256(base64.urlsafe_b64decode(key + "=")).hexdigest(),
                         memos[0]["key_sha256"])
        self.assertEqual(self.media_files(s), ["memos/%s/audio.enc" % memo_id,
                                               "memos/%s/meta.enc" % memo_id])
        self.assertNotIn(key, s.read_log())
        return link

    def check_note(self, s, stages, sent):
        memo_id = stages["memo"]["memo_id"]
        self.assertEqual(stages["memo_id"]["memo_id"], memo_id)
        link = self.owner_link(s, memo_id, sent)
        note = s.rows("SELECT * FROM notes")[0]
        self.assertEqual((note["state"], note["memo_id"]), ("sealed", memo_id))
        inbound = s.rows("SELECT body FROM messages WHERE direction = 'inbound'")
        self.assertEqual(inbound, [{"body": None}])  # the text lives in the memo only
        p = s.run_cli("memo", "decrypt", link)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("flour", p.stdout)

    def media_files(self, s):
        root = s.env["MEDIA_DIR"]
        return sorted(os.path.relpath(os.path.join(d, f), root)
                      for d, _, files in os.walk(root) for f in files)

    def check_no_temporary_files(self, s):
        for f in self.media_files(s):
            self.assertNotIn(".tmp", f)

    def check_transcript(self, s, stages, rec):
        self.assertEqual(s.count("transcriptions"), 1)
        self.assertEqual(s.count("transcriptions", "recording_sid = ?", (rec["sid"],)), 1)
        # The recording on disk is whole: the SHA-256 the download recorded.
        path = stages["download"]["path"]
        self.assertEqual(self.media_files(s), ["recordings/%s.wav" % rec["sid"]])
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual((len(data), hashlib.sha256(data).hexdigest()),
                         (rec["size_bytes"], rec["sha256"]))
        self.assertEqual(rec["sha256"], stages["download"]["sha256"])

    def check_reply(self, s, stages, replies, notices, hold):
        """One reply to the caller, one notice to the owner: in hotline's rows and at Twilio."""
        self.assertEqual(s.count("bookings"), 1 if stages["booking"]["booked"] else 0)
        self.assertEqual(s.count("messages"), 2,  # no stray row from an early status callback
                         s.rows("SELECT id, sid, status, direction, job_stage, to_number FROM messages"))
        for stage, to, sent in (("reply", CALLER, replies), ("owner_notice", OWNER, notices)):
            rows = s.rows("SELECT * FROM messages WHERE job_stage = ?", (stage,))
            self.assertEqual(len(rows), 1, rows)
            self.assertEqual((rows[0]["to_number"], rows[0]["direction"]), (to, "outbound-api"))
            self.assertEqual(len(sent), 1, [m["body"] for m in sent])
            self.assertEqual(rows[0]["sid"], sent[0]["sid"])
            self.assertEqual(stages[stage]["message_sid"], sent[0]["sid"])
            # Sent before the kill (its sid stored or not): found again, not sent twice.
            self.assertEqual(stages[stage]["recovered"],
                             hold in (stage + ":sent", stage + ":after"))
        self.assertEqual(s.rows("SELECT body FROM messages WHERE job_stage = 'reply'")[0]["body"],
                         replies[0]["body"])

    def check_memo(self, s, stages, rec, sent):
        memo_id = stages["memo"]["memo_id"]
        self.assertEqual(stages["memo_id"]["memo_id"], memo_id)
        link = self.owner_link(s, memo_id, sent)  # and only the sealed memo is on disk
        self.assertEqual(s.count("messages"), 1)
        self.assertEqual(s.count("transcriptions"), 0)
        for r in s.rows("SELECT result FROM job_stages"):
            self.assertNotIn("transcript", r["result"])
        # The link opens the exact recorded audio.
        out = os.path.join(s.dir, "memo.wav")
        p = s.run_cli("memo", "decrypt", link, "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), rec["sha256"])
        os.unlink(out)


def make_test(flow, kind, say, hold):
    def test(self):
        self.run_case(flow, kind, say, hold)
    return test


for _flow, _kind, _say, _holds in CASES:
    for _hold in _holds:
        name = "test_%s_killed_at_%s" % (_flow.replace("-", "_"), _hold.replace(":", "_"))
        setattr(PipelineCrash, name, make_test(_flow, _kind, _say, _hold))

if __name__ == "__main__":
    harness.main()
