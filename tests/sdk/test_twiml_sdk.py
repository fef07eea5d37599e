#!/usr/bin/python3
"""test_twiml_sdk.py — hotline's TwiML builder against Twilio's own (twilio-node).

Writes a file of TwiML cases (fixed ones covering every verb and attribute the
builder knows, plus seeded random trees with awkward text), builds each one
with hotline (the twiml_cases tool, found through HL_TOOLS_DIR) and with
twilio-node (twiml_build.js next to this file), and checks, per case, that
  - hotline's document starts with the XML declaration and parses;
  - both documents are identical after XML canonicalization (C14N 2.0);
  - the raw bytes are identical too, except that hotline also writes ">" in
    attribute values as "&gt;" (twilio-node leaves it raw) — this catches
    attribute order and self-closing tags, which canonicalization hides.
Inputs twilio-node cannot take (control characters, invalid UTF-8, U+FFFE)
go to hotline alone: its document must still parse and hold the text with
those characters dropped or replaced by U+FFFD. A few invalid documents (bad
nesting, unknown attributes, over 64 KB) must be refused.

Run: HL_TOOLS_DIR=build/tests HL_SOURCE_DIR=. /usr/bin/python3 tests/sdk/test_twiml_sdk.py
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

DECL = '<?xml version="1.0" encoding="UTF-8"?>'
RANDOM_CASES = 400
SEED = 20240611

# Attributes per element, as in src/twilio/twiml.c, with the kind of value each takes:
# s string, i integer, b boolean, l space-separated list.
ATTRS = {
    'Say': {'voice': 's', 'language': 's', 'loop': 'i'},
    'Play': {'loop': 'i', 'digits': 's'},
    'Pause': {'length': 'i'},
    'Gather': {
        'input': 'l', 'action': 's', 'method': 's', 'timeout': 'i', 'speechTimeout': 's',
        'maxSpeechTime': 'i', 'finishOnKey': 's', 'numDigits': 'i', 'hints': 's',
        'language': 's', 'speechModel': 's', 'enhanced': 'b', 'profanityFilter': 'b',
        'bargeIn': 'b', 'actionOnEmptyResult': 'b', 'partialResultCallback': 's',
        'partialResultCallbackMethod': 's', 'debug': 'b'},
    'Record': {
        'action': 's', 'method': 's', 'timeout': 'i', 'finishOnKey': 's', 'maxLength': 'i',
        'playBeep': 'b', 'trim': 's', 'recordingStatusCallback': 's',
        'recordingStatusCallbackMethod': 's', 'recordingStatusCallbackEvent': 'l',
        'recordingConfigurationId': 's', 'transcribe': 'b', 'transcribeCallback': 's'},
    'Dial': {
        'action': 's', 'method': 's', 'timeout': 'i', 'callerId': 's', 'record': 's',
        'answerOnBridge': 'b', 'hangupOnStar': 'b', 'timeLimit': 'i', 'ringTone': 's',
        'trim': 's', 'sequential': 'b', 'recordingStatusCallback': 's',
        'recordingStatusCallbackMethod': 's', 'recordingStatusCallbackEvent': 'l',
        'recordingTrack': 's', 'recordingConfigurationId': 's', 'referUrl': 's',
        'referMethod': 's', 'events': 's', 'passports': 's'},
    'Number': {
        'url': 's', 'method': 's', 'sendDigits': 's', 'statusCallback': 's',
        'statusCallbackEvent': 'l', 'statusCallbackMethod': 's', 'byoc': 's',
        'machineDetection': 's', 'machineDetectionTimeout': 'i',
        'machineDetectionSpeechThreshold': 'i', 'machineDetectionSpeechEndThreshold': 'i',
        'machineDetectionSilenceTimeout': 'i', 'amdStatusCallback': 's',
        'amdStatusCallbackMethod': 's'},
    'Client': {'url': 's', 'method': 's', 'statusCallback': 's', 'statusCallbackEvent': 'l',
               'statusCallbackMethod': 's'},
    'Sip': {
        'username': 's', 'password': 's', 'url': 's', 'method': 's', 'statusCallback': 's',
        'statusCallbackEvent': 'l', 'statusCallbackMethod': 's', 'machineDetection': 's',
        'machineDetectionTimeout': 'i', 'machineDetectionSpeechThreshold': 'i',
        'machineDetectionSpeechEndThreshold': 'i', 'machineDetectionSilenceTimeout': 'i',
        'amdStatusCallback': 's', 'amdStatusCallbackMethod': 's'},
    'Conference': {
        'muted': 'b', 'beep': 's', 'startConferenceOnEnter': 'b', 'endConferenceOnExit': 'b',
        'waitUrl': 's', 'waitMethod': 's', 'maxParticipants': 'i', 'record': 's',
        'region': 's', 'coach': 's', 'trim': 's', 'participantLabel': 's',
        'jitterBufferSize': 's', 'statusCallback': 's', 'statusCallbackEvent': 'l',
        'statusCallbackMethod': 's', 'recordingStatusCallback': 's',
        'recordingStatusCallbackMethod': 's', 'recordingStatusCallbackEvent': 'l',
        'recordingConfigurationId': 's', 'eventCallbackUrl': 's'},
    'Queue': {'url': 's', 'method': 's', 'reservationSid': 's', 'postWorkActivitySid': 's'},
    'Redirect': {'method': 's'},
    'Hangup': {},
    'Reject': {'reason': 's'},
    'Connect': {'action': 's', 'method': 's'},
    'Start': {'action': 's', 'method': 's'},
    'Stream': {'url': 's', 'name': 's', 'track': 's', 'statusCallback': 's',
               'statusCallbackMethod': 's', 'connectorName': 's', 'audioFormat': 's',
               'sampleRate': 's'},
    'Parameter': {'name': 's', 'value': 's'},
    'Message': {'to': 's', 'from': 's', 'action': 's', 'method': 's', 'statusCallback': 's'},
    'Body': {},
    'Media': {},
}

# Which elements may hold text, and which children each parent takes.
TEXT = {'Say', 'Play', 'Dial', 'Number', 'Client', 'Sip', 'Conference', 'Queue', 'Redirect',
        'Message', 'Body', 'Media'}
CHILDREN = {
    'voice': ['Say', 'Play', 'Pause', 'Gather', 'Record', 'Dial', 'Redirect', 'Hangup', 'Reject',
              'Connect', 'Start'],
    'messaging': ['Message', 'Redirect'],
    'Gather': ['Say', 'Play', 'Pause'],
    'Dial': ['Number', 'Client', 'Sip', 'Conference', 'Queue'],
    'Connect': ['Stream'],
    'Start': ['Stream'],
    'Stream': ['Parameter'],
    'Message': ['Body', 'Media'],
}
# A way down from a document root to each element: (kind, ancestors).
PLACE = {'Number': ('voice', ['Dial']), 'Client': ('voice', ['Dial']),
         'Sip': ('voice', ['Dial']), 'Conference': ('voice', ['Dial']),
         'Queue': ('voice', ['Dial']), 'Stream': ('voice', ['Connect']),
         'Parameter': ('voice', ['Start', 'Stream']), 'Message': ('messaging', []),
         'Body': ('messaging', ['Message']), 'Media': ('messaging', ['Message'])}

# Characters XML 1.0 does not allow; hotline drops them.
NOT_XML = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def fail_setup(message):
    print(f'twiml_sdk: {message}', file=sys.stderr)
    sys.exit(2)


def verb(name, text=None, attrs=None, children=None):
    spec = {'verb': name}
    if text is not None:
        spec['text'] = text
    if attrs:
        spec['attrs'] = attrs
    if children:
        spec['children'] = children
    return spec


def placed(name, node):
    """A case holding node wherever its element may stand."""
    kind, ancestors = PLACE.get(name, ('voice', []))
    for parent in reversed(ancestors):
        node = verb(parent, children=[node])
    return {'kind': kind, 'verbs': [node]}


def sample_value(kind, name):
    return {'s': f'{name}-value', 'i': 7, 'b': True, 'l': ['first', 'second']}[kind]


def every_attribute_cases():
    """One case per element with every attribute it has, plus each boolean as false."""
    cases = []
    for name, attrs in ATTRS.items():
        values = {a: sample_value(k, a) for a, k in attrs.items()}
        cases.append(placed(name, verb(name, 'text' if name in TEXT else None, values)))
        falses = {a: False for a, k in attrs.items() if k == 'b'}
        if falses:
            cases.append(placed(name, verb(name, None, falses)))
    return cases


def representative_cases():
    """The documents hotline's flows send most, written the way a flow would."""
    greeting = [verb('Say', 'Hello, please leave a message after the beep.',
                     {'voice': 'Polly.Joanna', 'language': 'en-US'}),
                verb('Record', None, {'action': '/twilio/recording', 'method': 'POST',
                                      'maxLength': 120, 'playBeep': True,
                                      'trim': 'trim-silence',
                                      'recordingStatusCallback': '/twilio/recording-status',
                                      'recordingStatusCallbackEvent': ['completed', 'absent']}),
                verb('Hangup')]
    menu = [verb('Gather', None, {'input': ['dtmf', 'speech'], 'numDigits': 1, 'timeout': 5,
                                  'action': '/twilio/flow/menu', 'actionOnEmptyResult': True},
                 [verb('Say', 'Press 1 for English, 2 for Pidgin.'),
                  verb('Pause', None, {'length': 1}),
                  verb('Play', 'https://example.com/a.mp3', {'loop': 2})]),
            verb('Redirect', '/twilio/flow/menu', {'method': 'POST'})]
    dial = [verb('Dial', None, {'callerId': '+15550001111', 'answerOnBridge': True},
                 [verb('Number', '+15551234567', {'sendDigits': 'ww1'}),
                  verb('Client', 'alice'), verb('Sip', 'sip:bob@example.com'),
                  verb('Conference', 'room'), verb('Queue', 'support')]),
            verb('Dial', '+15557654321')]
    stream = [verb('Connect', None, {'action': '/next'},
                   [verb('Stream', None, {'url': 'wss://example.com/s', 'track': 'inbound_track'},
                         [verb('Parameter', None, {'name': 'a', 'value': 'b & c'})])]),
              verb('Start', None, None, [verb('Stream', None, {'url': 'wss://example.com/t'})])]
    message = [verb('Message', None, {'to': '+15551234567', 'from': '+15550001111'},
                    [verb('Body', 'Booked for 3 PM.'), verb('Media', 'https://example.com/q.png')]),
               verb('Message', 'plain text body'), verb('Message', ''),
               verb('Redirect', '/twilio/sms/next')]
    return [{'kind': 'voice', 'verbs': greeting}, {'kind': 'voice', 'verbs': menu},
            {'kind': 'voice', 'verbs': dial}, {'kind': 'voice', 'verbs': stream},
            {'kind': 'voice', 'verbs': [verb('Reject', None, {'reason': 'busy'})]},
            {'kind': 'messaging', 'verbs': message},
            {'kind': 'voice', 'verbs': []}, {'kind': 'messaging', 'verbs': []}]


