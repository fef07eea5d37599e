"""test_memo_cli.py — `hotline memo` end to end: tests/tools/memo_seal seals a WAV into a
temporary MEDIA_DIR with hotline's memo module and prints the link; `hotline memo decrypt`
must give back the same bytes (to a file and to a pipe), refuse a wrong key with exit 1 and
"wrong key for this memo", refuse malformed links with exit 2, and `hotline memo qr` must draw
a QR code of the size libqrencode's version implies, with its quiet zone and finder patterns.
Python standard library only.
"""
import base64
import json
import os
import subprocess
import tempfile
import unittest
import wave

HOTLINE = os.path.abspath(os.environ.get("HOTLINE_BIN", "build/hotline"))
TOOLS = os.path.abspath(os.environ.get("HL_TOOLS_DIR", "build/tests"))
SEAL = os.path.join(TOOLS, "memo_seal")
META = {"transcript": "call me back tomorrow at 3", "analysis": {"intent": "callback"}}

# QR byte-mode capacity at error correction level M, versions 1..10 (ISO/IEC 18004 table 7).
BYTE_CAPACITY_M = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]
QUIET = 4


class MemoCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hl-memo-cli-")
        self.dir = self.tmp.name
        self.media = os.path.join(self.dir, "media")
        self.wav = os.path.join(self.dir, "in.wav")
        with wave.open(self.wav, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(os.urandom(16000))
        with open(self.wav, "rb") as f:
            self.wav_bytes = f.read()
        out = subprocess.run([SEAL, self.media, self.wav, json.dumps(META)],
                             capture_output=True, check=True)
        self.link = out.stdout.decode().strip()
        self.assertRegex(self.link, r"^http://127\.0\.0\.1:8080/voice/[A-Za-z0-9_-]{22}"
                                    r"#[A-Za-z0-9_-]{43}$")

    def tearDown(self):
        self.tmp.cleanup()

    def hotline(self, *args):
        env = dict(os.environ, MEDIA_DIR=self.media, LOG_LEVEL="error")
        return subprocess.run([HOTLINE, "memo", *args], capture_output=True, cwd=self.dir,
                              env=env, timeout=60)

    def test_decrypt_to_file_gives_identical_bytes(self):
        out_path = os.path.join(self.dir, "out.wav")
        r = self.hotline("decrypt", self.link, "-o", out_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out_path, "rb") as f:
            self.assertEqual(f.read(), self.wav_bytes)
        self.assertEqual(os.stat(out_path).st_mode & 0o777, 0o600)
        self.assertEqual(json.loads(r.stderr.decode().strip().splitlines()[-1]), META)
        self.assertEqual(r.stdout, b"")

    def test_decrypt_to_pipe_and_meta(self):
        r = self.hotline("decrypt", self.link)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, self.wav_bytes)
        r = self.hotline("decrypt", self.link, "--meta")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), META)

    def test_wrong_key_exits_1(self):
        base, key = self.link.split("#")
        raw = bytearray(base64.urlsafe_b64decode(key + "="))
        raw[5] ^= 0x40
        wrong = base + "#" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
        out_path = os.path.join(self.dir, "out.wav")
        r = self.hotline("decrypt", wrong, "-o", out_path)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"wrong key for this memo", r.stderr)
        self.assertFalse(os.path.exists(out_path))
        self.assertEqual(r.stdout, b"")

    def test_malformed_link_and_missing_memo(self):
        r = self.hotline("decrypt", self.link[:-1], "-o", "x.wav")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"43 base64url characters", r.stderr)
        r = self.hotline("decrypt", self.link.split("#")[0], "-o", "x.wav")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"#key", r.stderr)
        gone = "http://h/voice/" + "A" * 22 + "#" + self.link.split("#")[1]
        r = self.hotline("decrypt", gone, "-o", "x.wav")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"not found", r.stderr)
        self.assertEqual(self.hotline("frobnicate", self.link).returncode, 2)

    def test_qr_has_the_module_count_of_its_version(self):
        r = self.hotline("qr", self.link)
        self.assertEqual(r.returncode, 0, r.stderr)
        version = next(v + 1 for v, cap in enumerate(BYTE_CAPACITY_M) if cap >= len(self.link))
        modules = 17 + 4 * version
        self.assertIn(("QR version %d, %dx%d modules" % (version, modules, modules)).encode(),
                      r.stderr)
        size = modules + 2 * QUIET
        lines = r.stdout.decode("utf-8").split("\n")
        self.assertEqual(lines[-1], "")
        lines = lines[:-1]
        self.assertEqual(len(lines), (size + 1) // 2)
        halves = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
        lit = [[0] * size for _ in range(size)]
        for row, line in enumerate(lines):
            self.assertEqual(len(line), size)
            for x, ch in enumerate(line):
                top, bottom = halves[ch]
                lit[2 * row][x] = top
                if 2 * row + 1 < size:
                    lit[2 * row + 1][x] = bottom
        dark = [[1 - v for v in row] for row in lit]
        for y in range(size):
            for x in range(size):
                if min(x, y) < QUIET or max(x, y) >= size - QUIET:
                    self.assertEqual(dark[y][x], 0, "quiet zone at %d,%d" % (x, y))

        def finder(ox, oy):
            for dy in range(7):
                for dx in range(7):
                    ring = max(abs(dx - 3), abs(dy - 3))
                    want = 0 if ring == 2 else 1
                    self.assertEqual(dark[oy + dy][ox + dx], want, "finder %d,%d" % (ox, oy))

        finder(QUIET, QUIET)
        finder(QUIET + modules - 7, QUIET)
        finder(QUIET, QUIET + modules - 7)

        r = self.hotline("qr", self.link, "--ansi")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.count(b"\n"), size)
        self.assertEqual(self.hotline("qr", "not a link").returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
