'use strict';
/*
 * test_signature_sdk.js — the official twilio-node SDK signs, hotline checks.
 *
 * Starts the real server ($HOTLINE_BIN serve) on a free port with a temporary
 * database, then POSTs seeded random webhooks to /twilio/status, each signed
 * with twilio.getExpectedTwilioSignature(): random parameter names (BMP
 * unicode included) and values (non-BMP, quotes, + & = %, spaces, empty),
 * repeated keys, query strings whose bytes must be kept as received, and URL
 * port variants. Every signed request must be accepted (2xx); a copy with one
 * byte changed in a value, a name, the query or the signature must get 403;
 * a copy without X-Twilio-Signature must get 400. JSON bodies are checked
 * through ?bodySHA256=. A second server whose PUBLIC_BASE_URL has no port
 * checks that a URL signed with ":80" added is accepted.
 *
 * Characters U+E000..U+FFFF are left out of the generated strings: node sorts
 * by UTF-16 code units and hotline by code points (as Python does), and the
 * two orders disagree only between those characters and non-BMP ones (see
 * docs/signatures.md). test_signature_python.py covers that range.
 *
 *   node tests/sdk/test_signature_sdk.js                   # needs HOTLINE_BIN
 *   node tests/sdk/test_signature_sdk.js --generators-only # no server needed
 *
 * Environment: HOTLINE_BIN (the binary), HL_SEED (default 20240611),
 * HL_SIG_CASES (default 500). Last line: "signature_sdk: N passed, M failed".
 */
const childProcess = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const twilio = require('twilio');

const SEED = Number(process.env.HL_SEED || 20240611);
const CASES = Number(process.env.HL_SIG_CASES || 500);
const NO_PORT_CASES = Math.max(1, Math.floor(CASES / 5));
const JSON_CASES = 25;
const STATUS_PATH = '/twilio/status';

/* ---------- seeded randomness ---------- */

