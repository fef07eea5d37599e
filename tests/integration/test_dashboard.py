"""test_dashboard.py — the /voice dashboard's login, sessions, CSRF defence and JSON.

A visitor without a session gets the login page and 401 from every /voice/api route. Logging
in takes one of API_KEYS in a same-origin form POST: a wrong key is refused with a clear
message (and attempts are rate-limited), a good one sets an HttpOnly, SameSite=Strict cookie
(Secure only when PUBLIC_BASE_URL is https) whose token is stored only as its SHA-256. Logout
needs the session's CSRF token and the same origin, and ends the session for good. The JSON
masks every number, searches by a whole number or its last digits, and pages with next_before.
"""
import hashlib
import json
import re
import sqlite3
import unittest
import urllib.parse

import harness
from harness import BUSINESS, CALLER, Server, ServerTest, sid, voice_params

OTHER = "+14155550188"
API_ROUTES = ["/voice/api/session", "/voice/api/calls", "/voice/api/calls/CA" + "0" * 32,
              "/voice/api/messages", "/voice/api/memos", "/voice/api/bookings",
              "/voice/api/optouts", "/voice/api/stats", "/voice/api/health"]


def form(**fields):
    return urllib.parse.urlencode(fields).encode()


class Browser:
    """Just enough of a browser: one cookie, and the page's origin on POSTs."""

    def __init__(self, server, origin=None):
        self.server = server
        self.origin = origin or server.base
        self.token = None

    def headers(self, extra=None):
        h = {}
        if self.token:
            h["Cookie"] = "other=1; hl_session=" + self.token
        h.update(extra or {})
        return h

    def login(self, key, headers=None):
        h = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
        h.update(headers or {})
        r = self.server.request("POST", "/voice/login", form(key=key), self.headers(h))
        m = re.match(r"hl_session=([A-Za-z0-9_-]*);", r.headers.get("set-cookie", ""))
        if r.status == 200 and m:
            self.token = m.group(1)
        return r

    def get(self, target):
        return self.server.request("GET", target, headers=self.headers())

    def json(self, target):
        r = self.get(target)
        assert r.status == 200, (target, r.status, r.text)
        return r.json()

    def csrf(self):
        return self.json("/voice/api/session")["csrf"]

    def logout(self, headers):
        return self.server.request("POST", "/voice/logout", b"", self.headers(headers))


def sms(server, sender, body):
    return server.post_form("/twilio/sms", {"MessageSid": sid("SM"), "AccountSid": server.account_sid,
                                            "From": sender, "To": BUSINESS, "Body": body})


