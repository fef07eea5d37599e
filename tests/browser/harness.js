/*
 * harness.js — what every browser test needs: the real hotline binary on a free loopback port
 * with a temporary data directory (by default in emulator mode, like
 * tests/integration/harness.py), small HTTP helpers, Debian's headless Chromium driven by
 * playwright-core, screenshots at phone and desktop widths, and a tiny test runner.
 *
 *   const h = require("./harness");
 *   h.test("the page opens", async () => {
 *     const server = await new h.Server({ env: { OWNER_PHONE: "+14155550162" } }).start();
 *     const browser = await h.launchBrowser();
 *     try { ... await h.screenshots(page, "memo-open"); } finally { await browser.close(); await server.stop(); }
 *   });
 *   h.run();
 *
 * Servers are stopped by their PID (SIGTERM, then the exit status must be 0), and their whole
 * log is checked for full test phone numbers and secrets, as the Python harness does.
 * Playwright never downloads a browser: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set, and Chromium is
 * /usr/bin/chromium (or $CHROMIUM).
 */
"use strict";

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1";

const assert = require("node:assert/strict");
const childProcess = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch (e) {
  console.error("playwright-core is missing: run scripts/deps.sh (npm ci in tests/browser)");
  process.exit(1);
}

const HOTLINE = process.env.HOTLINE_BIN;
if (!HOTLINE) {
  console.error("HOTLINE_BIN is not set: run the browser tests through ctest (make test)");
  process.exit(1);
}
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const BUILD_DIR = process.env.HL_BUILD_DIR || path.resolve(path.dirname(HOTLINE));
const SCREENSHOT_DIR = path.join(BUILD_DIR, "artifacts", "screenshots");

/* Numbers tests use: none may ever appear whole in a server's log. */
const CALLER = "+14155550123";
const BUSINESS = "+14155559876";
const TEST_NUMBERS = [CALLER, BUSINESS];

function token(n) {
  return crypto.randomBytes(n).toString("hex");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/* Poll fn until it returns something truthy (awaited), or fail after timeoutMs. */
async function waitFor(fn, { timeoutMs = 10000, what = "condition", intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(intervalMs);
  }
  throw new Error("timed out waiting for " + what + (last instanceof Error ? ": " + last.message : ""));
}

/* One HTTP request; resolves {status, headers, body (Buffer), text(), json()}. */
function request(base, method, target, { headers = {}, body = null } = {}) {
  return new Promise((resolve, reject) => {
    const data = body == null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const h = Object.assign({ Connection: "close" }, headers);
    if (data) h["Content-Length"] = String(data.length);
    const req = http.request(base + target, { method, headers: h }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: buf,
          text: () => buf.toString("utf8"),
          json: () => JSON.parse(buf.toString("utf8")),
        });
      });
    });
    req.on("error", reject);
    req.setTimeout(30000, () => req.destroy(new Error("request timed out: " + target)));
    if (data) req.write(data);
    req.end();
  });
}

function assertLogPrivate(log, secrets) {
  for (const n of TEST_NUMBERS.concat(Server.extraNumbers)) {
    for (const form of [n, n.slice(1), encodeURIComponent(n)]) {
      if (log.includes(form)) throw new Error("server log contains the full number " + n.slice(0, 4));
    }
  }
  for (const s of secrets) {
    if (s && log.includes(s)) throw new Error("server log contains a secret");
  }
}

/*
 * The real binary. Options: env (overrides, merged last), emulator (default true: the
 * built-in Twilio emulator answers the REST API on the server's own port; its account file is
 * written first so the test knows the token), args (default ["serve"]).
 */