function makeRng(seed) {
    let s = seed >>> 0 || 1;
    const next32 = () => {
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        return s;
    };
    const rng = {
        int: (n) => next32() % n,
        chance: (p) => next32() / 4294967296 < p,
        pick: (list) => list[next32() % list.length],
        hex: (n) => Array.from({ length: n }, () => '0123456789abcdef'[next32() % 16]).join(''),
    };
    return rng;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const NAME_CHARS = [...ALNUM, '.', '_', '-', '[', ']', ' ', '+', '&', '=', '%', '\'',
    'é', 'ß', 'Ω', 'ж', 'ü', '中', '文', '€', '\u00a0', '\u07ff', '\u0800', '\ud7ff'];
const VALUE_CHARS = [...ALNUM, ' ', ' ', '"', '\'', '+', '&', '=', '%', '#', '?', '/', '\\',
    '\n', '<', '>', 'é', '中', '€', '\u{1F600}', '\u{1D11E}', '\u{10FFFF}', '\u{1F1F3}'];
const RESERVED = new Set(['CallSid', 'CallStatus', 'AccountSid', '__proto__', 'bodySHA256']);
const QUERY_TOKENS = [...'aZ9', '\'', '!', '*', '~', '(', ')', '%20', '+', '%27', '%2B', '%C3%A9',
    '%e2%82%ac', '-', '.', '_', ',', ';', ':', '@', '/', '?', '$', '%25'];

function randomString(rng, chars, min, max) {
    const len = min + rng.int(max - min + 1);
    let s = '';
    for (let i = 0; i < len; i++) s += rng.pick(chars);
    return s;
}

function randomName(rng) {
    for (;;) {
        const name = randomString(rng, NAME_CHARS, 1, 12);
        if (!RESERVED.has(name)) return name;
    }
}

function randomValue(rng) {
    return rng.chance(0.1) ? '' : randomString(rng, VALUE_CHARS, 1, 24);
}

/* Random params on top of what a status callback always carries. */
function randomParams(rng, accountSid) {
    const params = { CallSid: 'CA' + rng.hex(32), CallStatus: 'ringing', AccountSid: accountSid };
    const extra = rng.int(9);
    for (let i = 0; i < extra; i++) {
        const name = randomName(rng);
        if (rng.chance(0.2)) {
            const values = Array.from({ length: 2 + rng.int(3) }, () => randomValue(rng));
            if (rng.chance(0.5)) values.push(values[0]); /* an exact repeat */
            params[name] = values;
        } else {
            params[name] = randomValue(rng);
        }
    }
    return params;
}

/* A query string (with its "?") made of bytes that must reach the server as they are. */
function randomQuery(rng) {
    if (rng.chance(0.25)) return '';
    if (rng.chance(0.03)) return '?';
    const pairs = [];
    const count = 1 + rng.int(4);
    for (let i = 0; i < count; i++) {
        const name = randomString(rng, [...ALNUM, '_'], 1, 6);
        const value = Array.from({ length: rng.int(6) }, () => rng.pick(QUERY_TOKENS)).join('');
        pairs.push(rng.chance(0.1) ? name : name + '=' + value);
    }
    return '?' + pairs.join('&') + (rng.chance(0.1) ? '&' : '');
}

/* application/x-www-form-urlencoded, with randomly chosen but equivalent spellings. */
function encodeComponent(rng, text) {
    let out = '';
    for (const byte of Buffer.from(text, 'utf8')) {
        const c = String.fromCharCode(byte);
        if (ALNUM.includes(c) || '-._*'.includes(c)) out += c;
        else if (c === ' ' && rng.chance(0.7)) out += '+';
        else {
            const hex = byte.toString(16).padStart(2, '0');
            out += '%' + (rng.chance(0.5) ? hex.toUpperCase() : hex);
        }
    }
    return out;
}

function paramPairs(params) {
    const pairs = [];
    for (const name of Object.keys(params)) {
        const values = Array.isArray(params[name]) ? params[name] : [params[name]];
        for (const value of values) pairs.push([name, value]);
    }
    return pairs;
}

function encodeForm(rng, params) {
    const pairs = paramPairs(params);
    for (let i = pairs.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
    }
    return pairs.map(([n, v]) => encodeComponent(rng, n) + '=' + encodeComponent(rng, v)).join('&');
}

/* ---------- one-byte tampering ---------- */

function alnumPositions(text, skipEscapes) {
    const positions = [];
    for (let i = 0; i < text.length; i++) {
        if (skipEscapes && text[i] === '%') i += 2;
        else if (ALNUM.includes(text[i])) positions.push(i);
    }
    return positions;
}

/* Replace one ASCII letter or digit of text with another; null when there is none. */
function changeOneByte(rng, text, skipEscapes) {
    const positions = alnumPositions(text, skipEscapes);
    if (positions.length === 0) return null;
    const at = rng.pick(positions);
    let c = text[at];
    while (c === text[at]) c = rng.pick([...ALNUM]);
    return text.slice(0, at) + c + text.slice(at + 1);
}

function cloneParams(params) {
    const copy = {};
    for (const name of Object.keys(params))
        copy[name] = Array.isArray(params[name]) ? [...params[name]] : params[name];
    return copy;
}

function tamperValue(rng, params) {
    const copy = cloneParams(params);
    const name = rng.pick(Object.keys(copy));
    if (Array.isArray(copy[name])) {
        const i = rng.int(copy[name].length);
        const changed = changeOneByte(rng, copy[name][i], false);
        if (changed === null) return null;
        copy[name][i] = changed;
    } else {
        const changed = changeOneByte(rng, copy[name], false);
        if (changed === null) return null;
        copy[name] = changed;
    }
    return copy;
}

function tamperName(rng, params) {
    const names = Object.keys(params);
    const name = rng.pick(names);
    const changed = changeOneByte(rng, name, false);
    if (changed === null || Object.prototype.hasOwnProperty.call(params, changed)) return null;
    const copy = {};
    for (const n of names) copy[n === name ? changed : n] = params[n];
    return copy;
}

function tamperSignature(rng, signature) {
    const at = rng.int(27); /* the 28th character is the '=' pad */
    let c = signature[at];
    const alphabet = ALNUM + '+/';
    while (c === signature[at]) c = alphabet[rng.int(alphabet.length)];
    return signature.slice(0, at) + c + signature.slice(at + 1);
}

/*
 * A copy of the case with one byte changed, rotating through value, name,
 * query and header (skipping a kind the case cannot have, e.g. no query).
 * The SDK must agree that the change matters, or another try is made.
 */
function tamper(rng, token, c, round) {
    const kinds = ['value', 'name', 'query', 'header'];
    for (let attempt = 0; attempt < 40; attempt++) {
        const kind = kinds[(round + attempt) % kinds.length];
        let t = null;
        if (kind === 'value' || kind === 'name') {
            const params = kind === 'value' ? tamperValue(rng, c.params) : tamperName(rng, c.params);
            if (params) t = { ...c, params, body: encodeForm(rng, params) };
        } else if (kind === 'query') {
            const query = changeOneByte(rng, c.query, true);
            if (query !== null) t = { ...c, query };
        } else {
            t = { ...c, signature: tamperSignature(rng, c.signature) };
        }
        if (t && !twilio.validateRequest(token, t.signature, t.signedBase + STATUS_PATH + t.query,
            t.params))
            return { kind, t };
    }
    throw new Error('could not tamper case ' + c.index);
}

/* ---------- generating the cases ---------- */

/*
 * signedBase: the base the SDK signs with (PUBLIC_BASE_URL, or its port
 * variant); the server knows only PUBLIC_BASE_URL.
 */
function makeCase(rng, token, accountSid, index, signedBase) {
    const query = randomQuery(rng);
    const params = randomParams(rng, accountSid);
    const signedUrl = signedBase + STATUS_PATH + query;
    const signature = twilio.getExpectedTwilioSignature(token, signedUrl, params);
    return { index, query, params, body: encodeForm(rng, params), signedBase, signedUrl, signature };
}

function sameParams(a, b) {
    const canon = (p) => JSON.stringify(Object.keys(p).sort().map((n) =>
        [n, Array.isArray(p[n]) ? [...new Set(p[n])].sort() : [p[n]]]));
    return canon(a) === canon(b);
}

/* The generators' own checks: the SDK accepts each case and the body decodes back. */
function checkGenerated(token, c) {
    const decoded = {};
    for (const [n, v] of new URLSearchParams(c.body)) {
        if (n in decoded) decoded[n] = [].concat(decoded[n], v);
        else decoded[n] = v;
    }
    if (!sameParams(decoded, c.params))
        return 'body does not decode to its params: ' + c.body;
    if (!twilio.validateRequest(token, c.signature, c.signedUrl, c.params))
        return 'the SDK rejects its own signature for ' + c.signedUrl;
    return null;
}

/* ---------- the server ---------- */

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function request(port, method, target, headers, body) {
    return new Promise((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent },
            (res) => {
                const chunks = [];
                res.on('data', (d) => chunks.push(d));
                res.on('end', () => resolve({ status: res.statusCode,
                    body: Buffer.concat(chunks).toString('utf8') }));
            });
        req.on('error', (e) => resolve({ status: 0, body: String(e) }));
        req.setTimeout(10000, () => req.destroy(new Error('timeout')));
        if (body !== undefined) req.write(body);
        req.end();
    });
}

