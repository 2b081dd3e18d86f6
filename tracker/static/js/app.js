// Me and My Learning: progressive enhancement only. Every page works without this file.
import { initAll } from "../vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

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
