"""The Twilio-facing routes, end to end against the real binary: answers,
stored rows, idempotent retries, and signatures enforced on every alias."""
import json
import sys
import os

sys.path.insert(0, os.path.dirname(__file__))
from harness import (BUSINESS, CALLER, WHATSAPP_CALLER, ServerTest, main, sid,  # noqa: E402
                     voice_params)

WEBHOOK_ROUTES = {
    "voice": ["/twilio/voice", "/api/twilio/voice", "/twilio/voice/incoming"],
    "status": ["/twilio/status", "/api/twilio/status", "/twilio/voice/status"],
    "recording": ["/twilio/recording", "/twilio/voicemail", "/twilio/recording/CA" + "1" * 32,
                  "/api/twilio/recording", "/api/twilio/recording/CA" + "2" * 32],
    "recording-status": ["/twilio/recording-status", "/api/twilio/recording-status"],
    "sms": ["/twilio/sms", "/api/twilio/sms"],
    "message-status": ["/twilio/message-status"],
}


class VoiceTest(ServerTest):
    def test_voice_answers_greeting_record_hangup(self):
        call_sid = sid("CA")
        r = self.server.post_form("/twilio/voice", voice_params(call_sid))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["content-type"], "text/xml; charset=utf-8")
        doc = r.xml()
        self.assertEqual(doc.tag, "Response")
        # The voicemail flow (FLOW's default): greeting, a <Record>, and a redirect for silence.
        self.assertEqual([c.tag for c in doc], ["Say", "Record", "Redirect"])
        self.assertIn("Test Dental", doc[0].text)
        self.assertEqual(doc[0].get("voice"), "Polly.Joanna")
        record = doc[1]
        self.assertEqual(record.get("action"), self.server.base + "/twilio/flow/message?flow=voicemail")
        self.assertEqual(record.get("finishOnKey"), "#")
        self.assertEqual(record.get("playBeep"), "true")
        self.assertEqual(record.get("recordingStatusCallback"),
                         self.server.base + "/twilio/recording-status")
        self.assertEqual(doc[2].text, self.server.base + "/twilio/flow/message?flow=voicemail&noinput=1")

    def test_voice_stores_the_call(self):
        call_sid = sid("CA")
        self.server.post_form("/twilio/voice", voice_params(call_sid))
        rows = self.server.rows("SELECT * FROM calls WHERE sid = ?", (call_sid,))
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["from_number"], CALLER)
        self.assertEqual(rows[0]["to_number"], BUSINESS)
        self.assertEqual(rows[0]["direction"], "inbound")
        self.assertEqual(rows[0]["status"], "ringing")

    def test_voice_retry_is_stored_once(self):
        call_sid = sid("CA")
        first = self.server.post_form("/twilio/voice", voice_params(call_sid))
        second = self.server.post_form("/twilio/voice", voice_params(call_sid))
        self.assertEqual(first.body, second.body)
        self.assertEqual(self.server.count("calls", "sid = ?", (call_sid,)), 1)

    def test_voice_without_call_sid_is_400(self):
        params = voice_params("x")
        del params["CallSid"]
        r = self.server.post_form("/twilio/voice", params)
        self.assertEqual(r.status, 400)
        self.assertIn("CallSid", r.text)


