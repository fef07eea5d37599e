// dashboard.js — the /voice dashboard: reads /voice/api/… (behind the session cookie) and
// draws the chart, the lists and the health panel. Everything the server sent is put on
// the page as text (textContent), never as HTML. State changes (logout) carry the
// session's CSRF token in X-CSRF-Token.
"use strict";

const PAGE_SIZE = 25;
const state = { csrf: null, zone: undefined, phone: "", stats: null };

// ---- Small helpers ------------------------------------------------------------------------

// el("td", {class: "x", "data-label": "When"}, "text", child…): an element with attributes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function showProblem(message) {
  const p = document.getElementById("problem");
  p.textContent = message || "";
  p.hidden = !message;
}

class LoggedOut extends Error {}

// GET a dashboard endpoint as JSON; a 401 means the session ended: back to the login page.
async function api(path) {
  const r = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (r.status === 401) {
    window.location.replace("/voice");
    throw new LoggedOut("logged out");
  }
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(body && body.error ? body.error.message : "The server answered " + r.status + ".");
  return body;
}

let timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function setZone(zone) {
  try {
    timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: zone, month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit" });
    state.zone = zone;
  } catch (e) { /* the browser does not know the zone: keep its own */ }
}

function when(stamp, zone) {
  if (!stamp) return "—";
  const d = new Date(stamp);
  if (Number.isNaN(d.getTime())) return stamp;
  if (zone && zone !== state.zone) {
    try {
      return new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: "medium", timeStyle: "short" }).format(d);
    } catch (e) { /* fall through */ }
  }
  return timeFormat.format(d);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function badge(text, kind) {
  return el("span", { class: "badge " + (kind || "") }, text || "—");
}

function statusKind(status) {
  if (["completed", "delivered", "received", "read", "pass", "confirmed"].includes(status)) return "good";
  if (["failed", "busy", "no-answer", "canceled", "undelivered", "unknown", "fail", "cancelled"].includes(status)) return "bad";
  return "";
}

function cell(label, ...content) {
  return el("td", { "data-label": label }, ...content);
}

// ---- The chart ------------------------------------------------------------------------------

// A step of 1, 2 or 5 × 10^k that divides 0..max into at most four gridlines.
function niceStep(max) {
  for (let p = 1; ; p *= 10) {
    for (const m of [1, 2, 5]) if (max / (m * p) <= 4) return m * p;
  }
}

function drawChart() {
  const box = document.getElementById("chart");
  const days = state.stats ? state.stats.days : [];
  const W = Math.max(280, box.clientWidth || 600), H = 190, top = 12, bottom = 30, left = 30, right = 6;
  const plotH = H - top - bottom, gw = (W - left - right) / Math.max(1, days.length);
  const top_ = Math.max(1, ...days.map((d) => Math.max(d.calls, d.messages)));
  const step = niceStep(top_), max = step * Math.ceil(top_ / step);
  const chart = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "chart-svg" });
  const y = (v) => top + plotH - (v / max) * plotH;

  for (let v = 0; v <= max; v += step) {
    chart.append(svg("line", { x1: left, x2: W - right, y1: y(v), y2: y(v), class: "grid" }));
    chart.append(svg("text", { x: left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, String(v)));
  }
  const labelEvery = gw < 26 ? 2 : 1;
  days.forEach((d, i) => {
    const x0 = left + i * gw, bw = Math.max(2, gw * 0.34), gap = gw * 0.1;
    const bars = [["calls", d.calls, x0 + gap], ["messages", d.messages, x0 + gap + bw + 1]];
    for (const [kind, v, x] of bars) {
      const bar = svg("rect", { x: x, y: y(v), width: bw, height: Math.max(v ? 1 : 0, top + plotH - y(v)),
        class: "bar bar-" + kind, rx: 1.5 });
      bar.append(svg("title", {}, `${d.date}: ${v} ${kind}`));
      chart.append(bar);
    }
    if ((days.length - 1 - i) % labelEvery === 0) {
      chart.append(svg("text", { x: x0 + gw / 2, y: H - bottom + 16, class: "axis", "text-anchor": "middle" },
        String(Number(d.date.slice(8)))));
    }
  });
  const last = days[days.length - 1];
  box.setAttribute("aria-label", last ? `Today ${plural(last.calls, "call")} and ${plural(last.messages, "message")}` : "No data");
  box.replaceChildren(chart);
}

async function loadStats() {
  state.stats = await api("/voice/api/stats");
  setZone(state.stats.timezone);
  const days = state.stats.days;
  const total = (k) => days.reduce((n, d) => n + d[k], 0);
  document.getElementById("chart-zone").textContent =
    `${days[0].date} to ${days[days.length - 1].date} (${state.stats.timezone}): ` +
    `${plural(total("calls"), "call")}, ${plural(total("messages"), "message")}`;
  drawChart();
}

// ---- Calls ------------------------------------------------------------------------------------

