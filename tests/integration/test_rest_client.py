"""test_rest_client.py — hotline's Twilio REST client (src/twilio/rest.h) against a
scripted stand-in for api.twilio.com.

Each test starts its own HTTP/1.1 keep-alive server on a free loopback port. The
server counts TCP connections, records every request (method, path, headers,
form with repeated keys, arrival time) and answers from a script: a list of
actions used in order, then a default. The client is driven through
tests/tools/rest_probe (found in HL_TOOLS_DIR), which prints one JSON line per
operation. Nothing here talks to anything but 127.0.0.1.

Standard library only.
"""
import base64
import hashlib
import json
import os
import secrets
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOOLS = os.environ.get("HL_TOOLS_DIR")
if not TOOLS:
    raise SystemExit("HL_TOOLS_DIR is not set: run the integration tests through ctest")
PROBE = os.path.join(TOOLS, "rest_probe")
if not os.access(PROBE, os.X_OK):
    raise SystemExit("%s is missing: build the rest_probe target first" % PROBE)

ACCOUNT = "AC" + "0123456789abcdef" * 2
API_KEY = "SK" + "fedcba9876543210" * 2
SECRET = "s3cr3t-" + secrets.token_hex(12)
TO, FROM = "+14155550123", "+14155559876"
CALL_SID = "CA" + "1" * 32
REC_SID = "RE" + "2" * 32
PREFIX = "/2010-04-01/Accounts/" + ACCOUNT


def call_json(sid=CALL_SID, status="queued", duration=None):
    return {"sid": sid, "status": status, "direction": "outbound-api", "from": FROM, "to": TO,
            "date_created": "Fri, 21 Nov 2025 05:35:09 +0000", "duration": duration,
            "account_sid": ACCOUNT}


def twilio_error(status, code, message):
    return {"code": code, "message": message, "status": status,
            "more_info": "https://www.twilio.com/docs/errors/%d" % code}


# ---- Actions: what the server does with one request -----------------------------------------

def reply(status, body=b"", content_type="application/json", headers=()):
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()

    def act(h):
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)
    return act


def drop():
    """Read the request, then close the connection without a byte of answer."""
    def act(h):
        h.close_connection = True
    return act


def slow(seconds, then):
    def act(h):
        time.sleep(seconds)
        try:
            then(h)
        except OSError:
            h.close_connection = True
    return act


def chunked(data, content_type="audio/x-wav"):
    def act(h):
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for i in range(0, len(data), 1000):
                piece = data[i:i + 1000]
                h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            h.close_connection = True
    return act


def redirect(location):
    return reply(302, b"moved", "text/plain", [("Location", location)])


# ---- The scripted server ---------------------------------------------------------------------

class Request:
    def __init__(self, h, body):
        self.method = h.command
        self.path = urllib.parse.urlsplit(h.path).path
        self.headers = {k.lower(): v for k, v in h.headers.items()}
        self.body = body
        self.form = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        self.time = time.monotonic()

    def basic_auth(self):
        kind, _, value = self.headers.get("authorization", "").partition(" ")
        return base64.b64decode(value).decode() if kind == "Basic" else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.next_action(Request(self, body))(self)

    do_GET = do_POST = do_DELETE = handle_any

    def log_message(self, fmt, *args):
        pass


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, default=None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.connections = 0
        self.requests = []
        self.script = []
        self.default = default or reply(201, call_json())
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def process_request(self, request, client_address):
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)

    def next_action(self, req):
        with self.lock:
            self.requests.append(req)
            return self.script.pop(0) if self.script else self.default

    def stop(self):
        self.shutdown()
        self.server_close()