# Pieces random text is made of: markup, quotes, whitespace, and UTF-8 of every length.
PIECES = ['&', '<', '>', '"', "'", '&amp;', ']]>', '<Say>', '\t', '\n', '\r', '\r\n', ' ', '  ',
          'é', 'ÿ', '\u00a0', '\u0085', '\u2028', '\u20ac', '中文', '\ufeff', '\ufdd0',
          '\ufffd', '\U0001f600', '\U0001d11e', '\U0010fffd', '\x7f', '=', '%20', '+1555']


def random_text(rng):
    if rng.random() < 0.1:
        return ''
    out = []
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.5:
            out.append(''.join(rng.choice('abcXYZ019 .,!?') for _ in range(rng.randint(1, 6))))
        else:
            out.append(rng.choice(PIECES))
    return ''.join(out)


def random_value(rng, kind):
    if kind == 'i':
        return rng.choice([0, 1, -1, 5, 60, 3600, rng.randint(-10**9, 10**9)])
    if kind == 'b':
        return rng.random() < 0.5
    if kind == 'l':
        return [rng.choice(['completed', 'absent', 'in-progress', 'dtmf', 'speech',
                            random_text(rng)]) for _ in range(rng.randint(0, 3))]
    return random_text(rng)


def random_verb(rng, name, depth):
    attrs = {}
    names = list(ATTRS[name])
    for a in rng.sample(names, rng.randint(0, min(len(names), 4))):
        attrs[a] = random_value(rng, ATTRS[name][a])
    text = random_text(rng) if name in TEXT and rng.random() < 0.8 else None
    children = []
    if name in CHILDREN and depth < 4 and rng.random() < 0.8:
        children = [random_verb(rng, rng.choice(CHILDREN[name]), depth + 1)
                    for _ in range(rng.randint(1, 3))]
    return verb(name, text, attrs, children)


