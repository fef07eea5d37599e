"""test_demo.py — `hotline demo` runs every built-in flow end to end, offline, in under 30 s.

The demo starts its own server and emulator on free ports with a temporary database, plays a
scripted caller through each built-in flow and exits 1 if any did not reach its end. This test
runs it as a user would and checks the exit status, each flow's transcript and the time.
"""
import os
import subprocess
import time
import unittest

HOTLINE = os.environ.get("HOTLINE_BIN")
FLOWS = ["ivr-tts", "receptionist", "record-analyze", "outbound-consent", "voicemail"]


class Demo(unittest.TestCase):
    def test_every_builtin_flow_reaches_its_end(self):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        start = time.monotonic()
        p = subprocess.run([HOTLINE, "demo"], env=env, capture_output=True, text=True, timeout=120,
                           cwd="/tmp")
        elapsed = time.monotonic() - start
        self.assertEqual(p.returncode, 0, p.stdout[-4000:] + p.stderr[-2000:])
        for flow in FLOWS:
            self.assertIn("=== %s ===" % flow, p.stdout)
            self.assertIn("--- %s: reached its end" % flow, p.stdout)
        self.assertIn("5 of 5 flows reached their end", p.stdout)
        self.assertIn("hotline: Hello, you have reached hotline.", p.stdout)
        self.assertIn('caller: presses 1', p.stdout)
        self.assertLess(elapsed, 30, "the demo took %.1f s" % elapsed)
        print("\nhotline demo: %.1f s" % elapsed)


if __name__ == "__main__":
    unittest.main(verbosity=2)
