#!/usr/bin/env python3
"""test_asr_openai.py — the "openai" ASR engine against a stand-in server.

A local http.server speaks OpenAI's POST /v1/audio/transcriptions; the
asr_wer tool (tests/tools/asr_wer.c, "openai" mode) uploads a small WAV.
Checks: multipart fields file (recording.wav, audio/wav, the exact bytes),
model=whisper-1, response_format=json; the Bearer key; {"text": ...} comes
back normalised; a 401 becomes a clear HL_EREMOTE error without the key;
a slow answer becomes a timeout (HL_EUNKNOWN).
"""
import email.parser
import email.policy
import http.server
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time

TOOL = os.path.join(os.environ.get("HL_TOOLS_DIR", "build/tests"), "asr_wer")
KEY = "sk-test-0123456789secret"
seen = {}


def wav_bytes():
    data = bytes(range(256)) * 8
    fmt = struct.pack("<HHIIHH", 7, 1, 8000, 8000, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        mode = seen.get("mode")
        if mode == "slow":
            time.sleep(3)
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        fields = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        seen.update(path=self.path, auth=self.headers.get("Authorization"), fields=fields)
        if mode == "401":
            out, code = {"error": {"message": "Incorrect API key provided: " + KEY}}, 401
        else:
            out, code = {"text": "Yes, I need an Appointment."}, 200
        data = json.dumps(out).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass


def run(url, wav, timeout="5000"):
    out = subprocess.run([TOOL, "openai", url, KEY, wav, timeout], capture_output=True,
                         text=True, timeout=20)
    return out.stdout.strip()


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/" % srv.server_address[1]
    fails = 0
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        f.write(wav_bytes())
        f.flush()

        def check(name, cond, detail):
            nonlocal fails
            print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + repr(detail)))
            fails += not cond

        out = run(url, f.name)
        check("asr_openai_maps_text", out == "TEXT yes i need an appointment", out)
        check("asr_openai_posts_to_transcriptions", seen.get("path") == "/v1/audio/transcriptions", seen.get("path"))
        check("asr_openai_sends_bearer_key", seen.get("auth") == "Bearer " + KEY, seen.get("auth"))
        fl = seen.get("fields", {})
        check("asr_openai_sends_file_part", fl.get("file") == ("recording.wav", "audio/wav", wav_bytes()),
              fl.get("file", (None, None, b""))[:2])
        check("asr_openai_sends_model", fl.get("model", (0, 0, b""))[2] == b"whisper-1", fl.get("model"))
        check("asr_openai_asks_json", fl.get("response_format", (0, 0, b""))[2] == b"json", fl.get("response_format"))

        seen["mode"] = "401"
        out = run(url, f.name)
        check("asr_openai_401_is_clear_eremote", out.startswith("ERROR -11 ") and "401" in out
              and "API key" in out and KEY not in out, out)

        seen["mode"] = "slow"
        t0 = time.time()
        out = run(url, f.name, "800")
        check("asr_openai_slow_answer_times_out", out.startswith("ERROR -12 ") and time.time() - t0 < 2.5, out)
    srv.shutdown()
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
