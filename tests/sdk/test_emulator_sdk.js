'use strict';
/*
 * test_emulator_sdk.js — the official twilio-node SDK against hotline's
 * built-in Twilio emulator.
 *
 * Starts `$HOTLINE_BIN serve` in emulator mode (no TWILIO_ACCOUNT_SID) on a
 * free loopback port in a temporary directory, reads the emulator account it
 * writes to SIM_ACCOUNT_FILE, and points the SDK at it with its httpClient
 * option: a RequestClient subclass that rewrites https://api.twilio.com to
 * the server's base URL. Then, with account SID + auth token and with API
 * key SID + secret:
 *
 *   - messages: create, fetch, list (the SDK follows next_page_uri across
 *     pages), delete; every field the SDK exposes has the right type and
 *     format (SID prefix and length, dates parsed into Date, counts as
 *     strings, nulls), and the status becomes "delivered" (fetched until, 10 s
 *     at most) while hotline receives the signed status callbacks;
 *   - calls: create, fetch, list with filters, update (Status=canceled) and
 *     the fields that change with it;
 *   - recordings: list (empty, shape);
 *   - errors reach the SDK as RestException with Twilio's status and code:
 *     21211 (bad To), 21205 (no Url), 20404 (unknown SID), 20003 (wrong
 *     secret, and another account in the path).
 *
 * Finally the server is stopped with SIGTERM by its PID and must exit 0.
 * Last line: "emulator_sdk: N passed, M failed".
 */
const childProcess = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const twilio = require('twilio');
const RequestClient = require('twilio/lib/base/RequestClient');
const RestException = twilio.RestException;

const CALLEE = '+14155550123';
const SENDER = '+15005550006';

/* ---------- the server ---------- */

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const port = s.address().port;
            s.close(() => resolve(port));
        });
    });
}

function get(port, p) {
    return new Promise((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, path: p, method: 'GET' }, (res) => {
            let body = '';
            res.on('data', (d) => { body += d; });
            res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', () => resolve({ status: 0, body: '' }));
        req.setTimeout(5000, () => req.destroy(new Error('timeout')));
        req.end();
    });
}

async function startServer(bin) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-emu-'));
    const env = { PATH: process.env.PATH || '/usr/bin:/bin', HOME: dir };
    for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS', 'LD_LIBRARY_PATH'])
        if (process.env[k]) env[k] = process.env[k];
    Object.assign(env, {
        PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'sqlite:' + path.join(dir, 'h.db'),
        MEDIA_DIR: path.join(dir, 'media'), SIM_ACCOUNT_FILE: path.join(dir, 'acct'),
        LOG_FORMAT: 'json',
    });
    const child = childProcess.spawn(bin, ['serve'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d) => { output = (output + d.toString('utf8')).slice(-16000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const server = { port, dir, base: 'http://127.0.0.1:' + port, child, exited: false, exit: null,
        log: () => output };
    child.on('error', (e) => { server.exited = true; keep('spawn failed: ' + e.message); });
    child.on('exit', (code, signal) => { server.exited = true; server.exit = { code, signal }; });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
        if (server.exited) throw new Error('hotline exited during start-up:\n' + output);
        if ((await get(port, '/health')).status === 200) return server;
        await new Promise((r) => setTimeout(r, 100));
    }
    await stopServer(server);
    throw new Error('hotline did not answer /health within 20 s:\n' + output);
}

/* SIGTERM by PID (SIGKILL after 15 s); the exit status, or null when killed. */
async function stopServer(server) {
    const signal = (name) => {
        try { process.kill(server.child.pid, name); } catch (e) { /* gone */ }
    };
    if (!server.exited) {
        signal('SIGTERM');
        const deadline = Date.now() + 15000;
        while (!server.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (!server.exited) signal('SIGKILL');
        while (!server.exited) await new Promise((r) => setTimeout(r, 50));
    }
    fs.rmSync(server.dir, { recursive: true, force: true });
    return server.exit ? server.exit.code : null;
}

function readAccount(file) {
    const acct = {};
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) acct[m[1]] = m[2];
    }
    return acct;
}

