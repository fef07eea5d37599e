"""The HTTP edge under bad and hostile input: malformed forms, missing or
wrong Content-Type, truncated and oversized bodies, huge headers, slow
clients, unknown routes, and a graceful stop with a request in flight."""
import os
import socket
import struct
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, ServerTest, main, read_response, sid, voice_params  # noqa: E402


class MalformedRequestTest(ServerTest):
    extra_env = {"HTTP_TIMEOUT": "2"}

    def signed_raw_body(self, target, body, content_type="application/x-www-form-urlencoded"):
        params = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
        headers = {"Content-Type": content_type,
                   "X-Twilio-Signature": self.server.sign(target, params)}
        return self.server.request("POST", target, body, headers)

    def test_bad_percent_escape_is_400(self):
        for body in (b"CallSid=CA1&From=%2", b"CallSid=%zz", b"From=%"):
            with self.subTest(body=body):
                r = self.server.request("POST", "/twilio/voice", body, {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": "x"})
                self.assertEqual(r.status, 400)
                self.assertIn("percent-escape", r.text)

    def test_missing_content_type_is_415(self):
        r = self.server.request("POST", "/twilio/voice", b"CallSid=CA1",
                                {"X-Twilio-Signature": "x"})
        self.assertEqual(r.status, 415)
        self.assertIn("x-www-form-urlencoded", r.text)

    def test_plus_and_repeated_keys_and_empty_values_decode(self):
        call_sid = sid("CA")
        body = ("CallSid=%s&From=%%2B14155550123&To=&Caller=a+b&Caller=c&Flag" % call_sid).encode()
        params = [("CallSid", call_sid), ("From", "+14155550123"), ("To", ""),
                  ("Caller", "a b"), ("Caller", "c"), ("Flag", "")]
        sig = self.server.validator.compute_signature(
            self.server.base + "/twilio/voice", {})
        # python-twilio 7.7.1 takes a dict; build the repeated-key signature by hand instead.
        import base64
        import hashlib
        import hmac
        data = self.server.base + "/twilio/voice"
        names = sorted({k for k, _ in params})
        for name in names:
            for value in sorted({v for k, v in params if k == name}):
                data += name + value
        sig = base64.b64encode(hmac.new(self.server.auth_token.encode(), data.encode(),
                                        hashlib.sha1).digest()).decode()
        r = self.server.request("POST", "/twilio/voice", body, {
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})
        self.assertEqual(r.status, 200, r.text)
        row = self.server.rows("SELECT from_number FROM calls WHERE sid = ?", (call_sid,))[0]
        self.assertEqual(row["from_number"], "+14155550123")

    def test_body_over_one_mib_is_413(self):
        # The 413 comes as soon as the head declares too much: send only the head, so that the
        # server closing the connection cannot reset it under a body still being written.
        head = ("POST /twilio/sms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: x\r\n"
                "Content-Length: %d\r\n\r\n" % (1024 * 1024 + 15)).encode()
        r = self.server.raw(head)
        self.assertEqual(r.status, 413)
        self.assertIn("1 MiB", r.text)

    def test_chunked_body_over_one_mib_is_413(self):
        chunk = b"a" * 65536
        with self.server.connect() as s:
            s.sendall(b"POST /twilio/sms HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
            try:
                for _ in range(20):
                    s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                s.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server may close once it has answered
            self.assertEqual(read_response(s).status, 413)

    def test_huge_headers_are_refused(self):
        r = self.server.raw(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 +
                            b"\r\n\r\n")
        self.assertIn(r.status, (413, 431))

    def test_header_count_limit_is_64(self):
        extra = {"X-H%d" % i: "v" for i in range(62)}  # with Host and Connection: 64
        self.assertEqual(self.server.request("GET", "/health", headers=extra).status, 200)
        extra["X-H62"] = "v"
        r = self.server.request("GET", "/health", headers=extra)
        self.assertEqual(r.status, 431)

    def test_truncated_body_stores_nothing_and_server_survives(self):
        call_sid = sid("CA")
        with self.server.connect(timeout=10) as s:
            s.sendall(b"POST /twilio/voice HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\n"
                      b"X-Twilio-Signature: x\r\nContent-Length: 500\r\n\r\nCallSid=" +
                      call_sid.encode())
            s.shutdown(socket.SHUT_WR)
            s.settimeout(10)
            try:
                data = s.recv(100)
            except OSError:
                data = b""
            self.assertNotIn(b"200 OK", data)
        self.assertEqual(self.server.count("calls", "sid = ?", (call_sid,)), 0)
        self.assertEqual(self.server.request("GET", "/health").status, 200)

    def test_slow_client_is_dropped(self):
        with self.server.connect(timeout=10) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            start = time.time()
            data = s.recv(100)  # the server closes the connection after HTTP_TIMEOUT
            self.assertEqual(data, b"")
            self.assertLess(time.time() - start, 8)

    def test_garbage_request_line_is_400(self):
        r = self.server.raw(b"BLAH BLAH\r\n\r\n")
        self.assertEqual(r.status, 400)
        self.assertEqual(self.server.raw(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n").status, 505)

    def test_one_word_request_line_is_closed_and_server_survives(self):
        # libmicrohttpd drops a request line with no target without answering.
        with self.server.connect(timeout=5) as s:
            s.sendall(b"BLAH\r\n\r\n")
            self.assertEqual(s.recv(100), b"")
        self.assertEqual(self.server.request("GET", "/health").status, 200)

    def test_unknown_route_is_404_with_body(self):
        r = self.server.request("GET", "/nope")
        self.assertEqual(r.status, 404)
        self.assertTrue(r.text.strip())

    def test_wrong_method_is_405_with_allow(self):
        r = self.server.request("GET", "/twilio/voice")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.headers["allow"], "POST")
        r = self.server.request("POST", "/health", b"", {"Content-Type": "text/plain"})
        self.assertEqual(r.status, 405)
        self.assertEqual(r.headers["allow"], "GET, HEAD")

    def test_bad_escape_in_path_parameter_is_400(self):
        r = self.server.request("POST", "/twilio/recording/CA%zz", b"a=b", {
            "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 400)

    def test_keep_alive_serves_several_requests(self):
        with self.server.connect() as s:
            for _ in range(3):
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(read_response(s).status, 200)


class BatchedWebhooksTest(ServerTest):
    """Webhooks that arrive together are committed together (one round of the edge's event
    loop): each still gets its own answer and row, and clients that close or reset their
    connections around their answer harm no other request (a reset can also land while its
    request waits for the round's commit: the edge then frees it after the commit)."""

    def raw_webhook(self, call_sid):
        params = voice_params(call_sid)
        body = urllib.parse.urlencode(params).encode()
        return ("POST /twilio/voice HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "X-Twilio-Signature: %s\r\nContent-Length: %d\r\n\r\n"
                % (self.server.sign("/twilio/voice", params), len(body))).encode() + body

    def test_webhooks_sent_together_each_get_their_answer_and_row(self):
        sids = [sid("CA") for _ in range(40)]
        socks = [self.server.connect() for _ in sids]
        for s, call_sid in zip(socks, sids):
            s.sendall(self.raw_webhook(call_sid))
        for s in socks:
            r = read_response(s)
            s.close()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.xml().tag, "Response")
        for call_sid in sids:
            self.assertEqual(self.server.count("calls", "sid = ?", (call_sid,)), 1)

    def test_clients_that_leave_before_their_answer_harm_nothing(self):
        leavers = [sid("CA") for _ in range(30)]
        stayer = sid("CA")
        socks = [self.server.connect() for _ in leavers]
        for i, s in enumerate(socks):
            if i % 2:  # half of them reset the connection instead of closing it
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        for s, call_sid in zip(socks, leavers):  # together: they share rounds
            s.sendall(self.raw_webhook(call_sid))
        for s in socks:
            s.close()
        with self.server.connect() as s:
            s.sendall(self.raw_webhook(stayer))
            self.assertEqual(read_response(s).status, 200)
        self.assertEqual(self.server.count("calls", "sid = ?", (stayer,)), 1)
        self.assertEqual(self.server.request("GET", "/health").status, 200)
        # What reached the server whole was stored whole, once.
        stored = self.server.count("calls", "sid IN (%s)" % ",".join("?" * len(leavers)),
                                   tuple(leavers))
        self.assertLessEqual(stored, len(leavers))
        self.assertEqual(self.server.count("calls", "sid IN (%s) AND from_number IS NULL"
                                           % ",".join("?" * len(leavers)), tuple(leavers)), 0)


class GracefulStopTest(ServerTest):
    def test_request_in_flight_finishes_after_sigterm(self):
        call_sid = sid("CA")
        params = voice_params(call_sid)
        body = urllib.parse.urlencode(params).encode()
        head = ("POST /twilio/voice HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "X-Twilio-Signature: %s\r\nContent-Length: %d\r\n\r\n"
                % (self.server.sign("/twilio/voice", params), len(body))).encode()
        s = self.server.connect()
        s.sendall(head + body[:10])
        time.sleep(0.3)
        self.server.proc.send_signal(15)
        time.sleep(0.3)
        self.assertIsNone(self.server.proc.poll(), "server stopped before the request finished")
        s.sendall(body[10:])
        r = read_response(s)
        s.close()
        self.assertEqual(r.status, 200)
        self.server.proc.wait(timeout=15)
        self.assertEqual(self.server.proc.returncode, 0)
        self.assertEqual(self.server.count("calls", "sid = ?", (call_sid,)), 1)
        # New connections are refused once stopping has begun.
        with self.assertRaises(OSError):
            self.server.connect(timeout=2).sendall(b"GET /health HTTP/1.1\r\n\r\n")
            raise OSError("connected")


if __name__ == "__main__":
    main()
