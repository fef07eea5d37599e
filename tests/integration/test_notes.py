"""test_notes.py — SMS notes (guide 004) and the receptionist's owner's notice (guide 001),
through the built-in emulator.

A note is answered with its number at once, then its job seals it as an encrypted memo whose
link goes to the owner only: the link decrypts to the note's text, and the database keeps no
plaintext of it (not even in the file once the server stops). IDEAS answers the ideas of the
sender's last note while they are held in memory (NOTES_IDEAS_TTL), then says where they went;
without encryption it reads them from the store. A receptionist call gives the owner exactly
one notice, with the booking; opted-out owners and callers get nothing."""
import base64
import hashlib
import http.server
import json
import os
import signal
import threading
import time

import harness
from harness import BUSINESS, ServerTest, sid

CALLER = "+14155550163"
OWNER = "+14155550164"
OTHER = "+14155550165"
harness.TEST_NUMBERS.extend([CALLER, OWNER, OTHER])

NOTE = ("Call the lab about the blood test results. The weather was lovely today. "
        "Order more nitrile gloves before Friday.")
SECRET_WORDS = ("blood test", "nitrile", "lovely today")


class Transcriber(http.server.BaseHTTPRequestHandler):
    """A stand-in OpenAI-compatible /v1/audio/transcriptions: every call says the same
    thing, so the receptionist's analysis (and its booking) does not hang on how well
    PocketSphinx hears the emulator's synthetic voice (docs/asr.md has those figures)."""
    TEXT = "I need an appointment tomorrow at 3 PM."

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        data = json.dumps({"text": self.TEXT}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def transcriber_env():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Transcriber)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return {"ASR_ENGINE": "openai", "OPENAI_API_KEY": "sk-test-notes",
            "ASR_BASE_URL": "http://127.0.0.1:%d" % srv.server_address[1]}


TRANSCRIBER = transcriber_env()


