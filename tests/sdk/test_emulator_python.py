#!/usr/bin/python3
"""test_emulator_python.py — Debian's python3-twilio against hotline's emulator.

The smaller sibling of test_emulator_sdk.js: starts `$HOTLINE_BIN serve` in
emulator mode (no TWILIO_ACCOUNT_SID) on a free loopback port in a temporary
directory, reads the emulator account from SIM_ACCOUNT_FILE, and uses
twilio.rest.Client (7.7.1) with an http_client that subclasses
TwilioHttpClient and rewrites https://api.twilio.com to the server. Checks,
with account SID + token and with API key SID + secret: a message is created
(fields and types: SIDs, datetime dates, strings for counts), fetched until
it is "delivered", listed across pages; a call is created, fetched and
canceled; errors arrive as TwilioRestException with Twilio's status and code
(21211, 20404, 20003). The server must exit 0 on SIGTERM (sent by PID).
"""
import datetime
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

HOTLINE = os.environ.get("HOTLINE_BIN")
CALLEE = "+14155550123"
SENDER = "+15005550006"


class EmulatorHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, sent to the emulator instead of api.twilio.com."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        url = re.sub(r"^https://api\.twilio\.com(:443)?", self.base, url)
        return super().request(method, url, *args, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_account(path):
    acct = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^([A-Z_]+)=(.*)$", line.strip())
            if m:
                acct[m.group(1)] = m.group(2)
    return acct


class EmulatorSdkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not HOTLINE:
            raise SystemExit("HOTLINE_BIN is not set: run through ctest")
        cls.dir = tempfile.mkdtemp(prefix="hotline-emu-py-")
        cls.port = free_port()
        cls.base = "http://127.0.0.1:%d" % cls.port
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PORT": str(cls.port),
               "HOST": "127.0.0.1", "DATABASE_URL": "sqlite:" + os.path.join(cls.dir, "h.db"),
               "MEDIA_DIR": os.path.join(cls.dir, "media"),
               "SIM_ACCOUNT_FILE": os.path.join(cls.dir, "acct"), "LOG_FORMAT": "json"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        cls.log = open(os.path.join(cls.dir, "log"), "wb")
        cls.proc = subprocess.Popen([HOTLINE, "serve"], env=env, cwd=cls.dir, stdout=cls.log,
                                    stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(cls.base + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        cls.acct = read_account(os.path.join(cls.dir, "acct"))
        cls.client = Client(cls.acct["TWILIO_ACCOUNT_SID"], cls.acct["TWILIO_AUTH_TOKEN"],
                            http_client=EmulatorHttpClient(cls.base))
        cls.key_client = Client(cls.acct["TWILIO_API_KEY_SID"], cls.acct["TWILIO_API_KEY_SECRET"],
                                cls.acct["TWILIO_ACCOUNT_SID"],
                                http_client=EmulatorHttpClient(cls.base))

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        try:
            rc = cls.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
            rc = cls.proc.wait()
        cls.log.close()
        with open(os.path.join(cls.dir, "log"), "rb") as f:
            log = f.read().decode("utf-8", "replace")
        shutil.rmtree(cls.dir, ignore_errors=True)
        if rc != 0:
            raise AssertionError("hotline exited %s on SIGTERM:\n%s" % (rc, log[-3000:]))

    def assertSid(self, sid, prefix):
        self.assertRegex(sid, "^%s[0-9a-f]{32}$" % prefix)

    def assertRecent(self, when):
        self.assertIsInstance(when, datetime.datetime)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - when).total_seconds()), 300)

    def test_message_create_fetch_delivered(self):
        m = self.client.messages.create(to=CALLEE, from_=SENDER, body="from python",
                                        status_callback=self.base + "/twilio/message-status")
        self.assertSid(m.sid, "SM")
        self.assertEqual(m.account_sid, self.acct["TWILIO_ACCOUNT_SID"])
        self.assertEqual(m.status, "queued")
        self.assertEqual(m.direction, "outbound-api")
        self.assertEqual(m.num_segments, "1")
        self.assertEqual(m.api_version, "2010-04-01")
        self.assertIsNone(m.price)
        self.assertIsNone(m.date_sent)
        self.assertRecent(m.date_created)
        deadline = time.time() + 10
        fetched = self.key_client.messages(m.sid).fetch()
        while fetched.status != "delivered" and time.time() < deadline:
            time.sleep(0.05)
            fetched = self.key_client.messages(m.sid).fetch()
        self.assertEqual(fetched.status, "delivered")
        self.assertRecent(fetched.date_sent)
        self.assertEqual(fetched.body, "from python")

    def test_message_list_across_pages(self):
        to = "+14155550188"
        sids = [self.client.messages.create(to=to, from_=SENDER, body="p%d" % i).sid
                for i in range(5)]
        listed = self.key_client.messages.list(to=to, page_size=2)
        self.assertEqual([m.sid for m in listed], list(reversed(sids)))

    def test_call_create_fetch_cancel(self):
        # TwiML that takes 3 s to come keeps the call live while the test hangs it up.
        class Slow(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(3)
                body = b'<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>'
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        slow = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
        slow.daemon_threads = True
        threading.Thread(target=slow.serve_forever, daemon=True).start()
        self.addCleanup(slow.server_close)
        self.addCleanup(slow.shutdown)
        url = "http://127.0.0.1:%d/voice" % slow.server_address[1]
        c = self.client.calls.create(to=CALLEE, from_=SENDER, url=url)
        self.assertSid(c.sid, "CA")
        self.assertEqual(c.status, "queued")
        self.assertEqual(c.to_formatted, "(415) 555-0123")
        self.assertRecent(c.date_created)
        self.assertIsNone(c.start_time)
        self.assertEqual(self.key_client.calls(c.sid).fetch().sid, c.sid)
        done = self.client.calls(c.sid).update(status="completed")
        self.assertIn(done.status, ("completed", "canceled"))
        self.assertRegex(done.duration, r"^[0-9]+$")
        self.assertRecent(done.end_time)

    def assertRestError(self, fn, status, code):
        with self.assertRaises(TwilioRestException) as cm:
            fn()
        self.assertEqual(cm.exception.status, status)
        self.assertEqual(cm.exception.code, code)

    def test_errors_are_rest_exceptions(self):
        self.assertRestError(lambda: self.client.messages.create(to="555", from_=SENDER, body="x"),
                             400, 21211)
        self.assertRestError(lambda: self.client.calls("CA" + "0" * 32).fetch(), 404, 20404)
        wrong = Client(self.acct["TWILIO_API_KEY_SID"], "x" * 32, self.acct["TWILIO_ACCOUNT_SID"],
                       http_client=EmulatorHttpClient(self.base))
        # (7.7.1 reports a refused list page as a plain TwilioException, so fetch one call)
        self.assertRestError(lambda: wrong.calls("CA" + "0" * 32).fetch(), 401, 20003)


if __name__ == "__main__":
    unittest.main(verbosity=2)
