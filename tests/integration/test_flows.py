"""test_flows.py — the flow engine through its webhooks: each built-in flow step by step, a
flow file with branches, retries and a fallback, consent, opt-out by speech, templates with
contacts, safe answers to impossible states, and bad flow files refused at start.

Each test plays Twilio: it POSTs the signed webhook a step's TwiML points at (the Gather or
Record action, the redirect for silence) with the caller's answer, and checks the next TwiML
and what was stored.
"""
import json
import os
import subprocess
import tempfile
import unittest

import harness
from harness import BUSINESS, CALLER, Server, ServerTest, sid, voice_params

FLOW_FILE = {
    "name": "menu-test",
    "start": "hello",
    "steps": {
        "hello": {"kind": "say", "text": "Hello {contact.name}, from {business_name}.",
                  "next": "menu"},
        "menu": {"kind": "gather", "input": "dtmf speech", "numDigits": 1,
                 "prompt": "Press 1 or say sales. Press 2 or say support.",
                 "branches": [{"digits": "1", "keywords": ["sales"], "next": "sales"},
                              {"digits": "2", "keywords": ["support", "help me"],
                               "next": "support"}],
                 "invalid": "Invalid option.", "retries": 1, "fallback": "bye"},
        "sales": {"kind": "sms", "text": "Sales will call you, {contact.name}.", "next": "bye"},
        "support": {"kind": "redirect", "step": "bye"},
        "bye": {"kind": "hangup", "text": "Goodbye."},
    },
}


def tags(doc):
    return [c.tag for c in doc]


def path_of(server, url):
    assert url.startswith(server.base), url
    return url[len(server.base):]