/* twilio-node's own RequestClient, sent to the emulator instead of api.twilio.com. */
class EmulatorClient extends RequestClient {
    constructor(base) {
        super({ keepAlive: false });
        this.base = base;
    }

    request(opts) {
        const uri = opts.uri.replace(/^https:\/\/api\.twilio\.com(:443)?/, this.base);
        return super.request(Object.assign({}, opts, { uri }));
    }
}

/* ---------- checks ---------- */

function makeTally() {
    const tally = { passed: 0, failed: 0, reports: [] };
    tally.check = (what, ok, detail) => {
        if (ok) tally.passed++;
        else {
            tally.failed++;
            tally.reports.push(what + (detail === undefined ? '' : ': ' + detail));
        }
    };
    return tally;
}

const isSid = (v, prefix) => typeof v === 'string' && new RegExp('^' + prefix + '[0-9a-f]{32}$').test(v);
const isDate = (v) => v instanceof Date && !Number.isNaN(v.getTime());
const near = (d) => isDate(d) && Math.abs(d.getTime() - Date.now()) < 5 * 60 * 1000;

function checkMessage(t, what, m, acct) {
    t.check(what + ' sid', isSid(m.sid, 'SM'), m.sid);
    t.check(what + ' accountSid', m.accountSid === acct.TWILIO_ACCOUNT_SID, m.accountSid);
    t.check(what + ' apiVersion', m.apiVersion === '2010-04-01', m.apiVersion);
    t.check(what + ' dateCreated', near(m.dateCreated), m.dateCreated);
    t.check(what + ' dateUpdated', near(m.dateUpdated), m.dateUpdated);
    t.check(what + ' direction', m.direction === 'outbound-api', m.direction);
    t.check(what + ' numSegments', m.numSegments === '1', m.numSegments);
    t.check(what + ' numMedia', m.numMedia === '0', m.numMedia);
    t.check(what + ' price', m.price === null, m.price);
    t.check(what + ' priceUnit', m.priceUnit === 'USD', m.priceUnit);
    t.check(what + ' errorCode', m.errorCode === null, m.errorCode);
    t.check(what + ' errorMessage', m.errorMessage === null, m.errorMessage);
    t.check(what + ' messagingServiceSid', m.messagingServiceSid === null, m.messagingServiceSid);
    t.check(what + ' uri', m.uri === '/2010-04-01/Accounts/' + acct.TWILIO_ACCOUNT_SID +
        '/Messages/' + m.sid + '.json', m.uri);
    t.check(what + ' subresourceUris', m.subresourceUris && typeof m.subresourceUris.media ===
        'string', JSON.stringify(m.subresourceUris));
}

function checkCall(t, what, c, acct) {
    t.check(what + ' sid', isSid(c.sid, 'CA'), c.sid);
    t.check(what + ' accountSid', c.accountSid === acct.TWILIO_ACCOUNT_SID, c.accountSid);
    t.check(what + ' dateCreated', near(c.dateCreated), c.dateCreated);
    t.check(what + ' direction', c.direction === 'outbound-api', c.direction);
    t.check(what + ' to/from', c.to === CALLEE && c.from === SENDER, c.to + ' ' + c.from);
    t.check(what + ' toFormatted', c.toFormatted === '(415) 555-0123', c.toFormatted);
    t.check(what + ' apiVersion', c.apiVersion === '2010-04-01', c.apiVersion);
    t.check(what + ' priceUnit', c.priceUnit === 'USD', c.priceUnit);
    t.check(what + ' parentCallSid', c.parentCallSid === null, c.parentCallSid);
    t.check(what + ' recordings uri', c.subresourceUris && c.subresourceUris.recordings ===
        '/2010-04-01/Accounts/' + acct.TWILIO_ACCOUNT_SID + '/Calls/' + c.sid +
        '/Recordings.json', JSON.stringify(c.subresourceUris));
}

