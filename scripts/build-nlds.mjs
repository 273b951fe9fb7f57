// Called by scripts/build-nlds.sh: writes the house style's NL Design System
// stylesheet with only what the add-on's pages use, minified.
//
//   node scripts/build-nlds.mjs <package source folder> <out file>
//
// - Components: every @utrecht/<name>-css package whose block class
//   (utrecht-<name>) appears in the add-on's templates, Python or JavaScript.
// - Design tokens: the custom properties of the Voorbeeld theme that those
//   components or the add-on's own CSS refer to, followed through the theme's
//   own references (--utrecht-button-background-color: var(--basis-...)).
// - Minified with csso (pinned in package-lock.json).
import { minify } from "csso";
import fs from "node:fs";
import path from "node:path";

const [source, out] = process.argv.slice(2);
const modules = "node_modules";
const tokensFile = `${modules}/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css`;

function filesUnder(folder, skip) {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return skip.includes(entry.name) ? [] : filesUnder(full, skip);
    return /\.(pt|py|js|css)$/.test(entry.name) ? [full] : [];
  });
}

// Built or copied from node_modules: not the add-on's own use.
const ownFiles = filesUnder(source, ["nlds", "altcha", "locales", "__pycache__"]);
const ownText = ownFiles.map((file) => fs.readFileSync(file, "utf8")).join("\n");

// utrecht-button, utrecht-button--primary-action, utrecht-form-field__label:
// the block name ends where an element (__) or a modifier (--) begins.
const blocks = new Set(
  [...ownText.matchAll(/(?<![-\w])utrecht-([a-z0-9]+(?:-[a-z0-9]+)*)/g)].map((m) => m[1]),
);
const components = [...blocks]
  .filter((name) => fs.existsSync(`${modules}/@utrecht/${name}-css/dist/index.css`))
  .sort();
if (!components.length) throw new Error(`no utrecht-* component found in ${source}`);

const componentCss = components
  .map((name) => fs.readFileSync(`${modules}/@utrecht/${name}-css/dist/index.css`, "utf8"))
  .join("\n");

// The theme is one rule, .voorbeeld-theme { --name: value; ... }.
const theme = fs.readFileSync(tokensFile, "utf8");
const declarations = new Map(
  [...theme.matchAll(/^\s*(--[\w-]+)\s*:\s*([^;]*);/gm)].map((m) => [m[1], m[2]]),
);
const references = (text) => [...text.matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1]);
// Our own code names tokens outside var() too (house_style.py overrides some).
const wanted = [
  ...references(componentCss),
  ...[...ownText.matchAll(/--[a-z][\w-]*/g)].map((m) => m[0]),
];
const kept = new Set();
while (wanted.length) {
  const name = wanted.pop();
  if (kept.has(name) || !declarations.has(name)) continue;
  kept.add(name);
  wanted.push(...references(declarations.get(name)));
}
const tokensCss = `.voorbeeld-theme{${[...declarations]
  .filter(([name]) => kept.has(name))
  .map(([name, value]) => `${name}:${value};`)
  .join("")}}`;

const version = (name) =>
  JSON.parse(fs.readFileSync(`${modules}/${name}/package.json`, "utf8")).version;
const banner =
  `/* Built by scripts/build-nlds.sh; do not edit.\n` +
  ` * @utrecht/component-library-css ${version("@utrecht/component-library-css")} (EUPL-1.2): ${components.join(", ")}\n` +
  ` * @nl-design-system-unstable/voorbeeld-design-tokens ${version("@nl-design-system-unstable/voorbeeld-design-tokens")} (EUPL-1.2): ${kept.size} of ${declarations.size} tokens\n` +
  ` */\n`;
// Keep the order (tokens first, then the components in their own order) and
// every rule as written: restructuring could move a rule past another.
const css = minify(`${tokensCss}\n${componentCss}`, { restructure: false, comments: false }).css;
fs.writeFileSync(out, `${banner}${css}\n`);
console.log(
  `${out}: ${components.length} components (${components.join(" ")}), ` +
    `${kept.size} tokens, ${Math.round(Buffer.byteLength(css) / 1024)} KB`,
);
