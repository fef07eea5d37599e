#!/usr/bin/python3
"""test_signature_python.py — Debian's twilio-python signs, hotline checks.

Starts the real server ($HOTLINE_BIN serve) on a free port with a temporary
database and POSTs seeded random webhooks to /twilio/status, each signed with
twilio.request_validator.RequestValidator(token).compute_signature(url, params)
from python3-twilio 7.7.1. Signed requests must be accepted (2xx); a copy with
one byte changed in a value, a name, the query or the signature must get 403;
a copy without X-Twilio-Signature must get 400; JSON bodies are checked
through ?bodySHA256= (compute_hash + compute_signature(url, {})).

Python sorts by code point, as hotline does, so unlike test_signature_sdk.js
this test also uses U+E000..U+FFFF and non-BMP characters in names.

What 7.7.1 supports, and so what is tested here:
  - params must be a mapping of str to str; it signs sorted(params.items()).
    A list value raises TypeError, so repeated keys are given as an object
    whose items() yields every (name, value) pair (like multidict.MultiDict).
  - 7.7.1 does not de-duplicate: a name sent twice with the same value is
    signed twice, where twilio-node, newer twilio-python and hotline sign it
    once. Repeated keys here therefore always carry distinct values; the
    duplicate case is covered by the node test and the unit tests.
  - Django's QueryDict and werkzeug's MultiDict yield one value per key from
    items(), so 7.7.1 signs only one of the repeated values with them. That
    is a python SDK limitation, not tested.

  /usr/bin/python3 tests/sdk/test_signature_python.py                   # needs HOTLINE_BIN
  /usr/bin/python3 tests/sdk/test_signature_python.py --generators-only # no server needed

Environment: HOTLINE_BIN, HL_SEED (default 20240611), HL_SIG_PY_CASES
(default 250). Last line: "signature_python: N passed, M failed".
"""
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from twilio.request_validator import RequestValidator

SEED = int(os.environ.get("HL_SEED", "20240611"))
CASES = int(os.environ.get("HL_SIG_PY_CASES", "250"))
JSON_CASES = 20
STATUS_PATH = "/twilio/status"

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
NAME_CHARS = list(ALNUM) + list("._-[] +&=%'") + [
    "é", "中", "Ω", "\u00a0", "\ue000", "\ufb01", "\ufffd", "\U0001F600", "\U0001D11E"]
VALUE_CHARS = list(ALNUM) + list(" \"'+&=%#?/\\\n<>") + [
    "é", "€", "中", "\ue000", "\ufffd", "\uffff", "\U0001F600", "\U00010000", "\U0010FFFF"]
RESERVED = {"CallSid", "CallStatus", "AccountSid", "bodySHA256"}
QUERY_TOKENS = list("aZ9'!*~()-._,;:@/?$+") + ["%20", "%27", "%2B", "%C3%A9", "%e2%82%ac", "%25"]


