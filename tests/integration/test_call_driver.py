"""test_call_driver.py — the emulator's call driver over real HTTP.

hotline runs in emulator mode; a small TwiML server in this test (verifying every
X-Twilio-Signature with python3-twilio's RequestValidator and the account token) answers
a scripted sequence: a <Gather> with a nested <Say> and a <Redirect> after it, a <Record>
on Digits=1, a <Say>+<Hangup> on the recording, and <Pause>+<Say>+<Hangup> for a caller
who gives no input. It proves:

- a call created through the REST API (Calls.json with a Url) is placed at once: the
  voice URL gets Twilio's signed webhook (outbound-api, CallStatus=in-progress), the Gather
  without input falls through to the Redirect, status callbacks come for every event asked
  for with SequenceNumber 0..3 and CallDuration at the end;
- a scripted inbound call (POST /sim/Calls.json: Digits=1, Say=..., Digits=#) is executed
  in order with the right parameters (Digits, RecordingUrl/Sid/Duration, the recording
  status callback), every webhook signed and with an idempotency token; its recording is
  served behind auth as an 8 kHz WAV; the transcript reads as the conversation;
- malformed TwiML ends the call with 12100 (transcript, call error_code, ErrorCode in the
  status callback), an unknown verb in inline Twiml with 12200;
- `hotline sim call --say ...` against hotline's own /twilio/voice prints the greeting and
  the recording, exits 0, and hotline has stored the call, the recording and its
  recording.memo job; wrong usage exits 2 and a 12100 call exits 1.
"""
import base64
import http.server
import json
import threading
import time
import unittest
import urllib.parse

import harness
from harness import Server
from twilio.request_validator import RequestValidator

CALLEE = "+14155550111"


