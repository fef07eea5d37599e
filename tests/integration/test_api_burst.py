"""test_api_burst.py — 1,000 API sends in a burst to the emulator: none lost, none doubled.

hotline runs in emulator mode; 16 client threads POST /api/messages as fast as the server
answers. Every send must come back 201 with its own MessageSid; the database must then hold
exactly one outbound row per send (with that sid), the emulator exactly one message per send,
and every row must reach "delivered" through the emulator's signed status callbacks. The
throughput is printed (it is a measurement, not a pass/fail threshold).
"""
import http.client
import json
import queue
import threading
import time
import unittest

import harness
from harness import ServerTest

SENDS = 1000
CLIENTS = 16


class Burst(ServerTest):
    emulator = True
    extra_env = {"API_SENDS_PER_MINUTE": "0", "LOG_LEVEL": "warn"}

    def client(self, work, results):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        headers = {"Authorization": "Bearer " + self.server.api_key,
                   "Content-Type": "application/json"}
        while True:
            try:
                i = work.get_nowait()
            except queue.Empty:
                break
            body = json.dumps({"to": "+1415555%04d" % (i % 10000), "body": "burst %d" % i})
            conn.request("POST", "/api/messages", body, headers)
            r = conn.getresponse()
            results.append((i, r.status, json.loads(r.read())))
        conn.close()

    def test_a_thousand_sends(self):
        work = queue.Queue()
        for i in range(SENDS):
            work.put(i)
        results = []
        threads = [threading.Thread(target=self.client, args=(work, results))
                   for _ in range(CLIENTS)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        print("\n%d API sends in %.2f s: %.0f sends/s (%d clients, emulator mode)"
              % (SENDS, elapsed, SENDS / elapsed, CLIENTS))

        self.assertEqual(len(results), SENDS)
        bad = [(i, s, b) for i, s, b in results if s != 201]
        self.assertEqual(bad, [])
        sids = {b["message_sid"] for _, _, b in results}
        self.assertEqual(len(sids), SENDS)

        rows = self.server.rows("SELECT sid, body FROM messages WHERE direction = 'outbound-api'")
        self.assertEqual(len(rows), SENDS)
        self.assertEqual({r["sid"] for r in rows}, sids)
        self.assertEqual(sorted(r["body"] for r in rows), sorted("burst %d" % i for i in range(SENDS)))

        listed = self.server.twilio("GET", "/Messages.json?PageSize=1000").json()["messages"]
        self.assertEqual({m["sid"] for m in listed if m["direction"] == "outbound-api"}, sids)

        self.server.wait_for(lambda: self.server.count(
            "messages", "direction = 'outbound-api' AND status = 'delivered'") == SENDS,
            timeout=60, what="every message delivered")
        self.assertEqual(self.server.count("messages"), SENDS)


if __name__ == "__main__":
    harness.main()
