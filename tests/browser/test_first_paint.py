"""The citizen pages paint with their inline CSS before the stylesheets come,
and look exactly as they do afterwards (issue 22, browser/first_paint.py).

Each page is opened twice in Chromium with JavaScript off (the first paint
comes before any script) and without the web fonts (they come later in both
cases): once with its stylesheets refused, so only the inline rules apply, and
once with them. Every element of the page must have the same place, size,
colours, font and visibility both times. When this fails after a change to the
theme, the add-on's CSS or a template: run scripts/build-first-paint-css.py.
"""

from collective.digitalebalie.browser.first_paint import STYLE_ID
from helpers import JSON
from helpers import walk_in_all_day
from live import book_first_free
from live import create_product
from live import create_team
import pytest
import requests
import time


PRODUCT = "/balie/verhuizing-doorgeven"
PASSWORD = "first-Paint-pw-1"
WIDTHS = {"phone": (390, 844), "laptop": (1366, 768)}

# Where each element is and how it looks, for every element of the body that
# is rendered (one in a hidden part is styled when it shows, long after).
SNAPSHOT = """() => {
  scrollTo({top: 0, left: 0, behavior: "instant"});
  return [...document.body.querySelectorAll("*")].map((el) => {
    const name = el.localName + (el.id ? "#" + el.id : "")
      + [...el.classList].map((c) => "." + c).join("");
    if (!el.getClientRects().length) return name + " not rendered";
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return [name, Math.round(r.left), Math.round(r.top), Math.round(r.width),
      Math.round(r.height), s.color, s.backgroundColor, s.fontSize, s.fontWeight,
      s.display, s.visibility, s.borderTopWidth, s.borderTopColor,
      s.textDecorationLine].join(" ");
  });
}"""


@pytest.fixture(scope="module")
def urls(live_site):
    """The pages bench/bench_pages.py measures, on the shared live site."""
    site = live_site.site
    stamp = time.monotonic_ns() % 10**8
    appointment = book_first_free(
        f"{site}{PRODUCT}",
        "Snelle Sanne",
        email=f"first-paint-{stamp}@example.nl",
        channel="video",
    )["url"]
    # A walk-in queue of a team of its own, with an available employee.
    team, employee = f"eerst{stamp}", f"eerst{stamp}-bo"
    create_team(live_site, team, [employee], PASSWORD)
    product, _uid = create_product(
        live_site,
        title=f"Inloop {stamp}",
        channels=["video"],
        teams=[team],
        walk_in=True,
        walk_in_hours=walk_in_all_day(),
    )
    available = requests.post(
        f"{site}/@availability",
        json={"available": True},
        headers=JSON,
        auth=(employee, PASSWORD),
        timeout=30,
    )
    assert available.status_code == 200, available.text
    ticket = requests.post(
        f"{product}/@queue",
        json={"fullname": "Snelle Sanne", "language": "nl"},
        headers=JSON,
        timeout=30,
    )
    assert ticket.status_code == 201, ticket.text
    yield {
        "home": site,
        "counter folder": f"{site}/balie",
        "product page": f"{site}{PRODUCT}",
        "booking with errors": f"{site}{PRODUCT}",
        "appointment page": appointment,
        "device test": f"{appointment}/device-test",
        "queue page": ticket.json()["url"],
    }
    requests.post(
        f"{site}/@availability",
        json={"available": False},
        headers=JSON,
        auth=(employee, PASSWORD),
        timeout=30,
    )


def snapshot(chromium, name, url, width, stylesheets):
    w, h = WIDTHS[width]
    context = chromium.new_context(
        locale="nl-NL", viewport={"width": w, "height": h}, java_script_enabled=False
    )

    def refuse(route):
        kind = route.request.resource_type
        if kind == "font" or (kind == "stylesheet" and not stylesheets):
            route.abort()
        else:
            route.continue_()

    context.route("**/*", refuse)
    try:
        page = context.new_page()
        page.goto(url)
        if name == "booking with errors":
            with page.expect_navigation():
                page.click("button[name=book]")
        return page.content(), page.evaluate(SNAPSHOT)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "counter folder",
        "product page",
        "booking with errors",
        "appointment page",
        "device test",
        "queue page",
    ],
)
def test_first_paint_looks_like_the_page(chromium, urls, name, width):
    html, first = snapshot(chromium, name, urls[name], width, stylesheets=False)
    # The page carries the rules: the CSS was built from pages like it.
    assert f'<style id="{STYLE_ID}">' in html, (
        "no first-paint CSS: run scripts/build-first-paint-css.py"
    )
    head = html.split("</head>")[0]
    assert 'rel="stylesheet"' not in head
    _html, full = snapshot(chromium, name, urls[name], width, stylesheets=True)
    assert len(first) == len(full)
    differences = [(a, b) for a, b in zip(first, full, strict=True) if a != b]
    assert not differences, (
        f"{len(differences)} elements differ (first paint / with the stylesheets), "
        "run scripts/build-first-paint-css.py:\n"
        + "\n".join(f"{a}\n{b}\n" for a, b in differences[:5])
    )


def test_pages_it_was_not_made_for_keep_their_stylesheets(live_site):
    """A page with what none of the citizen pages had (the search results,
    Plone's status message after logging out) or a logged-in user's page:
    the stylesheets stay in the head, nothing inline."""
    site = live_site.site
    for response in (
        requests.get(f"{site}/@@search", params={"SearchableText": "x"}, timeout=60),
        requests.get(f"{site}/balie", auth=live_site.admin, timeout=60),
    ):
        assert response.status_code == 200
        head = response.text.split("</head>")[0]
        assert 'rel="stylesheet"' in head
        assert STYLE_ID not in response.text