function callSummary(c) {
  const meta = [c.direction, c.flow, c.duration_s !== null ? c.duration_s + " s" : null].filter(Boolean);
  return el("summary", {},
    el("span", { class: "call-when" }, when(c.created_at)),
    el("span", { class: "call-who mono" }, `${c.from || "?"} → ${c.to || "?"}`),
    badge(c.status, statusKind(c.status)),
    el("span", { class: "call-meta muted" }, meta.join(" · ")));
}

function section(title, ...content) {
  return el("div", { class: "detail-block" }, el("h3", {}, title), ...content);
}

function analysisBlock(a) {
  if (!a || typeof a !== "object") return null;
  const dl = el("dl", { class: "facts" });
  const add = (k, v) => { if (v) dl.append(el("dt", {}, k), el("dd", {}, v)); };
  add("Intent", a.intent);
  add("Summary", a.summary);
  add("Asked for", a.when_local || a.when);
  add("Analysed by", a.engine);
  const ideas = Array.isArray(a.ideas) && a.ideas.length ? el("ul", { class: "ideas" }, ...a.ideas.map((i) => el("li", {}, i))) : null;
  return el("div", {}, dl, ideas);
}

function callDetail(c) {
  const parts = [];
  if (c.error) parts.push(el("p", { class: "notice bad" }, `Error ${c.error.code || ""}: ${c.error.message || ""}`));
  parts.push(section("Events", c.events.length
    ? el("ol", { class: "events" }, ...c.events.map((e) => el("li", {},
      el("span", { class: "muted" }, when(e.received_at)), " ", badge(e.status, statusKind(e.status)),
      e.sequence !== null ? el("span", { class: "muted" }, ` #${e.sequence}`) : null)))
    : el("p", { class: "muted" }, "No status callbacks yet.")));
  parts.push(section("Recordings", c.recordings.length
    ? el("ul", { class: "plain" }, ...c.recordings.map((r) => el("li", {},
      el("span", { class: "mono" }, r.sid), ` · ${r.duration_s ?? "?"} s · `, badge(r.status, statusKind(r.status)))))
    : el("p", { class: "muted" }, "No recordings.")));
  parts.push(section("Transcripts", c.transcriptions.length
    ? el("div", {}, ...c.transcriptions.map((t) => el("div", { class: "transcript-block" },
      el("blockquote", { class: "transcript" }, t.text || "(nothing recognised)"),
      el("p", { class: "muted small-print" }, `${t.engine}` + (t.confidence !== null ? ` · confidence ${Math.round(t.confidence * 100)}%` : "")),
      analysisBlock(t.analysis))))
    : el("p", { class: "muted" }, "No transcripts.")));
  return parts;
}

function renderCall(c) {
  const detail = el("div", { class: "call-detail" }, el("p", { class: "muted" }, "Loading…"));
  const d = el("details", { class: "call card", "data-sid": c.sid }, callSummary(c), detail);
  d.addEventListener("toggle", async () => {
    if (!d.open || d.dataset.loaded) return;
    d.dataset.loaded = "1";
    try {
      detail.replaceChildren(...callDetail(await api("/voice/api/calls/" + encodeURIComponent(c.sid))));
    } catch (e) {
      if (!(e instanceof LoggedOut)) detail.replaceChildren(el("p", { class: "notice bad" }, e.message));
      delete d.dataset.loaded;
    }
  });
  return d;
}

// ---- The other lists ----------------------------------------------------------------------

function renderMessage(m) {
  return el("tr", {},
    cell("When", when(m.created_at)),
    cell("Direction", m.direction, m.channel === "whatsapp" ? " (WhatsApp)" : ""),
    cell("From", el("span", { class: "mono num" }, m.from || "—")),
    cell("To", el("span", { class: "mono num" }, m.to || "—")),
    cell("Status", badge(m.status, statusKind(m.status))),
    cell("Message", el("span", { class: "body-text" }, messageText(m))));
}

/* A sealed SMS note keeps no text here (body null): it is in the memo the owner was sent. */
function messageText(m) {
  if (m.body === null && m.direction === "inbound") return "(note sealed in an encrypted memo)";
  return m.body || (m.num_media ? `(${m.num_media} media)` : "");
}

function renderMemo(m) {
  return el("tr", {},
    cell("When", when(m.created_at)),
    cell("Kind", m.kind === "sms_note" ? "SMS note" : "Voicemail"),
    cell("Memo", el("span", { class: "mono" }, m.id)),
    cell("Call", el("span", { class: "mono" }, m.call_sid || (m.message_id !== null ? "message " + m.message_id : "—"))),
    cell("Owner sent the link", m.owner_notified_at ? when(m.owner_notified_at) : "no"),
    cell("State", m.deleted_at ? badge("erased", "bad") : badge("kept", "good")));
}

function renderBooking(b) {
  return el("tr", {},
    cell("For", when(b.starts_at, b.timezone)),
    cell("Caller", el("span", { class: "mono num" }, b.phone || "—")),
    cell("What", b.summary || "—"),
    cell("Status", badge(b.status, statusKind(b.status))),
    cell("Booked", when(b.created_at)));
}

