"""test_tts.py — text-to-speech over real HTTP: POST /api/tts, GET/HEAD /media/{id}, and
POST /api/calls/{sid}/say, with the embedded espeak engine and with the http engine (guide
000's TTS API) played by a small local stand-in.

The say tests run hotline in emulator mode. The emulator's call driver runs a call's TwiML in
simulated time, so a call placed with a plain message is over at once and cannot be redirected
(21220, which one test checks is logged). A live call is therefore created on the emulator's
REST API with TwiML that <Play>s a URL of this test that takes a few seconds to answer: the
call is in progress meanwhile. The say answers 202 at once; the live-call update (TwiML <Play>
of the media URL) goes to the emulator, which accepts it only for a call in progress. The
emulator does not show a call's TwiML (and its driver does not yet switch a running call to
updated TwiML), so the update is checked through the log line hotline writes after the
emulator accepted it. With a slow http engine the test also proves that the 202 came before
the audio existed.
"""
import http.server
import json
import threading
import time
import unittest
import urllib.parse

import harness
from harness import CALLER, Server, ServerTest

TTS_KEY = "tts-key-" + "5f1e0c2a9b7d"


def log_lines(server):
    out = []
    for line in server.read_log().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def wait_log(server, msg_prefix, call_sid, timeout=15):
    def found():
        for rec in log_lines(server):
            if rec.get("msg", "").startswith(msg_prefix) and rec.get("call_sid") == call_sid:
                return rec
        return None
    return server.wait_for(found, timeout=timeout, what="log line %r" % msg_prefix)


def place_call(server):
    """A call through POST /api/calls: its message is said and the call ends at once."""
    r = server.api("POST", "/api/calls", {"to": CALLER, "message": "Please hold."})
    assert r.status == 201, r.text
    return r.json()["call_sid"]


HOLD_WAV = (b"RIFF" + (36 + 1600).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
            + bytes([1, 0, 1, 0]) + (8000).to_bytes(4, "little") + (16000).to_bytes(4, "little")
            + bytes([2, 0, 16, 0]) + b"data" + (1600).to_bytes(4, "little") + bytes(1600))