async function expectRest(t, what, promise, status, code) {
    try {
        await promise;
        t.check(what, false, 'no error');
    } catch (e) {
        t.check(what + ' is RestException', e instanceof RestException, e && e.stack);
        t.check(what + ' status', e.status === status, e.status);
        t.check(what + ' code', e.code === code, e.code + ' ' + e.message);
        t.check(what + ' moreInfo', e.moreInfo === 'https://www.twilio.com/docs/errors/' + code,
            e.moreInfo);
    }
}

async function messages(t, client, keyClient, server, acct) {
    const created = await client.messages.create({ to: CALLEE, from: SENDER, body: 'Hello from the SDK',
        statusCallback: server.base + '/twilio/message-status' });
    checkMessage(t, 'message create', created, acct);
    t.check('message status queued', created.status === 'queued', created.status);
    t.check('message dateSent null', created.dateSent === null, created.dateSent);
    t.check('message body', created.body === 'Hello from the SDK', created.body);
    let fetched = await keyClient.messages(created.sid).fetch();
    const deadline = Date.now() + 10000;
    while (fetched.status !== 'delivered' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        fetched = await client.messages(created.sid).fetch();
    }
    checkMessage(t, 'message fetch', fetched, acct);
    t.check('message delivered', fetched.status === 'delivered', fetched.status);
    t.check('message dateSent', near(fetched.dateSent), fetched.dateSent);
    t.check('message removed', (await client.messages(created.sid).remove()) === true);
    await expectRest(t, 'removed message fetch', client.messages(created.sid).fetch(), 404, 20404);
}

async function messagePages(t, client, keyClient) {
    const to = '+14155550177', sids = [];
    for (let i = 0; i < 5; i++)
        sids.unshift((await client.messages.create({ to, from: SENDER, body: 'page ' + i })).sid);
    const listed = await keyClient.messages.list({ to, pageSize: 2 });
    t.check('list follows pages', JSON.stringify(listed.map((m) => m.sid)) === JSON.stringify(sids),
        listed.map((m) => m.sid).join(','));
    const page = await client.messages.page({ to, pageSize: 2 });
    t.check('page size', page.instances.length === 2, page.instances.length);
    t.check('page next url', typeof page.nextPageUrl === 'string' && page.nextPageUrl.includes('PageToken=PA'),
        page.nextPageUrl);
    const second = await page.nextPage();
    t.check('second page', second.instances.map((m) => m.sid).join() === sids.slice(2, 4).join(),
        second.instances.map((m) => m.sid).join());
    const back = await second.previousPage();
    t.check('previous page', back.instances.map((m) => m.sid).join() === sids.slice(0, 2).join(),
        back.instances.map((m) => m.sid).join());
    const limited = await client.messages.list({ to, limit: 3 });
    t.check('list limit', limited.length === 3, limited.length);
}