class StatusTest(ServerTest):
    def post_status(self, call_sid, status, seq, token=None, duration=None):
        params = voice_params(call_sid, CallStatus=status, SequenceNumber=str(seq),
                              Timestamp="Sat, 21 Nov 2026 05:35:09 +0000")
        if duration is not None:
            params["CallDuration"] = str(duration)
        headers = {"I-Twilio-Idempotency-Token": token} if token else None
        return self.server.post_form("/twilio/status", params, headers=headers)

    def test_status_answers_empty_response(self):
        r = self.post_status(sid("CA"), "initiated", 0)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.xml()), 0)

    def test_status_retry_with_same_token_is_stored_once(self):
        call_sid = sid("CA")
        a = self.post_status(call_sid, "ringing", 1, token="tok-" + call_sid)
        b = self.post_status(call_sid, "ringing", 1, token="tok-" + call_sid)
        self.assertEqual(a.body, b.body)
        self.assertEqual(self.server.count("call_events", "call_sid = ?", (call_sid,)), 1)

    def test_status_retry_without_token_is_recognised_by_sequence(self):
        call_sid = sid("CA")
        self.post_status(call_sid, "ringing", 1)
        self.post_status(call_sid, "ringing", 1)
        self.post_status(call_sid, "in-progress", 2)
        self.assertEqual(self.server.count("call_events", "call_sid = ?", (call_sid,)), 2)

    def test_status_out_of_order_keeps_latest(self):
        call_sid = sid("CA")
        self.post_status(call_sid, "completed", 3, duration=42)
        self.post_status(call_sid, "ringing", 1)
        call = self.server.rows("SELECT status, duration_s FROM calls WHERE sid = ?",
                                (call_sid,))[0]
        self.assertEqual(call["status"], "completed")
        self.assertEqual(call["duration_s"], 42)
        self.assertEqual(self.server.count("call_events", "call_sid = ?", (call_sid,)), 2)

    def test_status_with_bad_sequence_is_400(self):
        r = self.post_status(sid("CA"), "ringing", "one")
        self.assertEqual(r.status, 400)


class RecordingTest(ServerTest):
    def recording_params(self, call_sid, rec_sid):
        return {
            "AccountSid": self.server.account_sid, "CallSid": call_sid,
            "RecordingSid": rec_sid,
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/%s/Recordings/%s"
                            % (self.server.account_sid, rec_sid),
            "RecordingDuration": "7", "Digits": "#", "From": CALLER, "To": BUSINESS,
        }

    def test_recording_stores_row_and_one_job_and_thanks(self):
        call_sid, rec_sid = sid("CA"), sid("RE")
        r = self.server.post_form("/twilio/recording", self.recording_params(call_sid, rec_sid))
        self.assertEqual(r.status, 200, r.text)
        doc = r.xml()
        self.assertEqual([c.tag for c in doc], ["Say", "Hangup"])
        rec = self.server.rows("SELECT * FROM recordings WHERE sid = ?", (rec_sid,))[0]
        self.assertEqual(rec["call_sid"], call_sid)
        self.assertEqual(rec["duration_s"], 7)
        jobs = self.server.rows("SELECT * FROM jobs WHERE payload LIKE ?", ("%" + rec_sid + "%",))
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs[0]["state"], "queued")
        payload = json.loads(jobs[0]["payload"])
        self.assertEqual(payload["recording_sid"], rec_sid)
        self.assertEqual(payload["call_sid"], call_sid)

    def test_recording_retry_queues_no_second_job(self):
        call_sid, rec_sid = sid("CA"), sid("RE")
        a = self.server.post_form("/twilio/recording", self.recording_params(call_sid, rec_sid))
        b = self.server.post_form("/twilio/recording", self.recording_params(call_sid, rec_sid))
        self.assertEqual(a.body, b.body)
        self.assertEqual(self.server.count("recordings", "sid = ?", (rec_sid,)), 1)
        self.assertEqual(self.server.count("jobs", "payload LIKE ?", ("%" + rec_sid + "%",)), 1)

    def test_recording_call_sid_from_path(self):
        call_sid, rec_sid = sid("CA"), sid("RE")
        params = self.recording_params(call_sid, rec_sid)
        del params["CallSid"]
        r = self.server.post_form("/twilio/recording/" + call_sid, params)
        self.assertEqual(r.status, 200)
        rec = self.server.rows("SELECT call_sid FROM recordings WHERE sid = ?", (rec_sid,))[0]
        self.assertEqual(rec["call_sid"], call_sid)

    def test_recording_status_updates_row(self):
        call_sid, rec_sid = sid("CA"), sid("RE")
        params = self.recording_params(call_sid, rec_sid)
        params.update(RecordingStatus="completed", RecordingChannels="1",
                      RecordingSource="RecordVerb")
        r = self.server.post_form("/twilio/recording-status", params)
        self.assertEqual(r.status, 200)
        rec = self.server.rows("SELECT status, source FROM recordings WHERE sid = ?",
                               (rec_sid,))[0]
        self.assertEqual(rec["status"], "completed")
        self.assertEqual(rec["source"], "RecordVerb")
        self.assertEqual(self.server.count("jobs", "payload LIKE ?", ("%" + rec_sid + "%",)), 0)


