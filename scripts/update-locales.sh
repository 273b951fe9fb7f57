#!/usr/bin/env bash
# Extract the translatable strings into locales/collective.digitalebalie.pot
# and merge them into the Dutch and English catalogs.
set -euo pipefail
cd "$(dirname "$0")/.."
domain=collective.digitalebalie
locales=src/collective/digitalebalie/locales
i18ndude=.venv/bin/i18ndude

$i18ndude rebuild-pot --pot "$locales/$domain.pot" --create "$domain" src/collective/digitalebalie
for lang in nl en; do
    mkdir -p "$locales/$lang/LC_MESSAGES"
    po="$locales/$lang/LC_MESSAGES/$domain.po"
    [ -f "$po" ] || touch "$po"
    $i18ndude sync --pot "$locales/$domain.pot" "$po"
done