def random_cases(count):
    rng = random.Random(SEED)
    cases = []
    for _ in range(count):
        kind = 'voice' if rng.random() < 0.75 else 'messaging'
        verbs = [random_verb(rng, rng.choice(CHILDREN[kind]), 1)
                 for _ in range(rng.randint(0, 5))]
        cases.append({'kind': kind, 'verbs': verbs})
    return cases


def sanitized(data):
    """What hotline must make of raw bytes: U+FFFD for ill-formed UTF-8, no non-XML characters."""
    return NOT_XML.sub('', data.decode('utf-8', 'replace'))


# Raw inputs twilio-node cannot take; each is sent as hex to hotline alone.
DIRTY = [
    b'a\x00b',
    b'bell\x07 and escape\x1b[0m',
    b'\x01\x02\x03\x04\x05\x06\x08\x0b\x0c',
    b'\x0e\x0f\x10\x1f tab\tnl\ncr\r',
    b'overlong \xc0\x80 \xe0\x80\x80 \xf0\x80\x80\x80',
    b'surrogate \xed\xa0\x80\xed\xbf\xbf',
    b'truncated \xe2\x82',
    b'truncated at the end \xf0\x9f\x98',
    b'past U+10FFFF \xf4\x90\x80\x80 \xf5\x80\x80\x80',
    b'stray \x80\xbf\xfe\xff',
    b'nonchar \xef\xbf\xbe\xef\xbf\xbf ok \xef\xbf\xbd',
    b'\xc3',
    b'mixed & <\x00> "\xff"',
    '\U0001f600 fine'.encode(),
]


