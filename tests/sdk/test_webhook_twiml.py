"""Every TwiML document hotline's webhooks emit, rebuilt by the official
twilio-node builder from the same verbs and attributes, must come out the
same (compared canonicalized).

A real server is driven through each webhook answer there is today — the
recording thanks, call/recording/message status, an SMS note reply, HELP,
START, WhatsApp STOP, SMS STOP, and every built-in flow's first document and
the next one after an answer (consent, recordings, an opt-out) — and each is
parsed, turned into the verb tree that tests/sdk/twiml_build.js reads,
rebuilt with twilio.twiml.VoiceResponse / MessagingResponse, and compared.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import BUSINESS, CALLER, Server, sid, voice_params  # noqa: E402


def verbs_of(elem):
    return [{"verb": child.tag, "text": child.text, "attrs": dict(child.attrib),
             "children": verbs_of(child)} for child in elem]


def node_build(cases):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(cases, f)
    try:
        out = subprocess.run(["node", os.path.join(HERE, "twiml_build.js"), f.name],
                             capture_output=True, text=True, timeout=60, check=True)
    finally:
        os.unlink(f.name)
    return json.loads(out.stdout)


def canonical(xml_text):
    return ET.canonicalize(xml_data=xml_text.split("?>", 1)[1])


class WebhookTwimlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def collect(self):
        s, call_sid = self.server, sid("CA")
        sms = {"AccountSid": s.account_sid, "From": CALLER, "To": BUSINESS}
        answers = [
            ("voice", "voice", s.post_form("/twilio/voice", voice_params(call_sid))),
            ("recording", "voice", s.post_form("/twilio/recording", {
                "CallSid": call_sid, "RecordingSid": sid("RE"),
                "RecordingUrl": "https://api.twilio.com/r", "RecordingDuration": "3"})),
            ("status", "voice", s.post_form("/twilio/status", voice_params(
                call_sid, CallStatus="completed", SequenceNumber="2"))),
            ("recording-status", "voice", s.post_form("/twilio/recording-status", {
                "CallSid": call_sid, "RecordingSid": sid("RE"), "RecordingStatus": "completed"})),
            ("message-status", "messaging", s.post_form("/twilio/message-status", {
                "MessageSid": sid("SM"), "MessageStatus": "delivered"})),
        ]
        for label, body, sender in (("note", "Call me <soon> & \"often\"", CALLER),
                                    ("help", "HELP", CALLER), ("start", "START", CALLER),
                                    ("whatsapp-stop", "STOP", "whatsapp:+447700900321"),
                                    ("sms-stop", "STOP", "+14155550111")):
            params = dict(sms, MessageSid=sid("SM"), Body=body, From=sender)
            answers.append((label, "messaging", s.post_form("/twilio/sms", params)))
        answers += self.flow_answers()
        return answers

    def flow_answers(self):
        """The documents each built-in flow emits at its start and after an answer."""
        s, out = self.server, []
        for flow in ("voicemail", "receptionist", "record-analyze", "ivr-tts", "outbound-consent"):
            call = sid("CA")
            params = voice_params(call, Direction="outbound-api") if flow == "outbound-consent" \
                else voice_params(call)
            r = s.post_form("/twilio/voice?flow=" + flow, params)
            out.append(("flow " + flow, "voice", r))
            if flow == "ivr-tts":
                out.append(("flow ivr-tts menu with its audio", "voice", self.menu_with_audio(params)))
            action = next(e.get("action") for e in r.xml().iter() if e.get("action")) \
                if flow != "ivr-tts" else None
            if not action:
                continue
            answer = dict(params, SpeechResult="yes", RecordingSid=sid("RE"),
                          RecordingUrl="https://api.twilio.com/r", RecordingDuration="2")
            out.append(("flow %s answered" % flow, "voice",
                        s.post_form(action[len(s.base):], answer)))
            if flow == "outbound-consent":
                out.append(("flow opt-out", "voice", s.post_form(action[len(s.base):], dict(
                    params, SpeechResult="please remove me"))))
        return out

    def menu_with_audio(self, params):
        """The TTS menu once its audio is rendered: a <Gather> around a <Play>."""
        import time
        deadline = time.time() + 20
        while True:
            r = self.server.post_form("/twilio/flow/menu?flow=ivr-tts&render=1", params)
            if any(e.tag == "Gather" for e in r.xml()) or time.time() > deadline:
                self.assertIn("Play", [e.tag for e in r.xml().iter()], r.text)
                return r
            time.sleep(0.1)

    def test_every_webhook_answer_matches_twilio_node(self):
        answers = self.collect()
        cases = []
        for label, kind, r in answers:
            self.assertEqual(r.status, 200, (label, r.text))
            self.assertEqual(r.headers["content-type"], "text/xml; charset=utf-8")
            cases.append({"kind": kind, "verbs": verbs_of(r.xml())})
        built = node_build(cases)
        passed = 0
        for (label, _, r), sdk in zip(answers, built):
            self.assertIsInstance(sdk, str, (label, sdk))
            self.assertEqual(canonical(r.text), canonical(sdk), label)
            passed += 1
        self.assertEqual(passed, len(answers))
        self.assertGreaterEqual(passed, 20)
        print("webhook_twiml: %d passed, 0 failed" % passed)


if __name__ == "__main__":
    unittest.main(verbosity=2)