class Flows(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.flows_dir = tempfile.mkdtemp(prefix="hotline-flows-")
        with open(os.path.join(cls.flows_dir, "menu-test.json"), "w") as f:
            json.dump(FLOW_FILE, f)
        cls.extra_env = {"FLOWS_DIR": cls.flows_dir, "API_SENDS_PER_MINUTE": "0"}
        super().setUpClass()

    def start(self, flow=None, **extra):
        call = sid("CA")
        target = "/twilio/voice" + ("?flow=" + flow if flow else "")
        r = self.server.post_form(target, voice_params(call, **extra))
        self.assertEqual(r.status, 200, r.text)
        return call, r.xml()

    def answer(self, url, call, **params):
        p = {"CallSid": call, "AccountSid": self.server.account_sid, "From": CALLER,
             "To": BUSINESS, "Direction": "inbound"}
        p.update(params)
        r = self.server.post_form(path_of(self.server, url), p)
        self.assertEqual(r.status, 200, r.text)
        return r.xml()

    def call_row(self, call):
        return self.server.rows("SELECT * FROM calls WHERE sid = ?", (call,))[0]

    # ---- built-in flows ----

    def test_voicemail_greets_records_until_pound_and_queues_a_memo(self):
        call, doc = self.start()
        self.assertEqual(tags(doc), ["Say", "Record", "Redirect"])
        self.assertIn("Test Dental", doc[0].text)
        record = doc[1]
        self.assertEqual(record.get("finishOnKey"), "#")
        rec = sid("RE")
        done = self.answer(record.get("action"), call, RecordingSid=rec, RecordingDuration="4",
                           RecordingUrl="https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/" + rec)
        self.assertEqual(tags(done), ["Say", "Hangup"])
        self.assertIn("saved", done[0].text)
        job = self.server.rows("SELECT payload FROM jobs WHERE kind = 'recording.memo'")[-1]
        payload = json.loads(job["payload"])
        self.assertEqual((payload["pipeline"], payload["flow"], payload["recording_sid"]),
                         ("memo", "voicemail", rec))
        row = self.call_row(call)
        self.assertEqual((row["flow"], row["current_step"]), ("voicemail", "(ended)"))
        # Silence instead of a message: the redirect goes on to the goodbye.
        silent = self.answer(doc[2].text, call)
        self.assertEqual(tags(silent), ["Say", "Hangup"])

    def test_receptionist_uses_polly_and_30_seconds(self):
        call, doc = self.start("receptionist")
        self.assertEqual(tags(doc), ["Say", "Record", "Redirect"])
        self.assertEqual(doc[0].get("voice"), "Polly.Joanna")
        self.assertEqual(doc[1].get("maxLength"), "30")
        rec = sid("RE")
        self.answer(doc[1].get("action"), call, RecordingSid=rec, RecordingUrl="https://x/" + rec)
        payload = json.loads(self.server.rows(
            "SELECT payload FROM jobs ORDER BY id DESC LIMIT 1")[0]["payload"])
        self.assertEqual(payload["pipeline"], "receptionist")

    def test_record_analyze(self):
        call, doc = self.start("record-analyze")
        self.assertEqual(tags(doc), ["Say", "Record", "Redirect"])
        self.assertIn("recorded", doc[0].text)

    def test_outbound_consent_yes_records_no_does_not(self):
        call, doc = self.start("outbound-consent", Direction="outbound-api", From=BUSINESS,
                               To=CALLER, CallStatus="in-progress")
        self.assertEqual(tags(doc), ["Say", "Gather", "Redirect"])
        self.assertIn("Alta", doc[0].text)  # who is calling and why, first
        gather = doc[1]
        self.assertEqual(gather.get("input"), "dtmf speech")
        self.assertIn("record this call", gather[0].text)
        yes = self.answer(gather.get("action"), call, SpeechResult="Yes, that's fine",
                          Direction="outbound-api", From=BUSINESS, To=CALLER)
        self.assertEqual(tags(yes), ["Say", "Record", "Redirect"])
        self.assertEqual(self.call_row(call)["consent"], 1)

        call2, doc2 = self.start("outbound-consent", Direction="outbound-api", From=BUSINESS,
                                 To=CALLER)
        no = self.answer(doc2[1].get("action"), call2, Digits="2", Direction="outbound-api")
        self.assertEqual(tags(no), ["Gather", "Redirect"])
        self.assertNotIn("Record", [c.tag for c in no.iter()])
        self.assertEqual(self.call_row(call2)["consent"], 0)

    def test_saying_remove_me_opts_out_everywhere(self):
        number = "+14155550144"
        call, doc = self.start("outbound-consent", Direction="outbound-api", From=BUSINESS,
                               To=number)
        out = self.answer(doc[1].get("action"), call, SpeechResult="Please remove me from your list",
                          Direction="outbound-api", From=BUSINESS, To=number)
        self.assertEqual(tags(out), ["Say", "Hangup"])
        self.assertIn("removed", out[0].text)
        rows = self.server.rows("SELECT phone, keyword FROM optouts WHERE phone = ?", (number,))
        self.assertEqual(rows, [{"phone": number, "keyword": "remove me"}])
        r = self.server.api("POST", "/api/calls", {"to": number, "message": "again?"})
        self.assertEqual(r.status, 409)

    # ---- a flow file ----

    def test_branches_invalid_retry_and_fallback(self):
        call, doc = self.start("menu-test")
        self.assertEqual(tags(doc), ["Say", "Gather", "Redirect"])
        self.assertEqual(doc[0].text, "Hello , from Test Dental.")  # no contact: empty name
        gather = doc[1]
        self.assertEqual((gather.get("numDigits"), gather.get("hints")),
                         ("1", "sales, support, help me"))
        invalid = self.answer(gather.get("action"), call, Digits="9")
        self.assertEqual(tags(invalid), ["Say", "Gather", "Redirect"])
        self.assertEqual(invalid[0].text, "Invalid option.")
        self.assertEqual(json.loads(self.call_row(call)["variables"]), {"tries": {"menu": 1}})
        fallback = self.answer(gather.get("action"), call, Digits="7")
        self.assertEqual(tags(fallback), ["Say", "Hangup"])
        self.assertEqual(fallback[0].text, "Goodbye.")

    def test_spoken_keyword_and_redirect_to_a_step(self):
        call, doc = self.start("menu-test")
        out = self.answer(doc[1].get("action"), call, SpeechResult="I need help me please")
        self.assertEqual(tags(out), ["Say", "Hangup"])

    def test_no_input_counts_as_a_try(self):
        call, doc = self.start("menu-test")
        again = self.answer(doc[2].text, call)  # the redirect after a silent <Gather>
        self.assertEqual(tags(again), ["Gather", "Redirect"])
        self.assertEqual(tags(self.answer(doc[2].text, call)), ["Say", "Hangup"])

    def test_contacts_fill_templates_and_sms_steps_send(self):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write('phone,name,plan\n%s,"Ada, PhD",gold\n555-0100,Nobody,x\n' % CALLER)
        p = self.server.run_cli("contacts", "import", f.name)
        os.unlink(f.name)
        self.assertEqual(p.returncode, 1, p.stderr)  # one bad line, reported
        self.assertIn("line 3", p.stderr)
        self.assertIn("1 imported, 1 skipped", p.stdout)
        call, doc = self.start("menu-test")
        self.assertEqual(doc[0].text, "Hello Ada, PhD, from Test Dental.")
        self.answer(doc[1].get("action"), call, Digits="1")
        sent = self.server.wait_for(lambda: self.server.rows(
            "SELECT body FROM messages WHERE direction = 'outbound-api' AND to_number = ?",
            (CALLER,)), what="the flow's text")
        self.assertEqual(sent[0]["body"], "Sales will call you, Ada, PhD.")

    # ---- what cannot happen, handled safely ----

    def test_impossible_states_are_an_apology_not_an_error(self):
        for target in ("/twilio/flow/no-such-step?flow=voicemail", "/twilio/voice?flow=nope",
                       "/twilio/flow/menu?flow=nope"):
            r = self.server.post_form(target, voice_params(sid("CA")))
            self.assertEqual(r.status, 200, target)
            self.assertEqual(tags(r.xml()), ["Say", "Hangup"], target)
            self.assertIn("sorry", r.xml()[0].text.lower())


class BadFlowFiles(unittest.TestCase):
    def refused(self, flow, needle):
        d = tempfile.mkdtemp(prefix="hotline-badflow-")
        path = os.path.join(d, "bad.json")
        with open(path, "w") as f:
            f.write(flow if isinstance(flow, str) else json.dumps(flow))
        s = Server({"FLOW": path})
        p = subprocess.run([harness.HOTLINE, "serve"], env=s.env, cwd=s.dir, capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(path, p.stderr)
        self.assertIn(needle, p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)

    def test_bad_flows_stop_start_up_naming_file_step_and_reason(self):
        self.refused("{ nope", "line 1")
        self.refused({"name": "x", "start": "a", "steps": {"a": {"kind": "say"}}},
                     'step "a": text: required')
        self.refused({"name": "x", "start": "a", "steps": {"a": {"kind": "say", "text": "t",
                                                                  "next": "b"}}},
                     'step "a": names a step that does not exist')
        self.refused({"name": "x", "start": "a", "steps": {"a": {"kind": "shout"}}},
                     'step "a": kind: unknown kind')
        self.refused({"name": "x", "start": "z", "steps": {"a": {"kind": "hangup"}}},
                     "start: names a step that does not exist")
        self.refused({"name": "x", "start": "g", "steps": {"g": {
            "kind": "gather", "numDigits": 99, "default": "g"}}}, 'step "g": numDigits')



class LiveAudio(ServerTest):
    """A tts text that differs per call (it names the caller) is rendered while the caller hears
    "please wait"; when the audio is ready hotline redirects the live call through the REST API
    (guide 000's pattern), and the emulator's call driver follows the update."""
    emulator = True

    @classmethod
    def setUpClass(cls):
        cls.flows_dir = tempfile.mkdtemp(prefix="hotline-flows-")
        with open(os.path.join(cls.flows_dir, "hello.json"), "w") as f:
            json.dump({"name": "hello", "start": "greet", "steps": {
                "greet": {"kind": "tts", "voice": "naija_female",
                          "text": "Hello caller {from}, welcome to {business_name}.",
                          "next": "bye"},
                "bye": {"kind": "hangup", "text": "Goodbye."}}}, f)
        cls.extra_env = {"FLOWS_DIR": cls.flows_dir}
        super().setUpClass()

    def test_please_wait_then_the_live_call_is_redirected_to_the_audio(self):
        p = self.server.run_cli("sim", "call", "--flow", "hello", "--from", "+14155550199")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        wait = lines.index("hotline: Please wait while we prepare your message.")
        redirected = next(i for i, l in enumerate(lines) if "redirected by a REST update" in l)
        played = next(i for i, l in enumerate(lines) if l.startswith("hotline: [plays audio"))
        self.assertLess(wait, redirected)
        self.assertLess(redirected, played)
        self.assertIn("hotline: Goodbye.", lines[played + 1:])
        # The audio is cached: the next call with the same words plays it at once.
        p = self.server.run_cli("sim", "call", "--flow", "hello", "--from", "+14155550199")
        self.assertNotIn("Please wait", p.stdout)
        self.assertIn("hotline: [plays audio", p.stdout)


if __name__ == "__main__":
    harness.main()
