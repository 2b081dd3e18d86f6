// Me and My Learning: progressive enhancement only. Every page works without this file.
import * as govuk from "../vendor/govuk-frontend.min.5669f671a6b6.js";

// GOV.UK Frontend's template marks support with an inline script, which our CSP forbids. This
// file is a module, so the browser supports what GOV.UK Frontend needs.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
if (govuk.isSupported()) {
  for (const Component of [govuk.Button, govuk.CharacterCount, govuk.Checkboxes, govuk.ErrorSummary,
    govuk.NotificationBanner, govuk.PasswordInput, govuk.Radios, govuk.ServiceNavigation, govuk.SkipLink]) {
    govuk.createAll(Component);
  }
}

// --- Idle time-out -------------------------------------------------------------------------------
// Shared library PCs: the server ends a resident's session after some minutes of doing nothing.
// Here we warn before that happens, let people stay signed in, and keep the session alive while
// they are typing (the server cannot see keystrokes).
const body = document.body;
const remaining = Number(body.dataset.idleSeconds);
const limit = Number(body.dataset.idleLimit);
const warnBefore = Number(body.dataset.idleWarning);
const dialog = document.getElementById("idle-warning");

if (dialog && Number.isFinite(remaining) && Number.isFinite(limit) && limit > 0) {
  const csrf = body.dataset.csrf;
  const keepAliveUrl = body.dataset.keepAlive;
  const signedOutUrl = body.dataset.signedOut;
  let deadline = Date.now() + remaining * 1000;
  let lastPing = Date.now();
  let warnTimer;
  let endTimer;

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    const left = deadline - Date.now();
    warnTimer = setTimeout(showWarning, Math.max(0, left - warnBefore * 1000));
    endTimer = setTimeout(() => window.location.assign(signedOutUrl), Math.max(0, left));
  };

  const refreshed = () => {
    deadline = Date.now() + limit * 1000;
    lastPing = Date.now();
    schedule();
  };

  const keepAlive = async () => {
    try {
      const response = await fetch(keepAliveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
      if (response.ok && response.headers.get("content-type")?.includes("json")) {
        const data = await response.json();
        deadline = Date.now() + data.seconds_left * 1000;
        lastPing = Date.now();
        schedule();
      } else {
        window.location.assign(signedOutUrl);
      }
    } catch {
      // Offline for a moment: the timers still sign the person out on time.
    }
  };

  function showWarning() {
    if (!dialog.open) {
      dialog.showModal();
      dialog.querySelector("[data-idle-stay]")?.focus();
    }
  }

  dialog.querySelector("[data-idle-stay]")?.addEventListener("click", () => {
    dialog.close();
    keepAlive();
  });

  // Typing or clicking counts as being here; tell the server at most once a minute.
  for (const type of ["keydown", "pointerdown"]) {
    document.addEventListener(type, () => {
      if (!dialog.open && Date.now() - lastPing > 60_000) {
        lastPing = Date.now();
        keepAlive();
      }
    }, { passive: true });
  }

  // Every htmx request reaches the server, which counts as activity.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) refreshed();
  });

  schedule();
}

// Goals save as soon as a box is ticked: the form is boosted by htmx, which sends it and swaps in
// the goal's new state. (Without JavaScript the form's Save button does the same.)
document.addEventListener("change", (event) => {
  const form = event.target.closest(".app-steps")?.closest("form");
  if (form && window.htmx) form.requestSubmit();
});

// "Print this page" buttons (shown only where JavaScript runs).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
