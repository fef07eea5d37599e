"""test_demo.py — `hotline demo` runs every built-in flow end to end, offline, in under 30 s.

The demo starts its own server and emulator on free ports with a temporary database, plays a
scripted caller through each built-in flow, waits for each recording's pipeline and prints what
it made of the call, and exits 1 if any flow did not reach its end or any pipeline did not
finish. This test runs it as a user would and checks the exit status, each flow's transcript,
each pipeline's printed result (transcript and analysis; for the voicemail the memo link from
the emulator's outbox, and the memo opened with it) and the time. What speech recognition heard
is not asserted word for word.
"""
import os
import re
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
        self.assertIn("5 of 5 flows reached their end, 5 of 5 pipelines finished", p.stdout)
        results = p.stdout.split("=== what the pipelines made of the calls ===", 1)[1]
        sections = re.split(r"\n(?=[a-z-]+ \(recording RE[0-9a-f]{32}\):)", results.strip())
        self.assertEqual([s.split(" ", 1)[0] for s in sections], FLOWS)
        for flow, section in zip(FLOWS, sections):
            self.assertRegex(section, r'\n  transcript: "[^"]*" \(' +
                             ("decrypted with the link" if flow == "voicemail"
                              else r"pocketsphinx, confidence [0-9.]+") + r"\)", flow)
            self.assertRegex(section, r"\n  analysis:   intent (booking|question|complaint|"
                                      r"opt-out|other); requested time \S+; summary \"", flow)
        voicemail = sections[-1]
        self.assertRegex(voicemail, r"\n  memo link:  http://127\.0\.0\.1:\d+/voice/"
                                    r"[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}\n")
        self.assertIn("(texted to OWNER_PHONE: here the emulator's outbox)", voicemail)
        self.assertNotIn("memo link", "".join(sections[:-1]))
        self.assertNotIn("pipeline:", results)  # none failed or timed out
        self.assertIn("hotline: Hello, you have reached hotline.", p.stdout)
        self.assertIn('caller: presses 1', p.stdout)
        self.assertLess(elapsed, 30, "the demo took %.1f s" % elapsed)
        print("\nhotline demo: %.1f s" % elapsed)


if __name__ == "__main__":
    unittest.main(verbosity=2)