class Dashboard(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.calls = []
        for caller in (CALLER, OTHER, CALLER):
            call = sid("CA")
            r = s.post_form("/twilio/voice", voice_params(call, From=caller, Caller=caller))
            assert r.status == 200, r.text
            cls.calls.append(call)
        r = s.post_form("/twilio/status", voice_params(cls.calls[0], CallStatus="completed",
                                                       SequenceNumber="3", CallDuration="7"))
        assert r.status == 200, r.text
        for sender, text in ((CALLER, "hello there"), (OTHER, "STOP")):
            assert sms(s, sender, text).status == 200
        with s.db() as db:
            db.execute("INSERT INTO memos (id, kind, call_sid, key_sha256, created_at) VALUES "
                       "(?, 'voicemail', ?, ?, '2026-01-01T00:00:00.000Z')",
                       ("m" * 22, cls.calls[0], "ab" * 32))
            db.execute("INSERT INTO bookings (call_sid, phone, starts_at, timezone, summary, "
                       "created_at, updated_at) VALUES (?, ?, '2026-12-01T15:00:00.000Z', "
                       "'America/New_York', 'cleaning', 'x', 'x')", (cls.calls[0], CALLER))

    def browser(self):
        b = Browser(self.server)
        r = b.login(self.server.api_key)
        self.assertEqual(r.status, 200, r.text)
        return b

    # ---- without a session ----

    def test_a_visitor_gets_the_login_page_and_401_everywhere(self):
        r = self.server.request("GET", "/voice")
        self.assertEqual(r.status, 200)
        self.assertIn('<form id="login"', r.text)
        self.assertNotIn("dashboard.js", r.text)
        self.assertIn("script-src 'self'", r.headers["content-security-policy"])
        self.assertEqual(r.headers["cache-control"], "no-store")
        for cookie in (None, "hl_session=" + "A" * 43, "hl_session=short"):
            for route in API_ROUTES:
                r = self.server.request("GET", route, headers={"Cookie": cookie} if cookie else {})
                self.assertEqual(r.status, 401, route)
                self.assertEqual(r.json()["error"]["code"], "unauthorized")
        r = self.server.request("POST", "/voice/logout", b"", {"Origin": self.server.base})
        self.assertEqual(r.status, 401)

    def test_login_and_logout_opened_as_pages_lead_to_the_dashboard(self):
        for path in ("/voice/login", "/voice/logout"):
            r = self.server.request("GET", path)
            self.assertEqual(r.status, 303, path)
            self.assertEqual(r.headers["location"], "/voice")

    # ---- login ----

    def test_a_wrong_key_is_refused_clearly_and_sets_no_cookie(self):
        b = Browser(self.server)
        for key in ("key_wrong", self.server.api_key + "x", self.server.api_key[:-1]):
            r = b.login(key)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json()["error"]["code"], "wrong_key")
            self.assertIn("API_KEYS", r.json()["error"]["message"])
            self.assertNotIn("set-cookie", r.headers)
        r = self.server.request("POST", "/voice/login", form(key=""),
                                {"Content-Type": "application/x-www-form-urlencoded",
                                 "Origin": self.server.base})
        self.assertEqual(r.status, 400)

    def test_login_from_another_origin_is_refused(self):
        for h in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                  {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                  {"Origin": None}):
            b = Browser(self.server, origin=h.get("Origin", self.server.base))
            extra = {k: v for k, v in h.items() if k != "Origin"}
            if h.get("Origin", "") is None:
                r = self.server.request("POST", "/voice/login", form(key=self.server.api_key),
                                        {"Content-Type": "application/x-www-form-urlencoded"})
            else:
                r = b.login(self.server.api_key, extra)
            self.assertEqual(r.status, 403, h)
            self.assertEqual(r.json()["error"]["code"], "cross_origin")
            self.assertNotIn("set-cookie", r.headers)
        # Sec-Fetch-Site: same-origin is the browser's word, whatever Origin the proxy sees.
        r = Browser(self.server, origin="http://localhost:1").login(
            self.server.api_key, {"Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status, 200)

    def test_a_logged_in_browser_gets_the_dashboard_page(self):
        page = self.browser().get("/voice")
        self.assertEqual(page.status, 200)
        self.assertIn("/assets/dashboard.js?v=", page.text)
        self.assertNotIn("<script>", page.text)
        self.assertIn("script-src 'self'", page.headers["content-security-policy"])

    def test_the_cookie_is_httponly_strict_not_secure_over_http(self):
        b = Browser(self.server)
        r = b.login(self.server.api_key)
        self.assertEqual(r.status, 200, r.text)
        cookie = r.headers["set-cookie"]
        attrs = [a.strip() for a in cookie.split(";")]
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Strict", attrs)
        self.assertIn("Path=/voice", attrs)
        self.assertNotIn("Secure", attrs)
        self.assertEqual(len(b.token), 43)  # 256 bits, base64url

    def test_the_session_is_stored_hashed_and_the_token_nowhere(self):
        b = self.browser()
        digest = hashlib.sha256(b.token.encode()).hexdigest()
        rows = self.server.rows("SELECT * FROM sessions WHERE token_sha256 = ?", (digest,))
        self.assertEqual(len(rows), 1)
        self.assertLess(rows[0]["created_at"], rows[0]["expires_at"])
        self.assertLessEqual(rows[0]["idle_expires_at"], rows[0]["expires_at"])
        with self.server.db() as db:
            db.execute("PRAGMA wal_checkpoint(FULL)")
        for path in (self.server.db_path, self.server.db_path + "-wal"):
            try:
                with open(path, "rb") as f:
                    self.assertNotIn(b.token.encode(), f.read())
            except FileNotFoundError:
                pass
        self.assertNotIn(b.token, self.server.read_log())
        self.assertNotIn(self.server.api_key, self.server.read_log())

    def test_an_expired_session_is_refused(self):
        b = self.browser()
        digest = hashlib.sha256(b.token.encode()).hexdigest()
        self.assertEqual(b.get("/voice/api/calls").status, 200)
        with self.server.db() as db:
            db.execute("UPDATE sessions SET idle_expires_at = '2000-01-01T00:00:00.000Z' "
                       "WHERE token_sha256 = ?", (digest,))
        self.assertEqual(b.get("/voice/api/calls").status, 401)
        self.assertNotIn("dashboard.js", b.get("/voice").text)
        b2 = self.browser()
        digest2 = hashlib.sha256(b2.token.encode()).hexdigest()
        with self.server.db() as db:
            db.execute("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z' "
                       "WHERE token_sha256 = ?", (digest2,))
        self.assertEqual(b2.get("/voice/api/calls").status, 401)
        self.browser()  # a new login removes the sessions that have ended
        self.assertEqual(self.server.count("sessions", "token_sha256 IN (?, ?)",
                                           (digest, digest2)), 0)

    # ---- CSRF and logout ----

    def test_logout_needs_the_csrf_token_and_the_same_origin(self):
        b = self.browser()
        token = b.csrf()
        base = self.server.base
        refused = [({"Origin": base}, "csrf"),
                   ({"Origin": base, "X-CSRF-Token": "A" * 43}, "csrf"),
                   ({"Origin": base, "X-CSRF-Token": token[:-1]}, "csrf"),
                   ({"Origin": "http://evil.example", "X-CSRF-Token": token}, "cross_origin"),
                   ({"Sec-Fetch-Site": "cross-site", "Origin": base, "X-CSRF-Token": token},
                    "cross_origin"),
                   ({"X-CSRF-Token": token}, "cross_origin")]
        for headers, code in refused:
            r = b.logout(headers)
            self.assertEqual(r.status, 403, headers)
            self.assertEqual(r.json()["error"]["code"], code)
        self.assertEqual(b.get("/voice/api/calls").status, 200)  # still logged in
        # Another session's token does not fit this one.
        other = self.browser().csrf()
        self.assertNotEqual(other, token)
        self.assertEqual(b.logout({"Origin": base, "X-CSRF-Token": other}).status, 403)

        r = b.logout({"Origin": base, "X-CSRF-Token": token})
        self.assertEqual(r.status, 200, r.text)
        self.assertRegex(r.headers["set-cookie"], r"^hl_session=; Path=/voice; Max-Age=0;")
        digest = hashlib.sha256(b.token.encode()).hexdigest()
        self.assertEqual(self.server.count("sessions", "token_sha256 = ?", (digest,)), 0)
        for route in API_ROUTES:
            self.assertEqual(b.get(route).status, 401, route)

    def test_logout_accepts_the_token_as_a_form_field(self):
        b = self.browser()
        r = self.server.request("POST", "/voice/logout", form(csrf=b.csrf()),
                                b.headers({"Content-Type": "application/x-www-form-urlencoded",
                                           "Origin": self.server.base}))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(b.get("/voice/api/session").status, 401)

    # ---- the data ----

    def assert_masked(self, body):
        for number in (CALLER, OTHER, BUSINESS):
            self.assertNotIn(number, body)
            self.assertNotIn(number[1:], body)

    def test_every_answer_masks_numbers(self):
        b = self.browser()
        for route in API_ROUTES[1:]:
            self.assert_masked(b.get(route).text)
        self.assert_masked(b.get("/voice/api/calls/" + self.calls[0]).text)
        calls = b.json("/voice/api/calls")["calls"]
        self.assertIn("+1***-***-0123", [c["from"] for c in calls])
        for route in API_ROUTES[:2]:
            self.assertEqual(b.get(route).headers["cache-control"], "no-store", route)

    def test_calls_with_their_events_and_messages(self):
        b = self.browser()
        calls = b.json("/voice/api/calls")["calls"]
        self.assertEqual([c["sid"] for c in calls], self.calls[::-1])
        one = b.json("/voice/api/calls/" + self.calls[0])
        self.assertEqual(one["status"], "completed")
        self.assertEqual(one["duration_s"], 7)
        self.assertIn("completed", [e["status"] for e in one["events"]])
        self.assertIn("transcriptions", one)
        msgs = b.json("/voice/api/messages")["messages"]
        self.assertIn("hello there", [m["body"] for m in msgs])
        optouts = b.json("/voice/api/optouts")["optouts"]
        self.assertEqual([(o["phone"], o["keyword"]) for o in optouts], [("+1***-***-0188", "STOP")])
        bookings = b.json("/voice/api/bookings")["bookings"]
        self.assertEqual(bookings[0]["summary"], "cleaning")

    def test_memos_show_metadata_only(self):
        b = self.browser()
        memos = b.json("/voice/api/memos")["memos"]
        self.assertEqual(len(memos), 1)
        m = memos[0]
        self.assertEqual((m["id"], m["kind"], m["call_sid"]), ("m" * 22, "voicemail", self.calls[0]))
        text = json.dumps(memos)
        self.assertNotIn("ab" * 32, text)
        for field in ("key_sha256", "audio_path", "meta_path", "key"):
            self.assertNotIn(field, m)

    def test_search_by_whole_number_or_last_digits(self):
        b = self.browser()
        whole = b.json("/voice/api/calls?phoneNumber=" + urllib.parse.quote(CALLER))["calls"]
        self.assertEqual([c["sid"] for c in whole], [self.calls[2], self.calls[0]])
        digits = b.json("/voice/api/calls?phoneNumber=0123")["calls"]
        self.assertEqual([c["sid"] for c in digits], [self.calls[2], self.calls[0]])
        self.assertEqual(b.json("/voice/api/calls?phoneNumber=0188")["calls"][0]["sid"], self.calls[1])
        self.assertEqual(b.json("/voice/api/calls?phoneNumber=7777")["calls"], [])
        self.assertEqual(len(b.json("/voice/api/messages?phoneNumber=0188")["messages"]), 1)
        self.assertEqual(len(b.json("/voice/api/optouts?phoneNumber=0123")["optouts"]), 0)
        self.assertEqual(len(b.json("/voice/api/optouts?phoneNumber=0188")["optouts"]), 1)
        self.assertEqual(len(b.json("/voice/api/memos?phoneNumber=0123")["memos"]), 1)
        self.assertEqual(len(b.json("/voice/api/memos?phoneNumber=0188")["memos"]), 0)
        self.assertEqual(len(b.json("/voice/api/bookings?phoneNumber=50123")["bookings"]), 1)
        self.assert_masked(b.get("/voice/api/calls?phoneNumber=0123").text)
        for bad in ("12", "abc", "%2B1", "1234567890123456"):
            r = b.get("/voice/api/calls?phoneNumber=" + bad)
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(r.json()["error"]["field"], "phoneNumber")

    def test_pages_go_back_with_next_before(self):
        b = self.browser()
        seen, before = [], ""
        for _ in range(5):
            page = b.json("/voice/api/calls?limit=1" + before)
            seen += [c["sid"] for c in page["calls"]]
            if page["next_before"] is None:
                break
            before = "&before=%d" % page["next_before"]
        self.assertEqual(seen, self.calls[::-1])
        self.assertEqual(b.get("/voice/api/memos?limit=0").status, 400)

    def test_the_chart_counts_today_and_the_health_panel(self):
        b = self.browser()
        stats = b.json("/voice/api/stats")
        self.assertEqual(stats["timezone"], "America/New_York")
        days = stats["days"]
        self.assertEqual(len(days), 14)
        self.assertEqual(sorted(d["date"] for d in days), [d["date"] for d in days])
        self.assertEqual(days[-1]["calls"], 3)
        self.assertEqual(days[-1]["messages"], 2)
        self.assertEqual(sum(d["calls"] for d in days[:-1]), 0)
        health = b.json("/voice/api/health")
        self.assertEqual(health["test"], self.server.request("GET", "/twilio/test").json())
        self.assertEqual(health["config"], self.server.request("GET", "/twilio/config").json())
        self.assertEqual(health["test"]["passed"] + health["test"]["failed"], 4)
        self.assertIs(health["config"]["api_keys_configured"], True)
        self.assertNotIn(self.server.auth_token, json.dumps(health))


class SecureCookie(unittest.TestCase):
    def test_the_cookie_is_secure_behind_https(self):
        server = Server({"PUBLIC_BASE_URL": "https://hotline.example"}).start()
        try:
            b = Browser(server, origin="https://hotline.example")
            r = b.login(server.api_key)
            self.assertEqual(r.status, 200, r.text)
            self.assertIn("Secure", [a.strip() for a in r.headers["set-cookie"].split(";")])
            self.assertEqual(Browser(server).login(server.api_key).status, 403)  # http origin
        finally:
            server.stop()


class NoKeys(unittest.TestCase):
    def test_without_api_keys_nobody_logs_in_and_the_page_says_why(self):
        server = Server({"API_KEYS": ""}).start()
        try:
            r = Browser(server).login("anything")
            self.assertEqual(r.status, 401)
            self.assertIn("No API keys are configured", r.json()["error"]["message"])
            r = Browser(server).login("")
            self.assertEqual(r.status, 400)
        finally:
            server.stop()


class LoginRateLimit(unittest.TestCase):
    def test_repeated_wrong_keys_are_slowed_down(self):
        server = Server().start()
        try:
            b = Browser(server)
            statuses = [b.login("key_guess_%d" % i).status for i in range(12)]
            self.assertEqual(statuses[:10], [401] * 10)
            self.assertEqual(statuses[10:], [429, 429])
            r = b.login(server.api_key)
            self.assertEqual(r.status, 429)  # even the right key waits its turn
            self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
            self.assertIn("Too many login attempts", r.json()["error"]["message"])
        finally:
            server.stop()


if __name__ == "__main__":
    harness.main()
