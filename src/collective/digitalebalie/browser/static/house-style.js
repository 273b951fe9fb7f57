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