class TwimlServer:
    """A stand-in for a customer's TwiML app: records every request it gets."""

    def __init__(self, token):
        self.validator = RequestValidator(token)
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.handle(self, "GET")

            def do_POST(self):
                outer.handle(self, "POST")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, h, method):
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n).decode() if n else ""
        url = self.base + h.path
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        path, _, query = h.path.partition("?")
        if method == "GET":
            params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        valid = self.validator.validate(url, params if method == "POST" else {},
                                        h.headers.get("X-Twilio-Signature", ""))
        with self.lock:
            self.requests.append({"path": path, "method": method, "params": params,
                                  "valid": valid, "token": h.headers.get("I-Twilio-Idempotency-Token"),
                                  "agent": h.headers.get("User-Agent")})
        status, ctype, out = self.answer(path, params)
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(out)))
        h.end_headers()
        h.wfile.write(out)

    def answer(self, path, p):
        xml = None
        if path == "/start":
            xml = ('<Gather numDigits="1" action="/gather" timeout="3"><Say>Press 1 to leave a '
                   'message.</Say></Gather><Redirect>/fallback</Redirect>')
        elif path == "/fallback":
            xml = '<Pause length="2"/><Say>Goodbye.</Say><Hangup/>'
        elif path == "/gather" and p.get("Digits") == "1":
            xml = ('<Say>Leave your message.</Say><Record action="/recorded" maxLength="30" '
                   'finishOnKey="#" recordingStatusCallback="/recstatus"/>')
        elif path == "/recorded" and p.get("RecordingUrl"):
            xml = "<Say>Thanks, we got it.</Say><Hangup/>"
        elif path == "/bad":
            return 200, "text/xml", b"<Response><Say>oops</Response>"
        elif path in ("/status", "/recstatus"):
            return 204, "text/plain", b""
        if xml is None:
            return 404, "text/plain", b"no"
        return 200, "text/xml", ('<?xml version="1.0" encoding="UTF-8"?><Response>%s</Response>'
                                 % xml).encode()

    def of(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def paths(self):
        with self.lock:
            return [r["path"] for r in self.requests if r["path"] not in ("/status",)]


class CallDriver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(emulator=True).start()
        cls.app = TwimlServer(cls.server.auth_token)

    @classmethod
    def tearDownClass(cls):
        cls.app.stop()
        cls.server.stop()

    def sim(self, method, target, params=None):
        auth = base64.b64encode(("%s:%s" % (self.server.account_sid,
                                            self.server.auth_token)).encode()).decode()
        h = {"Authorization": "Basic " + auth}
        body = b""
        if params is not None:
            body = urllib.parse.urlencode(params, doseq=True).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        return self.server.request(method, target, body, h)

    def transcript(self, sid):
        def done():
            r = self.sim("GET", "/sim/Calls/%s/Transcript.json" % sid)
            self.assertEqual(r.status, 200, r.text)
            doc = r.json()
            return doc if doc["done"] else None
        return self.server.wait_for(done, timeout=30, what="the call to end")

    def status_callbacks(self, sid, last="completed"):
        def ended():
            cbs = [r for r in self.app.of("/status") if r["params"]["CallSid"] == sid]
            return cbs if any(c["params"]["CallStatus"] == last for c in cbs) else None
        cbs = self.server.wait_for(ended, timeout=15, what="the final status callback")
        return sorted(cbs, key=lambda c: int(c["params"]["SequenceNumber"]))

    def assert_signed(self, reqs):
        for r in reqs:
            self.assertTrue(r["valid"], r)
            self.assertTrue(r["token"], r)
            self.assertEqual(r["agent"], "TwilioProxy/1.1")

    def test_rest_call_without_input_falls_through_to_redirect(self):
        a = self.app.base
        r = self.server.twilio("POST", "/Calls.json", [
            ("To", CALLEE), ("From", "+15005550006"), ("Url", a + "/start"),
            ("StatusCallback", a + "/status"), ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"), ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed")])
        self.assertEqual(r.status, 201, r.text)
        sid = r.json()["sid"]
        t = self.transcript(sid)
        start = [x for x in self.app.of("/start") if x["params"]["CallSid"] == sid]
        fallback = [x for x in self.app.of("/fallback") if x["params"]["CallSid"] == sid]
        self.assertEqual((len(start), len(fallback)), (1, 1))
        p = start[0]["params"]
        self.assertEqual(p["CallStatus"], "in-progress")
        self.assertEqual(p["Direction"], "outbound-api")
        self.assertEqual(p["AccountSid"], self.server.account_sid)
        self.assertEqual((p["From"], p["To"], p["Caller"], p["Called"]),
                         ("+15005550006", CALLEE, "+15005550006", CALLEE))
        self.assertEqual(p["ApiVersion"], "2010-04-01")
        self.assertEqual(p["ToCountry"], "US")
        self.assertNotIn("Digits", fallback[0]["params"])
        cbs = self.status_callbacks(sid)
        self.assert_signed(start + fallback + cbs)
        self.assertEqual([c["params"]["CallStatus"] for c in cbs],
                         ["initiated", "ringing", "in-progress", "completed"])
        self.assertEqual([c["params"]["SequenceNumber"] for c in cbs], ["0", "1", "2", "3"])
        self.assertEqual(len({c["token"] for c in cbs}), 4)
        self.assertGreaterEqual(int(cbs[-1]["params"]["CallDuration"]), 5)  # 3 s + pause 2 s
        self.assertNotIn("CallDuration", cbs[0]["params"])
        self.assertEqual(cbs[-1]["params"]["Direction"], "outbound-api")
        texts = [(l["who"], l["text"]) for l in t["lines"]]
        self.assertIn(("hotline", "Press 1 to leave a message."), texts)
        self.assertIn(("caller", "(no input)"), texts)
        self.assertIn(("hotline", "[pause 2 s]"), texts)
        self.assertIn(("hotline", "Goodbye."), texts)
        self.assertEqual((t["status"], t["error_code"]), ("completed", None))
        call = self.server.twilio("GET", "/Calls/%s.json" % sid).json()
        self.assertEqual(call["status"], "completed")
        self.assertEqual(call["duration"], cbs[-1]["params"]["CallDuration"])

    def test_scripted_caller_records_a_message(self):
        a = self.app.base
        said = "I need an appointment tomorrow at 3 PM"
        r = self.sim("POST", "/sim/Calls.json", [
            ("From", "+14155550122"), ("Url", a + "/start"), ("StatusCallback", a + "/status"),
            ("Digits", "1"), ("Say", said), ("Digits", "#")])
        self.assertEqual(r.status, 201, r.text)
        call = r.json()
        sid = call["sid"]
        self.assertEqual(call["direction"], "inbound")
        self.assertEqual(call["to"], "+15005550006")
        t = self.transcript(sid)
        mine = [x for x in self.app.requests if x["params"].get("CallSid") == sid]
        self.assertEqual([x["path"] for x in mine if x["path"] not in ("/status", "/recstatus")],
                         ["/start", "/gather", "/recorded"])
        self.assert_signed(mine)
        self.assertEqual(len({x["token"] for x in mine}), len(mine))
        start, gather, recorded = (self.app.of(p)[-1]["params"] for p in
                                   ("/start", "/gather", "/recorded"))
        self.assertEqual((start["CallStatus"], start["Direction"]), ("ringing", "inbound"))
        self.assertEqual((gather["CallStatus"], gather["Digits"]), ("in-progress", "1"))
        self.assertEqual(recorded["Digits"], "#")
        self.assertTrue(recorded["RecordingSid"].startswith("RE"))
        self.assertEqual(recorded["RecordingUrl"], "%s/2010-04-01/Accounts/%s/Recordings/%s" % (
            self.server.base, self.server.account_sid, recorded["RecordingSid"]))
        self.assertGreaterEqual(int(recorded["RecordingDuration"]), 1)
        rs = self.server.wait_for(lambda: self.app.of("/recstatus"), what="recording status")
        self.assertEqual(rs[-1]["params"]["RecordingStatus"], "completed")
        self.assertEqual(rs[-1]["params"]["RecordingSid"], recorded["RecordingSid"])
        self.assert_signed(rs)
        target = urllib.parse.urlparse(recorded["RecordingUrl"]).path
        self.assertEqual(self.server.request("GET", target).status, 401)
        wav = self.sim("GET", target)
        self.assertEqual(wav.status, 200)
        self.assertEqual(wav.body[:4], b"RIFF")
        self.assertEqual(wav.body[8:12], b"WAVE")
        self.assertEqual(int.from_bytes(wav.body[24:28], "little"), 8000)
        texts = [(l["who"], l["text"]) for l in t["lines"]]
        self.assertIn(("caller", "presses 1"), texts)
        self.assertIn(("caller", 'says "%s"' % said), texts)
        self.assertIn(("twilio", "recording %s s (%s)" % (recorded["RecordingDuration"],
                                                         recorded["RecordingSid"])), texts)
        self.assertIn(("hotline", "Thanks, we got it."), texts)
        self.assertEqual(texts[-1][0], "twilio")
        self.assertTrue(texts[-1][1].startswith("call completed ("), texts[-1])
        self.assertEqual([l["n"] for l in t["lines"]], list(range(1, len(t["lines"]) + 1)))
        later = self.sim("GET", "/sim/Calls/%s/Transcript.json?after=3" % sid).json()
        self.assertEqual(later["lines"][0]["n"], 4)
        cbs = self.status_callbacks(sid)
        self.assertEqual([c["params"]["CallStatus"] for c in cbs], ["completed"])
        self.assertEqual(cbs[0]["params"]["Direction"], "inbound")

    def test_malformed_twiml_ends_with_12100(self):
        a = self.app.base
        r = self.sim("POST", "/sim/Calls.json", [("Url", a + "/bad"),
                                                 ("StatusCallback", a + "/status")])
        self.assertEqual(r.status, 201, r.text)
        sid = r.json()["sid"]
        t = self.transcript(sid)
        self.assertEqual(t["error_code"], 12100)
        self.assertTrue(any(l["text"].startswith("error 12100: Document parse failure")
                            for l in t["lines"]), t)
        cbs = self.status_callbacks(sid)
        self.assertEqual(cbs[-1]["params"]["ErrorCode"], "12100")
        call = self.server.twilio("GET", "/Calls/%s.json" % sid).json()
        self.assertEqual(call["error_code"], 12100)

    def test_unknown_verb_in_inline_twiml_ends_with_12200(self):
        r = self.server.twilio("POST", "/Calls.json", {
            "To": CALLEE, "From": "+15005550006",
            "Twiml": "<Response><Say>hi</Say><Speak>no</Speak></Response>"})
        self.assertEqual(r.status, 201, r.text)
        t = self.transcript(r.json()["sid"])
        self.assertEqual(t["error_code"], 12200)
        self.assertNotIn(("hotline", "hi"), [(l["who"], l["text"]) for l in t["lines"]])

    def test_sim_routes_need_auth_and_valid_input(self):
        self.assertEqual(self.server.request("POST", "/sim/Calls.json", b"").status, 401)
        self.assertEqual(self.sim("POST", "/sim/Calls.json", {"From": "12"}).status, 400)
        self.assertEqual(self.sim("POST", "/sim/Calls.json", {"Digits": "1x"}).status, 400)
        self.assertEqual(self.sim("GET", "/sim/Calls/CA%s/Transcript.json" % ("0" * 32)).status,
                         404)

    def test_sim_call_command_leaves_a_voicemail(self):
        out = self.server.run_cli("sim", "call", "--say", "please call me back")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertTrue(any(l.startswith("hotline: ") for l in lines), out.stdout)
        self.assertIn('caller: says "please call me back"', lines)
        rec = [l for l in lines if l.startswith("twilio: recording ")]
        self.assertEqual(len(rec), 1, out.stdout)
        self.assertTrue(lines[-1].startswith("twilio: call completed"), out.stdout)
        rec_sid = rec[0].rsplit("(", 1)[1].rstrip(")")
        rows = self.server.wait_for(
            lambda: self.server.rows("SELECT call_sid FROM recordings WHERE sid = ?", (rec_sid,)),
            what="the recording row")
        call_sid = rows[0]["call_sid"]
        self.assertEqual(self.server.count("calls", "sid = ?", (call_sid,)), 1)
        self.assertGreaterEqual(self.server.count("jobs", "kind = 'recording.memo'"), 1)

    def test_sim_call_command_exit_codes(self):
        self.assertEqual(self.server.run_cli("sim", "call", "--bogus", "x").returncode, 2)
        self.assertEqual(self.server.run_cli("sim", "call", "--digits").returncode, 2)
        out = self.server.run_cli("sim", "call", "--url", self.app.base + "/bad")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("error 12100", out.stdout)
        env = dict(self.server.env, TWILIO_API_BASE="http://127.0.0.1:9")
        import subprocess
        out = subprocess.run([harness.HOTLINE, "sim", "call"], env=env, cwd=self.server.dir,
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 1)
        self.assertIn("is `hotline serve` running?", out.stderr)


if __name__ == "__main__":
    harness.main()
