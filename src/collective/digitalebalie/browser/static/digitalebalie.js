// Digitale Balie: small progressive enhancements; every page works without this.

// After a failed submit, move the focus to the error summary so that a screen
// reader announces what went wrong, and a keyboard user can jump to the field.
// On "load": Plone's own scripts start earlier and would take the focus back.
window.addEventListener("load", () => {
  // After booking, moving or cancelling: the confirmation is read out first.
  const confirmation = document.getElementById("confirmation");
  const summary = document.getElementById("error-summary");
  if (!summary) {
    confirmation?.focus();
    return;
  }
  // The summary stands just before the step with the first wrong field: at
  // the top of the screen, that field is in view below it (also on a phone).
  summary.focus({ preventScroll: true });
  summary.scrollIntoView({ block: "start" });
  // A link in the summary puts the cursor in the field itself (a plain
  // fragment link would only scroll there).
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && document.getElementById(link.hash.slice(1));
    if (!target) {
      return;
    }
    const field = target.matches("input, select, textarea")
      ? target
      : target.querySelector("input:checked, input, select, textarea");
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
});

// Uploading a document: show progress and the answer without leaving the page.
// Without this script the form posts to the page itself, which works too.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.dbalie-upload");
  const input = form?.querySelector("input[type=file]");
  if (!form || !input?.files.length || !window.FormData) {
    return;
  }
  event.preventDefault();
  const progress = form.querySelector(".dbalie-progress");
  const status = form.querySelector(".dbalie-upload-status");
  const button = form.querySelector("button[type=submit]");
  const messages = JSON.parse(form.dataset.messages || "{}");
  const data = new FormData();
  data.append("file", input.files[0]);
  const request = new XMLHttpRequest();
  request.open("POST", form.dataset.uploadUrl);
  request.setRequestHeader("Accept", "application/json");
  request.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) {
      const percent = Math.round((e.loaded / e.total) * 100);
      progress.value = percent;
      status.textContent = `${messages.sending} ${percent}%`;
    }
  });
  request.addEventListener("load", () => {
    button.disabled = false;
    progress.hidden = true;
    let answer = {};
    try {
      answer = JSON.parse(request.responseText);
    } catch (error) {
      answer = {};
    }
    form.removeAttribute("aria-busy");
    if (request.status === 201) {
      status.textContent = `${messages.saved} ${answer.title}`;
      status.setAttribute("role", "status");
      input.value = "";
      // At once in the list, and no more "no documents yet" above it.
      const item = document.createElement("li");
      item.textContent = `${answer.title} (${Math.max(1, Math.round(answer.size / 1024))} kB)`;
      form.parentElement.querySelector(".dbalie-document-list")?.append(item);
      form.parentElement.querySelector(".dbalie-no-documents")?.remove();
      if (form.dataset.deskParts) {
        // On a live desk the part is fetched anew too (with its links).
        const parts = form.dataset.deskParts.split(" ");
        document.dispatchEvent(new CustomEvent("dbalie:changed", { detail: { parts } }));
      }
    } else {
      status.setAttribute("role", "alert");
      status.textContent = answer.error?.message || messages.failed;
    }
  });
  request.addEventListener("error", () => {
    form.removeAttribute("aria-busy");
    button.disabled = false;
    progress.hidden = true;
    status.setAttribute("role", "alert");
    status.textContent = messages.failed;
  });
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  progress.hidden = false;
  progress.value = 0;
  status.setAttribute("role", "status");
  status.textContent = messages.sending;
  request.send(data);
});

// Many bookings came from this internet address: the server asks for a solved
// ALTCHA challenge (proof of work). The browser solves it while the citizen
// fills in the form; the widget itself is inert (not in the tab order, not
// read out), the status line says "One moment…" while it works. A submit
// before it is done waits for it, then goes on by itself.
const startCheck = async () => {
  const box = document.querySelector(".dbalie-check");
  const widget = box?.querySelector("altcha-widget");
  const form = box?.closest("form");
  if (!widget || !form) {
    return;
  }
  const status = box.querySelector(".dbalie-check-status");
  await customElements.whenDefined("altcha-widget");
  // The self-hosted worker: no inline worker, no other site (CSP).
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(box.dataset.worker));
  let state = "unverified";
  let waiting = null; // the submit button pressed before the check was done
  widget.addEventListener("statechange", (event) => {
    state = event.detail.state;
    if (state === "verifying") {
      status.textContent = box.dataset.waiting;
    } else if (state === "verified") {
      status.textContent = "";
      if (waiting) {
        const submitter = waiting;
        waiting = null;
        form.requestSubmit(submitter);
      }
    } else if (state === "error" || state === "expired") {
      waiting = null;
      status.textContent = box.dataset.failed;
    }
  });
  form.addEventListener("submit", (event) => {
    if (state === "verified") {
      return;
    }
    event.preventDefault();
    waiting = event.submitter || form.querySelector("button[type=submit]");
    status.textContent = box.dataset.waiting;
    if (state !== "verifying") {
      widget.verify();
    }
  });
  widget.verify();
};
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", startCheck);
} else {
  startCheck();
}

// "Copy link" after booking: shown only where the browser can copy.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    const status = button.parentElement.querySelector(".dbalie-copy-status");
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      if (status) {
        status.textContent = button.dataset.copied;
      }
    } catch {
      // No permission: select the link, so that the citizen can copy it.
      window.getSelection().selectAllChildren(source);
    }
  });
}
