/*
 * test_memo_page.js — the memo page in a real browser. A scripted caller leaves a voicemail
 * through the emulator; the pipeline seals it and texts the owner the link; the test takes the
 * link from the emulator's outbox and opens it in headless Chromium:
 *
 *  - with the key: the audio element decodes (duration > 0) the exact recorded bytes, the
 *    transcript is the one `hotline memo decrypt --meta` finds, the QR code has the module
 *    count of the link's QR version;
 *  - with a wrong key, a mangled key, no key, an unknown memo: each says so in its own words;
 *  - no request the page makes carries the key (URL, headers, body), nothing leaves the origin,
 *    no CSP violation happens, and the server's log never sees the key.
 *
 * Screenshots (open and wrong key, 375 and 1280 px) go to ${build}/artifacts/screenshots/.
 */
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const h = require("./harness");
const { assert } = h;

const OWNER = "+14155550162";
const CALLER = "+14155550163";
h.Server.extraNumbers.push(OWNER, CALLER);

/* QR byte-mode capacity at level M, versions 1..10 (ISO/IEC 18004 table 7). */
const BYTE_CAPACITY_M = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213];

/* Another valid key: flip one bit of the raw key (the last character keeps zero low bits). */
function wrongKey(key) {
  const raw = Buffer.from(key, "base64url");
  raw[7] ^= 0x10;
  return raw.toString("base64url");
}

async function leaveVoicemail(server) {
  const p = server.cli(["sim", "call", "--flow", "voicemail", "--from", CALLER, "--say",
    "Hello, this is Sam. Please call me back tomorrow morning about my cleaning."]);
  assert.equal(p.status, 0, p.stdout + p.stderr);
  const sms = await h.waitFor(async () => (await server.outbox()).find(
    (m) => m.to.endsWith(OWNER.slice(-4)) && m.body.includes("/voice/")), { timeoutMs: 90000, what: "the owner's memo link" });
  return sms.body.split("Listen: ")[1].trim();
}

async function problemOf(page) {
  assert.equal(await page.isVisible("#problem"), true, "the problem notice shows");
  assert.equal(await page.isVisible("#memo"), false, "nothing of the memo shows");
  return { title: await page.textContent("#problem-title"), text: await page.textContent("#problem-text") };
}

h.test("a voicemail link opens, plays and hands off; wrong and missing keys are refused", async () => {
  const server = await new h.Server({ env: { WORKERS: "2", OWNER_PHONE: OWNER } }).start();
  const browser = await h.launchBrowser();
  const seen = [];
  let key;
  try {
    const link = await leaveVoicemail(server);
    assert.match(link, new RegExp("^" + server.base + "/voice/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$"));
    const [base, k] = link.split("#");
    key = k;
    server.secrets.push(key);

    // What the memo holds, by hotline's own decryption.
    const wav = path.join(server.dir, "memo.wav");
    let p = server.cli(["memo", "decrypt", link, "-o", wav]);
    assert.equal(p.status, 0, p.stderr);
    const wavSha = crypto.createHash("sha256").update(fs.readFileSync(wav)).digest("hex");
    p = server.cli(["memo", "decrypt", link, "--meta"]);
    assert.equal(p.status, 0, p.stderr);
    const meta = JSON.parse(p.stdout);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });

    // The right key.
    const good = await h.openPage(context, link);
    seen.push(good);
    assert.equal(good.response.status(), 200);
    assert.equal(await good.page.getAttribute("body", "data-state"), "open",
      await good.page.textContent("main"));
    const duration = await good.page.waitForFunction(() => {
      const a = document.getElementById("player");
      return a.duration > 0 && Number.isFinite(a.duration) ? a.duration : 0;
    }, null, { timeout: 20000 });
    assert.ok((await duration.jsonValue()) > 0.5, "the audio decodes to more than half a second");
    const [download] = await Promise.all([good.page.waitForEvent("download"), good.page.click("#download")]);
    const blobSha = crypto.createHash("sha256").update(fs.readFileSync(await download.path())).digest("hex");
    assert.equal(blobSha, wavSha, "the browser decrypted exactly the recorded audio");
    const shown = (await good.page.textContent("#transcript")).trim();
    assert.equal(shown, meta.transcript ? meta.transcript.trim() : "No words were recognised in this recording.");
    assert.ok(meta.transcript && meta.transcript.length > 3, "PocketSphinx heard something: " + meta.transcript);
    if (meta.analysis && meta.analysis.summary) {
      assert.equal((await good.page.textContent("#summary")).trim(), meta.analysis.summary);
    }
    const modules = Number(await good.page.getAttribute("#qr", "data-modules"));
    const version = BYTE_CAPACITY_M.findIndex((cap) => cap >= link.length) + 1;
    assert.equal(modules, 17 + 4 * version, "QR code of the whole link at level M");
    const qrBox = await good.page.locator("#qr").boundingBox();
    assert.ok(qrBox.width >= 150, "the QR code is large enough to scan: " + qrBox.width);
    const files = await h.screenshots(good.page, "memo-open");
    // At 375 px nothing is wider than the screen.
    await good.page.setViewportSize({ width: 375, height: 740 });
    const overflow = await good.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 375, "no horizontal scrolling at 375 px: " + overflow);

    // A wrong key (well-formed, for another memo) and a mangled one.
    const wrong = await h.openPage(context, base + "#" + wrongKey(key));
    seen.push(wrong);
    let prob = await problemOf(wrong.page);
    assert.equal(prob.title, "This key does not open this memo");
    assert.match(prob.text, /another memo/);
    files.push(...await h.screenshots(wrong.page, "memo-wrong-key"));
    const mangled = await h.openPage(context, base + "#" + key.slice(0, 30));
    seen.push(mangled);
    prob = await problemOf(mangled.page);
    assert.equal(prob.title, "This key does not open this memo");
    assert.match(prob.text, /incomplete or mistyped/);

    // No key at all.
    const bare = await h.openPage(context, base);
    seen.push(bare);
    prob = await problemOf(bare.page);
    assert.equal(prob.title, "This link has no key");
    files.push(...await h.screenshots(bare.page, "memo-no-key"));

    // A memo that does not exist.
    const unknown = await h.openPage(context, server.url("/voice/" + "Q".repeat(22) + "#" + key));
    seen.push(unknown);
    assert.equal(unknown.response.status(), 404);
    assert.match(await unknown.page.textContent("main"), /Memo not found/);
    files.push(...await h.screenshots(unknown.page, "memo-not-found"));

    // Nothing the page asked for carries the key, or goes anywhere but this server.
    for (const s of seen) await h.assertPagePrivate(s, server.base, key);
    const fetched = seen[0].requests.map((r) => new URL(r.url).pathname);
    for (const want of ["/memo.json", "/audio", "/meta"]) {
      assert.ok(fetched.some((u) => u.endsWith(want)), "the page fetched " + want);
    }
    for (const f of files) assert.ok(fs.statSync(f).size > 2000, f);
    await context.close();
  } finally {
    await browser.close();
    const log = await server.stop();
    if (key) assert.ok(!log.includes(key), "the server's log contains the key");
  }
});

h.run();