/* A TwiML server that answers after `ms`, so that a call stays live while the test acts on it. */
function slowTwiml(ms) {
    const server = http.createServer((req, res) => {
        req.resume();
        setTimeout(() => {
            res.writeHead(200, { 'Content-Type': 'text/xml' });
            res.end('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
        }, ms);
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function calls(t, client, keyClient, acct) {
    const slow = await slowTwiml(3000);
    const created = await client.calls.create({ to: CALLEE, from: SENDER,
        url: 'http://127.0.0.1:' + slow.address().port + '/twilio/voice',
        statusCallback: 'http://127.0.0.1:9/status', statusCallbackEvent: ['initiated', 'completed'] });
    checkCall(t, 'call create', created, acct);
    t.check('call queued', created.status === 'queued', created.status);
    t.check('call duration null', created.duration === null, created.duration);
    t.check('call startTime null', created.startTime === null, created.startTime);
    const fetched = await keyClient.calls(created.sid).fetch();
    checkCall(t, 'call fetch', fetched, acct);
    // The emulator is placing it (fetching the slow TwiML): hang it up, as Status=completed does.
    const updated = await client.calls(created.sid).update({ status: 'completed' });
    checkCall(t, 'call update', updated, acct);
    t.check('call ended', ['completed', 'canceled'].includes(updated.status), updated.status);
    t.check('call endTime', near(updated.endTime), updated.endTime);
    t.check('call duration', /^[0-9]+$/.test(updated.duration), updated.duration);
    const ended = await client.calls.list({ status: updated.status, to: CALLEE });
    t.check('call list filter', ended.some((c) => c.sid === created.sid), ended.length);
    slow.close();
    const queued = await client.calls.list({ status: 'queued', to: CALLEE });
    t.check('call list filter excludes', !queued.some((c) => c.sid === created.sid), queued.length);
    const recordings = await client.recordings.list();
    t.check('recordings list', Array.isArray(recordings) && recordings.length === 0, recordings.length);
    const callRecordings = await client.calls(created.sid).recordings.list();
    t.check('call recordings list', Array.isArray(callRecordings), typeof callRecordings);
}

async function errors(t, client, server, acct) {
    await expectRest(t, 'bad To', client.messages.create({ to: '12345', from: SENDER, body: 'x' }),
        400, 21211);
    await expectRest(t, 'call without Url', client.calls.create({ to: CALLEE, from: SENDER }), 400,
        21205);
    await expectRest(t, 'unknown call', client.calls('CA' + '0'.repeat(32)).fetch(), 404, 20404);
    const wrong = twilio(acct.TWILIO_ACCOUNT_SID, 'f'.repeat(32),
        { httpClient: new EmulatorClient(server.base) });
    await expectRest(t, 'wrong token', wrong.calls.list(), 401, 20003);
    const wrongKey = twilio(acct.TWILIO_API_KEY_SID, acct.TWILIO_AUTH_TOKEN,
        { accountSid: acct.TWILIO_ACCOUNT_SID, httpClient: new EmulatorClient(server.base) });
    await expectRest(t, 'key with the token', wrongKey.messages.list(), 401, 20003);
    const other = twilio(acct.TWILIO_API_KEY_SID, acct.TWILIO_API_KEY_SECRET,
        { accountSid: 'AC' + '1'.repeat(32), httpClient: new EmulatorClient(server.base) });
    await expectRest(t, 'another account', other.messages.list(), 401, 20003);
}

async function main() {
    const t = makeTally();
    const bin = process.env.HOTLINE_BIN;
    if (!bin || !fs.existsSync(bin)) throw new Error('HOTLINE_BIN is not set to the hotline binary');
    const server = await startServer(bin);
    try {
        const acct = readAccount(path.join(server.dir, 'acct'));
        t.check('account file', isSid(acct.TWILIO_ACCOUNT_SID, 'AC') && isSid(acct.TWILIO_API_KEY_SID, 'SK') &&
            /^[0-9a-f]{32}$/.test(acct.TWILIO_AUTH_TOKEN) && /^[A-Za-z0-9]{32}$/.test(acct.TWILIO_API_KEY_SECRET));
        const client = twilio(acct.TWILIO_ACCOUNT_SID, acct.TWILIO_AUTH_TOKEN,
            { httpClient: new EmulatorClient(server.base) });
        const keyClient = twilio(acct.TWILIO_API_KEY_SID, acct.TWILIO_API_KEY_SECRET,
            { accountSid: acct.TWILIO_ACCOUNT_SID, httpClient: new EmulatorClient(server.base) });
        await messages(t, client, keyClient, server, acct);
        await messagePages(t, client, keyClient);
        await calls(t, client, keyClient, acct);
        await errors(t, client, server, acct);
    } catch (e) {
        t.check('run', false, e && e.stack ? e.stack : String(e));
    }
    const code = await stopServer(server);
    // The server writes its log in batches; all of it is out once it has stopped.
    t.check('status callbacks reached hotline', /"message_status":"delivered"/.test(server.log()),
        'no delivered status in the log');
    t.check('server exits 0 on SIGTERM', code === 0, code + '\n' + server.log().slice(-3000));
    for (const r of t.reports) console.log('FAIL ' + r);
    console.log('emulator_sdk: ' + t.passed + ' passed, ' + t.failed + ' failed');
    return t.failed === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e) => {
    console.log('FAIL ' + (e && e.stack ? e.stack : e));
    console.log('emulator_sdk: 0 passed, 1 failed');
    process.exitCode = 1;
});
