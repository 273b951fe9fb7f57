"""Every citizen page and every employee page: zero axe-core violations of
WCAG 2.0/2.1 A and AA, in real Chromium, on the demo site.

axe-core comes from the npm registry (package.json, installed by make).
"""

from browser_helpers import logged_in_page
from browser_helpers import run_axe
from helpers import JSON
from live import book_first_free
import json
import pytest
import requests


EMPLOYEE = ("medewerker", "balie-demo-2026")


def audit(page, url):
    """The page as a returning citizen sees it: visited once before, so that
    links to pages already seen are painted in their :visited colours."""
    page.goto(url)
    page.goto(url)
    return run_axe(page)


@pytest.fixture(scope="module")
def booking(live_site):
    return book_first_free(
        f"{live_site.site}/balie/verhuizing-doorgeven",
        "Toegankelijk Tineke",
        days_ahead=4,
    )


@pytest.fixture(scope="module", params=["nl-NL", "en-GB"])
def citizen(chromium, request):
    context = chromium.new_context(
        locale=request.param, viewport={"width": 390, "height": 844}
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def employee(chromium, live_site):
    context, page = logged_in_page(chromium, live_site.site, *EMPLOYEE)
    yield page
    context.close()


CITIZEN_PAGES = {
    "home": "",
    "counter folder": "/balie",
    "product with slot picker": "/balie/verhuizing-doorgeven",
    # The demo's translations (plone.app.multilingual).
    "English counter folder": "/en/balie",
    "English product": "/en/balie/verhuizing-doorgeven",
    "my appointment": "{url}",
    "move": "{url}/move",
    "cancel": "{url}/cancel",
    "unknown link": "/@@my-appointment/not-a-valid-link",
}


@pytest.mark.parametrize("name", CITIZEN_PAGES)
def test_citizen_pages(name, live_site, booking, citizen):
    path = CITIZEN_PAGES[name].format(url=booking["url"].removeprefix(live_site.site))
    violations = audit(citizen, f"{live_site.site}{path}")
    assert violations == [], json.dumps(violations, indent=1)


def employee_urls(site, booking):
    items = requests.get(
        f"{site}/@agenda",
        params={"start": booking["start"][:10], "scope": "team", "q": "Tineke"},
        headers=JSON,
        auth=EMPLOYEE,
        timeout=30,
    ).json()["items"]
    appointment = items[0]
    return {
        "agenda": f"{site}/@@agenda?period=upcoming&scope=team",
        "new appointment": f"{site}/@@new-appointment",
        "calendar feed": f"{site}/@@agenda-feed",
        "appointment": appointment["@id"],
        "dossier": appointment["dossier"],
    }


@pytest.mark.parametrize(
    "name", ["agenda", "new appointment", "calendar feed", "appointment", "dossier"]
)
def test_employee_pages(name, live_site, booking, employee):
    url = employee_urls(live_site.site, booking)[name]
    violations = audit(employee, url)
    assert violations == [], json.dumps(violations, indent=1)


def test_booking_form_with_errors(live_site, citizen):
    citizen.goto(f"{live_site.site}/balie/verhuizing-doorgeven")
    with citizen.expect_navigation():
        citizen.click("button[name=book]")
    assert citizen.locator("#error-summary").count() == 1
    violations = run_axe(citizen)
    assert violations == [], json.dumps(violations, indent=1)


@pytest.fixture(scope="module")
def manager(chromium, live_site):
    context, page = logged_in_page(chromium, live_site.site, *live_site.admin)
    yield page
    context.close()


@pytest.mark.parametrize(
    "path",
    ["@@digitalebalie-outbox", "@@dossier-retention", "{dossier}/@@dossier-audit"],
)
def test_manager_pages(path, live_site, booking, manager):
    dossier = employee_urls(live_site.site, booking)["dossier"]
    url = f"{live_site.site}/{path}".replace(f"{live_site.site}/{{dossier}}", dossier)
    violations = audit(manager, url)
    assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.parametrize("width", [320, 640])  # a phone; a laptop at 200 % zoom
@pytest.mark.parametrize(
    "name", ["counter folder", "product with slot picker", "my appointment", "move"]
)
def test_reflow_without_horizontal_scrolling(name, width, live_site, booking, chromium):
    context = chromium.new_context(
        locale="nl-NL", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    try:
        path = CITIZEN_PAGES[name].format(
            url=booking["url"].removeprefix(live_site.site)
        )
        page.goto(f"{live_site.site}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