class Pairs:
    """A multi-valued mapping for compute_signature: items() yields every pair."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def items(self):
        return list(self.pairs)

    def __bool__(self):
        return bool(self.pairs)


def random_string(rng, chars, lo, hi):
    return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))


def random_name(rng, taken):
    while True:
        name = random_string(rng, NAME_CHARS, 1, 12)
        if name not in RESERVED and name not in taken:
            return name


def random_value(rng):
    return "" if rng.random() < 0.1 else random_string(rng, VALUE_CHARS, 1, 24)


def random_pairs(rng, account_sid):
    """(name, value) pairs; a repeated name always has distinct values (see above)."""
    pairs = [("CallSid", "CA" + rng.randbytes(16).hex()), ("CallStatus", "ringing"),
             ("AccountSid", account_sid)]
    taken = set()
    for _ in range(rng.randint(0, 8)):
        name = random_name(rng, taken)
        taken.add(name)
        count = rng.randint(2, 4) if rng.random() < 0.2 else 1
        values = set()
        while len(values) < count:
            values.add(random_value(rng))
        pairs += [(name, v) for v in sorted(values)]
    rng.shuffle(pairs)
    return pairs


def random_query(rng):
    if rng.random() < 0.25:
        return ""
    if rng.random() < 0.03:
        return "?"
    parts = []
    for _ in range(rng.randint(1, 4)):
        name = random_string(rng, list(ALNUM + "_"), 1, 6)
        value = "".join(rng.choice(QUERY_TOKENS) for _ in range(rng.randint(0, 5)))
        parts.append(name if rng.random() < 0.1 else name + "=" + value)
    return "?" + "&".join(parts) + ("&" if rng.random() < 0.1 else "")


def encode_component(rng, text):
    out = []
    for byte in text.encode("utf-8"):
        c = chr(byte)
        if c in ALNUM or c in "-._*":
            out.append(c)
        elif c == " " and rng.random() < 0.7:
            out.append("+")
        else:
            h = "%02x" % byte
            out.append("%" + (h.upper() if rng.random() < 0.5 else h))
    return "".join(out)


def encode_form(rng, pairs):
    return "&".join(encode_component(rng, n) + "=" + encode_component(rng, v) for n, v in pairs)


def sign(validator, url, pairs):
    return validator.compute_signature(url, Pairs(pairs))


def alnum_positions(text, skip_escapes):
    positions, i = [], 0
    while i < len(text):
        if skip_escapes and text[i] == "%":
            i += 3
            continue
        if text[i] in ALNUM:
            positions.append(i)
        i += 1
    return positions


def change_one_byte(rng, text, skip_escapes=False):
    """Replace one ASCII letter or digit with another; None when there is none."""
    positions = alnum_positions(text, skip_escapes)
    if not positions:
        return None
    at = rng.choice(positions)
    c = text[at]
    while c == text[at]:
        c = rng.choice(ALNUM)
    return text[:at] + c + text[at + 1:]


def tamper_pairs(rng, pairs, in_name):
    i = rng.randrange(len(pairs))
    name, value = pairs[i]
    changed = change_one_byte(rng, name if in_name else value)
    if changed is None:
        return None
    copy = list(pairs)
    copy[i] = (changed, value) if in_name else (name, changed)
    if len(set(copy)) != len(copy):
        return None  # would create a duplicate pair, which 7.7.1 signs differently
    return copy


def tamper(rng, validator, case, round_):
    """A copy with one byte changed, rotating value, name, query, header."""
    kinds = ["value", "name", "query", "header"]
    for attempt in range(40):
        kind = kinds[(round_ + attempt) % 4]
        t = dict(case)
        if kind in ("value", "name"):
            pairs = tamper_pairs(rng, case["pairs"], kind == "name")
            if pairs is None:
                continue
            t.update(pairs=pairs, body=encode_form(rng, pairs))
        elif kind == "query":
            query = change_one_byte(rng, case["query"], True)
            if query is None:
                continue
            t["query"] = query
        else:
            at = rng.randrange(27)
            c = case["signature"][at]
            while c == case["signature"][at]:
                c = rng.choice(ALNUM + "+/")
            t["signature"] = case["signature"][:at] + c + case["signature"][at + 1:]
        url = t["signed_base"] + STATUS_PATH + t["query"]
        if sign(validator, url, t["pairs"]) != t["signature"]:
            return kind, t
    raise RuntimeError("could not tamper case %d" % case["index"])


def make_case(rng, validator, account_sid, index, signed_base):
    query = random_query(rng)
    pairs = random_pairs(rng, account_sid)
    url = signed_base + STATUS_PATH + query
    return {"index": index, "query": query, "pairs": pairs, "body": encode_form(rng, pairs),
            "signed_base": signed_base, "signed_url": url, "signature": sign(validator, url, pairs)}


def check_generated(case):
    """The body must decode back to exactly the pairs that were signed."""
    decoded = urllib.parse.parse_qsl(case["body"], keep_blank_values=True, strict_parsing=False,
                                     errors="strict")
    if sorted(decoded) != sorted(case["pairs"]):
        return "body does not decode to its pairs: " + case["body"]
    return None


# ---------- the server ----------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, target, headers, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, target, body=body, headers=headers)
        res = conn.getresponse()
        return res.status, res.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as e:
        return 0, str(e)
    finally:
        conn.close()


class Server:
    def __init__(self, binary, token, account_sid):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="hotline-sig-py-")
        self.base = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(self.dir, "server.log")
        env = {k: os.environ[k] for k in ("PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                          "LSAN_OPTIONS", "LD_LIBRARY_PATH") if k in os.environ}
        env.update(HOME=self.dir, PORT=str(self.port), HOST="127.0.0.1",
                   PUBLIC_BASE_URL=self.base, TWILIO_ACCOUNT_SID=account_sid,
                   TWILIO_AUTH_TOKEN=token,
                   DATABASE_URL="sqlite:" + os.path.join(self.dir, "hotline.db"),
                   MEDIA_DIR=os.path.join(self.dir, "media"), LOG_FORMAT="json")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "serve"], cwd=self.dir, env=env,
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def log_tail(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read()[-8000:].decode("utf-8", "replace")

    def wait_healthy(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("hotline exited during start-up:\n" + self.log_tail())
            status, body = request(self.port, "GET", "/health", {})
            if status == 200:
                try:
                    if json.loads(body).get("ok") is True:
                        return
                except ValueError:
                    pass
                raise RuntimeError('/health answered 200 but not {"ok":true}: ' + body)
            time.sleep(0.1)
        raise RuntimeError("hotline did not answer GET /health within 20 s:\n" + self.log_tail())

    def stop(self):
        """SIGTERM by PID, SIGKILL after 10 s; returns a complaint or None."""
        complaint = None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.returncode not in (0, -signal.SIGTERM):
            complaint = "hotline exited with %d after SIGTERM:\n%s" % (self.proc.returncode,
                                                                       self.log_tail())
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return complaint


# ---------- the checks ----------

class Tally:
    def __init__(self):
        self.passed, self.failed, self.reports = 0, 0, []

    def check(self, what, ok, detail):
        if ok:
            self.passed += 1
            return
        self.failed += 1
        if len(self.reports) < 25:
            self.reports.append("%s: %s" % (what, detail))


def describe(case, status, body):
    return "got %d %s for %s" % (status, body[:160], json.dumps(
        {"signed": case["signed_url"], "body": case["body"]}, ensure_ascii=True))


def post_form(port, case, signature):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return request(port, "POST", STATUS_PATH + case["query"], headers, case["body"].encode())


def run_form_cases(server, rng, validator, account_sid, tally):
    without_port = "http://127.0.0.1"
    for i in range(CASES):
        base = without_port if rng.random() < 0.25 else server.base
        case = make_case(rng, validator, account_sid, i, base)
        problem = check_generated(case)
        tally.check("generator %d" % i, problem is None, problem)
        status, body = post_form(server.port, case, case["signature"])
        tally.check("case %d signed" % i, 200 <= status < 300, describe(case, status, body))
        kind, t = tamper(rng, validator, case, i)
        status, body = post_form(server.port, t, t["signature"])
        tally.check("case %d tampered %s" % (i, kind), status == 403, describe(t, status, body))
        status, body = post_form(server.port, case, None)
        tally.check("case %d no header" % i, status == 400, describe(case, status, body))


def run_json_cases(server, rng, validator, account_sid, tally):
    for i in range(JSON_CASES):
        doc = {"AccountSid": account_sid, "CallSid": "CA" + rng.randbytes(16).hex(),
               "CallStatus": "ringing", random_name(rng, set()): random_value(rng)}
        body = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
        query = "?bodySHA256=" + validator.compute_hash(body)
        if rng.random() < 0.5:
            query += "&" + random_query(rng)[1:]
        url = server.base + STATUS_PATH + query
        signature = validator.compute_signature(url, {})
        case = {"signed_url": url, "body": body}
        tally.check("json generator %d" % i, validator.validate(url, body, signature), url)
        headers = {"Content-Type": "application/json", "X-Twilio-Signature": signature}
        status, text = request(server.port, "POST", STATUS_PATH + query, headers, body.encode())
        tally.check("json case %d signed" % i, 200 <= status < 500 and status not in (400, 403),
                    describe(case, status, text))
        changed = dict(case, body=change_one_byte(rng, body))
        status, text = request(server.port, "POST", STATUS_PATH + query, headers,
                               changed["body"].encode())
        tally.check("json case %d body changed" % i, status == 403, describe(changed, status, text))


def generators_only(rng, validator, account_sid, tally):
    """Check the generators alone (no server): bodies decode back, tampering changes something."""
    for i in range(CASES):
        case = make_case(rng, validator, account_sid, i, rng.choice(["http://h", "http://h:80"]))
        problem = check_generated(case)
        tally.check("generator %d" % i, problem is None, problem)
        kind, t = tamper(rng, validator, case, i)
        tally.check("tamper %d %s" % (i, kind), t != case, "tampered copy equals the original")
    print("signature_python: %d passed, %d failed" % (tally.passed, tally.failed))
    return 0 if tally.failed == 0 else 1


def main():
    rng = random.Random(SEED)
    tally = Tally()
    print("signature_python: seed %d, %d cases" % (SEED, CASES))
    binary = os.environ.get("HOTLINE_BIN")
    token = rng.randbytes(16).hex()
    account_sid = "AC" + rng.randbytes(16).hex()
    validator = RequestValidator(token)
    if "--generators-only" in sys.argv:
        return generators_only(rng, validator, account_sid, tally)
    if not binary or not os.path.exists(binary):
        raise RuntimeError("HOTLINE_BIN is not set to the hotline binary")
    server = Server(binary, token, account_sid)
    try:
        server.wait_healthy()
        run_form_cases(server, rng, validator, account_sid, tally)
        run_json_cases(server, rng, validator, account_sid, tally)
    finally:
        complaint = server.stop()
        tally.check("server shutdown", complaint is None, complaint)
    for report in tally.reports:
        print("FAIL " + report)
    print("signature_python: %d passed, %d failed" % (tally.passed, tally.failed))
    return 0 if tally.failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # report, then fail: ctest shows the output
        print("FAIL %r" % e)
        print("signature_python: 0 passed, 1 failed")
        sys.exit(1)
