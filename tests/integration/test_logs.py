"""The whole log of a server run: structured, masked, and free of secrets.

A server is driven through every kind of webhook with the test numbers and
secrets in play; then its entire log is read. Every line must be one JSON
object with time/level/msg, request lines must carry route, status and
duration, and no full test number, auth token or API key may appear —
while the masked forms must (so the check cannot pass by logging nothing)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (BUSINESS, CALLER, WHATSAPP_CALLER, Server, assert_log_private,  # noqa: E402
                     main, sid, voice_params)


def exercise(server):
    call_sid = sid("CA")
    server.post_form("/twilio/voice", voice_params(call_sid))
    server.post_form("/twilio/status", voice_params(call_sid, CallStatus="completed",
                                                    SequenceNumber="3", CallDuration="5"))
    server.post_form("/twilio/recording", {"CallSid": call_sid, "RecordingSid": sid("RE"),
                                           "RecordingUrl": "https://example.com/r",
                                           "From": CALLER, "To": BUSINESS})
    server.post_form("/twilio/sms", {"MessageSid": sid("SM"), "From": CALLER, "To": BUSINESS,
                                     "Body": "call me at %s or %s" % (CALLER, BUSINESS)})
    server.post_form("/twilio/sms", {"MessageSid": sid("SM"), "From": "whatsapp:" +
                                     WHATSAPP_CALLER, "To": "whatsapp:" + BUSINESS,
                                     "Body": "STOP"})
    server.post_form("/twilio/voice", voice_params(sid("CA")), signed=False,
                     headers={"X-Twilio-Signature": server.auth_token})
    server.request("GET", "/api/contacts/" + CALLER)
    return call_sid


class JsonLogTest(unittest.TestCase):
    def test_json_log_is_structured_masked_and_secret_free(self):
        server = Server().start()
        call_sid = exercise(server)
        secrets_in_play = [server.auth_token, server.api_key]
        log = server.stop(check_log=False)
        assert_log_private(log, secrets_in_play)
        lines = [json.loads(line) for line in log.splitlines() if line.strip()]
        for line in lines:
            for key in ("time", "level", "msg"):
                self.assertIn(key, line)
        requests = [line for line in lines if line["msg"] == "request"]
        self.assertGreaterEqual(len(requests), 7)
        for line in requests:
            for key in ("method", "path", "status", "duration_us"):
                self.assertIn(key, line)
        voice = [line for line in requests if line.get("route") == "/twilio/voice"]
        self.assertEqual(voice[0]["call_sid"], call_sid)
        self.assertIn("+1***-***-0123", log)
        self.assertIn("+44***-***-0321", log)
        statuses = [line for line in lines if line["msg"] == "call_status"]
        self.assertEqual(statuses[0]["from"], "+1***-***-0123")
        self.assertEqual(statuses[0]["to"], "+1***-***-9876")


class TextLogTest(unittest.TestCase):
    def test_text_log_is_masked_too(self):
        server = Server({"LOG_FORMAT": "text"}).start()
        exercise(server)
        log = server.stop()
        self.assertIn("+1***-***-0123", log)
        lines = log.splitlines()
        self.assertTrue(all(not line.startswith("{") for line in lines))
        self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|debug) ")
        self.assertTrue(any("route=/twilio/voice" in line and "status=200" in line
                            for line in lines))


if __name__ == "__main__":
    main()
