"""test_analysis_llm.py — the LLM engines of src/analysis/ against local stand-ins.

A small HTTP server on 127.0.0.1 plays Ollama (POST /api/chat) and an OpenAI-compatible API
(POST /v1/chat/completions). tests/tools/analyze runs one analysis per case with the transcript
on stdin. Checked: the request bodies (model, stream/format or response_format, the system
prompt naming the four keys, the user message with the transcript, call time and zone), the
bearer key for OpenAI only; a good answer is taken (engine ollama/openai); bad content (not
JSON, wrong intent, extra or missing keys, when_local without an offset, non-string ideas, a
summary over 512 bytes), HTTP 500, a timeout and a closed port all give the rules answer with
engine "rules" and a warning that names the reason and never the key.
"""
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import unittest

TOOL = os.path.join(os.environ.get("HL_TOOLS_DIR", "build/tests"), "analyze")
NOW = "2026-11-21T10:00:00-05:00"
ZONE = "America/New_York"
KEY = "sk-test-" + "a81f3c9e77d2"
SAID = "Hi, I need an appointment tomorrow at 3 PM. Remember to bring the forms."
GOOD = {"intent": "booking", "when_local": "2026-11-24T15:00:00-05:00",
        "summary": "Caller wants Tuesday at 3 PM.", "ideas": ["Send the intake forms"]}


class Stand(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests = []
    mode = ("ok", GOOD)

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Stand.requests.append((self.path, dict(self.headers), json.loads(body)))
        kind, content = Stand.mode
        if kind == "sleep":
            time.sleep(2)
        if kind == "500":
            return self.answer(500, b'{"error":"boom"}')
        text = content if isinstance(content, str) else json.dumps(content)
        if self.path == "/api/chat":
            out = {"model": "m", "message": {"role": "assistant", "content": text}, "done": True}
        else:
            out = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
        self.answer(200, json.dumps(out).encode())

    def answer(self, status, data):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


class AnalysisLLMTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stand)
        cls.httpd.daemon_threads = True
        cls.base = "http://127.0.0.1:%d" % cls.httpd.server_address[1]
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()

    def setUp(self):
        Stand.requests = []
        Stand.mode = ("ok", GOOD)

    def analyze(self, engine, base=None, timeout_ms=3000, said=SAID):
        env = dict(os.environ, ANALYZE_API_KEY=KEY)
        args = [TOOL, "--engine", engine, "--base-url", base or self.base, "--model", "test-model",
                "--tz", ZONE, "--now", NOW, "--timeout-ms", str(timeout_ms)]
        p = subprocess.run(args, input=said.encode(), capture_output=True, env=env, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(KEY, p.stderr.decode() + p.stdout.decode())
        return json.loads(p.stdout), p.stderr.decode()

    def assert_rules(self, out, log, reason):
        self.assertEqual(out["engine"], "rules")
        self.assertEqual(out["intent"], "booking")
        self.assertEqual(out["when_local"], "2026-11-22T15:00:00-05:00")
        self.assertEqual(out["when"], "2026-11-22T20:00:00Z")
        self.assertIn("LLM answer not used", log)
        self.assertIn(reason, log)

    def check_prompt(self, body):
        msgs = body["messages"]
        self.assertEqual([m["role"] for m in msgs], ["system", "user"])
        for key in ("intent", "when_local", "summary", "ideas", "opt_out"):
            self.assertIn(key, msgs[0]["content"])
        self.assertIn(SAID, msgs[1]["content"])
        self.assertIn(NOW, msgs[1]["content"])
        self.assertIn(ZONE, msgs[1]["content"])
        self.assertIn("Saturday", msgs[1]["content"])
        self.assertEqual(body["model"], "test-model")

    def test_ollama_good_answer_is_taken(self):
        out, _ = self.analyze("ollama")
        self.assertEqual(out["engine"], "ollama")
        self.assertEqual(out["intent"], "booking")
        self.assertEqual(out["when"], "2026-11-24T20:00:00Z")
        self.assertEqual(out["when_local"], "2026-11-24T15:00:00-05:00")
        self.assertEqual(out["summary"], GOOD["summary"])
        self.assertEqual(out["ideas"], GOOD["ideas"])
        path, headers, body = Stand.requests[0]
        self.assertEqual(path, "/api/chat")
        self.assertIs(body["stream"], False)
        self.assertEqual(body["format"], "json")
        self.assertNotIn("Authorization", headers)
        self.check_prompt(body)

    def test_openai_good_answer_is_taken(self):
        Stand.mode = ("ok", dict(GOOD, when_local="2026-11-24T20:00:00Z", intent="question"))
        out, _ = self.analyze("openai", base=self.base + "/")
        self.assertEqual(out["engine"], "openai")
        self.assertEqual(out["intent"], "question")
        self.assertEqual(out["when_local"], "2026-11-24T15:00:00-05:00")  # shown in the zone
        path, headers, body = Stand.requests[0]
        self.assertEqual(path, "/v1/chat/completions")
        self.assertEqual(headers.get("Authorization"), "Bearer " + KEY)
        self.assertEqual(body["response_format"], {"type": "json_object"})
        self.check_prompt(body)

    def test_null_time_and_no_ideas_are_valid(self):
        Stand.mode = ("ok", dict(GOOD, when_local=None, ideas=[], intent="other"))
        out, _ = self.analyze("ollama")
        self.assertEqual(out["engine"], "ollama")
        self.assertIsNone(out["when"])
        self.assertIsNone(out["when_local"])
        self.assertEqual(out["ideas"], [])

    def test_bad_content_falls_back_to_rules(self):
        cases = [
            ("not json at all", "not a JSON object"),
            ("[1, 2]", "not a JSON object"),
            (dict(GOOD, intent="maybe"), "intent"),
            (dict(GOOD, mood="happy"), "keys besides"),
            ({k: v for k, v in GOOD.items() if k != "ideas"}, "lacks"),
            (dict(GOOD, when_local="2026-11-24T15:00:00"), "when_local"),
            (dict(GOOD, when_local="next tuesday"), "when_local"),
            (dict(GOOD, when_local="2026-02-30T15:00:00-05:00"), "when_local"),
            (dict(GOOD, ideas=["ok", 3]), "ideas"),
            (dict(GOOD, ideas="send forms"), "ideas"),
            (dict(GOOD, summary="x" * 600), "summary"),
            (dict(GOOD, summary=7), "summary"),
        ]
        for engine in ("ollama", "openai"):
            for content, reason in cases:
                with self.subTest(engine=engine, content=str(content)[:40]):
                    Stand.mode = ("ok", content)
                    out, log = self.analyze(engine)
                    self.assert_rules(out, log, reason)

    def test_http_error_falls_back_to_rules(self):
        Stand.mode = ("500", None)
        out, log = self.analyze("openai")
        self.assert_rules(out, log, "HTTP 500")

    def test_timeout_falls_back_to_rules(self):
        Stand.mode = ("sleep", GOOD)
        started = time.monotonic()
        out, log = self.analyze("ollama", timeout_ms=300)
        self.assertLess(time.monotonic() - started, 1.8)
        self.assert_rules(out, log, "timed out")

    def test_unreachable_service_falls_back_to_rules(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        out, log = self.analyze("ollama", base="http://127.0.0.1:%d" % port)
        self.assert_rules(out, log, "LLM request failed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
