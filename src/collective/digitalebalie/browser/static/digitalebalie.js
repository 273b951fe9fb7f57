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
  summary.focus();
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