class SmsTest(ServerTest):
    def sms(self, body, sender=CALLER, message_sid=None, **extra):
        params = {"AccountSid": self.server.account_sid, "MessageSid": message_sid or sid("SM"),
                  "From": sender, "To": BUSINESS, "Body": body, "NumMedia": "0"}
        params.update(extra)
        return self.server.post_form("/twilio/sms", params)

    def message_text(self, r):
        doc = r.xml()
        return [m.text for m in doc.findall("Message")]

    def test_sms_note_is_saved_with_its_id(self):
        message_sid = sid("SM")
        r = self.sms("Remember to call the lab", message_sid=message_sid)
        self.assertEqual(r.status, 200)
        row = self.server.rows("SELECT * FROM messages WHERE sid = ?", (message_sid,))[0]
        self.assertEqual(self.message_text(r),
                         ["Thanks! Your note has been saved (ID: %d)" % row["id"]])
        self.assertEqual(row["body"], "Remember to call the lab")
        self.assertEqual(row["channel"], "sms")
        self.assertEqual(row["direction"], "inbound")

    def test_sms_retry_gets_same_answer_and_one_row(self):
        message_sid = sid("SM")
        a = self.sms("hello", message_sid=message_sid)
        b = self.sms("hello", message_sid=message_sid)
        self.assertEqual(a.body, b.body)
        self.assertEqual(self.server.count("messages", "sid = ?", (message_sid,)), 1)

    def test_stop_opts_out_and_start_opts_back_in(self):
        number = "+14155550177"
        for word in ("STOP", " stop ", "Unsubscribe", "quit!"):
            r = self.sms(word, sender=number)
            self.assertEqual(r.status, 200)
            self.assertEqual(self.message_text(r), [])  # Twilio confirms SMS opt-outs itself
            self.assertEqual(self.server.count("optouts", "phone = ?", (number,)), 1)
            self.sms("START", sender=number)
            self.assertEqual(self.server.count("optouts", "phone = ?", (number,)), 0)
        r = self.sms("unstop", sender=number)
        self.assertIn("resubscribed", self.message_text(r)[0])

    def test_opted_out_sender_gets_no_reply(self):
        number = "+14155550178"
        self.sms("STOPALL", sender=number)
        r = self.sms("one more note", sender=number)
        self.assertEqual(self.message_text(r), [])
        self.assertEqual(self.server.count("messages", "from_number = ?", (number,)), 2)

    def test_help_answers_help_text(self):
        for word in ("HELP", "info"):
            text = self.message_text(self.sms(word))
            self.assertEqual(len(text), 1)
            self.assertIn("STOP", text[0])

    def test_stop_words_inside_a_sentence_are_a_note(self):
        r = self.sms("please stop by tomorrow")
        self.assertIn("Your note has been saved", self.message_text(r)[0])

    def test_opt_out_phrases_in_a_sentence_opt_out(self):
        number = "+14155550179"
        r = self.sms("Please REMOVE ME from this list, thanks", sender=number)
        self.assertEqual(self.message_text(r), [])
        rows = self.server.rows("SELECT keyword FROM optouts WHERE phone = ?", (number,))
        self.assertEqual(rows, [{"keyword": "remove me"}])
        self.sms("do not call me again", sender="+14155550180")
        self.assertEqual(self.server.count("optouts", "phone = ?", ("+14155550180",)), 1)

    def test_whatsapp_sender_is_stored_as_whatsapp(self):
        message_sid = sid("SM")
        r = self.sms("hi there", sender="whatsapp:" + WHATSAPP_CALLER, message_sid=message_sid,
                     To="whatsapp:" + BUSINESS)
        self.assertEqual(r.status, 200)
        row = self.server.rows("SELECT * FROM messages WHERE sid = ?", (message_sid,))[0]
        self.assertEqual(row["channel"], "whatsapp")
        self.assertEqual(row["from_number"], WHATSAPP_CALLER)

    def test_whatsapp_stop_is_confirmed_by_hotline(self):
        r = self.sms("STOP", sender="whatsapp:+447700900999")
        self.assertIn("unsubscribed", self.message_text(r)[0])
        self.assertEqual(self.server.count("optouts", "phone = ?", ("+447700900999",)), 1)

    def test_media_is_stored(self):
        message_sid = sid("SM")
        self.sms("", message_sid=message_sid, NumMedia="1",
                 MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg")
        row = self.server.rows("SELECT media, num_media FROM messages WHERE sid = ?",
                               (message_sid,))[0]
        self.assertEqual(row["num_media"], 1)
        self.assertEqual(json.loads(row["media"]),
                         [{"url": "https://api.twilio.com/media/ME1",
                           "content_type": "image/jpeg"}])

    def test_message_status_is_stored(self):
        message_sid = sid("SM")
        r = self.server.post_form("/twilio/message-status", {
            "MessageSid": message_sid, "MessageStatus": "delivered",
            "AccountSid": self.server.account_sid, "To": CALLER, "From": BUSINESS})
        self.assertEqual(r.status, 200)
        row = self.server.rows("SELECT status FROM messages WHERE sid = ?", (message_sid,))[0]
        self.assertEqual(row["status"], "delivered")


class SignatureEnforcementTest(ServerTest):
    def test_every_webhook_route_refuses_missing_and_wrong_signatures(self):
        for kind, routes in WEBHOOK_ROUTES.items():
            for route in routes:
                with self.subTest(route=route):
                    params = voice_params(sid("CA"), RecordingSid=sid("RE"),
                                          RecordingUrl="https://x/y", MessageSid=sid("SM"),
                                          MessageStatus="sent", Body="hi")
                    r = self.server.post_form(route, params, signed=False)
                    self.assertEqual(r.status, 400, route)
                    self.assertIn("X-Twilio-Signature", r.text)
                    bad = self.server.post_form(route, params, signed=False,
                                                headers={"X-Twilio-Signature": "bm9wZQ=="})
                    self.assertEqual(bad.status, 403, route)
                    good = self.server.post_form(route, params)
                    self.assertEqual(good.status, 200, (route, good.text))
                    good.xml()

    def test_refused_request_stores_nothing(self):
        call_sid = sid("CA")
        params = voice_params(call_sid)
        self.server.post_form("/twilio/voice", params, signed=False,
                              headers={"X-Twilio-Signature": self.server.sign("/twilio/other",
                                                                              params)})
        self.assertEqual(self.server.count("calls", "sid = ?", (call_sid,)), 0)

    def test_signature_over_query_string_as_received(self):
        target = "/twilio/voice?flow=ivr%2Dtts&x='a'"
        params = voice_params(sid("CA"))
        r = self.server.post_form(target, params)
        self.assertEqual(r.status, 200, r.text)


class OpsTest(ServerTest):
    def test_health(self):
        r = self.server.request("GET", "/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"ok": True})

    def test_config_shows_booleans_and_urls_never_secrets(self):
        r = self.server.request("GET", "/twilio/config")
        self.assertEqual(r.status, 200)
        cfg = r.json()
        self.assertTrue(cfg["auth_token_configured"])
        self.assertFalse(cfg["emulator_mode"])
        self.assertEqual(cfg["voice_webhook"], self.server.base + "/twilio/voice")
        self.assertNotIn(self.server.auth_token, r.text)
        self.assertNotIn(self.server.api_key, r.text)
        self.assertNotIn(BUSINESS, r.text)

    def test_selftest_reports_each_check(self):
        r = self.server.request("GET", "/twilio/test")
        self.assertEqual(r.status, 200)
        result = r.json()
        names = [t["test"] for t in result["tests"]]
        self.assertEqual(names, ["Database", "File Permissions", "Configuration", "Dependencies"])
        # Loopback PUBLIC_BASE_URL with a real account: Twilio could not reach it.
        self.assertEqual(result["failed"], 1)
        self.assertEqual(result["tests"][2]["status"], "fail")
        self.assertEqual(result["passed"], 3)


if __name__ == "__main__":
    main()
