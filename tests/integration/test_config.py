"""Start-up configuration: bad values stop the server with one line naming
the variable (never a secret), .env is read and the environment wins, help
is useful, and emulator mode keeps its account across restarts."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import HOTLINE, Server, free_port, main  # noqa: E402


def run(args, env=None, cwd=None):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            base[k] = os.environ[k]
    base.update(env or {})
    return subprocess.run([HOTLINE] + args, env=base, cwd=cwd or tempfile.mkdtemp(),
                          capture_output=True, text=True, timeout=30)


class ConfigTest(unittest.TestCase):
    def assert_refused(self, env, variable, secret=None):
        p = run(["serve"], env)
        self.assertEqual(p.returncode, 2, p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn(variable, lines[0])
        if secret:
            self.assertNotIn(secret, p.stderr)

    def test_malformed_values_name_the_variable(self):
        self.assert_refused({"PORT": "80a"}, "PORT")
        self.assert_refused({"PORT": "70000"}, "PORT")
        self.assert_refused({"PUBLIC_BASE_URL": "ftp://x"}, "PUBLIC_BASE_URL")
        self.assert_refused({"TWILIO_ACCOUNT_SID": "AC123"}, "TWILIO_ACCOUNT_SID")
        self.assert_refused({"OWNER_PHONE": "555-1234"}, "OWNER_PHONE")
        self.assert_refused({"LOG_FORMAT": "xml"}, "LOG_FORMAT")
        self.assert_refused({"TTS_ENGINE": "http"}, "TTS_BASE_URL")
        self.assert_refused({"FEATURE_REQUIRE_RECORDING_CONSENT": "maybe"},
                            "FEATURE_REQUIRE_RECORDING_CONSENT")
        self.assert_refused({"DATABASE_URL": "mysql://x"}, "DATABASE_URL")

    def test_missing_token_with_account_is_refused(self):
        self.assert_refused({"TWILIO_ACCOUNT_SID": "AC" + "a" * 32}, "TWILIO_AUTH_TOKEN")

    def test_secret_is_never_echoed(self):
        secret = "sup3r-secret-token-value"
        self.assert_refused({"TWILIO_AUTH_TOKEN": secret}, "TWILIO_ACCOUNT_SID", secret)

    def test_dotenv_is_read_and_environment_wins(self):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, ".env"), "w") as f:
            f.write("# comment\nexport PORT=abc\nLOG_LEVEL='debug'\n")
        p = run(["serve"], cwd=d)
        self.assertEqual(p.returncode, 2)
        self.assertIn("PORT", p.stderr)
        env = {"PORT": str(free_port()), "DATABASE_URL": "sqlite:" + d + "/h.db",
               "MEDIA_DIR": d + "/media", "SIM_ACCOUNT_FILE": d + "/acct"}
        p = run(["check"], env, cwd=d)
        self.assertEqual(p.returncode, 1, "an unmigrated database must fail the self-test")
        self.assertIn("hotline migrate", p.stdout)
        self.assertEqual(run(["migrate"], env, cwd=d).returncode, 0)
        p = run(["check"], env, cwd=d)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_malformed_dotenv_names_file_and_line(self):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, ".env"), "w") as f:
            f.write("PORT=8080\nthis is not a setting\n")
        p = run(["serve"], cwd=d)
        self.assertEqual(p.returncode, 2)
        self.assertIn(".env:2", p.stderr)

    def test_help_lists_commands_and_settings(self):
        p = run(["--help"])
        self.assertEqual(p.returncode, 0)
        for word in ("serve", "migrate", "check", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN"):
            self.assertIn(word, p.stdout)
        p = run(["serve", "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("SIGTERM", p.stdout)
        p = run(["frobnicate"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("frobnicate", p.stderr)

    def test_version(self):
        p = run(["version"])
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^hotline \d+\.\d+\.\d+\n$")

    def test_migrate_is_idempotent(self):
        d = tempfile.mkdtemp()
        env = {"DATABASE_URL": "sqlite:" + d + "/sub/h.db"}
        first = run(["migrate"], env)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertRegex(first.stdout, r"applied [1-9]\d* migrations?; schema version \d+")
        second = run(["migrate"], env)
        self.assertIn("applied 0 migrations", second.stdout)


class EmulatorModeTest(unittest.TestCase):
    def test_emulator_account_is_made_once_and_signs_webhooks(self):
        server = Server()
        for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
            del server.env[k]
        acct = os.path.join(server.dir, "data", "emulator-account")
        server.start()
        try:
            with open(acct) as f:
                text = f.read()
            self.assertEqual(oct(os.stat(acct).st_mode & 0o777), "0o600")
            token = [line.split("=", 1)[1] for line in text.splitlines()
                     if line.startswith("TWILIO_AUTH_TOKEN=")][0]
            server.auth_token = token
            from twilio.request_validator import RequestValidator
            server.validator = RequestValidator(token)
            r = server.post_form("/twilio/voice", {"CallSid": "CA" + "3" * 32})
            self.assertEqual(r.status, 200, r.text)
            cfg = server.request("GET", "/twilio/config").json()
            self.assertTrue(cfg["emulator_mode"])
        finally:
            server.stop()


if __name__ == "__main__":
    main()
