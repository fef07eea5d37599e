/*
 * memo.js — open an encrypted voice memo in the browser (docs/web.md, docs/memo-format.md).
 *
 * The link is {origin}/voice/{id}#{key}. The key lives only in the fragment, which the
 * browser never sends: this script reads it, checks SHA-256(key) against the hash the
 * server keeps, fetches the two HLM1 files (ciphertext only), decrypts them with WebCrypto
 * AES-256-GCM and shows the result. No request this page makes carries the key.
 */
(function () {
  "use strict";

  var ID_RE = /^\/voice\/([A-Za-z0-9_-]{22})$/;
  var KEY_RE = /^[A-Za-z0-9_-]{43}$/;
  var MAGIC = [0x48, 0x4c, 0x4d, 0x31]; /* "HLM1" */
  var NONCE_LEN = 12;
  var TAG_LEN = 16;

  function $(id) { return document.getElementById(id); }

  function show(id, on) { $(id).hidden = !on; }

  function problem(title, text) {
    show("status", false);
    $("problem-title").textContent = title;
    $("problem-text").textContent = text;
    show("problem", true);
    document.title = title + " · hotline";
  }

  /* An error whose message is for the person reading the page. */
  function Refusal(title, text) { this.title = title; this.text = text; }

  function fetchOpts() {
    /* Same-origin, no cookies, no referrer, never from a cache: only the path goes out. */
    return { credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" };
  }

  /* base64url without padding → bytes; null when it is not exactly a 32-byte key. */
  function decodeKey(text) {
    if (!KEY_RE.test(text)) return null;
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=";
    var bin;
    try { bin = atob(b64); } catch (e) { return null; }
    if (bin.length !== 32) return null;
    /* The last character carries 2 unused bits, which must be zero (one spelling per key). */
    if ("AEIMQUYcgkosw048".indexOf(text.charAt(42)) < 0) return null;
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function hex(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }

  /* GET url from this server; a 404 or other failure becomes a Refusal saying what is missing. */
  function get(url, goneText, what) {
    return fetch(url, fetchOpts()).then(function (res) {
      if (res.status === 404) throw new Refusal("Memo not found", goneText);
      if (!res.ok) throw new Refusal("The server could not answer",
        what + " could not be loaded (HTTP " + res.status + "). Try again in a moment.");
      return res;
    });
  }

  function getJson(url) {
    return get(url, "There is no memo at this address: the link is incomplete, or the memo " +
      "has been erased.", "The memo").then(function (res) { return res.json(); });
  }

  function getBytes(url) {
    return get(url, "This memo's files are gone: it has been erased.", "Part of the memo")
      .then(function (res) { return res.arrayBuffer(); });
  }

  /* HLM1: magic(4) | nonce(12) | ciphertext | tag(16); WebCrypto takes ciphertext‖tag. */
  function openPart(cryptoKey, file, id, part) {
    var bytes = new Uint8Array(file);
    if (bytes.length < MAGIC.length + NONCE_LEN + TAG_LEN ||
        MAGIC.some(function (b, i) { return bytes[i] !== b; })) {
      return Promise.reject(new Refusal("This memo is damaged",
        "The memo's " + part + " file is not in hotline's memo format."));
    }
    var nonce = bytes.subarray(4, 4 + NONCE_LEN);
    var sealed = bytes.subarray(4 + NONCE_LEN);
    var aad = new TextEncoder().encode("hotline-memo-v1:" + id + ":" + part);
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 },
      cryptoKey, sealed).catch(function () {
      throw new Refusal("This memo is damaged",
        "The key is right, but the memo's " + part + " file does not decrypt: it was altered " +
        "or damaged.");
    });
  }

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString(undefined,
      { dateStyle: "full", timeStyle: "short" });
  }

  /* A voicemail's meta has its transcript; an SMS note's (kind "sms_note") has its text. */
  function showMeta(meta) {
    var t = $("transcript");
    var note = meta.kind === "sms_note";
    var words = note ? meta.text : meta.transcript;
    if (note) {
      $("transcript-title").textContent = "Note";
      $("analysis-title").textContent = "What the note asks for";
    }
    if (typeof words === "string" && words) {
      t.textContent = words;
    } else {
      t.textContent = note ? "This note has no text." : "No words were recognised in this recording.";
      t.classList.add("empty");
    }
    var a = meta.analysis;
    if (!a || typeof a !== "object") return;
    show("analysis-card", true);
    $("summary").textContent = a.summary || "—";
    $("intent").textContent = a.intent || "—";
    if (a.when_local || a.when) {
      $("when").textContent = when(a.when_local || a.when);
      show("when", true);
      show("when-label", true);
    }
    var ideas = Array.isArray(a.ideas) ? a.ideas : [];
    ideas.forEach(function (idea) {
      var li = document.createElement("li");
      li.textContent = String(idea);
      $("ideas").appendChild(li);
    });
    show("ideas-block", ideas.length > 0);
  }

  function showAudio(plain) {
    var url = URL.createObjectURL(new Blob([plain], { type: "audio/wav" }));
    $("player").src = url;
    $("download").href = url;
  }

  /* The whole link as a QR code (level M, 4-module quiet zone), drawn on the canvas. */
  function drawQr(link) {
    var canvas = $("qr");
    if (typeof window.qrcode !== "function") return;
    var qr = window.qrcode(0, "M");
    qr.addData(link, "Byte");
    qr.make();
    var n = qr.getModuleCount(), quiet = 4, total = n + 2 * quiet;
    var scale = Math.max(2, Math.ceil(464 / total));
    canvas.width = canvas.height = total * scale;
    var g = canvas.getContext("2d");
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = "#000000";
    for (var y = 0; y < n; y++) {
      for (var x = 0; x < n; x++) {
        if (qr.isDark(y, x)) g.fillRect((x + quiet) * scale, (y + quiet) * scale, scale, scale);
      }
    }
    canvas.setAttribute("data-modules", String(n));
  }

  function run() {
    var m = ID_RE.exec(location.pathname);
    if (!m) {
      problem("Memo not found", "This address is not a memo link.");
      return Promise.resolve();
    }
    var id = m[1];
    var keyText = location.hash.replace(/^#/, "");
    var info, key;

    return getJson("/voice/" + id + "/memo.json").then(function (memo) {
      info = memo;
      $("memo-title").textContent = memo.kind === "sms_note" ? "Text note" : "Voicemail";
      $("memo-when").textContent = "Left " + when(memo.created_at);
      if (!keyText) throw new Refusal("This link has no key",
        "The memo is here, but the link has no key: the key is the part after \u201c#\u201d " +
        "in the link you received by text message. Open that link in full.");
      key = decodeKey(keyText);
      if (!key) throw new Refusal("This key does not open this memo",
        "The key in this link is incomplete or mistyped (a key is 43 characters after " +
        "\u201c#\u201d). Open the link exactly as you received it.");
      if (!window.crypto || !crypto.subtle) throw new Refusal("This browser cannot decrypt here",
        "Decrypting needs a secure connection (https). Open the link over https.");
      return crypto.subtle.digest("SHA-256", key);
    }).then(function (digest) {
      if (hex(digest) !== info.key_sha256) throw new Refusal("This key does not open this memo",
        "The link's key belongs to another memo, or was changed. Open the link exactly as " +
        "you received it.");
      return crypto.subtle.importKey("raw", key, { name: "AES-GCM" }, false, ["decrypt"]);
    }).then(function (cryptoKey) {
      var parts = info.parts || {};
      return Promise.all([
        parts.meta ? getBytes(parts.meta.url).then(function (f) {
          return openPart(cryptoKey, f, id, "meta"); }) : null,
        parts.audio ? getBytes(parts.audio.url).then(function (f) {
          return openPart(cryptoKey, f, id, "audio"); }) : null,
      ]);
    }).then(function (plain) {
      var meta = {};
      if (plain[0]) {
        try { meta = JSON.parse(new TextDecoder().decode(plain[0])); } catch (e) { meta = {}; }
      }
      showMeta(meta && typeof meta === "object" ? meta : {});
      var audio = plain[1] && plain[1].byteLength ? plain[1] : null; /* a note's audio is empty */
      if (audio) showAudio(audio);
      else show("player", false);
      show("download", !!audio);
      show("status", false);
      show("memo", true);
      drawQr(location.href);
      document.body.setAttribute("data-state", "open");
    });
  }

  function start() {
    run().catch(function (e) {
      if (e instanceof Refusal) problem(e.title, e.text);
      else problem("Something went wrong", "The memo could not be opened: " + (e && e.message));
      document.body.setAttribute("data-state", "refused");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
