// Digitale Balie house style: small repairs of Plone's own markup.

// The toolbar's pin/unpin controls are links without an address: a keyboard
// cannot reach them and their label is not allowed on such an element. Make
// them buttons.
for (const control of document.querySelectorAll(".toolbar-collapse:not([href]), .toolbar-expand:not([href])")) {
  control.setAttribute("role", "button");
  control.setAttribute("tabindex", "0");
  control.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      control.click();
    }
  });
}

// Anonymous visitors get no Plone JavaScript bundle (registry expression on
// plone.bundles/plone: a citizen's phone loads 800 KB less). The phone's menu
// button still opens and closes the navigation panel, as Bootstrap's
// offcanvas does: Escape, the close button and the backdrop close it, focus
// goes into the panel, stays there, and goes back to the button.
if (!document.querySelector("script[data-bundle='plone']")) {
  for (const toggler of document.querySelectorAll("[data-bs-toggle='offcanvas'][data-bs-target]")) {
    const panel = document.querySelector(toggler.dataset.bsTarget);
    if (!panel) continue;
    let backdrop = null;
    const close = () => {
      panel.classList.remove("show");
      panel.removeAttribute("aria-modal");
      panel.removeAttribute("role");
      toggler.setAttribute("aria-expanded", "false");
      backdrop?.remove();
      backdrop = null;
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("focusin", onFocus);
      toggler.focus();
    };
    const onKey = (event) => {
      if (event.key === "Escape") close();
    };
    // As Bootstrap's focus trap: Tab stays inside the open panel.
    const onFocus = (event) => {
      if (!panel.contains(event.target)) panel.focus();
    };
    const open = () => {
      panel.classList.add("show");
      panel.setAttribute("aria-modal", "true");
      panel.setAttribute("role", "dialog");
      toggler.setAttribute("aria-expanded", "true");
      backdrop = document.createElement("div");
      backdrop.className = "offcanvas-backdrop fade show";
      backdrop.addEventListener("click", close);
      document.body.append(backdrop);
      document.addEventListener("keydown", onKey);
      panel.focus();
      document.addEventListener("focusin", onFocus);
    };
    toggler.setAttribute("aria-expanded", "false");
    toggler.addEventListener("click", () => (panel.classList.contains("show") ? close() : open()));
    for (const dismiss of panel.querySelectorAll("[data-bs-dismiss='offcanvas']")) {
      dismiss.addEventListener("click", close);
    }
  }
}
