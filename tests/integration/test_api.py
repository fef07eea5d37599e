"""test_api.py — hotline's JSON API over real HTTP: bearer keys, validation, opt-outs, the
per-key rate limit, history paging, the guides' aliases, the `call` and `sms` commands, and
what is stored when Twilio refuses, cannot be reached, or never answers.

Most tests run hotline in emulator mode (no Twilio account): the built-in emulator answers
the REST API on the server's own port, so a send goes out over HTTP and comes back as
signed status callbacks. The failure tests point a real-account server at a small local
stand-in for Twilio instead.
"""
import http.server
import json
import os
import signal
import socket
import threading
import time
import unittest

import harness
from harness import BUSINESS, CALLER, Server, ServerTest

OTHER = "+14155550188"


class AuthAndValidation(ServerTest):
    emulator = True
    extra_env = {"API_KEYS": "k-first-0123456789,k-second-0123456789", "API_SENDS_PER_MINUTE": "0"}

    def test_no_key_is_401_and_a_wrong_key_403(self):
        r = self.server.api("GET", "/api/calls", key="")
        self.assertEqual(r.status, 401)
        self.assertIn("Bearer", r.headers.get("www-authenticate", ""))
        self.assertEqual(r.json()["error"]["code"], "unauthorized")
        r = self.server.api("GET", "/api/calls", key="k-first-012345678")  # a prefix
        self.assertEqual(r.status, 403)
        r = self.server.api("GET", "/api/calls", key="k-first-0123456789x")
        self.assertEqual(r.status, 403)
        for key in ("k-first-0123456789", "k-second-0123456789"):
            self.assertEqual(self.server.api("GET", "/api/calls", key=key).status, 200)

    def send(self, path, body):
        return self.server.api("POST", path, body, key="k-first-0123456789")

    def assert_field_error(self, r, field):
        self.assertEqual(r.status, 400, r.text)
        err = r.json()["error"]
        self.assertEqual(err["field"], field)
        self.assertTrue(err["message"].startswith(field + ": "), err["message"])

    def test_numbers_must_be_e164_and_the_error_names_the_field(self):
        for to in (None, "", "4155550123", "+0155550123", "+1415555", "+1 415 555 0123",
                   "+1415555012312345"):
            body = {"body": "hi"} if to is None else {"to": to, "body": "hi"}
            self.assert_field_error(self.send("/api/messages", body), "to")
            self.assert_field_error(self.send("/api/calls", dict(body, message="hi")), "to")
        self.assert_field_error(self.send("/api/messages", {"to": 5, "body": "x"}), "to")

    def test_bodies_and_fields_are_checked(self):
        self.assert_field_error(self.send("/api/messages", {"to": CALLER}), "body")
        self.assert_field_error(self.send("/api/messages", {"to": CALLER, "body": "é" * 1601}),
                                "body")
        self.assert_field_error(self.send("/api/messages",
                                          {"to": CALLER, "body": "x", "channel": "fax"}), "channel")
        self.assert_field_error(self.send("/api/messages",
                                          {"to": CALLER, "body": "x", "metadata": [1]}), "metadata")
        self.assert_field_error(self.send("/api/messages",
                                          {"to": CALLER, "body": "x", "mediaUrl": "ftp://x/y"}),
                                "mediaUrl")
        self.assert_field_error(self.send("/api/calls", {"to": CALLER, "flow": "nope"}), "flow")
        self.assert_field_error(self.send("/api/calls", {"to": CALLER, "flow": "voicemail",
                                                         "message": "hi"}), "message")
        r = self.send("/api/calls", b'{"to": ')
        self.assertEqual((r.status, r.json()["error"]["code"]), (400, "invalid_json"))
        r = self.send("/api/calls", b'["to"]')
        self.assertEqual(r.status, 400)
        r = self.server.api("POST", "/api/calls", b"to=%2B14155550123", key="k-first-0123456789",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 415)
        # Nothing invalid was stored or sent.
        self.assertEqual(self.server.count("messages"), 0)
        self.assertEqual(self.server.count("calls"), 0)

    def test_history_parameters_are_checked(self):
        for q in ("limit=0", "limit=1001", "limit=ten", "before=-3", "before=x",
                  "phoneNumber=55", "phoneNumber=555-1", "phoneNumber=1234567890123456"):
            r = self.server.api("GET", "/api/calls?" + q, key="k-second-0123456789")
            self.assertEqual(r.status, 400, q)