function renderOptout(o) {
  return el("tr", {},
    cell("Number", el("span", { class: "mono num" }, o.phone)),
    cell("Opted out with", o.keyword || "—"),
    cell("Since", when(o.created_at)));
}

const lists = {
  calls: { url: "/voice/api/calls", render: renderCall, empty: "No calls" },
  messages: { url: "/voice/api/messages", render: renderMessage, empty: "No messages", cols: 6 },
  memos: { url: "/voice/api/memos", render: renderMemo, empty: "No memos", cols: 6 },
  bookings: { url: "/voice/api/bookings", render: renderBooking, empty: "No bookings", cols: 5 },
  optouts: { url: "/voice/api/optouts", render: renderOptout, empty: "No opt-outs", cols: 3 },
};

function emptyNote(list) {
  const text = list.empty + (state.phone ? " for this number." : " yet.");
  return list.cols ? el("tr", { class: "empty" }, el("td", { colspan: list.cols }, text)) : el("p", { class: "muted empty" }, text);
}

// Load the first page of a list (more: the next, older page) into its container.
async function loadList(name, more) {
  const list = lists[name];
  const params = new URLSearchParams({ limit: PAGE_SIZE });
  if (state.phone) params.set("phoneNumber", state.phone);
  if (more && list.next) params.set("before", list.next);
  const data = await api(list.url + "?" + params);
  const box = document.getElementById(name);
  const items = data[name];
  if (!more) box.replaceChildren();
  box.append(...items.map(list.render));
  if (!more && items.length === 0) box.append(emptyNote(list));
  list.next = data.next_before;
  list.loaded = true;
  document.getElementById("older-" + name).hidden = data.next_before === null;
}

// ---- Health ----------------------------------------------------------------------------------

async function loadHealth() {
  const h = await api("/voice/api/health");
  const t = h.test;
  document.getElementById("health-summary").replaceChildren(
    badge(t.failed ? `${t.failed} failed` : "all passed", t.failed ? "bad" : "good"), ` ${t.passed} of ${t.passed + t.failed} checks passed`);
  document.getElementById("health-tests").replaceChildren(...t.tests.map((x) => el("li", {},
    badge(x.status, statusKind(x.status)), " ", el("strong", {}, x.test), el("span", { class: "muted detail" }, x.detail || ""))));
  document.getElementById("health-config").replaceChildren(...Object.entries(h.config).flatMap(([k, v]) => [
    el("dt", {}, k.replace(/_/g, " ")),
    el("dd", { class: typeof v === "string" ? "mono" : "" }, typeof v === "boolean" ? badge(v ? "yes" : "no", v ? "good" : "") : String(v))]));
  lists.health = { loaded: true };
}

// ---- Tabs, search, logout --------------------------------------------------------------------

const loaders = { calls: () => loadList("calls"), messages: () => loadList("messages"), memos: () => loadList("memos"),
  bookings: () => loadList("bookings"), optouts: () => loadList("optouts"), health: loadHealth };
let current = "calls";

function guard(promise) {
  return promise.then(() => showProblem(""), (e) => { if (!(e instanceof LoggedOut)) showProblem(e.message); });
}

function selectTab(name) {
  current = name;
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const on = tab.id === "tab-" + name;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
  }
  if (!(lists[name] && lists[name].loaded)) guard(loaders[name]());
}

// "+1 (415) 555-0123" → "+14155550123"; "0123" stays digits (the last digits of a number).
function searchValue(text) {
  return text.replace(/[\s().-]/g, "");
}

function search(value) {
  state.phone = value;
  for (const l of Object.values(lists)) if (l.url) l.loaded = false;
  const note = document.getElementById("search-note");
  note.textContent = value ? `Showing only rows of numbers ${value.startsWith("+") ? "equal to " : "ending in "}${value}.` : "";
  note.hidden = !value;
  document.getElementById("search-clear").hidden = !value;
  selectTab(current === "health" ? "calls" : current);
}

async function logout() {
  try {
    await fetch("/voice/logout", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": state.csrf || "" } });
  } finally {
    window.location.replace("/voice");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => selectTab(tab.id.slice(4)));
  }
  for (const name of Object.keys(lists)) {
    document.getElementById("older-" + name).addEventListener("click", () => guard(loadList(name, true)));
  }
  document.getElementById("health-refresh").addEventListener("click", () => guard(loadHealth()));
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    search(searchValue(document.getElementById("search-input").value));
  });
  document.getElementById("search-clear").addEventListener("click", () => {
    document.getElementById("search-input").value = "";
    search("");
  });
  document.getElementById("logout").addEventListener("click", logout);
  // The chart is drawn in real pixels (legible text at every width): redraw when its box
  // changes width.
  let chartWidth = 0;
  new ResizeObserver((entries) => {
    const w = Math.round(entries[0].contentRect.width);
    if (w !== chartWidth && state.stats) drawChart();
    chartWidth = w;
  }).observe(document.getElementById("chart"));
  guard(api("/voice/api/session").then((s) => { state.csrf = s.csrf; }));
  guard(loadStats().then(() => loadList("calls")));
});
