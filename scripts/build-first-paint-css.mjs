// Called by scripts/build-first-paint-css.py: from the site's stylesheets and
// the rules Chromium found in use on the citizen pages, writes the CSS the
// pages are first painted with, and the list of what it was not made for.
//
//   node scripts/build-first-paint-css.mjs <coverage.json> <out.css> <out.json>
//
// coverage.json: {"sheets": [{"path", "text", "used": [start offsets]}] in the
// pages' order, "seen": [tokens], "references": [custom properties], "pages"}.
//
// - The rules in use, as the stylesheets write them, in their order, inside
//   their @media/@supports; no @font-face (the fonts come with the full
//   stylesheets) and no @keyframes.
// - Custom properties only where a kept declaration (or a style attribute of
//   the pages) refers to them, followed through their own references.
// - Minified with csso without restructuring: no rule moves past another.
// - "unseen": every tag, class, id and attribute the stylesheets' selectors
//   name that none of the pages had. A page that has one of them may need a
//   rule the first paint's CSS lacks: it gets the stylesheets as before.
import { minify, syntax } from "csso";
import fs from "node:fs";

const [input, outCss, outJson] = process.argv.slice(2);
const coverage = JSON.parse(fs.readFileSync(input, "utf8"));

const KEPT_BLOCKS = new Set(["media", "supports", "container", "layer"]);

function keepUsed(list, used) {
  list.forEach((node, item) => {
    if (node.type === "Rule") {
      if (!used.has(node.loc.start.offset)) list.remove(item);
    } else if (node.type === "Atrule" && node.block && KEPT_BLOCKS.has(node.name)) {
      keepUsed(node.block.children, used);
      if (node.block.children.isEmpty) list.remove(item);
    } else {
      list.remove(item);
    }
  });
}

// Selector tokens: "div", ".lead", "#portal-top", "[hidden]", "[type=radio]".
function selectorTokens(ast, into) {
  syntax.walk(ast, {
    visit: "Selector",
    enter(selector) {
      syntax.walk(selector, (node) => {
        if (node.type === "TypeSelector" && node.name !== "*") {
          into.add(node.name.toLowerCase());
        } else if (node.type === "ClassSelector") {
          into.add(`.${node.name}`);
        } else if (node.type === "IdSelector") {
          into.add(`#${node.name}`);
        } else if (node.type === "AttributeSelector") {
          const name = node.name.name.toLowerCase();
          into.add(`[${name}]`);
          if (node.matcher === "=" && node.value) {
            const value = node.value.type === "String" ? node.value.value : node.value.name;
            into.add(`[${name}=${value}]`);
          }
        }
      });
    },
  });
}

const targeted = new Set();
const kept = [];
for (const sheet of coverage.sheets) {
  const full = syntax.parse(sheet.text, { positions: true });
  selectorTokens(full, targeted);
  const ast = syntax.parse(sheet.text, { positions: true });
  keepUsed(ast.children, new Set(sheet.used));
  kept.push(ast);
}

// Custom properties: declared where, referred to by what.
const refs = (text) => [...text.matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1]);
const declared = new Map();
const wanted = [...coverage.references];
for (const ast of kept) {
  syntax.walk(ast, {
    visit: "Declaration",
    enter(node) {
      const value = syntax.generate(node.value);
      if (node.property.startsWith("--")) {
        if (!declared.has(node.property)) declared.set(node.property, []);
        declared.get(node.property).push(value);
      } else {
        wanted.push(...refs(value));
      }
    },
  });
}
const needed = new Set();
while (wanted.length) {
  const name = wanted.pop();
  if (needed.has(name) || !declared.has(name)) continue;
  needed.add(name);
  for (const value of declared.get(name)) wanted.push(...refs(value));
}
const css = kept
  .map((ast) => {
    syntax.walk(ast, {
      visit: "Declaration",
      enter(node, item, list) {
        if (node.property.startsWith("--") && !needed.has(node.property) && list) {
          list.remove(item);
        }
      },
    });
    return minify(syntax.generate(ast), { restructure: false, comments: false }).css;
  })
  .join("")
  // ASCII only: the page's encoding does not matter, nor a serializer.
  .replace(/[^\x00-\x7f]/gu, (char) => `\\${char.codePointAt(0).toString(16)} `);
if (css.includes("</")) throw new Error("a rule holds '</', which would end the <style>");

const seen = new Set(coverage.seen);
const unseen = [...targeted].filter((token) => !seen.has(token)).sort();
fs.writeFileSync(outCss, `${css}\n`);
fs.writeFileSync(
  outJson,
  `${JSON.stringify(
    {
      comment:
        "Built by scripts/build-first-paint-css.py with first-paint.css; do not edit.",
      pages: coverage.pages,
      widths: coverage.widths,
      sheets: coverage.sheets.map((sheet) => sheet.path),
      unseen,
    },
    null,
    1,
  )}\n`,
);
console.log(
  `${outCss}: ${Math.round(Buffer.byteLength(css) / 1024)} KB, ` +
    `${needed.size} of ${declared.size} custom properties; ` +
    `${unseen.length} of ${targeted.size} selector tokens not on the pages`,
);