def dirty_cases(rng):
    """Cases with dirty text and attribute values, and the (text, voice) each must render."""
    cases, expected = [], []
    for data in DIRTY + [bytes(rng.randrange(256) for _ in range(40)) for _ in range(30)]:
        attr = data[::-1]
        say = {'verb': 'Say', 'text_hex': data.hex(), 'attrs': {'voice': {'hex': attr.hex()}}}
        cases.append({'kind': 'voice', 'verbs': [say]})
        expected.append((sanitized(data), sanitized(attr)))
    return cases, expected


def refused_cases():
    """Documents hotline must refuse, with a word the error must contain."""
    big = 'x' * (64 * 1024)
    return [
        ({'kind': 'voice', 'verbs': [verb('Say', 'a', None, [verb('Gather')])]}, 'Gather'),
        ({'kind': 'voice', 'verbs': [verb('Gather', None, None, [verb('Gather')])]}, 'Gather'),
        ({'kind': 'messaging', 'verbs': [verb('Say', 'hi')]}, 'Say'),
        ({'kind': 'voice', 'verbs': [verb('Message', 'hi')]}, 'Message'),
        ({'kind': 'voice', 'verbs': [verb('Number', '+1')]}, 'Number'),
        ({'kind': 'voice', 'verbs': [verb('Say', 'hi', {'Voice': 'alice'})]}, 'Voice'),
        ({'kind': 'voice', 'verbs': [verb('Hangup', None, {'reason': 'busy'})]}, 'reason'),
        ({'kind': 'voice', 'verbs': [verb('Pause', '5')]}, 'Pause'),
        ({'kind': 'voice', 'verbs': [verb('Say', big)]}, '65536'),
        ({'kind': 'voice', 'verbs': [verb('Say', '&' * 14000)]}, '65536'),
    ]


def run(argv, path):
    proc = subprocess.run(argv + [path], capture_output=True, timeout=240)
    if proc.returncode != 0:
        fail_setup(f'{argv[-1]} exited {proc.returncode}: {proc.stderr.decode(errors="replace")}')
    return json.loads(proc.stdout)


