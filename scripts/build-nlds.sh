#!/usr/bin/env bash
# Builds the NL Design System stylesheet of the house style from the packages
# that `npm ci` put in node_modules (pinned in package-lock.json):
#   - @utrecht/component-library-css: the CSS of the components
#     (utrecht-button, utrecht-alert, utrecht-form-field ...);
#     only those whose class the templates use;
#   - @nl-design-system-unstable/voorbeeld-design-tokens: the neutral
#     "Voorbeeld" theme of NL Design System, the default design tokens. The
#     municipality's own colours override some of them (control panel);
#     only the tokens those components and the add-on's own CSS refer to.
# The result is git-ignored and served as a Plone resource
# (++plone++collective.digitalebalie/nlds/nlds.css, bundle
# collective-digitalebalie-nlds). `make install` runs this script.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=node_modules
out=src/collective/digitalebalie/browser/static/nlds
components=$modules/@utrecht/component-library-css
tokens=$modules/@nl-design-system-unstable/voorbeeld-design-tokens

for file in "$components/dist/index.css" "$tokens/dist/theme.css" "$modules/csso/package.json"; do
    [ -f "$file" ] || { echo "$file is missing: run npm ci (make install)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the components the add-on's pages use and the tokens they need, minified
# (a phone on a small data bundle loads it; see build-nlds.mjs).
node scripts/build-nlds.mjs src/collective/digitalebalie "$tmp/nlds.css"
cp "$components/LICENSE.md" "$tmp/LICENSE-utrecht-component-library-css.md"
[ ! -f "$tokens/LICENSE.md" ] || cp "$tokens/LICENSE.md" "$tmp/LICENSE-voorbeeld-design-tokens.md"

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$tmp" "$out"
chmod -R a+rX "$out"
echo "Built $out/nlds.css"