function serverEnv(port, publicBaseUrl, token, accountSid, dir) {
    const env = { PATH: process.env.PATH || '/usr/bin:/bin', HOME: dir, TMPDIR: os.tmpdir() };
    for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS', 'LD_LIBRARY_PATH'])
        if (process.env[k]) env[k] = process.env[k];
    return Object.assign(env, {
        PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: publicBaseUrl,
        TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: token,
        DATABASE_URL: 'sqlite:' + path.join(dir, 'hotline.db'),
        MEDIA_DIR: path.join(dir, 'media'), LOG_FORMAT: 'json',
    });
}

async function waitHealthy(server) {
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
        if (server.exited) throw new Error('hotline exited during start-up:\n' + server.log());
        const res = await request(server.port, 'GET', '/health', {});
        if (res.status === 200) {
            let ok = false;
            try { ok = JSON.parse(res.body).ok === true; } catch (e) { ok = false; }
            if (ok) return;
            throw new Error('/health answered 200 but not {"ok":true}: ' + res.body);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('hotline did not answer GET /health within 20 s:\n' + server.log());
}

/* Start `hotline serve`; publicBaseUrl is a function of the chosen port. */
async function startServer(bin, publicBaseUrl, token, accountSid) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-sig-'));
    const base = publicBaseUrl(port);
    const child = childProcess.spawn(bin, ['serve'], {
        cwd: dir, env: serverEnv(port, base, token, accountSid, dir),
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d) => { output = (output + d.toString('utf8')).slice(-8000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const server = { port, dir, base, child, exited: false, exit: null, log: () => output };
    child.on('error', (e) => { server.exited = true; keep('spawn failed: ' + e.message); });
    child.on('exit', (code, signal) => { server.exited = true; server.exit = { code, signal }; });
    try {
        await waitHealthy(server);
    } catch (e) {
        await stopServer(server);
        throw e;
    }
    return server;
}

/* SIGTERM by PID, SIGKILL after 10 s; returns a complaint or null. */
async function stopServer(server) {
    const signal = (name) => {
        try { process.kill(server.child.pid, name); } catch (e) { /* already gone */ }
    };
    if (!server.exited) {
        signal('SIGTERM');
        const deadline = Date.now() + 10000;
        while (!server.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (!server.exited) signal('SIGKILL');
    }
    fs.rmSync(server.dir, { recursive: true, force: true });
    const exit = server.exit;
    if (exit && exit.code !== null && exit.code !== 0)
        return 'hotline exited with status ' + exit.code + ' after SIGTERM:\n' + server.log();
    return null;
}

/* ---------- running the checks ---------- */

function makeTally() {
    const tally = { passed: 0, failed: 0, reports: [] };
    tally.check = (what, ok, detail) => {
        if (ok) tally.passed++;
        else {
            tally.failed++;
            if (tally.reports.length < 25) tally.reports.push(what + ': ' + detail);
        }
    };
    return tally;
}

const FORM = 'application/x-www-form-urlencoded';

function postForm(port, c, signature) {
    const headers = { 'Content-Type': FORM, 'Content-Length': Buffer.byteLength(c.body) };
    if (signature !== null) headers['X-Twilio-Signature'] = signature;
    return request(port, 'POST', STATUS_PATH + c.query, headers, c.body);
}

function describe(c, res) {
    return 'got ' + res.status + ' ' + res.body.slice(0, 160) + ' for ' +
        JSON.stringify({ signed: c.signedUrl, body: c.body });
}

async function runFormCases(server, rng, token, accountSid, count, signedBase, tally, label) {
    for (let i = 0; i < count; i++) {
        const c = makeCase(rng, token, accountSid, i, signedBase(rng));
        const gen = checkGenerated(token, c);
        tally.check(label + ' generator ' + i, gen === null, gen);
        let res = await postForm(server.port, c, c.signature);
        tally.check(label + ' case ' + i + ' signed', res.status >= 200 && res.status < 300,
            describe(c, res));
        const { kind, t } = tamper(rng, token, c, i);
        res = await postForm(server.port, t, t.signature);
        tally.check(label + ' case ' + i + ' tampered ' + kind, res.status === 403,
            describe(t, res));
        res = await postForm(server.port, c, null);
        tally.check(label + ' case ' + i + ' no header', res.status === 400, describe(c, res));
    }
}

function randomJsonBody(rng, accountSid) {
    const doc = { AccountSid: accountSid, CallSid: 'CA' + rng.hex(32), CallStatus: 'ringing' };
    for (let i = rng.int(5); i > 0; i--) doc[randomName(rng)] = randomValue(rng);
    return JSON.stringify(doc, null, rng.chance(0.5) ? 1 : 0);
}

async function runJsonCases(server, rng, token, accountSid, tally) {
    for (let i = 0; i < JSON_CASES; i++) {
        const body = randomJsonBody(rng, accountSid);
        const hash = twilio.getExpectedBodyHash(body);
        const before = rng.chance(0.5) ? randomQuery(rng).slice(1) : '';
        const query = '?' + (before ? before.replace(/&$/, '') + '&' : '') + 'bodySHA256=' + hash;
        const url = server.base + STATUS_PATH + query;
        const signature = twilio.getExpectedTwilioSignature(token, url, {});
        const c = { signedUrl: url, body, query };
        const headers = { 'Content-Type': 'application/json', 'X-Twilio-Signature': signature };
        tally.check('json generator ' + i,
            twilio.validateRequestWithBody(token, signature, url, body), 'SDK rejects ' + url);
        let res = await request(server.port, 'POST', STATUS_PATH + query, headers, body);
        // Verified, then refused as the wrong media type: /twilio/status takes forms.
        tally.check('json case ' + i + ' signed', res.status === 415, describe(c, res));
        const changed = { ...c, body: changeOneByte(rng, body, false) };
        res = await request(server.port, 'POST', STATUS_PATH + query, headers, changed.body);
        tally.check('json case ' + i + ' body changed', res.status === 403, describe(changed, res));
    }
}

function newIdentity(rng) {
    return { token: rng.hex(32), accountSid: 'AC' + rng.hex(32) };
}

/* PUBLIC_BASE_URL has a port: sign as given, or (as Twilio may) without it. */
async function phaseWithPort(bin, rng, tally) {
    const { token, accountSid } = newIdentity(rng);
    const server = await startServer(bin, (p) => 'http://127.0.0.1:' + p, token, accountSid);
    try {
        const withoutPort = 'http://127.0.0.1';
        await runFormCases(server, rng, token, accountSid, CASES,
            (r) => (r.chance(0.25) ? withoutPort : server.base), tally, 'port');
        await runJsonCases(server, rng, token, accountSid, tally);
    } finally {
        const complaint = await stopServer(server);
        tally.check('server shutdown', complaint === null, complaint);
    }
}

/* PUBLIC_BASE_URL without a port: sign as given or with ":80" added. */
async function phaseWithoutPort(bin, rng, tally) {
    const { token, accountSid } = newIdentity(rng);
    const base = 'http://hotline.invalid';
    const server = await startServer(bin, () => base, token, accountSid);
    try {
        await runFormCases(server, rng, token, accountSid, NO_PORT_CASES,
            (r) => (r.chance(0.5) ? base + ':80' : base), tally, 'no-port');
        const c = makeCase(rng, token, accountSid, 0, base + ':443');
        const res = await postForm(server.port, c, c.signature);
        tally.check('no-port signed with :443 on http', res.status === 403, describe(c, res));
    } finally {
        const complaint = await stopServer(server);
        tally.check('server shutdown', complaint === null, complaint);
    }
}

function generatorsOnly(rng, tally) {
    const { token, accountSid } = newIdentity(rng);
    for (let i = 0; i < CASES; i++) {
        const c = makeCase(rng, token, accountSid, i, rng.chance(0.3) ? 'http://h' : 'http://h:80');
        const gen = checkGenerated(token, c);
        tally.check('generator ' + i, gen === null, gen);
        const { kind, t } = tamper(rng, token, c, i);
        tally.check('tamper ' + i + ' ' + kind, t.signature !== c.signature || t.query !== c.query ||
            !sameParams(t.params, c.params), 'tampered copy equals the original');
    }
}

async function main() {
    const rng = makeRng(SEED);
    const tally = makeTally();
    console.log('signature_sdk: seed ' + SEED + ', ' + CASES + ' cases');
    if (process.argv.includes('--generators-only')) {
        generatorsOnly(rng, tally);
    } else {
        const bin = process.env.HOTLINE_BIN;
        if (!bin || !fs.existsSync(bin)) throw new Error('HOTLINE_BIN is not set to the hotline binary');
        await phaseWithPort(bin, rng, tally);
        await phaseWithoutPort(bin, rng, tally);
    }
    for (const r of tally.reports) console.log('FAIL ' + r);
    console.log('signature_sdk: ' + tally.passed + ' passed, ' + tally.failed + ' failed');
    return tally.failed === 0 ? 0 : 1;
}

main().then((code) => {
    agent.destroy();
    process.exitCode = code;
}, (e) => {
    agent.destroy();
    console.log('FAIL ' + (e && e.stack ? e.stack : e));
    console.log('signature_sdk: 0 passed, 1 failed');
    process.exitCode = 1;
});