def build_all(tools, script, node, cases):
    with tempfile.NamedTemporaryFile('w', suffix='.json', encoding='utf-8', delete=False) as f:
        json.dump(cases, f, ensure_ascii=False)
    try:
        return run([os.path.join(tools, 'twiml_cases')], f.name), run([node, script], f.name)
    finally:
        os.unlink(f.name)


def as_twilio_node_writes(doc):
    """hotline's document with "&gt;" inside tags written as twilio-node writes it: ">"."""
    return re.sub(r'<[^>]*>', lambda m: m.group(0).replace('&gt;', '>'), doc)


def parse(doc):
    """The parsed document, or a string saying why hotline's output is not acceptable."""
    if not isinstance(doc, str):
        return f'builder error: {doc}'
    if not doc.startswith(DECL):
        return 'no XML declaration'
    try:
        return ET.fromstring(doc.encode('utf-8'))
    except ET.ParseError as e:
        return f'does not parse: {e}'


def compare(ours, theirs):
    """None when the two documents agree, else what differs."""
    tree = parse(ours)
    if isinstance(tree, str):
        return tree
    if not isinstance(theirs, str):
        return f'twilio-node error: {theirs}'
    if ET.canonicalize(ours) != ET.canonicalize(theirs):
        return 'canonical forms differ:\n  hotline:     ' + ET.canonicalize(ours) + \
            '\n  twilio-node: ' + ET.canonicalize(theirs)
    if as_twilio_node_writes(ours) != theirs:
        return 'same XML but different bytes (attribute order or self-closing?)'
    return None


def check_dirty(doc, text, voice):
    tree = parse(doc)
    if isinstance(tree, str):
        return tree
    say = tree.find('Say')
    got = (say.text or '', say.get('voice'))
    return None if got == (text, voice) else f'got {got!r}, want {(text, voice)!r}'


def check_refused(doc, word):
    if isinstance(doc, dict) and word in doc.get('error', ''):
        return None
    return f'expected an error mentioning {word!r}, got {str(doc)[:200]}'


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def record(self, problem, case, ours, theirs=None):
        if problem is None:
            self.passed += 1
            return
        self.failed += 1
        if self.failed == 1:
            print('twiml_sdk: first failing case:', json.dumps(case, ensure_ascii=False))
            print('  problem:', problem)
            print('  hotline:    ', ours)
            if theirs is not None:
                print('  twilio-node:', theirs)


def main():
    sys.stdout.reconfigure(errors='backslashreplace')
    tools = os.environ.get('HL_TOOLS_DIR')
    if not tools:
        fail_setup('HL_TOOLS_DIR is not set; point it at the directory holding the built '
                   'twiml_cases tool (build/tests with CMake)')
    if not os.access(os.path.join(tools, 'twiml_cases'), os.X_OK):
        fail_setup(f'no executable twiml_cases in HL_TOOLS_DIR={tools}')
    source = os.environ.get('HL_SOURCE_DIR') or os.path.join(os.path.dirname(__file__), '..', '..')
    script = os.path.join(source, 'tests', 'sdk', 'twiml_build.js')
    node = shutil.which('node')
    if not node:
        fail_setup('node is not installed; the comparison needs twilio-node')

    compared = representative_cases() + every_attribute_cases() + random_cases(RANDOM_CASES)
    dirty, dirty_expected = dirty_cases(random.Random(SEED + 1))
    refused = refused_cases()
    cases = compared + dirty + [case for case, _ in refused]
    ours, theirs = build_all(tools, script, node, cases)
    if len(ours) != len(cases) or len(theirs) != len(cases):
        fail_setup(f'{len(cases)} cases in, {len(ours)} and {len(theirs)} results out')

    tally = Tally()
    for i, case in enumerate(compared):
        tally.record(compare(ours[i], theirs[i]), case, ours[i], theirs[i])
    base = len(compared)
    for i, (case, (text, voice)) in enumerate(zip(dirty, dirty_expected)):
        tally.record(check_dirty(ours[base + i], text, voice), case, ours[base + i])
    base += len(dirty)
    for i, (case, word) in enumerate(refused):
        tally.record(check_refused(ours[base + i], word), case, str(ours[base + i])[:300])
    print(f'twiml_sdk: {tally.passed} passed, {tally.failed} failed')
    return 1 if tally.failed else 0


if __name__ == '__main__':
    sys.exit(main())