class Server {
  constructor({ env = {}, emulator = true, args = ["serve"] } = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "hotline-browser-"));
    this.accountSid = "AC" + token(16);
    this.authToken = token(16);
    this.apiKey = "key_" + token(12);
    this.dbPath = path.join(this.dir, "hotline.db");
    this.logPath = path.join(this.dir, "server.log");
    this.args = args;
    this.emulator = emulator;
    this.extraEnv = env;
    this.secrets = [this.authToken, this.apiKey];
  }

  async start() {
    this.port = await freePort();
    this.base = "http://127.0.0.1:" + this.port;
    this.env = {
      PATH: process.env.PATH || "/usr/bin:/bin",
      PORT: String(this.port),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: this.base,
      TWILIO_ACCOUNT_SID: this.accountSid,
      TWILIO_AUTH_TOKEN: this.authToken,
      TWILIO_PHONE_NUMBER: BUSINESS,
      DATABASE_URL: "sqlite:" + this.dbPath,
      MEDIA_DIR: path.join(this.dir, "media"),
      API_KEYS: this.apiKey,
      BUSINESS_NAME: "Test Dental",
      LOG_FORMAT: "json",
      LOG_LEVEL: "debug",
    };
    for (const k of ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"]) {
      if (process.env[k]) this.env[k] = process.env[k];
    }
    if (this.emulator) {
      delete this.env.TWILIO_ACCOUNT_SID;
      delete this.env.TWILIO_AUTH_TOKEN;
      this.env.SIM_ACCOUNT_FILE = path.join(this.dir, "emulator-account");
      fs.writeFileSync(this.env.SIM_ACCOUNT_FILE,
        `TWILIO_ACCOUNT_SID=${this.accountSid}\nTWILIO_AUTH_TOKEN=${this.authToken}\n`, { mode: 0o600 });
    }
    Object.assign(this.env, this.extraEnv);
    this.logFd = fs.openSync(this.logPath, "w");
    this.proc = childProcess.spawn(HOTLINE, this.args, {
      env: this.env, cwd: this.dir, stdio: ["ignore", this.logFd, this.logFd],
    });
    running.add(this);
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => {
      running.delete(this);
      resolve({ code, signal });
    }));
    let gone = null;
    this.exited.then((e) => { gone = e; });
    await waitFor(async () => {
      if (gone) throw new Error("server exited with " + JSON.stringify(gone) + ":\n" + this.readLog());
      try {
        return (await this.request("GET", "/health")).status === 200;
      } catch (e) {
        return false;
      }
    }, { timeoutMs: 20000, what: "/health", intervalMs: 50 }).catch((e) => {
      this.kill();
      throw e;
    });
    return this;
  }

  readLog() {
    return fs.readFileSync(this.logPath, "utf8");
  }

  kill() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      process.kill(this.proc.pid, "SIGKILL");
    }
  }

  /* SIGTERM by PID, wait, require exit status 0, check the log, remove the directory. */
  async stop({ checkLog = true } = {}) {
    if (!this.proc) return "";
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      process.kill(this.proc.pid, "SIGTERM");
    }
    const timer = setTimeout(() => this.kill(), 60000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    fs.closeSync(this.logFd);
    const log = this.readLog();
    this.proc = null;
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`server exited with ${code} (${signal}):\n${log.slice(-4000)}`);
    if (checkLog) assertLogPrivate(log, this.secrets);
    return log;
  }

  url(p) {
    return this.base + p;
  }

  request(method, target, opts) {
    return request(this.base, method, target, opts);
  }

  /* hotline's JSON API with the server's bearer key (key: another key, or "" for none). */
  api(method, target, body, { key = this.apiKey, headers = {} } = {}) {
    const h = Object.assign({}, headers);
    if (key) h.Authorization = "Bearer " + key;
    if (body !== undefined) h["Content-Type"] = "application/json";
    return this.request(method, target, { headers: h, body: body === undefined ? null : JSON.stringify(body) });
  }

  /* The emulator's REST API (path relative to /2010-04-01/Accounts/{sid}), with Basic auth. */
  twilio(method, p, params) {
    const h = { Authorization: "Basic " + Buffer.from(this.accountSid + ":" + this.authToken).toString("base64") };
    let body = null;
    if (params) {
      body = new URLSearchParams(params).toString();
      h["Content-Type"] = "application/x-www-form-urlencoded";
    }
    return this.request(method, `/2010-04-01/Accounts/${this.accountSid}${p}`, { headers: h, body });
  }

  /* The messages the emulator has sent (its outbox), newest first. */
  async outbox() {
    const r = await this.twilio("GET", "/Messages.json?PageSize=1000");
    assert.equal(r.status, 200, r.text());
    return r.json().messages;
  }

  /* `hotline ARGS` with the server's environment; {status, stdout, stderr}. */
  cli(args, { timeoutMs = 120000 } = {}) {
    return childProcess.spawnSync(HOTLINE, args, {
      env: this.env, cwd: this.dir, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20,
    });
  }

  /* Rows of a query on the server's SQLite database (sqlite3 CLI), as objects. */
  rows(sql) {
    const out = childProcess.execFileSync("sqlite3", ["-json", this.dbPath, sql], { encoding: "utf8" });
    return out.trim() ? JSON.parse(out) : [];
  }
}
Server.extraNumbers = [];

