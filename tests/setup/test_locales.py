"""Translations: every string the code shows has Dutch, and the catalogs are current."""

from pathlib import Path
import re
import subprocess
import sys


LOCALES = Path(__file__).parents[2] / "src/collective/digitalebalie/locales"
DOMAIN = "collective.digitalebalie"


def entries(path):
    """{msgid: msgstr} of a .po/.pot file (single-line entries, as i18ndude writes)."""
    text = path.read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, re.MULTILINE)
    return {msgid: msgstr for msgid, msgstr in pairs if msgid}


def test_every_string_has_a_dutch_translation():
    pot = entries(LOCALES / f"{DOMAIN}.pot")
    nl = entries(LOCALES / "nl/LC_MESSAGES" / f"{DOMAIN}.po")
    assert pot
    missing = sorted(msgid for msgid in pot if not nl.get(msgid))
    assert missing == []


def test_english_catalog_has_every_string():
    pot = entries(LOCALES / f"{DOMAIN}.pot")
    en = entries(LOCALES / "en/LC_MESSAGES" / f"{DOMAIN}.po")
    assert set(pot) <= set(en)


def test_template_is_up_to_date(tmp_path):
    """A string added in the code without `make i18n` fails here."""
    fresh = tmp_path / "fresh.pot"
    i18ndude = Path(sys.executable).with_name("i18ndude")
    subprocess.run(
        [
            str(i18ndude),
            "rebuild-pot",
            "--pot",
            str(fresh),
            "--create",
            DOMAIN,
            str(LOCALES.parent),
        ],
        check=True,
        capture_output=True,
    )
    assert set(entries(fresh)) == set(entries(LOCALES / f"{DOMAIN}.pot"))
