/*
 * test_dashboard.js — the /voice dashboard in headless Chromium.
 *
 *  - A visitor who is not logged in gets the login page, and every data endpoint answers 401
 *    (asked from the page itself, with whatever cookies it has).
 *  - A wrong key is refused on the page in words; the right one opens the dashboard.
 *  - A scripted caller leaves a message through the emulator (record-analyze flow); once the
 *    pipeline has transcribed it, the dashboard shows the call (masked number), its status
 *    events and its transcript; the chart counts it; searching by the last digits finds it.
 *  - Nothing on the page overflows a 375 px screen; no CSP violation, no page error.
 *  - Logging out returns to the login page and the endpoints are 401 again.
 *
 * Screenshots: dashboard-login, dashboard-login-error, dashboard, dashboard-call (375/1280 px)
 * in ${build}/artifacts/screenshots/.
 */
"use strict";

const h = require("./harness");
const { assert } = h;

const CALLER = "+14155550177";
const TEXTER = "+14155550178";
const OWNER = "+14155550179";
const SAID = "Please call me back tomorrow at ten about my cleaning.";
h.Server.extraNumbers.push(CALLER, TEXTER, OWNER);

const DATA = ["/voice/api/session", "/voice/api/calls", "/voice/api/messages", "/voice/api/memos",
  "/voice/api/bookings", "/voice/api/optouts", "/voice/api/stats", "/voice/api/health"];

/* The statuses the data endpoints give this page (its cookies, its origin). */
function statusesFrom(page) {
  return page.evaluate(async (urls) => Promise.all(urls.map(async (u) =>
    (await fetch(u, { credentials: "same-origin" })).status)), DATA);
}