class SilentServer:
    """Accepts TCP connections and never says a word: a TLS handshake that never ends."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.accepted = []
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return

    def stop(self):
        self.sock.close()
        for s in self.accepted:
            s.close()


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- Tests -----------------------------------------------------------------------------------

class RestClientTest(unittest.TestCase):
    def setUp(self):
        self.api = ScriptedServer()
        self.dir = tempfile.mkdtemp(prefix="hotline-rest-")

    def tearDown(self):
        self.api.stop()
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def probe(self, *args, base=None, user=ACCOUNT, options=("--backoff-ms", "20")):
        cmd = [PROBE, "--base", base or self.api.url, "--account", ACCOUNT, "--user", user,
               "--password", SECRET, *options, *args]
        p = subprocess.run(cmd, capture_output=True, timeout=120)
        self.assertNotIn(SECRET.encode(), p.stdout + p.stderr)
        self.assertIn(p.returncode, (0, 1), p.stderr.decode())
        return json.loads(p.stdout.decode().strip().splitlines()[-1])

    def create(self, *extra, **kw):
        return self.probe("call-create", "--to", TO, "--from", FROM,
                          "--url", "https://example.com/twiml", *extra, **kw)

    def assert_rc(self, out, rc, attempts=None):
        self.assertEqual(out["rc"], rc, out)
        if attempts is not None:
            self.assertEqual(out["reply"]["attempts"], attempts, out)

    # -- wire format ----------------------------------------------------------------------

    def test_call_create_wire_format(self):
        url = "https://example.com/twiml?a=1&b=two words&c=\u00e9+\u00fc/~"
        out = self.probe(
            "call-create", "--to", TO, "--from", FROM, "--url", url, "--method", "POST",
            "--status-callback", "https://example.com/status",
            "--events", "initiated,ringing,answered,completed",
            "--status-callback-method", "POST", "--record",
            "--recording-status-callback", "https://example.com/rec",
            "--recording-events", "in-progress,completed,absent",
            "--timeout", "25", "--machine-detection", "Enable")
        self.assert_rc(out, "HL_OK", 1)
        self.assertEqual(out["result"]["sid"], CALL_SID)
        self.assertEqual(out["result"]["status"], "queued")
        self.assertEqual(out["result"]["duration_s"], -1)
        self.assertEqual(out["reply"]["http_status"], 201)
        [req] = self.api.requests
        self.assertEqual(req.method, "POST")
        self.assertEqual(req.path, PREFIX + "/Calls.json")
        self.assertEqual(req.basic_auth(), ACCOUNT + ":" + SECRET)
        self.assertEqual(req.headers["accept"], "application/json")
        self.assertTrue(req.headers["user-agent"].startswith("hotline/"), req.headers)
        self.assertIn("(libcurl/", req.headers["user-agent"])
        self.assertEqual(req.headers["content-type"], "application/x-www-form-urlencoded")
        self.assertNotIn("expect", req.headers)
        self.assertEqual(req.form, [
            ("To", TO), ("From", FROM), ("Url", url), ("Method", "POST"),
            ("StatusCallback", "https://example.com/status"),
            ("StatusCallbackEvent", "initiated"), ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"), ("StatusCallbackEvent", "completed"),
            ("StatusCallbackMethod", "POST"), ("Record", "true"),
            ("RecordingStatusCallback", "https://example.com/rec"),
            ("RecordingStatusCallbackEvent", "in-progress"),
            ("RecordingStatusCallbackEvent", "completed"),
            ("RecordingStatusCallbackEvent", "absent"),
            ("Timeout", "25"), ("MachineDetection", "Enable")])
        # Every byte outside the unreserved set is percent-encoded: no raw '+', ' ' or '&'.
        self.assertNotIn(b"+", req.body.replace(b"%2B", b""))
        self.assertNotIn(b" ", req.body)

    def test_twiml_call_sends_only_given_parameters(self):
        twiml = '<Response><Say>Hello & "bye"</Say></Response>'
        out = self.probe("call-create", "--to", TO, "--from", FROM, "--twiml", twiml)
        self.assert_rc(out, "HL_OK", 1)
        self.assertEqual(self.api.requests[0].form, [("To", TO), ("From", FROM), ("Twiml", twiml)])

    def test_api_key_and_account_auth(self):
        self.assert_rc(self.create(user=API_KEY), "HL_OK")
        self.assert_rc(self.create(user=ACCOUNT), "HL_OK")
        key, account = self.api.requests
        self.assertEqual(key.basic_auth(), API_KEY + ":" + SECRET)
        self.assertEqual(key.path, PREFIX + "/Calls.json")
        self.assertEqual(account.basic_auth(), ACCOUNT + ":" + SECRET)

    def test_message_create_wire_format(self):
        self.api.default = reply(201, {
            "sid": "SM" + "3" * 32, "status": "queued", "direction": "outbound-api",
            "from": FROM, "to": "whatsapp:" + TO, "date_created": "x", "num_segments": "2",
            "error_code": None})
        body = "Caf\u00e9 \u2615 & 100% + more \U0001F600"
        out = self.probe("message-create", "--to", "whatsapp:" + TO, "--from", FROM,
                         "--body", body, "--media", "https://example.com/a.jpg",
                         "--media", "https://example.com/b.jpg?x=1&y=2",
                         "--status-callback", "https://example.com/ms")
        self.assert_rc(out, "HL_OK", 1)
        self.assertEqual(out["result"]["num_segments"], 2)
        self.assertEqual(out["result"]["error_code"], 0)
        self.assertEqual(out["result"]["to"], "whatsapp:" + TO)
        [req] = self.api.requests
        self.assertEqual(req.path, PREFIX + "/Messages.json")
        self.assertEqual(req.form, [
            ("To", "whatsapp:" + TO), ("From", FROM), ("Body", body),
            ("MediaUrl", "https://example.com/a.jpg"),
            ("MediaUrl", "https://example.com/b.jpg?x=1&y=2"),
            ("StatusCallback", "https://example.com/ms")])

    def test_call_update_fetch_and_recording_operations(self):
        self.api.script = [reply(200, call_json(status="completed", duration="15")),
                           reply(200, call_json(status="completed", duration="15")),
                           reply(200, {"sid": REC_SID, "call_sid": CALL_SID, "status": "completed",
                                       "source": "RecordVerb", "date_created": "x",
                                       "duration": "6", "channels": 1}),
                           reply(204)]
        out = self.probe("call-update", CALL_SID, "--status", "completed")
        self.assert_rc(out, "HL_OK", 1)
        self.assertEqual(out["result"]["duration_s"], 15)
        out = self.probe("call-fetch", CALL_SID)
        self.assert_rc(out, "HL_OK", 1)
        out = self.probe("recording-fetch", REC_SID)
        self.assert_rc(out, "HL_OK", 1)
        self.assertEqual(out["result"], {"sid": REC_SID, "call_sid": CALL_SID,
                                         "status": "completed", "source": "RecordVerb",
                                         "date_created": "x", "duration_s": 6, "channels": 1})
        out = self.probe("recording-delete", REC_SID)
        self.assert_rc(out, "HL_OK", 1)
        self.assertEqual(out["reply"]["http_status"], 204)
        update, fetch, rec, delete = self.api.requests
        self.assertEqual((update.method, update.path), ("POST", PREFIX + "/Calls/%s.json" % CALL_SID))
        self.assertEqual(update.form, [("Status", "completed")])
        self.assertEqual((fetch.method, fetch.path), ("GET", PREFIX + "/Calls/%s.json" % CALL_SID))
        self.assertEqual((rec.method, rec.path), ("GET", PREFIX + "/Recordings/%s.json" % REC_SID))
        self.assertEqual((delete.method, delete.path),
                         ("DELETE", PREFIX + "/Recordings/%s.json" % REC_SID))

    def test_bad_parameters_send_nothing(self):
        cases = [
            ("call-fetch", "CA../../Messages"),
            ("call-fetch", "CA" + "1" * 31 + "/"),
            ("recording-delete", "RE" + "g" * 32),
            ("call-update", "CA" + "1" * 32, "--url", "u", "--twiml", "<Response/>"),
            ("message-create", "--to", TO, "--from", FROM, "--body", "\u00e9" * 1601),
        ]
        for case in cases:
            out = self.probe(*case)
            self.assert_rc(out, "HL_EINVAL", 0)
        self.assertEqual(self.api.requests, [])

    # -- errors ---------------------------------------------------------------------------

    def test_twilio_error_json_becomes_the_message(self):
        self.api.default = reply(400, twilio_error(
            400, 21211, "The 'To' number +1555 is not a valid phone number."))
        out = self.create()
        self.assert_rc(out, "HL_EREMOTE", 1)
        self.assertEqual(out["err"], "Twilio refused the request (HTTP 400, code 21211): The 'To' "
                         "number +1555 is not a valid phone number. "
                         "(https://www.twilio.com/docs/errors/21211)")
        self.assertEqual(out["reply"], {"http_status": 400, "twilio_code": 21211, "attempts": 1,
                                        "more_info": "https://www.twilio.com/docs/errors/21211"})

    def test_non_json_error_and_404(self):
        self.api.script = [reply(502, b"<html>Bad gateway</html>", "text/html"),
                           reply(404, twilio_error(404, 20404, "The requested resource was not found"))]
        out = self.create()
        self.assert_rc(out, "HL_EREMOTE", 1)
        self.assertIn("HTTP 502", out["err"])
        self.assertIn("<html>Bad gateway</html>", out["err"])
        out = self.probe("call-fetch", CALL_SID)
        self.assert_rc(out, "HL_ENOTFOUND", 1)
        self.assertEqual(out["reply"]["twilio_code"], 20404)

    def test_secret_echoed_by_the_server_is_not_repeated(self):
        self.api.default = reply(401, twilio_error(401, 20003, "Bad credentials " + SECRET))
        out = self.create()  # probe() asserts SECRET is nowhere in the output
        self.assert_rc(out, "HL_EREMOTE", 1)
        self.assertIn("Bad credentials ***", out["err"])

    def test_garbage_success_answer_is_unknown(self):
        self.api.default = reply(201, b"<html>not json</html>", "text/html")
        out = self.create()
        self.assert_rc(out, "HL_EUNKNOWN", 1)
        self.assertIn("not repeated", out["err"])

    # -- retries --------------------------------------------------------------------------

    def test_429_twice_then_created(self):
        limited = reply(429, twilio_error(429, 20429, "Too Many Requests"))
        self.api.script = [limited, limited]
        out = self.create(options=("--backoff-ms", "200", "--backoff-cap-ms", "500"))
        self.assert_rc(out, "HL_OK", 3)
        self.assertEqual(out["result"]["sid"], CALL_SID)
        times = [r.time for r in self.api.requests]
        self.assertEqual(len(times), 3)
        # Retry n sleeps random(0, min(cap, base * 2^n)): at most 400 ms, then 500 ms (capped).
        for gap, bound in zip([b - a for a, b in zip(times, times[1:])], [0.4, 0.5]):
            self.assertGreaterEqual(gap, 0)
            self.assertLess(gap, bound + 0.3, times)
        forms = [r.form for r in self.api.requests]
        self.assertEqual(forms[0], forms[1])
        self.assertEqual(forms[0], forms[2])

    def test_429_forever_gives_up_after_the_retries(self):
        self.api.default = reply(429, twilio_error(429, 20429, "Too Many Requests"))
        out = self.create()
        self.assert_rc(out, "HL_EREMOTE", 4)
        self.assertEqual(out["reply"]["http_status"], 429)
        self.assertEqual(out["reply"]["twilio_code"], 20429)
        self.assertIn("Too Many Requests", out["err"])
        self.assertIn("4 attempts", out["err"])
        self.assertEqual(len(self.api.requests), 4)

    def test_500_is_not_repeated(self):
        self.api.default = reply(500, twilio_error(500, 20500, "Internal Server Error"))
        out = self.create()
        self.assert_rc(out, "HL_EREMOTE", 1)
        self.assertIn("not repeated", out["err"])
        self.assertEqual(len(self.api.requests), 1)

    def test_dropped_connection_is_unknown_and_not_repeated(self):
        self.api.default = drop()
        out = self.create()
        self.assert_rc(out, "HL_EUNKNOWN", 1)
        self.assertIn("outcome is unknown", out["err"])
        self.assertEqual(len(self.api.requests), 1)

    def test_dropped_reused_connection_is_not_resent_by_libcurl(self):
        # libcurl alone would re-send a request whose reused connection closed with no answer.
        self.api.script = [reply(201, call_json()), drop()]
        out = self.probe("burst-creates", "2", "--to", TO, "--from", FROM, "--url", "https://e/x")
        self.assert_rc(out, "HL_EUNKNOWN", 1)
        self.assertEqual(out["ok"], 1)
        self.assertEqual(len(self.api.requests), 2)

    def test_slow_answer_times_out_once(self):
        self.api.default = slow(3, reply(201, call_json()))
        out = self.create(options=("--timeout-ms", "500", "--backoff-ms", "20"))
        self.assert_rc(out, "HL_EUNKNOWN", 1)
        self.assertIn("within 500 ms", out["err"])
        self.assertLess(out["elapsed_ms"], 500 + 1500)
        self.assertEqual(len(self.api.requests), 1)

    def test_connection_refused_is_retried_then_unreachable(self):
        out = self.create(base="http://127.0.0.1:%d" % closed_port(),
                          options=("--retries", "2", "--backoff-ms", "20"))
        self.assert_rc(out, "HL_EUNREACHABLE", 3)
        self.assertIn("nothing was sent", out["err"])
        self.assertEqual(out["reply"]["http_status"], 0)

    def test_tls_handshake_timeout_is_retried(self):
        silent = SilentServer()
        try:
            out = self.create(base="https://127.0.0.1:%d" % silent.sock.getsockname()[1],
                              options=("--retries", "2", "--backoff-ms", "20",
                                       "--connect-timeout-ms", "300"))
        finally:
            time.sleep(0.1)
            accepted = len(silent.accepted)
            silent.stop()
        self.assert_rc(out, "HL_EUNREACHABLE", 3)
        self.assertEqual(accepted, 3)

    # -- connection reuse -----------------------------------------------------------------

    def test_sequential_creates_share_one_connection(self):
        out = self.probe("burst-creates", "20", "--to", TO, "--from", FROM, "--url", "https://e/x")
        self.assert_rc(out, "HL_OK")
        self.assertEqual(out["ok"], 20)
        self.assertEqual(len(self.api.requests), 20)
        self.assertEqual(self.api.connections, 1)

    def test_concurrent_creates_reuse_pooled_connections(self):
        out = self.probe("burst-creates", "10", "--threads", "4", "--to", TO, "--from", FROM,
                         "--url", "https://e/x")
        self.assert_rc(out, "HL_OK")
        self.assertEqual(out["ok"], 40)
        self.assertEqual(len(self.api.requests), 40)
        self.assertLessEqual(self.api.connections, 4)

    # -- downloads ------------------------------------------------------------------------

    def rec_url(self, server=None):
        return (server or self.api).url + PREFIX + "/Recordings/" + REC_SID

    def assert_no_files(self):
        self.assertEqual(os.listdir(self.dir), [])

    def test_download_writes_the_file_atomically(self):
        audio = os.urandom(50000)
        self.api.default = reply(200, audio, "audio/x-wav")
        path = os.path.join(self.dir, "rec.wav")
        out = self.probe("recording-download", self.rec_url(), path)
        self.assert_rc(out, "HL_OK", 1)
        self.assertEqual(out["result"], {"size_bytes": len(audio), "content_type": "audio/x-wav",
                                         "sha256": hashlib.sha256(audio).hexdigest()})
        with open(path, "rb") as f:
            self.assertEqual(f.read(), audio)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual(os.listdir(self.dir), ["rec.wav"])
        [req] = self.api.requests
        self.assertEqual(req.path, PREFIX + "/Recordings/%s.wav" % REC_SID)
        self.assertEqual(req.basic_auth(), ACCOUNT + ":" + SECRET)

    def test_download_keeps_an_mp3_url(self):
        self.api.default = reply(200, b"ID3", "audio/mpeg")
        out = self.probe("recording-download", self.rec_url() + ".mp3",
                         os.path.join(self.dir, "r.mp3"))
        self.assert_rc(out, "HL_OK")
        self.assertEqual(self.api.requests[0].path, PREFIX + "/Recordings/%s.mp3" % REC_SID)

    def test_download_over_the_cap_leaves_no_file(self):
        path = os.path.join(self.dir, "big.wav")
        big = os.urandom(5000)
        for action in (reply(200, big, "audio/x-wav"), chunked(big)):
            self.api.default = action
            out = self.probe("recording-download", self.rec_url(), path,
                             options=("--max-bytes", "4096"))
            self.assert_rc(out, "HL_ETOOLARGE", 1)
            self.assert_no_files()

    def test_download_failure_keeps_an_existing_file(self):
        path = os.path.join(self.dir, "rec.wav")
        with open(path, "wb") as f:
            f.write(b"old")
        self.api.default = reply(404, twilio_error(404, 20404, "not found"))
        out = self.probe("recording-download", self.rec_url(), path)
        self.assert_rc(out, "HL_ENOTFOUND", 1)
        self.assertEqual(os.listdir(self.dir), ["rec.wav"])
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"old")

    def test_download_into_a_missing_directory_is_eio_unsent(self):
        out = self.probe("recording-download", self.rec_url(),
                         os.path.join(self.dir, "missing", "r.wav"))
        self.assert_rc(out, "HL_EIO", 0)
        self.assertEqual(self.api.requests, [])

    def test_download_redirect_drops_the_credentials(self):
        media = ScriptedServer(default=reply(200, b"RIFF-audio", "audio/x-wav"))
        try:
            self.api.default = redirect(media.url + "/media/" + REC_SID + ".wav")
            path = os.path.join(self.dir, "r.wav")
            out = self.probe("recording-download", self.rec_url(), path)
            self.assert_rc(out, "HL_OK", 1)
            self.assertEqual(out["result"]["size_bytes"], len(b"RIFF-audio"))
            [first] = self.api.requests
            [second] = media.requests
            self.assertEqual(first.basic_auth(), ACCOUNT + ":" + SECRET)
            self.assertNotIn("authorization", second.headers)
            self.assertEqual(second.path, "/media/%s.wav" % REC_SID)
        finally:
            media.stop()

    def test_download_from_another_host_is_refused_unsent(self):
        other = ScriptedServer(default=reply(200, b"audio", "audio/x-wav"))
        try:
            for url in (self.rec_url(other), "ftp://127.0.0.1/x",
                        self.rec_url().replace("http://", "http://u:p@")):
                out = self.probe("recording-download", url, os.path.join(self.dir, "r.wav"))
                self.assert_rc(out, "HL_EINVAL", 0)
            self.assertIn("not on TWILIO_API_BASE",
                          self.probe("recording-download", self.rec_url(other),
                                     os.path.join(self.dir, "r.wav"))["err"])
            self.assertEqual(other.requests, [])
            self.assertEqual(self.api.requests, [])
            self.assert_no_files()
        finally:
            other.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
