"""The built-in Twilio emulator end to end: the real binary in emulator mode
(no TWILIO_ACCOUNT_SID), spoken to in raw HTTP.

- Messages created through the emulator's REST API get signed status
  callbacks that hotline accepts: its messages table ends with "delivered".
- POST /sim/Messages.json (a person texting the business) reaches hotline as
  a signed webhook; hotline's reply comes back; STOP lands in hotline's
  optouts table and makes the emulator refuse later sends with 21610, START
  undoes both.
- `hotline sim sms` prints hotline's reply, and fails clearly on bad usage
  (exit 2) and with no emulator to talk to (exit 1).
- `hotline sim serve` runs the emulator alone: it says where on stderr,
  answers with Basic auth only, delivers webhooks to PUBLIC_BASE_URL, and
  exits 0 on SIGTERM.

Every server's log is checked for full phone numbers and secrets when it stops.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import (BUSINESS, CALLER, HOTLINE, WHATSAPP_CALLER, Server,  # noqa: E402
                     assert_log_private, free_port, main)
from harness import start_emulator as harness_start_emulator  # noqa: E402


def read_account(path):
    acct = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                acct[k] = v
    return acct


class EmulatorServer(Server):
    """hotline serve in emulator mode: no Twilio account, an emulator account file instead."""

    def __init__(self, extra_env=None):
        super().__init__(extra_env)
        for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
            self.env.pop(k, None)
        self.account_file = os.path.join(self.dir, "emulator-account")
        self.env["SIM_ACCOUNT_FILE"] = self.account_file
        self.acct = None

    def start(self):
        super().start()
        self.acct = read_account(self.account_file)
        self.account_sid = self.acct["TWILIO_ACCOUNT_SID"]
        self.auth_token = self.acct["TWILIO_AUTH_TOKEN"]  # what the log must never show
        return self

    def stop(self, check_log=True):
        secret = self.acct["TWILIO_API_KEY_SECRET"] if self.acct else None
        log = super().stop(check_log)
        if check_log:
            assert_log_private(log, [secret])
        return log

    def auth(self, user=None, password=None):
        user = user or self.acct["TWILIO_ACCOUNT_SID"]
        password = password or self.acct["TWILIO_AUTH_TOKEN"]
        token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        return {"Authorization": "Basic " + token}

    def api(self, method, path, params=None, auth=None, base_path=None):
        """A REST request to the emulator (form body for POST)."""
        if base_path is None:
            base_path = "/2010-04-01/Accounts/%s" % self.acct["TWILIO_ACCOUNT_SID"]
        target = base_path + path
        headers = dict(auth if auth is not None else self.auth())
        body = b""
        if params is not None:
            body = urllib.parse.urlencode(params).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request(method, target, body, headers)

    def sim(self, params):
        return self.api("POST", "/sim/Messages.json", params, base_path="")


def wait_for(fn, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.05)
    return fn()


class EmulatorModeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = EmulatorServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_account_file_has_a_key_pair(self):
        acct = self.server.acct
        self.assertRegex(acct["TWILIO_ACCOUNT_SID"], "^AC[0-9a-f]{32}$")
        self.assertRegex(acct["TWILIO_API_KEY_SID"], "^SK[0-9a-f]{32}$")
        self.assertRegex(acct["TWILIO_API_KEY_SECRET"], "^[A-Za-z0-9]{32}$")
        self.assertEqual(os.stat(self.server.account_file).st_mode & 0o777, 0o600)

    def test_rest_auth(self):
        s = self.server
        self.assertEqual(s.api("GET", "/Calls.json").status, 200)
        key = s.auth(s.acct["TWILIO_API_KEY_SID"], s.acct["TWILIO_API_KEY_SECRET"])
        self.assertEqual(s.api("GET", "/Calls.json", auth=key).status, 200)
        r = s.api("GET", "/Calls.json", auth={})
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["code"], 20003)
        self.assertEqual(r.headers["www-authenticate"], 'Basic realm="Twilio API"')
        r = s.api("GET", "/Calls.json", auth=s.auth(password="0" * 32))
        self.assertEqual(r.status, 401)

    def test_status_callbacks_reach_hotline(self):
        s = self.server
        r = s.api("POST", "/Messages.json", {
            "To": CALLER, "From": BUSINESS, "Body": "Your appointment is confirmed",
            "StatusCallback": s.base + "/twilio/message-status"})
        self.assertEqual(r.status, 201, r.text)
        sid = r.json()["sid"]
        rows = wait_for(lambda: [row for row in s.rows(
            "SELECT status FROM messages WHERE sid = ?", (sid,)) if row["status"] == "delivered"])
        self.assertTrue(rows, "hotline never stored the delivered status")
        self.assertEqual(s.api("GET", "/Messages/%s.json" % sid).json()["status"], "delivered")
        # The server writes its log in batches (every 20 ms): wait for the line.
        log = wait_for(lambda: '"message_status":"sent"' in s.read_log() and s.read_log())
        self.assertTrue(log, "the sent callback never reached the log")
        self.assertNotIn("webhook refused", log)

    def test_incoming_text_gets_hotlines_reply(self):
        s = self.server
        r = s.sim({"From": CALLER, "To": BUSINESS, "Body": "remember the milk"})
        self.assertEqual(r.status, 201, r.text)
        doc = r.json()
        self.assertEqual(doc["webhook"]["status"], 200)
        self.assertEqual(doc["webhook"]["url"], s.base + "/twilio/sms")
        self.assertIn("Your note has been saved", doc["replies"][0]["body"])
        sid = doc["message"]["sid"]
        rows = s.rows("SELECT direction, body, from_number FROM messages WHERE sid = ?", (sid,))
        self.assertEqual(rows, [{"direction": "inbound", "body": "remember the milk",
                                 "from_number": CALLER}])

    def test_whatsapp_text_reaches_hotline_as_whatsapp(self):
        s = self.server
        r = s.sim({"From": WHATSAPP_CALLER, "To": BUSINESS, "Body": "hi", "Channel": "whatsapp"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["message"]["from"], "whatsapp:" + WHATSAPP_CALLER)
        rows = s.rows("SELECT channel FROM messages WHERE sid = ?", (r.json()["message"]["sid"],))
        self.assertEqual(rows, [{"channel": "whatsapp"}])

    def test_stop_opts_out_in_hotline_and_the_emulator(self):
        s = self.server
        person = "+14155550147"
        send = {"To": person, "From": BUSINESS, "Body": "Reminder"}
        self.assertEqual(s.api("POST", "/Messages.json", send).status, 201)
        r = s.sim({"From": person, "To": BUSINESS, "Body": "STOP"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["webhook"]["status"], 200)
        self.assertEqual(s.count("optouts", "phone = ?", (person,)), 1)
        r = s.api("POST", "/Messages.json", send)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["code"], 21610)
        r = s.sim({"From": person, "To": BUSINESS, "Body": "start"})
        self.assertEqual(r.status, 201, r.text)
        self.assertIn("resubscribed", r.json()["replies"][0]["body"])
        self.assertEqual(s.count("optouts", "phone = ?", (person,)), 0)
        self.assertEqual(s.api("POST", "/Messages.json", send).status, 201)

    def run_cli(self, args, env_extra=None, timeout=30):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "SIM_ACCOUNT_FILE": self.server.account_file,
               "TWILIO_API_BASE": self.server.base, "LOG_FORMAT": "json"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        env.update(env_extra or {})
        cwd = tempfile.mkdtemp(prefix="hotline-cli-")
        try:
            return subprocess.run([HOTLINE] + args, env=env, cwd=cwd, capture_output=True,
                                  timeout=timeout, text=True)
        finally:
            shutil.rmtree(cwd, ignore_errors=True)

    def test_sim_sms_prints_hotlines_reply(self):
        p = self.run_cli(["sim", "sms", "--from", CALLER, "--to", BUSINESS, "call", "me", "back"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Your note has been saved", p.stdout)
        rows = self.server.rows("SELECT body FROM messages WHERE body = 'call me back'")
        self.assertEqual(len(rows), 1)

    def test_sim_sms_usage_errors_exit_2(self):
        for args in (["sim"], ["sim", "nope"], ["sim", "sms", "text"], ["sim", "sms", "--from", CALLER],
                     ["sim", "sms", "--from", CALLER, "--bogus", "x"], ["sim", "serve", "--port", "x"]):
            p = self.run_cli(args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertTrue(p.stderr.startswith("hotline: sim: "), p.stderr)

    def test_sim_sms_without_an_emulator_exits_1(self):
        port = free_port()
        p = self.run_cli(["sim", "sms", "--from", CALLER, "hello"],
                         {"TWILIO_API_BASE": "http://127.0.0.1:%d" % port})
        self.assertEqual(p.returncode, 1)
        self.assertIn("is `hotline serve` running?", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)


class StandaloneEmulatorTest(unittest.TestCase):
    """`hotline sim serve` next to a hotline that has an account of its own."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="hotline-sim-")
        cls.account_file = os.path.join(cls.dir, "acct")
        cls.sim_port = free_port()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start_emulator(self, public_base):
        proc, self.log_path = harness_start_emulator(self.dir, self.account_file, self.sim_port,
                                                     public_base)
        return proc

    def read_sim_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def test_sim_serve_runs_alone_and_stops_on_sigterm(self):
        # The emulator's token signs the webhooks, so hotline shares its account file.
        hotline = EmulatorServer()
        hotline.env["SIM_ACCOUNT_FILE"] = self.account_file
        hotline.account_file = self.account_file
        hotline.start()
        proc = self.start_emulator(hotline.base)
        try:
            first = self.read_sim_log().splitlines()[0]
            self.assertIn("http://127.0.0.1:%d" % self.sim_port, first)
            self.assertIn(hotline.acct["TWILIO_ACCOUNT_SID"], first)
            sim = Server()  # only for its raw HTTP helpers, pointed at the emulator
            sim.port = self.sim_port
            path = "/2010-04-01/Accounts/%s/Calls.json" % hotline.acct["TWILIO_ACCOUNT_SID"]
            self.assertEqual(sim.request("GET", path, b"", hotline.auth()).status, 200)
            self.assertEqual(sim.request("GET", path).status, 401)
            self.assertEqual(sim.request("GET", "/health").status, 404)
            body = urllib.parse.urlencode({"From": CALLER, "To": BUSINESS, "Body": "standalone"})
            headers = dict(hotline.auth())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            r = sim.request("POST", "/sim/Messages.json", body.encode(), headers)
            self.assertEqual(r.status, 201, r.text)
            self.assertEqual(r.json()["webhook"]["url"], hotline.base + "/twilio/sms")
            self.assertIn("Your note has been saved", r.json()["replies"][0]["body"])
            shutil.rmtree(sim.dir, ignore_errors=True)
        finally:
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=20)
            hotline.stop()
        self.assertEqual(rc, 0, self.read_sim_log())
        log = self.read_sim_log()
        assert_log_private(log, [hotline.acct["TWILIO_AUTH_TOKEN"],
                                 hotline.acct["TWILIO_API_KEY_SECRET"]])
        self.assertIn('"msg":"emulator stopped"', log)


if __name__ == "__main__":
    main()
