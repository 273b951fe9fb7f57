Every citizen, employee and manager page passes an automatic accessibility audit (axe-core, WCAG 2.1
AA) in a real browser. The site's links and buttons have enough contrast, the keyboard focus is
clearly visible everywhere, and the editing toolbar can be used with the keyboard.
