"""harness.py — start the real hotline binary and talk raw HTTP to it.

Every integration test uses Server: it picks a free loopback port, gives the
server a temporary database, media directory and emulator-free Twilio
account, waits for /health, and stops it with SIGTERM by its PID. When a
server stops, its whole log is checked: no full test phone number and no
secret may appear in it (hotline masks numbers and redacts secrets itself).

Requests are signed with Debian's official python3-twilio RequestValidator.
"""
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator

HOTLINE = os.environ.get("HOTLINE_BIN")
if not HOTLINE:
    raise SystemExit("HOTLINE_BIN is not set: run the integration tests through ctest (make test)")

# Numbers used by the tests: none of them may ever appear whole in a log.
CALLER = "+14155550123"
BUSINESS = "+14155559876"
WHATSAPP_CALLER = "+447700900321"
TEST_NUMBERS = [CALLER, BUSINESS, WHATSAPP_CALLER]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sid(prefix):
    return prefix + secrets.token_hex(16)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def xml(self):
        """Parse the body as TwiML; every TwiML answer must be a well-formed document."""
        assert self.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), self.body[:80]
        return ET.fromstring(self.body)


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed before a response head: %r" % data[:200])
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Response(status, headers, body[:length])


class Server:
    """emulator=True runs hotline with no Twilio account: the built-in emulator answers the
    REST API on the server's own port. Its account file is written here first, so the test
    knows the token that signs webhooks."""

    def __init__(self, extra_env=None, auth_token=None, emulator=False):
        self.dir = tempfile.mkdtemp(prefix="hotline-test-")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.account_sid = sid("AC")
        self.auth_token = auth_token or secrets.token_hex(16)
        self.api_key = "key_" + secrets.token_hex(12)
        self.db_path = os.path.join(self.dir, "hotline.db")
        self.log_path = os.path.join(self.dir, "server.log")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "PUBLIC_BASE_URL": self.base,
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_PHONE_NUMBER": BUSINESS,
            "DATABASE_URL": "sqlite:" + self.db_path,
            "MEDIA_DIR": os.path.join(self.dir, "media"),
            "API_KEYS": self.api_key,
            "BUSINESS_NAME": "Test Dental",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "debug",
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]
        self.emulator = emulator
        if emulator:
            del self.env["TWILIO_ACCOUNT_SID"], self.env["TWILIO_AUTH_TOKEN"]
            self.env["SIM_ACCOUNT_FILE"] = os.path.join(self.dir, "emulator-account")
            fd = os.open(self.env["SIM_ACCOUNT_FILE"], os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, ("TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n"
                          % (self.account_sid, self.auth_token)).encode())
            os.close(fd)
        self.env.update(extra_env or {})
        self.validator = RequestValidator(self.auth_token)
        self.proc = None

    def command(self):
        """The server's command line; under HL_VALGRIND=1 it runs inside valgrind, which
        turns any memory error or definite leak into a non-zero exit status."""
        if os.environ.get("HL_VALGRIND") == "1":
            return ["valgrind", "-q", "--error-exitcode=97", "--leak-check=full",
                    "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--num-callers=40",
                    HOTLINE, "serve"]
        return [HOTLINE, "serve"]

    def start(self):
        self.log = open(self.log_path, "ab")  # a restart after kill() adds to the same log
        self.proc = subprocess.Popen(self.command(), env=self.env, cwd=self.dir,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + (120 if os.environ.get("HL_VALGRIND") == "1" else 15)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited with %s:\n%s" % (self.proc.returncode,
                                                                    self.read_log()))
            try:
                if self.request("GET", "/health").status == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server did not answer /health:\n" + self.read_log())

    def kill(self):
        """SIGKILL the server by its PID, as a crash would end it; its directory, database and
        media stay for start() to run it again."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, check_log=True):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop on SIGTERM")
        if self.proc:
            self.log.close()
        log = self.read_log()
        rc = self.proc.returncode if self.proc else 0
        shutil.rmtree(self.dir, ignore_errors=True)
        if rc != 0:
            raise AssertionError("server exited with status %s:\n%s" % (rc, log[-4000:]))
        if check_log:
            assert_log_private(log, [self.auth_token, self.api_key])
        return log

    # ---- HTTP ---------------------------------------------------------------------------

    def connect(self, timeout=10):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return s

    def raw(self, data, timeout=10):
        with self.connect(timeout) as s:
            s.sendall(data)
            return read_response(s)

    def request(self, method, target, body=b"", headers=None):
        head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n" % (
            method, target, self.port)
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        if body or method == "POST":
            head += "Content-Length: %d\r\n" % len(body)
        return self.raw(head.encode() + b"\r\n" + body)

    def api(self, method, target, body=None, key=None, headers=None):
        """A JSON API request with a bearer key (the server's own unless key is given;
        key="" sends none)."""
        h = {}
        key = self.api_key if key is None else key
        if key:
            h["Authorization"] = "Bearer " + key
        data = b""
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        return self.request(method, target, data, h)

    def twilio(self, method, path, params=None):
        """A REST request to the emulator mounted on this server, with the account's Basic
        auth; path is relative to /2010-04-01/Accounts/{sid}."""
        target = "/2010-04-01/Accounts/%s%s" % (self.account_sid, path)
        auth = base64.b64encode(("%s:%s" % (self.account_sid, self.auth_token)).encode()).decode()
        h = {"Authorization": "Basic " + auth}
        body = b""
        if params is not None:
            body = urllib.parse.urlencode(params, doseq=True).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request(method, target, body, h)

    def run_cli(self, *args, timeout=60):
        """Run `hotline ARGS` with the server's environment and working directory."""
        return subprocess.run([HOTLINE] + list(args), env=self.env, cwd=self.dir,
                              capture_output=True, text=True, timeout=timeout)

    def wait_for(self, predicate, timeout=10, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("timed out waiting for " + what)

    def sign(self, target, params):
        return self.validator.compute_signature(self.base + target, dict(params))

    def post_form(self, target, params, signed=True, headers=None):
        """POST params (a dict or a list of pairs) as Twilio does, signed by default."""
        pairs = list(params.items()) if isinstance(params, dict) else list(params)
        body = urllib.parse.urlencode(pairs).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded",
             "User-Agent": "TwilioProxy/1.1"}
        if signed:
            h["X-Twilio-Signature"] = self.sign(target, pairs)
        h.update(headers or {})
        return self.request("POST", target, body, h)

    # ---- database -------------------------------------------------------------------------

    def db(self):
        conn = sqlite3.connect(self.db_path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def rows(self, sql, args=()):
        with self.db() as conn:
            return [dict(r) for r in conn.execute(sql, args).fetchall()]

    def count(self, table, where="1=1", args=()):
        return self.rows("SELECT COUNT(*) AS n FROM %s WHERE %s" % (table, where), args)[0]["n"]


def start_emulator(directory, account_file, port, public_base):
    """`hotline sim serve --port port` alone, with account_file, sending webhooks to
    public_base; waits until it says where it is. Returns (process, its log's path)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOST": "127.0.0.1",
           "SIM_ACCOUNT_FILE": account_file, "PUBLIC_BASE_URL": public_base,
           "LOG_FORMAT": "json"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    log_path = os.path.join(directory, "sim.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([HOTLINE, "sim", "serve", "--port", str(port)], env=env,
                                cwd=directory, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 15
    while time.time() < deadline:
        with open(log_path, "rb") as f:
            if b"Twilio emulator at" in f.read():
                return proc, log_path
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    with open(log_path, "rb") as f:
        raise AssertionError("hotline sim serve did not start:\n" + f.read().decode("utf-8", "replace"))


PHONE_RE = re.compile(r"\+?\d{10,15}")


def assert_log_private(log, secret_values):
    """No full test number, no secret, and nothing that looks like a whole phone number."""
    for number in TEST_NUMBERS:
        for form in (number, number[1:], urllib.parse.quote(number)):
            if form in log:
                raise AssertionError("log contains the full number %s" % number[:4])
    for secret in secret_values:
        if secret and secret in log:
            raise AssertionError("log contains a secret")
    for line in log.splitlines():
        for m in PHONE_RE.finditer(line):
            before = line[m.start() - 1] if m.start() > 0 else " "
            after = line[m.end()] if m.end() < len(line) else " "
            if not before.isalnum() and not after.isalnum() and m.group().startswith("+"):
                raise AssertionError("log line has an unmasked number: %s" % line[:200])


class ServerTest(unittest.TestCase):
    """A TestCase with one fresh server per test class."""
    extra_env = None
    emulator = False

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.extra_env, emulator=cls.emulator).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


def voice_params(call_sid, **extra):
    params = {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Called": BUSINESS,
        "Caller": CALLER,
        "Direction": "inbound",
        "From": CALLER,
        "FromCity": "SAN FRANCISCO",
        "FromCountry": "US",
        "To": BUSINESS,
    }
    params.update(extra)
    return params


def main():
    unittest.main(verbosity=2)