/* The page fits its width: nothing makes the page itself scroll sideways. */
async function assertNoSideScroll(page, what) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${what}: the page is ${scroll} px wide in a ${width} px window`);
}

async function leaveMessage(server) {
  const p = server.cli(["sim", "call", "--flow", "record-analyze", "--from", CALLER, "--say", SAID]);
  assert.equal(p.status, 0, p.stdout + p.stderr);
  const call = server.rows("SELECT sid FROM calls ORDER BY id DESC LIMIT 1")[0].sid;
  await h.waitFor(() => server.rows(`SELECT 1 FROM transcriptions WHERE call_sid = '${call}'`).length,
    { timeoutMs: 90000, what: "the transcript" });
  return call;
}

/* More to show: two texts (one opts out), a voicemail memo, and a booking row. */
async function fillTheOtherLists(server, call) {
  for (const [from, text] of [[TEXTER, "Can I move my appointment to Friday afternoon, please?"],
    [TEXTER, "STOP"]]) {
    const p = server.cli(["sim", "sms", "--from", from, text]);
    assert.equal(p.status, 0, p.stdout + p.stderr);
  }
  const p = server.cli(["sim", "call", "--flow", "voicemail", "--from", CALLER, "--say", "It is Sam, call me back."]);
  assert.equal(p.status, 0, p.stdout + p.stderr);
  await h.waitFor(() => server.rows("SELECT 1 FROM memos").length, { timeoutMs: 90000, what: "the memo" });
  server.rows("INSERT INTO bookings (call_sid, phone, starts_at, timezone, summary, created_at, updated_at) " +
    `VALUES ('${call}', '${CALLER}', '2026-12-01T15:00:00.000Z', 'America/New_York', ` +
    "'Cleaning, asked for tomorrow at ten', '2026-11-21T08:00:00.000Z', '2026-11-21T08:00:00.000Z')");
  // Thirty old texts, so that the messages need a second page ("Older messages").
  server.rows("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) " +
    "INSERT INTO messages (direction, channel, from_number, to_number, body, status, created_at, " +
    `updated_at) SELECT 'inbound', 'sms', '${TEXTER}', '+14155559876', 'old text ' || i, 'received', ` +
    "'2026-10-01T12:00:00.000Z', '2026-10-01T12:00:00.000Z' FROM n");
  // A note sealed into a memo keeps no text (FEATURE_ENCRYPTED_NOTES; test_note_page seals one).
  server.rows("INSERT INTO messages (direction, channel, from_number, to_number, body, status, " +
    `created_at, updated_at) VALUES ('inbound', 'sms', '${TEXTER}', '+14155559876', NULL, ` +
    "'received', '2026-10-02T12:00:00.000Z', '2026-10-02T12:00:00.000Z')");
}

h.test("log in, see a simulated call with its events and transcript, log out", async () => {
  // Texts keep their words here (notes not sealed as memos): the dashboard's message list is
  // what is under test; sealed notes are test_note_page's.
  const server = await new h.Server({
    env: { WORKERS: "2", OWNER_PHONE: OWNER, FEATURE_ENCRYPTED_NOTES: "false" },
  }).start();
  const browser = await h.launchBrowser();
  try {
    const call = await leaveMessage(server);
    await fillTheOtherLists(server, call);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
    });

    // Not logged in: the login page, and no data.
    await page.goto(server.url("/voice"));
    await page.waitForSelector("#login");
    assert.equal(await page.isVisible("#calls"), false);
    assert.deepEqual(await statusesFrom(page), DATA.map(() => 401));
    await h.screenshots(page, "dashboard-login");
    for (const w of [375, 1280]) {
      await page.setViewportSize({ width: w, height: 740 });
      await assertNoSideScroll(page, `login at ${w} px`);
    }

    // A wrong key says so.
    await page.fill("#key", "key_not_a_real_one");
    await page.click("#login-button");
    await page.waitForSelector("#login-error:not([hidden])");
    assert.match(await page.textContent("#login-error"), /not one of the API keys/);
    await h.screenshots(page, "dashboard-login-error");

    // The right key opens the dashboard, which shows the call.
    await page.fill("#key", server.apiKey);
    await Promise.all([page.waitForURL(server.url("/voice")), page.click("#login-button")]);
    const row = await page.waitForSelector(`details.call[data-sid="${call}"]`);
    const summary = await row.textContent();
    assert.match(summary, /\+1\*\*\*-\*\*\*-0177/, "the caller's number, masked");
    assert.ok(!summary.includes(CALLER.slice(2)), "never the whole number");
    assert.match(summary, /completed/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "hl_session");
    assert.ok(session && session.httpOnly && session.sameSite === "Strict" && session.path === "/voice");
    assert.equal(await page.evaluate(() => document.cookie.includes("hl_session")), false, "HttpOnly");

    // The chart counts today's call.
    await page.waitForSelector("#chart svg rect.bar-calls", { state: "attached" });
    assert.match(await page.getAttribute("#chart", "aria-label"), /Today [1-9]\d* calls?/);

    await h.screenshots(page, "dashboard");
    for (const w of [375, 1280]) {
      await page.setViewportSize({ width: w, height: 740 });
      await assertNoSideScroll(page, `dashboard at ${w} px`);
    }

    // Open the call: its events and its transcript.
    await page.click(`details.call[data-sid="${call}"] summary`);
    const detail = `details.call[data-sid="${call}"] .call-detail`;
    await page.waitForSelector(`${detail} .transcript`);
    assert.match(await page.textContent(`${detail} .events`), /completed/);
    const transcript = (await page.textContent(`${detail} .transcript`)).trim();
    const stored = server.rows(`SELECT text FROM transcriptions WHERE call_sid = '${call}'`)[0].text;
    assert.equal(transcript, stored || "(nothing recognised)");
    await h.screenshots(page, "dashboard-call");
    await page.setViewportSize({ width: 375, height: 740 });
    await assertNoSideScroll(page, "an open call at 375 px");

    // The other tabs draw (stacked rows on a phone) and search finds the caller by last digits.
    for (const tab of ["messages", "memos", "bookings", "optouts"]) {
      await page.click(`#tab-${tab}`);
      await page.waitForSelector(`#${tab} tr td`);
      const text = await page.textContent(`#${tab}`);
      for (const n of [CALLER, TEXTER, OWNER]) assert.ok(!text.includes(n.slice(2)), `${tab}: a whole number`);
      await h.screenshots(page, "dashboard-" + tab);
      await page.setViewportSize({ width: 375, height: 740 });
      await assertNoSideScroll(page, `${tab} at 375 px`);
    }
    await page.click("#tab-messages");
    await page.waitForSelector("#older-messages:not([hidden])");
    assert.equal(await page.$$eval("#messages tr", (r) => r.length), 25);
    await page.click("#older-messages");
    assert.match(await page.textContent("#messages"), /\(note sealed in an encrypted memo\)/);
    await h.waitFor(async () => (await page.$$eval("#messages tr", (r) => r.length)) === 34,
      { what: "the second page of messages" });
    assert.equal(await page.isHidden("#older-messages"), true, "no third page");
    assert.match(await page.textContent("#messages"), /old text 1(?!\d)/);
    assert.match(await page.textContent("#messages tr:last-child"), /Can I move my appointment/); /* the oldest row */
    assert.match(await page.textContent("#optouts"), /\+1\*\*\*-\*\*\*-0178\s*STOP/);
    assert.match(await page.textContent("#bookings"), /Cleaning, asked for tomorrow at ten/);
    await page.click("#tab-health");
    await page.waitForSelector("#health-tests li");
    await assertNoSideScroll(page, "the health panel at 375 px");
    await h.screenshots(page, "dashboard-health");
    await page.click("#tab-calls");
    await page.fill("#search-input", "0177");
    await page.click("#search button[type=submit]");
    await page.waitForSelector("#search-note:not([hidden])");
    await page.waitForSelector(`details.call[data-sid="${call}"]`);
    await page.fill("#search-input", "9999");
    await page.click("#search button[type=submit]");
    await page.waitForSelector("#calls .empty");
    assert.equal(await page.$$eval("details.call", (d) => d.length), 0);

    // Log out: the login page again, and the data is closed.
    await Promise.all([page.waitForSelector("#login"), page.click("#logout")]);
    assert.deepEqual(await statusesFrom(page), DATA.map(() => 401));
    assert.equal(server.rows("SELECT COUNT(*) AS n FROM sessions")[0].n, 0);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});

h.run();