class NoteHelpers:
    def sms(self, body, sender=CALLER):
        r = self.server.post_form("/twilio/sms", {
            "AccountSid": self.server.account_sid, "MessageSid": sid("SM"), "From": sender,
            "To": BUSINESS, "Body": body, "NumMedia": "0"})
        self.assertEqual(r.status, 200, r.text)
        return [m.text for m in r.xml().findall("Message")]

    def note(self, body, sender=CALLER):
        started = time.perf_counter()
        reply = self.sms(body, sender)
        self.assertLess(time.perf_counter() - started, 1.0)
        self.assertEqual(len(reply), 1, reply)
        self.assertTrue(reply[0].startswith("Thanks! Your note has been saved (ID: "), reply)
        return int(reply[0].split("(ID: ")[1].rstrip(")"))

    def note_state(self, message_id, state):
        return self.server.wait_for(lambda: self.server.rows(
            "SELECT * FROM notes WHERE message_id = ? AND state = ?", (message_id, state)),
            timeout=30, what="note %d %s" % (message_id, state))[0]

    def sent_to(self, number):
        return [m for m in self.server.twilio("GET", "/Messages.json?PageSize=1000").json()
                ["messages"] if m["to"].endswith(number)]

    def job_for(self, caller):
        """The finished receptionist job of caller's call."""
        return self.server.wait_for(lambda: self.server.rows(
            "SELECT j.* FROM jobs j JOIN calls c ON c.sid = json_extract(j.payload, "
            "'$.call_sid') WHERE j.kind = 'recording.receptionist' AND j.state = 'done' AND "
            "c.from_number = ?", (caller,)), timeout=90, what="the receptionist job")[0]

    def stages(self, job):
        return {r["stage"]: json.loads(r["result"]) for r in self.server.rows(
            "SELECT stage, result FROM job_stages WHERE job_id = ?", (job["id"],))}

    def call(self, say, caller=CALLER):
        p = self.server.run_cli("sim", "call", "--flow", "receptionist", "--from", caller,
                                "--say", say)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def database_text(self):
        """Every text value in every table, as one string."""
        out = []
        tables = [r["name"] for r in self.server.rows(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for t in tables:
            for row in self.server.rows("SELECT * FROM %s" % t):
                out.extend(str(v) for v in row.values() if v is not None)
        return "\n".join(out)


class EncryptedNotes(NoteHelpers, ServerTest):
    emulator = True
    extra_env = {"OWNER_PHONE": OWNER, "NOTES_IDEAS_TTL": "3", "WORKERS": "2"}

    def test_note_is_sealed_and_only_the_owners_link_opens_it(self):
        note_id = self.note(NOTE)
        note = self.note_state(note_id, "sealed")
        # The message keeps its numbers and sid but no body; the memo points back at it.
        msg = self.server.rows("SELECT * FROM messages WHERE id = ?", (note_id,))[0]
        self.assertIsNone(msg["body"])
        self.assertEqual(msg["from_number"], CALLER)
        memo = self.server.rows("SELECT * FROM memos WHERE id = ?", (note["memo_id"],))[0]
        self.assertEqual((memo["kind"], memo["message_id"]), ("sms_note", note_id))
        self.assertIsNotNone(memo["owner_notified_at"])
        self.assertIsNone(note["analysis"])
        listed = [m for m in self.server.api("GET", "/api/messages?limit=100").json()["messages"]
                  if m["id"] == note_id]
        self.assertEqual(len(listed), 1)
        self.assertIsNone(listed[0]["body"])
        # The link went to the owner only, once; hotline's copy withholds the key.
        links = [m["body"] for m in self.sent_to(OWNER) if "(ID: %d)" % note_id in m["body"]]
        self.assertEqual(len(links), 1, links)
        self.assertEqual(self.sent_to(CALLER), [])
        link = links[0].split("Read: ", 1)[1]
        self.assertIn("/voice/%s#" % memo["id"], link)
        key = link.split("#", 1)[1]
        self.assertEqual(hashlib.sha256(base64.urlsafe_b64decode(key + "=")).hexdigest(),
                         memo["key_sha256"])
        kept = self.server.rows("SELECT body FROM messages WHERE to_number = ?", (OWNER,))
        self.assertTrue(all("(key withheld)" in k["body"] and key not in k["body"] for k in kept))
        # `hotline memo decrypt LINK` gives back the note's text, sender and ideas.
        p = self.server.run_cli("memo", "decrypt", link)
        self.assertEqual(p.returncode, 0, p.stderr)
        meta = json.loads(p.stdout)
        self.assertEqual((meta["kind"], meta["text"], meta["from"], meta["message_id"]),
                         ("sms_note", NOTE, CALLER, note_id))
        self.assertEqual(meta["analysis"]["ideas"], [
            "Call the lab about the blood test results.",
            "Order more nitrile gloves before Friday."])
        wrong = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
        p = self.server.run_cli("memo", "decrypt", wrong)
        self.assertEqual(p.returncode, 1)
        self.assertIn("wrong key", p.stderr)
        # No plaintext of the note anywhere in the database, the log, or the stage results.
        text = self.database_text()
        for words in SECRET_WORDS:
            self.assertNotIn(words, text)
        self.assertNotIn(key, text)
        log = self.server.read_log()
        self.assertNotIn(key, log)
        self.assertNotIn("nitrile", log)

    def test_ideas_right_after_the_note_then_only_in_the_memo(self):
        note_id = self.note("Remember to renew the parking permit. It rained a lot.", OTHER)
        self.note_state(note_id, "sealed")
        reply = self.sms("ideas", OTHER)
        self.assertEqual(reply, ["Ideas from your note (ID: %d):\n"
                                 "1. Remember to renew the parking permit." % note_id])
        time.sleep(3.5)
        reply = self.sms("IDEAS", OTHER)
        self.assertEqual(len(reply), 1)
        self.assertIn("Your note (ID: %d) is encrypted" % note_id, reply[0])
        self.assertIn("only for 3 seconds", reply[0])
        self.assertNotIn("parking", reply[0])
        self.assertNotIn("parking", self.database_text())

    def test_ideas_without_a_note_and_for_an_opted_out_sender(self):
        self.assertEqual(self.sms("IDEAS", "+14155550166"),
                         ["You have no notes yet. Text us a note, then reply IDEAS for its ideas."])
        number = "+14155550167"
        note_id = self.note("We should paint the fence.", number)
        self.sms("STOP", number)
        self.assertEqual(self.sms("IDEAS", number), [])  # opted out: nothing at all
        # A note from an opted-out sender is still sealed for the owner, and not answered.
        self.assertEqual(self.sms("Please fix the gate.", number), [])
        later = self.server.rows("SELECT MAX(id) AS id FROM messages WHERE from_number = ?",
                                 (number,))[0]["id"]
        self.note_state(note_id, "sealed")
        self.note_state(later, "sealed")

    def test_a_retried_webhook_queues_one_job(self):
        params = {"AccountSid": self.server.account_sid, "MessageSid": sid("SM"),
                  "From": CALLER, "To": BUSINESS, "Body": "Buy stamps.", "NumMedia": "0"}
        a = self.server.post_form("/twilio/sms", params)
        b = self.server.post_form("/twilio/sms", params)
        self.assertEqual(a.body, b.body)
        note_id = int(a.xml().find("Message").text.split("(ID: ")[1].rstrip(")"))
        self.note_state(note_id, "sealed")
        self.assertEqual(self.server.count("jobs", "kind = 'sms.note' AND payload = ?",
                                           ('{"message_id":%d}' % note_id,)), 1)
        self.assertEqual(self.server.count("memos", "message_id = ?", (note_id,)), 1)


class NoteFileHoldsNoPlaintext(NoteHelpers, ServerTest):
    """Once the server stops, neither the database file nor its write-ahead log has a byte of
    a sealed note's text: secure_delete zeroed it in the page, and the scrub after sealing
    truncated the log that held the page's older images."""
    emulator = True
    extra_env = {"OWNER_PHONE": OWNER}

    def test_database_file_has_no_trace_of_the_note(self):
        # Longer than the rest of its row, so that the row rewritten without it cannot
        # happen to cover it: only secure_delete's zeroing does.
        note_id = self.note(NOTE + " P.S. " + "nothing more to add; " * 30)
        self.note_state(note_id, "sealed")
        s = self.server
        s.proc.send_signal(signal.SIGTERM)
        self.assertEqual(s.proc.wait(timeout=60), 0)
        data = b""
        for suffix in ("", "-wal"):
            if os.path.exists(s.db_path + suffix):
                with open(s.db_path + suffix, "rb") as f:
                    data += f.read()
        self.assertIn(b"sms_note", data)  # the files are readable: the memo row is there
        for words in SECRET_WORDS:
            self.assertNotIn(words.encode(), data)


class NotesOff(NoteHelpers, ServerTest):
    """FEATURE_SMS_NOTES=false: texts are stored and not answered, IDEAS is a plain text."""
    extra_env = {"FEATURE_SMS_NOTES": "false"}

    def test_texts_are_kept_but_not_notes(self):
        self.assertEqual(self.sms("Remember to buy milk."), [])
        self.assertEqual(self.sms("IDEAS"), [])
        self.assertEqual(self.server.count("messages", "from_number = ?", (CALLER,)), 2)
        self.assertEqual(self.server.count("notes"), 0)
        self.assertEqual(self.server.count("jobs"), 0)
        help_text = self.sms("HELP")
        self.assertEqual(len(help_text), 1)
        self.assertNotIn("IDEAS", help_text[0])


class UnsealedWithoutOwner(NoteHelpers, ServerTest):
    """Encrypted notes but no OWNER_PHONE: the note is saved and waits, IDEAS says so, and
    serve said so at start-up."""
    extra_env = {"WORKERS": "1"}

    def test_note_waits_to_be_sealed(self):
        note_id = self.note("We should repaint the waiting room.")
        self.assertEqual(self.sms("IDEAS"), ["Your note (ID: %d) is saved and waits to be "
                                             "sealed; its ideas come once it is." % note_id])
        job = self.server.wait_for(lambda: self.server.rows(
            "SELECT * FROM jobs WHERE kind = 'sms.note' AND last_error IS NOT NULL"),
            timeout=20, what="the note job's first failure")[0]
        self.assertIn("OWNER_PHONE is not set", job["last_error"])
        self.assertEqual(self.server.count("notes", "state = 'pending'"), 1)
        self.assertIn("SMS notes wait unsealed", self.server.read_log())


class PlainNotesAndNoOwner(NoteHelpers, ServerTest):
    """FEATURE_ENCRYPTED_NOTES=false: the analysis is kept and IDEAS reads it from the
    store. No OWNER_PHONE: the receptionist's notice is skipped with a log line."""
    emulator = True
    extra_env = dict(TRANSCRIBER, FEATURE_ENCRYPTED_NOTES="false")

    def test_ideas_come_from_the_store(self):
        note_id = self.note(NOTE)
        note = self.note_state(note_id, "analysed")
        self.assertEqual(json.loads(note["analysis"])["ideas"][1],
                         "Order more nitrile gloves before Friday.")
        self.assertEqual(self.server.rows("SELECT body FROM messages WHERE id = ?",
                                          (note_id,))[0]["body"], NOTE)
        self.assertEqual(self.sms("IDEAS"), [
            "Ideas from your note (ID: %d):\n1. Call the lab about the blood test results.\n"
            "2. Order more nitrile gloves before Friday." % note_id])
        self.assertEqual(self.server.count("memos"), 0)

    def test_config_says_notes_are_kept_unencrypted(self):
        cfg = self.server.request("GET", "/twilio/config").json()
        self.assertEqual((cfg["sms_notes"], cfg["encrypted_notes"], cfg["owner_phone_configured"]),
                         (True, False, False))

    def test_notice_is_skipped_without_owner_phone(self):
        self.call("I need an appointment tomorrow at three PM.")
        st = self.stages(self.job_for(CALLER))
        self.assertEqual(st["owner_notice"], {"sent": False, "why": "OWNER_PHONE not set"})
        self.server.wait_for(lambda: "owner notice skipped" in self.server.read_log(),
                             what="the skip's log line")


class OwnersNotice(NoteHelpers, ServerTest):
    emulator = True
    extra_env = dict(TRANSCRIBER, OWNER_PHONE=OWNER, WORKERS="2")

    def test_receptionist_call_gives_the_owner_one_notice_with_the_booking(self):
        self.call("I need an appointment tomorrow at three PM.")
        job = self.job_for(CALLER)
        st = self.stages(job)
        self.assertEqual(st["owner_notice"]["sent"], True)
        self.assertEqual(st["booking"]["booked"], True, st)
        notices = [m["body"] for m in self.sent_to(OWNER) if CALLER in m["body"]]
        self.assertEqual(len(notices), 1, notices)
        when = st["analyze"]["when_local"]
        self.assertEqual(notices[0], "Test Dental: call from %s\nIntent: booking\n"
                         "Asked for: %s %s\nSummary: %s\nBooking: pending, %s %s "
                         "(America/New_York)" % (CALLER, when[:10], when[11:16],
                                                 st["analyze"]["summary"], when[:10],
                                                 when[11:16]))
        # hotline's copy masks the caller, as API answers do.
        kept = [k["body"] for k in self.server.rows(
            "SELECT body FROM messages WHERE to_number = ?", (OWNER,))
            if "call from +1***-***-%s" % CALLER[-4:] in k["body"]]
        self.assertEqual(kept, [notices[0].replace(CALLER, "+1***-***-" + CALLER[-4:])])
        # The job run again repeats nothing: still one notice.
        with self.server.db() as db:
            db.execute("UPDATE jobs SET state = 'failed' WHERE id = ?", (job["id"],))
        self.assertEqual(self.server.run_cli("jobs", "retry", str(job["id"])).returncode, 0)
        self.job_for(CALLER)
        time.sleep(0.3)
        self.assertEqual(len([m for m in self.sent_to(OWNER) if CALLER in m["body"]]), 1)

    def test_opted_out_caller_gets_no_reply_but_the_owner_is_told(self):
        self.sms("STOP", OTHER)
        self.call("Do you have any openings on Friday?", OTHER)
        st = self.stages(self.job_for(OTHER))
        self.assertEqual(st["reply"], {"sent": False, "why": "opted out"})
        self.assertEqual(st["owner_notice"]["sent"], True)
        self.assertEqual(self.sent_to(OTHER), [])
        self.assertEqual(len([m for m in self.sent_to(OWNER) if OTHER in m["body"]]), 1)


class OptedOutOwner(NoteHelpers, ServerTest):
    emulator = True
    extra_env = dict(TRANSCRIBER, OWNER_PHONE=OWNER)

    def test_an_opted_out_owner_gets_no_notice(self):
        self.sms("STOP", OWNER)
        self.call("I need an appointment tomorrow at three PM.")
        st = self.stages(self.job_for(CALLER))
        self.assertEqual(st["owner_notice"], {"sent": False, "why": "opted out"})
        self.assertEqual(self.sent_to(OWNER), [])


if __name__ == "__main__":
    harness.main()
