// twiml_build.js — build TwiML with the official twilio-node helper library
// (VoiceResponse / MessagingResponse) from the cases file that
// tests/tools/twiml_cases.c reads, and print what it produces, so that
// test_twiml_sdk.py can compare the two builders document by document.
//
// usage: node twiml_build.js CASES.json
// Each VERB {"verb": "Say", "text": ..., "attrs": {...}, "children": [...]}
// becomes parent.say(attrs, text) and so on: the method is the element name
// with a lower-case first letter, called on the object its parent returned.
// Output: a JSON array with the XML string, or {"error": message}, per case.
'use strict';

const fs = require('fs');
const { twiml } = require('twilio');

function methodName(verb) {
  return verb.charAt(0).toLowerCase() + verb.slice(1);
}

function addVerbs(parent, verbs) {
  for (const spec of verbs || []) {
    const method = methodName(spec.verb);
    if (typeof parent[method] !== 'function') {
      throw new Error(`twilio-node has no ${method}() here`);
    }
    const child = parent[method](spec.attrs || {}, spec.text);
    addVerbs(child, spec.children);
  }
}

function buildCase(spec) {
  const response =
    spec.kind === 'messaging' ? new twiml.MessagingResponse() : new twiml.VoiceResponse();
  try {
    addVerbs(response, spec.verbs);
    return response.toString();
  } catch (e) {
    return { error: e.message };
  }
}

function main() {
  if (process.argv.length !== 3) {
    process.stderr.write('usage: node twiml_build.js CASES.json\n');
    process.exit(2);
  }
  const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  process.stdout.write(JSON.stringify(cases.map(buildCase)) + '\n');
}

main();
