"""The statistics page in Chromium: no axe-core violations (WCAG 2.1 AA), the
heat map as a picture and as a table, on a laptop and a phone.

With STATISTICS_SCREENSHOT=docs it writes the README's picture
(docs/statistics.png).
"""

from browser_helpers import logged_in_page
from helpers import PASSWORD
from pathlib import Path
from statistics_data import WEEK
from statistics_data import make_week
from urllib.parse import urlencode
import json
import os
import pytest


AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def run_axe(page):
    # Plone's own toolbar (#edit-zone) is left out: on a phone it folds into
    # icons without names, on every page of Plone, not only this one.
    page.evaluate(AXE.read_text())
    return page.evaluate(
        "async (tags) => (await axe.run({exclude: [['#edit-zone']]},"
        " {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))",
        TAGS,
    )


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_statistics_page(
    chromium, functional, make_team, make_product, make_user, portal_url, width, height
):
    make_week(functional, make_team, make_product)
    login = make_user("beheerder", ["Manager"])
    context, page = logged_in_page(chromium, portal_url, login, PASSWORD, width, height)
    try:
        page.goto(f"{portal_url}/@@counter-statistics?{urlencode(WEEK)}")
        assert page.inner_text("h1") == "Statistieken van de balie"
        picture = page.locator(".dbalie-heat-map-picture svg")
        assert picture.is_visible()
        assert picture.get_attribute("aria-hidden") == "true"  # the table says it
        monday = page.locator("table.dbalie-heat-table tbody tr").first
        assert monday.locator("th").inner_text() == "maandag"
        violations = run_axe(page)
        assert violations == [], json.dumps(violations, indent=1)
        # Nothing wider than the screen but the tables, which scroll by themselves.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        folder = os.environ.get("STATISTICS_SCREENSHOT")
        if folder and width > 1000:
            page.screenshot(path=Path(folder) / "statistics.png", full_page=True)
    finally:
        context.close()