class Hold(http.server.BaseHTTPRequestHandler):
    """Hold music that takes HOLD_SECONDS to arrive: the call stays in progress meanwhile."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        time.sleep(self.server.hold_seconds)
        self.send_response(200)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Content-Length", str(len(HOLD_WAV)))
        self.end_headers()
        self.wfile.write(HOLD_WAV)


def start_hold(seconds=4.0):
    hold = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hold)
    hold.hold_seconds = seconds
    hold.daemon_threads = True
    threading.Thread(target=hold.serve_forever, daemon=True).start()
    return hold


def live_call(server, hold):
    """A call on the emulator whose TwiML waits on the hold URL; returns once it is in progress."""
    url = "http://127.0.0.1:%d/hold.wav" % hold.server_address[1]
    r = server.twilio("POST", "/Calls.json", {"To": CALLER, "From": harness.BUSINESS,
                                              "Twiml": "<Response><Play>%s</Play></Response>" % url})
    assert r.status == 201, r.text
    sid = r.json()["sid"]
    server.wait_for(lambda: server.twilio("GET", "/Calls/%s.json" % sid).json()["status"]
                    == "in-progress", timeout=10, what="call in progress")
    return sid


class Espeak(ServerTest):
    emulator = True
    extra_env = {"API_SENDS_PER_MINUTE": "0"}

    def tts(self, body, key=None):
        return self.server.api("POST", "/api/tts", body, key=key)

    def test_tts_answers_audio_and_media_serves_the_same_bytes(self):
        r = self.tts({"text": "Your appointment is at three.", "voice": "naija_female"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["content-type"], "audio/x-wav")
        self.assertEqual(r.body[:4], b"RIFF")
        self.assertEqual(r.body[8:16], b"WAVEfmt ")
        rate = int.from_bytes(r.body[24:28], "little")
        self.assertEqual(rate, 8000)
        url = r.headers["x-media-url"]
        self.assertTrue(url.startswith(self.server.base + "/media/"), url)
        media_id = url.rsplit("/", 1)[1]
        self.assertRegex(media_id, r"^[0-9a-f]{32}$")
        m = self.server.request("GET", "/media/" + media_id)
        self.assertEqual(m.status, 200)
        self.assertEqual(m.body, r.body)
        self.assertEqual(m.headers["content-type"], "audio/x-wav")
        self.assertEqual(int(m.headers["content-length"]), len(r.body))
        self.assertEqual(m.headers["cache-control"], "public, max-age=31536000, immutable")
        h = self.server.request("HEAD", "/media/" + media_id)
        self.assertEqual(h.status, 200)
        self.assertEqual(int(h.headers["content-length"]), len(r.body))
        self.assertEqual(h.body, b"")
        # The same words again are the same id (served from the cache).
        again = self.tts({"text": "Your appointment is at three.", "voice": "naija_female"})
        self.assertEqual(again.headers["x-media-url"], url)
        self.assertEqual(again.body, r.body)

    def test_default_voice_and_twilio_voice_names(self):
        a = self.tts({"text": "Hello."})
        b = self.tts({"text": "Hello.", "voice": "Polly.Joanna"})
        self.assertEqual(a.status, 200, a.text)
        self.assertEqual(b.status, 200, b.text)
        self.assertNotEqual(a.headers["x-media-url"], b.headers["x-media-url"])

    def test_unknown_and_malformed_ids_are_404(self):
        for target in ("/media/0123456789abcdef0123456789abcdef", "/media/abc",
                       "/media/..%2F..%2Fhotline.db", "/media/0123456789ABCDEF0123456789ABCDEF",
                       "/media/0123456789abcdef0123456789abcdef.wav"):
            r = self.server.request("GET", target)
            self.assertEqual(r.status, 404, target)
            self.assertTrue(r.headers["content-type"].startswith("text/plain"), target)

    def assert_field_error(self, r, field):
        self.assertEqual(r.status, 400, r.text)
        self.assertEqual(r.json()["error"]["field"], field)

    def test_requests_are_checked(self):
        self.assert_field_error(self.tts({}), "text")
        self.assert_field_error(self.tts({"text": ""}), "text")
        self.assert_field_error(self.tts({"text": 5}), "text")
        self.assert_field_error(self.tts({"text": "é" * 4097}), "text")
        self.assertEqual(self.tts({"text": "é" * 20}).status, 200)
        self.assert_field_error(self.tts({"text": "Hi", "voice": 3}), "voice")
        self.assert_field_error(self.tts({"text": "Hi", "voice": "zz-no-such-voice"}), "voice")
        self.assert_field_error(self.tts({"text": "Hi", "voice": "../../x"}), "voice")
        self.assertEqual(self.tts({"text": "Hi"}, key="").status, 401)
        self.assertEqual(self.server.api("POST", "/api/tts", b"{", None).status, 400)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hold = start_hold()

    @classmethod
    def tearDownClass(cls):
        cls.hold.shutdown()
        cls.hold.server_close()
        super().tearDownClass()

    def test_say_answers_202_then_updates_the_call(self):
        sid = live_call(self.server, self.hold)
        r = self.server.api("POST", "/api/calls/%s/say" % sid,
                            {"text": "Your order has shipped.", "voice": "naija_male"})
        self.assertEqual(r.status, 202, r.text)
        doc = r.json()
        self.assertEqual(doc["call_sid"], sid)
        self.assertEqual(doc["status"], "rendering")
        self.assertRegex(doc["media_url"], r"^%s/media/[0-9a-f]{32}$" % self.server.base)
        rec = wait_log(self.server, "say ", sid)
        self.assertEqual(rec["msg"], "say played", rec)
        self.assertEqual(rec["media_url"], doc["media_url"])
        m = self.server.request("GET", urllib.parse.urlsplit(doc["media_url"]).path)
        self.assertEqual(m.status, 200)
        self.assertEqual(m.body[:4], b"RIFF")

    def test_say_to_an_ended_call_logs_twilios_refusal(self):
        sid = place_call(self.server)
        self.server.wait_for(lambda: self.server.twilio("GET", "/Calls/%s.json" % sid).json()
                             ["status"] == "completed", timeout=10, what="call completed")
        r = self.server.api("POST", "/api/calls/%s/say" % sid, {"text": "Too late."})
        self.assertEqual(r.status, 202, r.text)
        rec = wait_log(self.server, "say ", sid)
        self.assertEqual(rec["msg"], "say failed: call not updated", rec)
        self.assertIn("21220", rec["reason"])

    def test_say_checks_sid_and_text(self):
        r = self.server.api("POST", "/api/calls/CAnothex/say", {"text": "hi"})
        self.assertEqual(r.status, 404)
        sid = "CA" + "0" * 32
        self.assert_field_error(self.server.api("POST", "/api/calls/%s/say" % sid, {}), "text")
        self.assert_field_error(
            self.server.api("POST", "/api/calls/%s/say" % sid, {"text": "x" * 4097}), "text")

    def test_say_to_an_unknown_call_logs_the_failure(self):
        sid = "CA" + "1" * 32
        r = self.server.api("POST", "/api/calls/%s/say" % sid, {"text": "Anyone there?"})
        self.assertEqual(r.status, 202, r.text)
        rec = wait_log(self.server, "say ", sid)
        self.assertEqual(rec["msg"], "say failed: call not updated", rec)
        self.assertEqual(rec["level"], "error")
        self.assertTrue(rec.get("reason"), rec)


class FakeTts(http.server.BaseHTTPRequestHandler):
    """Guide 000's TTS API: POST /api/tts, Bearer key, form fields text and voice_id; MP3 back."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
        req = {"path": self.path, "auth": self.headers.get("Authorization"),
               "content_type": self.headers.get("Content-Type"),
               "text": form.get("text", [None])[0], "voice_id": form.get("voice_id", [None])[0],
               "at": time.time()}
        self.server.requests.append(req)
        if req["auth"] != "Bearer " + TTS_KEY or self.path != "/api/tts":
            return self.answer(401, "application/json", b'{"detail":"bad key"}')
        if req["voice_id"] == "broken":
            return self.answer(500, "application/json", b'{"detail":"model crashed"}')
        if req["voice_id"] == "html":
            return self.answer(200, "text/html", b"<html>oops</html>")
        time.sleep(self.server.delay)
        audio = b"ID3\x04\x00\x00\x00\x00\x00\x00" + ("%s|%s" % (req["voice_id"], req["text"])).encode()
        self.answer(200, "audio/mpeg", audio)

    def answer(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HttpEngine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeTts)
        cls.fake.requests = []
        cls.fake.delay = 0.0
        threading.Thread(target=cls.fake.serve_forever, daemon=True).start()
        base = "http://127.0.0.1:%d" % cls.fake.server_address[1]
        cls.server = Server({"TTS_ENGINE": "http", "TTS_BASE_URL": base, "TTS_API_KEY": TTS_KEY,
                             "API_SENDS_PER_MINUTE": "0"}, emulator=True).start()
        cls.hold = start_hold()

    @classmethod
    def tearDownClass(cls):
        log = cls.server.stop()
        harness.assert_log_private(log, [TTS_KEY])
        for srv in (cls.fake, cls.hold):
            srv.shutdown()
            srv.server_close()

    def setUp(self):
        self.fake.requests.clear()
        self.fake.delay = 0.0

    def test_engine_gets_the_guides_request_and_mp3_is_cached(self):
        r = self.server.api("POST", "/api/tts", {"text": "Ẹ káàbọ̀ & welcome", "voice": "naija_female"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["content-type"], "audio/mpeg")
        self.assertEqual(r.body, "ID3\x04\x00\x00\x00\x00\x00\x00naija_female|Ẹ káàbọ̀ & welcome".encode())
        self.assertEqual(len(self.fake.requests), 1)
        req = self.fake.requests[0]
        self.assertEqual(req["path"], "/api/tts")
        self.assertEqual(req["auth"], "Bearer " + TTS_KEY)
        self.assertEqual(req["content_type"], "application/x-www-form-urlencoded")
        self.assertEqual(req["text"], "Ẹ káàbọ̀ & welcome")
        self.assertEqual(req["voice_id"], "naija_female")
        path = urllib.parse.urlsplit(r.headers["x-media-url"]).path
        m = self.server.request("GET", path)
        self.assertEqual(m.status, 200)
        self.assertEqual(m.headers["content-type"], "audio/mpeg")
        self.assertEqual(m.body, r.body)
        # Cached: asking again does not reach the engine.
        self.assertEqual(self.server.api("POST", "/api/tts", {"text": "Ẹ káàbọ̀ & welcome",
                                                              "voice": "naija_female"}).status, 200)
        self.assertEqual(len(self.fake.requests), 1)

    def test_engine_failures_are_502(self):
        for voice in ("broken", "html"):
            r = self.server.api("POST", "/api/tts", {"text": "Hi", "voice": voice})
            self.assertEqual(r.status, 502, r.text)
            self.assertEqual(r.json()["error"]["code"], "tts_error")

    def test_say_answers_before_the_audio_exists(self):
        self.fake.delay = 1.5
        sid = live_call(self.server, self.hold)
        t0 = time.time()
        r = self.server.api("POST", "/api/calls/%s/say" % sid, {"text": "One moment please."})
        answered = time.time()
        self.assertEqual(r.status, 202, r.text)
        self.assertLess(answered - t0, 1.0)
        media = urllib.parse.urlsplit(r.json()["media_url"]).path
        self.assertEqual(self.server.request("GET", media).status, 404)  # not rendered yet
        rec = wait_log(self.server, "say ", sid)
        self.assertEqual(rec["msg"], "say played", rec)
        self.assertEqual(len(self.fake.requests), 1)
        self.assertEqual(self.fake.requests[0]["voice_id"], "naija_female")  # TTS_DEFAULT_VOICE
        self.assertGreater(self.fake.requests[0]["at"], t0)
        m = self.server.request("GET", media)
        self.assertEqual(m.status, 200)
        self.assertEqual(m.headers["content-type"], "audio/mpeg")

    def test_say_logs_an_engine_failure(self):
        sid = place_call(self.server)
        r = self.server.api("POST", "/api/calls/%s/say" % sid, {"text": "Hi", "voice": "broken"})
        self.assertEqual(r.status, 202, r.text)
        rec = wait_log(self.server, "say ", sid)
        self.assertEqual(rec["msg"], "say failed: speech not rendered", rec)
        self.assertIn("500", rec["reason"])


if __name__ == "__main__":
    harness.main()
