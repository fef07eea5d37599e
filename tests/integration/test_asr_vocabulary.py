"""The recogniser `hotline serve` builds is given the loaded flows' vocabulary.

At start-up serve logs "speech recognition vocabulary" with the number of
phrases it gave pocketsphinx (flows_vocabulary(): the built-in answers, the
settings' phrases and every gather keyword of the flows loaded) and the
phrase model's weight. A flow file with new keywords must grow that number
by exactly those keywords (one already known adds nothing); ASR_PHRASES=off
gives none; ASR_PHRASE_WEIGHT is passed on; other engines get no vocabulary."""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, main  # noqa: E402

MENU = {
    "name": "menu-vocab",
    "start": "menu",
    "steps": {
        "menu": {"kind": "gather", "input": "speech", "prompt": "Say billing or the orthodontist.",
                 "branches": [{"keywords": ["Billing Enquiry", "orthodontist", "yes"],
                               "next": "bye"}]},
        "bye": {"kind": "hangup", "text": "Bye."},
    },
}


def vocabulary_line(extra_env=None):
    """The start-up log's vocabulary record, or None."""
    server = Server(extra_env=extra_env, emulator=True).start()
    log = server.stop()
    for line in log.splitlines():
        rec = json.loads(line)
        if rec.get("msg") == "speech recognition vocabulary":
            return rec
    return None


class AsrVocabularyTest(unittest.TestCase):
    def test_serve_gives_the_flows_vocabulary(self):
        base = vocabulary_line()
        self.assertIsNotNone(base)
        self.assertEqual(base["engine"], "pocketsphinx")
        self.assertGreater(base["phrases"], 200)
        self.assertLessEqual(base["phrases"], 1024)
        self.assertEqual(base["phrase_weight_percent"], 30)

        with tempfile.TemporaryDirectory() as flows:
            with open(os.path.join(flows, "menu.json"), "w") as f:
                json.dump(MENU, f)
            more = vocabulary_line({"FLOWS_DIR": flows, "ASR_PHRASE_WEIGHT": "50"})
        # "billing enquiry" and "orthodontist" are new; "yes" is a built-in answer already
        self.assertEqual(more["phrases"], base["phrases"] + 2)
        self.assertEqual(more["phrase_weight_percent"], 50)

        off = vocabulary_line({"ASR_PHRASES": "off"})
        self.assertEqual(off["phrases"], 0)
        self.assertEqual(off["phrase_weight_percent"], 0)

        self.assertIsNone(vocabulary_line({"ASR_ENGINE": "none"}))

    def test_bad_weight_is_refused(self):
        server = Server(extra_env={"ASR_PHRASE_WEIGHT": "0"}, emulator=True)
        with self.assertRaises(AssertionError):
            server.start()
        server.log.close()
        self.assertIn("ASR_PHRASE_WEIGHT", server.read_log())
        shutil.rmtree(server.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