class Sending(ServerTest):
    emulator = True
    extra_env = {"API_SENDS_PER_MINUTE": "0"}

    def test_a_message_is_sent_stored_and_followed_to_delivered(self):
        r = self.server.api("POST", "/api/messages", {"to": CALLER, "body": "Your table is ready",
                                                      "userId": "u-1",
                                                      "metadata": {"campaign": "follow-up"}})
        self.assertEqual(r.status, 201, r.text)
        out = r.json()
        self.assertRegex(out["message_sid"], r"^SM[0-9a-f]{32}$")
        self.assertEqual(out["status"], "queued")
        self.assertEqual(out["to"], "+1***-***-0123")
        self.assertEqual(out["from"], "+1***-***-9876")
        self.assertNotIn(CALLER, r.text)
        row = self.server.rows("SELECT * FROM messages WHERE sid = ?", (out["message_sid"],))[0]
        self.assertEqual((row["direction"], row["channel"], row["to_number"], row["from_number"]),
                         ("outbound-api", "sms", CALLER, BUSINESS))
        self.assertEqual((row["user_id"], json.loads(row["metadata"])), ("u-1", {"campaign": "follow-up"}))
        # The emulator's signed status callbacks move it on.
        self.server.wait_for(lambda: self.server.rows(
            "SELECT status FROM messages WHERE sid = ?", (out["message_sid"],))[0]["status"]
            == "delivered", what="delivered")
        self.assertEqual(self.server.count("messages"), 1)

    def test_whatsapp_by_channel_or_prefix(self):
        for body in ({"to": CALLER, "body": "a", "channel": "whatsapp"},
                     {"to": "whatsapp:" + CALLER, "body": "b"}):
            r = self.server.api("POST", "/api/messages", body)
            self.assertEqual(r.status, 201, r.text)
            self.assertEqual(r.json()["channel"], "whatsapp")
            sid = r.json()["message_sid"]
            self.assertEqual(self.server.rows("SELECT channel, to_number FROM messages WHERE sid = ?",
                                              (sid,))[0], {"channel": "whatsapp", "to_number": CALLER})
            sent = self.server.twilio("GET", "/Messages/%s.json" % sid).json()
            self.assertEqual(sent["to"], "whatsapp:" + CALLER)

    def test_a_call_with_a_message_and_its_details(self):
        r = self.server.api("POST", "/api/calls", {"to": CALLER, "message": "Hello there",
                                                   "record": True, "userId": "u-2"})
        self.assertEqual(r.status, 201, r.text)
        out = r.json()
        self.assertRegex(out["call_sid"], r"^CA[0-9a-f]{32}$")
        self.assertEqual((out["status"], out["to"], out["from"]), ("queued", "+1***-***-0123",
                                                                   "+1***-***-9876"))
        # Twilio (the emulator) got the TwiML, the callbacks and Record.
        sent = self.server.twilio("GET", "/Calls/%s.json" % out["call_sid"])
        self.assertEqual(sent.status, 200)
        self.assertEqual(sent.json()["to"], CALLER)
        detail = self.server.api("GET", "/api/calls/" + out["call_sid"])
        self.assertEqual(detail.status, 200)
        d = detail.json()
        self.assertEqual((d["sid"], d["direction"], d["user_id"], d["to"]),
                         (out["call_sid"], "outbound-api", "u-2", "+1***-***-0123"))
        self.assertEqual((d["recordings"], d["transcriptions"]), ([], []))
        # The emulator plays the call (it says the message and hangs up) and reports each status.
        def statuses():
            call = self.server.api("GET", "/api/calls/" + out["call_sid"]).json()
            return [e["status"] for e in call["events"]] if call["status"] == "completed" else None
        seen = self.server.wait_for(statuses, what="the call's status events")
        self.assertEqual(seen, ["initiated", "ringing", "in-progress", "completed"])
        self.assertEqual(self.server.api("GET", "/api/calls/CA" + "0" * 32).status, 404)

    def test_a_call_runs_a_flow_by_url(self):
        r = self.server.api("POST", "/api/calls/outbound", {"to": CALLER})
        self.assertEqual(r.status, 201, r.text)
        row = self.server.rows("SELECT flow FROM calls WHERE sid = ?", (r.json()["call_sid"],))[0]
        self.assertEqual(row["flow"], "outbound-consent")
        r = self.server.api("POST", "/api/twilio/make-call", {"to": CALLER, "flow": "voicemail"})
        self.assertEqual(r.status, 201, r.text)

    def test_aliases_of_the_guides(self):
        r = self.server.api("POST", "/api/twilio/send-sms", {"to": OTHER, "body": "alias"})
        self.assertEqual(r.status, 201, r.text)
        for path in ("/api/twilio/calls", "/api/twilio/sms", "/api/messages"):
            self.assertEqual(self.server.api("GET", path).status, 200, path)
        listed = self.server.api("GET", "/api/twilio/sms?phoneNumber=" + OTHER).json()
        self.assertEqual([m["body"] for m in listed["messages"]], ["alias"])

    def test_opted_out_numbers_are_refused_before_twilio(self):
        number = "+14155550177"
        stop = {"AccountSid": self.server.account_sid, "MessageSid": harness.sid("SM"),
                "From": number, "To": BUSINESS, "Body": "STOP", "NumMedia": "0"}
        self.assertEqual(self.server.post_form("/twilio/sms", stop).status, 200)
        before = self.server.twilio("GET", "/Messages.json?PageSize=1000").json()["messages"]
        r = self.server.api("POST", "/api/messages", {"to": number, "body": "still there?"})
        self.assertEqual((r.status, r.json()["error"]["code"]), (409, "opted_out"))
        r = self.server.api("POST", "/api/calls", {"to": number, "message": "hi"})
        self.assertEqual(r.status, 409)
        after = self.server.twilio("GET", "/Messages.json?PageSize=1000").json()["messages"]
        self.assertEqual(len(after), len(before))
        self.assertEqual(self.server.count("calls", "to_number = ?", (number,)), 0)

    def test_cli_call_and_sms_take_the_same_path(self):
        p = self.server.run_cli("call", "+14155550166", "--message", "From the command line")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^call CA[0-9a-f]{32} queued to \+1\*\*\*-\*\*\*-0166 from ")
        sid = p.stdout.split()[1]
        self.assertEqual(self.server.count("calls", "sid = ? AND direction = 'outbound-api'",
                                           (sid,)), 1)
        p = self.server.run_cli("sms", "+14155550166", "From the CLI", "--whatsapp")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^whatsapp SM[0-9a-f]{32} queued ")
        p = self.server.run_cli("sms", "555", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("to: must be an E.164 number", p.stderr)
        p = self.server.run_cli("call")
        self.assertEqual(p.returncode, 2)


class Paging(ServerTest):
    emulator = True
    extra_env = {"API_SENDS_PER_MINUTE": "0"}

    def test_history_is_newest_first_and_pages_with_before(self):
        sent = []
        for i in range(7):
            r = self.server.api("POST", "/api/messages", {"to": OTHER, "body": "m%d" % i})
            self.assertEqual(r.status, 201, r.text)
            sent.append("m%d" % i)
        self.server.api("POST", "/api/messages", {"to": CALLER, "body": "elsewhere"})
        seen, target = [], "/api/messages?limit=3&phoneNumber=%2B" + OTHER[1:]
        while True:
            page = self.server.api("GET", target).json()
            self.assertLessEqual(len(page["messages"]), 3)
            seen += [m["body"] for m in page["messages"]]
            for m in page["messages"]:
                self.assertEqual(m["to"], "+1***-***-0188")
            if page["next_before"] is None:
                break
            target = "/api/messages?limit=3&phoneNumber=%2B" + OTHER[1:] + "&before=%d" % page["next_before"]
        self.assertEqual(seen, list(reversed(sent)))
        everything = self.server.api("GET", "/api/messages").json()["messages"]
        self.assertEqual(everything[0]["body"], "elsewhere")


class Bookings(ServerTest):
    def test_bookings_are_listed_newest_first_with_masked_numbers(self):
        with self.server.db() as db:
            for i, phone in enumerate((CALLER, OTHER, CALLER)):
                db.execute("INSERT INTO bookings (call_sid, phone, starts_at, timezone, summary, "
                           "created_at, updated_at) VALUES (?, ?, ?, 'America/New_York', ?, "
                           "'2026-11-21T10:00:00.000Z', '2026-11-21T10:00:00.000Z')",
                           (harness.sid("CA"), phone, "2026-11-2%dT20:00:00.000Z" % (2 + i),
                            "Booking %d" % i))
        self.assertEqual(self.server.api("GET", "/api/bookings", key="").status, 401)
        page = self.server.api("GET", "/api/bookings?limit=2").json()
        self.assertEqual([b["summary"] for b in page["bookings"]], ["Booking 2", "Booking 1"])
        self.assertEqual(page["bookings"][0]["phone"], "+1***-***-0123")
        self.assertEqual(page["bookings"][0]["status"], "pending")
        rest = self.server.api("GET", "/api/bookings?limit=2&before=%d" % page["next_before"])
        self.assertEqual([b["summary"] for b in rest.json()["bookings"]], ["Booking 0"])
        mine = self.server.api("GET", "/api/bookings?phoneNumber=%2B" + CALLER[1:]).json()
        self.assertEqual([b["summary"] for b in mine["bookings"]], ["Booking 2", "Booking 0"])
        self.assertNotIn(CALLER, json.dumps(mine))


class RateLimit(ServerTest):
    emulator = True
    extra_env = {"API_KEYS": "k-one-0123456789,k-two-0123456789", "API_SENDS_PER_MINUTE": "6",
                 "API_SEND_BURST": "3"}

    def test_each_key_has_its_own_bucket(self):
        for i in range(3):
            r = self.server.api("POST", "/api/messages", {"to": OTHER, "body": str(i)},
                                key="k-one-0123456789")
            self.assertEqual(r.status, 201, r.text)
        r = self.server.api("POST", "/api/messages", {"to": OTHER, "body": "3"},
                            key="k-one-0123456789")
        self.assertEqual((r.status, r.json()["error"]["code"]), (429, "rate_limited"))
        self.assertTrue(1 <= int(r.headers["retry-after"]) <= 10, r.headers)
        # Reads are not sends, and the other key is untouched.
        self.assertEqual(self.server.api("GET", "/api/messages", key="k-one-0123456789").status, 200)
        r = self.server.api("POST", "/api/calls", {"to": OTHER, "message": "x"},
                            key="k-two-0123456789")
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(self.server.count("messages"), 3)


# ---- Twilio failing ------------------------------------------------------------------------

class StandIn(http.server.ThreadingHTTPServer):
    """A local stand-in for Twilio's REST API whose behaviour a test sets: "refuse" answers
    Twilio's error JSON, "hang" reads the request and never answers."""
    daemon_threads = True

    def __init__(self):
        self.mode = "refuse"
        self.requests = 0
        self.release = threading.Event()
        super().__init__(("127.0.0.1", 0), StandInHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.server_address[1]


class StandInHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.requests += 1
        if self.server.mode == "hang":
            self.server.release.wait(30)
            return
        body = json.dumps({"code": 21215, "message": "Geo permission disabled for this region",
                           "more_info": "https://www.twilio.com/docs/errors/21215",
                           "status": 400}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TwilioFailing(unittest.TestCase):
    def setUp(self):
        self.twilio = StandIn()
        self.server = None

    def tearDown(self):
        self.twilio.release.set()
        self.twilio.shutdown()
        self.twilio.server_close()
        if self.server:
            self.server.stop()

    def start(self, base, **env):
        env.update({"TWILIO_API_BASE": base, "TWILIO_TIMEOUT": "1"})
        self.server = Server(env).start()
        return self.server

    def test_a_refusal_is_shown_and_kept(self):
        s = self.start(self.twilio.base)
        r = s.api("POST", "/api/calls", {"to": CALLER, "message": "hi"})
        self.assertEqual(r.status, 422, r.text)
        err = r.json()["error"]
        self.assertEqual((err["code"], err["twilio_code"]), ("twilio_error", 21215))
        self.assertIn("Geo permission", err["message"])
        row = s.rows("SELECT sid, status, error_code FROM calls")[0]
        self.assertEqual((row["status"], row["error_code"]), ("failed", "21215"))
        self.assertRegex(row["sid"], r"^HL[0-9a-f]{32}$")
        self.assertEqual(self.twilio.requests, 1)

    def test_unreachable_twilio_is_503_and_nothing_is_lost(self):
        s = self.start("http://127.0.0.1:%d" % closed_port())
        r = s.api("POST", "/api/messages", {"to": CALLER, "body": "hi"})
        self.assertEqual((r.status, r.json()["error"]["code"]), (503, "twilio_unreachable"))
        self.assertIn("retry-after", r.headers)
        self.assertEqual(s.rows("SELECT status FROM messages")[0]["status"], "failed")

    def test_no_answer_is_stored_as_unknown_and_not_repeated(self):
        self.twilio.mode = "hang"
        s = self.start(self.twilio.base)
        r = s.api("POST", "/api/calls", {"to": CALLER, "message": "hi"})
        self.assertEqual((r.status, r.json()["error"]["code"]), (504, "outcome_unknown"))
        self.assertEqual(self.twilio.requests, 1)
        listed = s.api("GET", "/api/calls").json()["calls"]
        self.assertEqual([c["status"] for c in listed], ["unknown"])

    def test_a_crash_while_twilio_is_asked_leaves_a_visible_row(self):
        self.twilio.mode = "hang"
        s = self.start(self.twilio.base, TWILIO_TIMEOUT="30")
        thread = threading.Thread(target=lambda: self.ignore(lambda: s.api(
            "POST", "/api/messages", {"to": CALLER, "body": "mid-crash"})), daemon=True)
        thread.start()
        s.wait_for(lambda: self.twilio.requests == 1, what="the REST request")
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        row = s.rows("SELECT status, body, sid FROM messages")[0]
        self.assertEqual((row["status"], row["body"], row["sid"]), ("requesting", "mid-crash", None))
        s.proc = None  # nothing left to stop; the directory is still removed
        s.log.close()

    @staticmethod
    def ignore(fn):
        try:
            fn()
        except OSError:
            pass


if __name__ == "__main__":
    harness.main()
