// login.js — the dashboard's login form: POST the key to /voice/login, then load /voice.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login");
  const error = document.getElementById("login-error");
  const button = document.getElementById("login-button");

  function show(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    show("");
    button.disabled = true;
    try {
      const r = await fetch("/voice/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ key: form.elements.key.value }),
      });
      if (r.ok) {
        form.elements.key.value = "";
        window.location.replace("/voice");
        return;
      }
      let message = "Logging in failed (" + r.status + ").";
      try {
        message = (await r.json()).error.message;
      } catch (e) { /* keep the status */ }
      show(message);
      form.elements.key.select();
    } catch (e) {
      show("The server cannot be reached. Check the connection and try again.");
    } finally {
      button.disabled = false;
    }
  });
});