/* Servers still running when the test process exits (a test that threw) are killed by PID. */
const running = new Set();
process.on("exit", () => {
  for (const s of running) s.kill();
});

/* Debian's Chromium, headless. As root it needs --no-sandbox (the test containers run as root). */
function launchBrowser(options = {}) {
  const args = ["--disable-gpu", "--no-first-run", "--no-default-browser-check"];
  if (process.getuid && process.getuid() === 0) args.push("--no-sandbox");
  return chromium.launch(Object.assign({ executablePath: CHROMIUM, headless: true, args }, options));
}

/* A full-page screenshot at each width into ${build}/artifacts/screenshots/NAME-WIDTH.png. */
async function screenshots(page, name, widths = [375, 1280]) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const files = [];
  const original = page.viewportSize();
  for (const w of widths) {
    await page.setViewportSize({ width: w, height: w < 600 ? 740 : 800 });
    await page.waitForTimeout(100);
    const file = path.join(SCREENSHOT_DIR, `${name}-${w}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  if (original) await page.setViewportSize(original);
  return files;
}

/*
 * Record every request a page makes: {url, method, headers (all, as sent), postData}.
 * Returns the list; call `await settle()` before reading it so header lookups are done.
 */
function recordRequests(page) {
  const list = [];
  const pending = [];
  page.on("request", (req) => {
    const entry = { url: req.url(), method: req.method(), headers: req.headers(), postData: req.postData() };
    list.push(entry);
    pending.push(req.allHeaders().then((h) => { entry.headers = h; }, () => {}));
  });
  list.settle = () => Promise.all(pending);
  return list;
}

/* Open url in a fresh page of context; collect its requests, console messages and page errors. */
async function openPage(context, url) {
  const page = await context.newPage();
  const requests = recordRequests(page);
  const console_ = [];
  const errors = [];
  page.on("console", (m) => console_.push(m.type() + ": " + m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  const response = await page.goto(url);
  await page.waitForSelector("body[data-state]", { timeout: 30000 });
  return { page, requests, console: console_, errors, response };
}

/*
 * What openPage() saw: every request stayed on base and none carried key (URL, fragment,
 * any header, body); no page error and no CSP violation.
 */
async function assertPagePrivate(seen, base, key) {
  await seen.requests.settle();
  assert.ok(seen.requests.length >= 1);
  for (const r of seen.requests) {
    assert.ok(r.url.startsWith(base + "/") || r.url.startsWith("blob:" + base + "/"),
      "request left the origin: " + r.url);
    assert.ok(!r.url.includes("#"), "a fragment was requested: " + r.url);
    assert.ok(!r.url.includes(key), "the key is in a URL: " + r.url);
    for (const [name, value] of Object.entries(r.headers)) {
      assert.ok(!String(value).includes(key), "the key is in the " + name + " header");
    }
    assert.ok(!(r.postData || "").includes(key), "the key is in a request body");
  }
  assert.deepEqual(seen.errors, [], "page errors");
  assert.deepEqual(seen.console.filter((m) => /Content Security Policy|Refused to/i.test(m)), [],
    "CSP violations");
}

/* ---- a tiny test runner ----------------------------------------------------------------- */

const tests = [];

function test(name, fn) {
  tests.push({ name, fn });
}

async function run() {
  let failed = 0;
  for (const t of tests) {
    const started = Date.now();
    try {
      await t.fn();
      console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name} (${Date.now() - started} ms)\n${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`${tests.length - failed}/${tests.length} passed`);
  process.exit(failed ? 1 : 0);
}

module.exports = {
  assert, Server, CALLER, BUSINESS, SCREENSHOT_DIR, launchBrowser, screenshots, recordRequests,
  openPage, assertPagePrivate, request, waitFor, sleep, test, run,
};
