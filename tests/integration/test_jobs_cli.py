"""test_jobs_cli.py — `hotline jobs list|show|retry` on a real database: a recording webhook
queues a job, a person lists it, looks at a failed one with its stages, and queues it again."""
import unittest

import harness
from harness import ServerTest, sid, voice_params


class JobsCli(ServerTest):
    extra_env = {"WORKERS": "0"}  # the queue as it stands: nobody takes the jobs
    def test_list_show_retry(self):
        s = self.server
        call = sid("CA")
        rec = sid("RE")
        s.post_form("/twilio/voice", voice_params(call))
        s.post_form("/twilio/recording", {"CallSid": call, "RecordingSid": rec,
                                          "RecordingUrl": "https://api.twilio.com/r/" + rec})
        job = s.rows("SELECT id FROM jobs")[0]["id"]
        p = s.run_cli("jobs", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\n%d\s+recording\.memo\s+queued" % job)
        with s.db() as db:
            db.execute("UPDATE jobs SET state = 'failed', attempts = 8, last_error = 'boom' "
                       "WHERE id = ?", (job,))
            db.execute("INSERT INTO job_stages VALUES (?, 'download', '{\"bytes\":3}', "
                       "'2026-11-21T07:00:00.000Z')", (job,))
        p = s.run_cli("jobs", "show", str(job))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("state     failed", p.stdout)
        self.assertIn("error     boom", p.stdout)
        self.assertIn("download", p.stdout)
        self.assertIn(rec, p.stdout)
        p = s.run_cli("jobs", "list", "--state", "failed")
        self.assertIn("boom", p.stdout)
        p = s.run_cli("jobs", "retry", str(job))
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "job %d queued again" % job))
        self.assertEqual(s.rows("SELECT state, attempts FROM jobs")[0],
                         {"state": "queued", "attempts": 0})
        self.assertEqual(s.run_cli("jobs", "retry", str(job)).returncode, 1)
        self.assertEqual(s.run_cli("jobs", "show", "999").returncode, 1)
        self.assertEqual(s.run_cli("jobs", "show", "x").returncode, 2)
        self.assertEqual(s.run_cli("jobs").returncode, 2)


if __name__ == "__main__":
    harness.main()
