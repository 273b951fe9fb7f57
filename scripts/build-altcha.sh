#!/usr/bin/env bash
# Copies the ALTCHA widget from the package that `npm ci` put in node_modules
# (pinned in package-lock.json) into the add-on's static resources, served by
# Plone itself (self-hosted: the browser calls no one else):
#   - dist/external/altcha.min.js: the web component without inline styles and
#     workers, so a strict Content-Security-Policy needs no exceptions;
#   - dist/external/altcha.css: its styles;
#   - dist/workers/pbkdf2.js: the worker that solves PBKDF2 challenges (the
#     only algorithm the add-on issues).
# The result is git-ignored and served as
# ++plone++collective.digitalebalie/altcha/... `make install` runs this script.
set -euo pipefail
cd "$(dirname "$0")/.."
package=node_modules/altcha
out=src/collective/digitalebalie/browser/static/altcha
files=(dist/external/altcha.min.js dist/external/altcha.css dist/workers/pbkdf2.js LICENSE.txt)

for file in "${files[@]}"; do
    [ -f "$package/$file" ] || { echo "$package/$file is missing: run npm ci (make install)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for file in "${files[@]}"; do
    cp "$package/$file" "$tmp/"
done
node -p "require('./$package/package.json').version" > "$tmp/VERSION"

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$tmp" "$out"
chmod -R a+rX "$out"
echo "Copied ALTCHA $(cat "$out/VERSION") to $out"
