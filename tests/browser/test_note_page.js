/*
 * test_note_page.js — an SMS note's memo in a real browser (guide 004). A person texts a note
 * through the emulator; the note's job seals it and texts the owner the link; the test opens
 * the link in headless Chromium:
 *
 *  - the page calls it a text note, shows the note's text (as `hotline memo decrypt` finds it)
 *    under "Note" and its ideas, and offers no audio player or download (a note has none);
 *  - no request the page makes carries the key, and no page error or CSP violation happens.
 *
 * A screenshot (375 and 1280 px) goes to ${build}/artifacts/screenshots/.
 */
"use strict";

const fs = require("node:fs");
const h = require("./harness");
const { assert } = h;

const OWNER = "+14155550172";
const SENDER = "+14155550173";
h.Server.extraNumbers.push(OWNER, SENDER);

const NOTE = "Remember to renew the clinic's insurance. Order more gloves before Friday.";

h.test("a note's link opens as a text note with its ideas and no audio", async () => {
  const server = await new h.Server({ env: { WORKERS: "2", OWNER_PHONE: OWNER } }).start();
  const browser = await h.launchBrowser();
  let key;
  try {
    const p = server.cli(["sim", "sms", "--from", SENDER, NOTE]);
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /Your note has been saved \(ID: \d+\)/);
    const sms = await h.waitFor(async () => (await server.outbox()).find(
      (m) => m.to.endsWith(OWNER.slice(-4)) && m.body.includes("/voice/")),
    { timeoutMs: 60000, what: "the owner's note link" });
    const link = sms.body.split("Read: ")[1].trim();
    key = link.split("#")[1];
    server.secrets.push(key);
    const meta = JSON.parse(server.cli(["memo", "decrypt", link]).stdout);
    assert.equal(meta.text, NOTE);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const seen = await h.openPage(context, link);
    const page = seen.page;
    assert.equal(await page.getAttribute("body", "data-state"), "open", await page.textContent("main"));
    assert.equal((await page.textContent("#memo-title")).trim(), "Text note");
    assert.equal((await page.textContent("#transcript-title")).trim(), "Note");
    assert.equal((await page.textContent("#transcript")).trim(), NOTE);
    assert.equal((await page.textContent("#analysis-title")).trim(), "What the note asks for");
    assert.equal(await page.isVisible("#player"), false, "no audio player for a note");
    assert.equal(await page.isVisible("#download"), false, "no audio download for a note");
    const ideas = await page.$$eval("#ideas li", (lis) => lis.map((li) => li.textContent));
    assert.deepEqual(ideas, meta.analysis.ideas);
    assert.ok(ideas.length >= 2, "the note's ideas: " + ideas);
    const files = await h.screenshots(page, "note-open");
    for (const f of files) assert.ok(fs.statSync(f).size > 2000, f);

    await h.assertPagePrivate(seen, server.base, key);
    await context.close();
  } finally {
    await browser.close();
    const log = await server.stop();
    if (key) assert.ok(!log.includes(key), "the server's log contains the key");
  }
});

h.run();
