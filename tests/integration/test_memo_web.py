"""test_memo_web.py — the memo page's routes over HTTP: /voice/{id} (the page),
/voice/{id}/memo.json (what is public about a memo) and /voice/{id}/audio|meta (the HLM1
files as stored). Memos are sealed with hotline's memo module (tests/tools/memo_seal) into the
server's MEDIA_DIR and recorded in its database; a memo counts only when the store has it and
it is not erased. Malformed ids, unknown ids, erased memos and memos whose files are gone are
all 404, and no answer carries the key.
"""
import json
import os
import shutil
import subprocess
import unittest
import wave

import harness
from harness import ServerTest

SEAL = os.path.join(os.environ.get("HL_TOOLS_DIR", "build/tests"), "memo_seal")
META = {"transcript": "please call me back", "analysis": {"intent": "question", "ideas": []}}


class MemoWeb(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.media = s.env["MEDIA_DIR"]
        cls.wav = os.path.join(s.dir, "in.wav")
        with wave.open(cls.wav, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(os.urandom(8000))

    def seal(self, record=True, deleted=False):
        """A new memo: (id, key, key_sha256); recorded in the store unless record=False."""
        p = subprocess.run([SEAL, self.media, self.wav, json.dumps(META), self.server.base],
                           capture_output=True, text=True, check=True)
        link = p.stdout.strip()
        memo_id, key = link.split("/voice/")[1].split("#")
        sha = p.stderr.split("sha256 ")[1].split()[0]
        if record:
            d = os.path.join(self.media, "memos", memo_id)
            with self.server.db() as db:
                db.execute("INSERT INTO memos (id, kind, key_sha256, audio_path, meta_path, "
                           "created_at, deleted_at) VALUES (?, 'voicemail', ?, ?, ?, "
                           "'2026-11-21T08:00:00.000Z', ?)",
                           (memo_id, sha, os.path.join(d, "audio.enc"),
                            os.path.join(d, "meta.enc"),
                            "2026-11-21T09:00:00.000Z" if deleted else None))
        return memo_id, key, sha

    def get(self, target, **headers):
        return self.server.request("GET", target, headers=headers)

    def assert_private_answer(self, r, key=None):
        self.assertEqual(r.headers.get("cache-control"), "no-store")
        self.assertIn("default-src 'none'", r.headers.get("content-security-policy", ""))
        self.assertEqual(r.headers.get("referrer-policy"), "no-referrer")
        if key:
            self.assertNotIn(key.encode(), r.body)

    def assert_gone(self, memo_id):
        page = self.get("/voice/" + memo_id)
        self.assertEqual(page.status, 404, memo_id)
        self.assertTrue(page.headers["content-type"].startswith("text/html"))
        self.assertIn(b"Memo not found", page.body)
        self.assert_private_answer(page)
        for part in ("memo.json", "audio", "meta"):
            r = self.get("/voice/%s/%s" % (memo_id, part))
            self.assertEqual(r.status, 404, (memo_id, part))
            self.assertEqual(r.json()["error"]["code"], "not_found")
            self.assert_private_answer(r)

    def test_memo_json_describes_the_parts_and_nothing_secret(self):
        memo_id, key, sha = self.seal()
        r = self.get("/voice/%s/memo.json" % memo_id)
        self.assertEqual(r.status, 200, r.text)
        self.assert_private_answer(r, key)
        doc = r.json()
        d = os.path.join(self.media, "memos", memo_id)
        self.assertEqual(doc, {
            "id": memo_id, "kind": "voicemail", "created_at": "2026-11-21T08:00:00.000Z",
            "key_sha256": sha, "format": "HLM1", "aad_prefix": "hotline-memo-v1:",
            "parts": {
                "audio": {"bytes": os.path.getsize(os.path.join(d, "audio.enc")),
                          "url": "/voice/%s/audio" % memo_id},
                "meta": {"bytes": os.path.getsize(os.path.join(d, "meta.enc")),
                         "url": "/voice/%s/meta" % memo_id}}})
        self.assertEqual(doc["parts"]["audio"]["bytes"], os.path.getsize(self.wav) + 32)

    def test_parts_are_the_stored_ciphertext(self):
        memo_id, key, _ = self.seal()
        d = os.path.join(self.media, "memos", memo_id)
        for part in ("audio", "meta"):
            r = self.get("/voice/%s/%s" % (memo_id, part))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers["content-type"], "application/octet-stream")
            self.assert_private_answer(r)
            with open(os.path.join(d, part + ".enc"), "rb") as f:
                self.assertEqual(r.body, f.read())
            self.assertEqual(r.body[:4], b"HLM1")
            self.assertNotIn(b"please call me back", r.body)
        head = self.server.request("HEAD", "/voice/%s/audio" % memo_id)
        self.assertEqual(head.status, 200)
        self.assertEqual(self.server.request("POST", "/voice/%s/audio" % memo_id).status, 405)

    def test_page_has_no_data_in_it(self):
        memo_id, key, sha = self.seal()
        r = self.get("/voice/" + memo_id)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")
        self.assert_private_answer(r, key)
        for secretish in (memo_id, sha):
            self.assertNotIn(secretish.encode(), r.body)
        self.assertIn(b"/assets/memo.js?v=", r.body)

    def test_malformed_ids_are_404_before_any_lookup(self):
        for bad in ("short", "A" * 21, "A" * 23, "A" * 21 + "=", "A" * 21 + ".",
                    "..%2f..%2fhotline.db", "%2e%2e", "A" * 20 + "%2f" + "A"):
            self.assert_gone(bad)
        # A folder that looks like a memo but has an id of the wrong shape is never served.
        os.makedirs(os.path.join(self.media, "memos", "A" * 23), exist_ok=True)
        with open(os.path.join(self.media, "memos", "A" * 23, "audio.enc"), "wb") as f:
            f.write(b"HLM1" + b"\0" * 40)
        self.assert_gone("A" * 23)

    def test_unknown_erased_and_fileless_memos_are_404(self):
        self.assert_gone("Q" * 22)
        unrecorded, _, _ = self.seal(record=False)  # files on disk, but the store does not know it
        self.assert_gone(unrecorded)
        erased, _, _ = self.seal(deleted=True)
        self.assert_gone(erased)
        gone, _, _ = self.seal()
        shutil.rmtree(os.path.join(self.media, "memos", gone))
        self.assertEqual(self.get("/voice/%s/memo.json" % gone).status, 404)
        self.assertEqual(self.get("/voice/%s/audio" % gone).status, 404)

    def test_a_missing_part_is_null_and_404(self):
        memo_id, _, _ = self.seal()
        os.unlink(os.path.join(self.media, "memos", memo_id, "audio.enc"))
        doc = self.get("/voice/%s/memo.json" % memo_id).json()
        self.assertIsNone(doc["parts"]["audio"])
        self.assertGreater(doc["parts"]["meta"]["bytes"], 32)
        self.assertEqual(self.get("/voice/%s/audio" % memo_id).status, 404)
        self.assertEqual(self.get("/voice/%s/meta" % memo_id).status, 200)
        self.assertEqual(self.get("/voice/" + memo_id).status, 200)


if __name__ == "__main__":
    harness.main()
