"""The house style in real Chromium: NL Design System CSS on the citizen and
employee pages, the municipality's colours from the control panel, and the
logo's text.

The live site is shared by the session: every test that changes a setting puts
it back.
"""

from browser_helpers import logged_in_page
from helpers import JSON
from itertools import pairwise
import pytest
import requests


PRODUCT = "/balie/verhuizing-doorgeven"
BOOK = "button[name=book]"
EMPLOYEE = ("medewerker", "balie-demo-2026")


def rgb(hex_colour):
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def settings(site, admin):
    response = requests.get(
        f"{site}/@controlpanels/digitalebalie", headers=JSON, auth=admin, timeout=30
    )
    return response.json()["data"]


def patch_settings(site, admin, language="nl", **values):
    return requests.patch(
        f"{site}/@controlpanels/digitalebalie",
        json=values,
        headers={**JSON, "Accept-Language": language},
        auth=admin,
        timeout=30,
    )


@pytest.fixture
def restore_colours(live_site):
    before = settings(live_site.site, live_site.admin)
    yield
    response = patch_settings(
        live_site.site,
        live_site.admin,
        primary_color=before["primary_color"],
        focus_color=before["focus_color"],
    )
    assert response.status_code == 204, response.text


@pytest.fixture(scope="module")
def citizen(chromium):
    context = chromium.new_context(
        locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def style(page, selector, prop):
    return page.eval_on_selector(
        selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop
    )


def test_nl_design_system_css_reaches_the_citizen_page(live_site, citizen):
    response = citizen.goto(f"{live_site.site}{PRODUCT}")
    assert response.ok
    # The stylesheet built from node_modules is served...
    sheets = citizen.evaluate(
        "[...document.styleSheets].map(s => s.href).filter(Boolean)"
    )
    nlds = [href for href in sheets if "/nlds/nlds.css" in href]
    assert nlds, sheets
    assert requests.get(nlds[0], timeout=30).status_code == 200
    # ... the Voorbeeld theme's tokens apply to the page ...
    assert "voorbeeld-theme" in citizen.evaluate("document.body.className")
    assert style(citizen, "body", "--utrecht-button-primary-action-color").strip()
    # ... and the Utrecht button is styled by them: white on the main colour,
    # large, and not Bootstrap's button.
    primary = settings(live_site.site, live_site.admin)["primary_color"]
    button = citizen.locator(BOOK)
    assert "utrecht-button--primary-action" in button.get_attribute("class")
    assert style(citizen, BOOK, "background-color") == rgb(primary)
    assert style(citizen, BOOK, "color") == "rgb(255, 255, 255)"
    assert button.bounding_box()["height"] >= 48
    # Form fields are Utrecht text boxes with Utrecht's border.
    assert style(citizen, "#field-fullname", "border-top-style") == "solid"
    assert "utrecht-textbox" in citizen.get_attribute("#field-fullname", "class")


def test_main_colour_setting_changes_the_buttons(live_site, citizen, restore_colours):
    response = patch_settings(
        live_site.site, live_site.admin, primary_color="#6b2c91", focus_color="#9fe870"
    )
    assert response.status_code == 204, response.text
    citizen.goto(f"{live_site.site}{PRODUCT}")
    assert style(citizen, BOOK, "background-color") == "rgb(107, 44, 145)"
    # The day picker's current day is a primary button link too.
    current = ".dbalie-day-list a[aria-current=date]"
    assert style(citizen, current, "background-color") == "rgb(107, 44, 145)"
    # The keyboard focus wears the focus colour.
    citizen.focus("#field-fullname")
    citizen.keyboard.press("Shift+Tab")
    citizen.keyboard.press("Tab")
    assert citizen.evaluate("document.activeElement.id") == "field-fullname"
    assert "rgb(159, 232, 112)" in style(citizen, "#field-fullname", "box-shadow")


def test_employee_page_has_the_house_style(live_site, chromium):
    context, page = logged_in_page(chromium, live_site.site, *EMPLOYEE)
    try:
        response = page.goto(f"{live_site.site}/@@new-appointment")
        assert response.ok
        primary = settings(live_site.site, live_site.admin)["primary_color"]
        submit = "#new-appointment-form button[type=submit]"
        button = page.locator(submit)
        assert "utrecht-button--primary-action" in button.get_attribute("class")
        assert style(page, submit, "background-color") == rgb(primary)
        assert style(page, submit, "color") == "rgb(255, 255, 255)"
        assert button.bounding_box()["height"] >= 48
        # The fields are NL Design System fields, not Bootstrap's.
        assert "utrecht-select" in page.get_attribute("#field-product", "class")
        # A choice list shows its arrow (the theme gives it none).
        assert "svg" in style(page, "#field-product", "background-image")
        assert "utrecht-textbox" in page.get_attribute("#field-date", "class")
        bootstrap = "#new-appointment-form :is(.btn, .form-control, .form-select)"
        assert page.locator(bootstrap).count() == 0
    finally:
        context.close()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("primary_color", "paars", "Typ een kleur als # en 6 tekens"),
        ("primary_color", "#a0a0a0", "het contrast is 2.6:1"),
        ("focus_color", "#005a9c", "Kies een lichtere kleur"),
    ],
)
def test_control_panel_refuses_bad_colours(live_site, chromium, field, value, message):
    before = settings(live_site.site, live_site.admin)
    context, page = logged_in_page(chromium, live_site.site, *live_site.admin)
    try:
        page.goto(f"{live_site.site}/@@digitalebalie-controlpanel")
        page.click("text=Huisstijl")
        page.fill(f"#form-widgets-{field}", value)
        with page.expect_navigation():
            page.click("#form-buttons-save")
        error = page.locator(f"#formfield-form-widgets-{field} .invalid-feedback")
        assert message in error.inner_text()
    finally:
        context.close()
    assert settings(live_site.site, live_site.admin) == before


def test_rest_refuses_a_light_main_colour_in_english(live_site):
    before = settings(live_site.site, live_site.admin)
    response = patch_settings(
        live_site.site, live_site.admin, language="en", primary_color="#ffdd00"
    )
    assert response.status_code == 400
    assert "White text on this colour is hard to read" in response.text
    assert "the contrast is 1.3:1" in response.text
    assert settings(live_site.site, live_site.admin) == before


def test_logo_names_the_municipality(live_site, citizen):
    citizen.goto(f"{live_site.site}{PRODUCT}")
    name = settings(live_site.site, live_site.admin)["municipality_name"]
    logo = citizen.locator("#portal-logo img")
    assert logo.get_attribute("alt") == f"{name}: naar de startpagina"
    # The demo sets its made-up municipality's logo in Plone's logo setting.
    assert "/@@site-logo/gemeente-voorbeeld.svg" in logo.get_attribute("src")
    assert (
        citizen.evaluate("document.querySelector('#portal-logo img').naturalWidth") > 0
    )
    assert citizen.locator("#portal-logo").get_attribute("href") == live_site.site


def test_alerts_stack_their_parts_on_a_phone(live_site, citizen):
    """A Utrecht alert lays its children in a row; ours keep heading, text and
    field under each other (one content block), also at 320 px."""
    from live import book_first_free
    from live import create_product

    product, _uid = create_product(live_site, title="Meldingen op de telefoon")
    booking = book_first_free(product, "Fatima el Amrani")
    citizen.set_viewport_size({"width": 320, "height": 800})
    citizen.goto(f"{booking['url']}?booked=1")
    boxes = citizen.evaluate(
        """() => [...document.querySelectorAll('#confirmation h2, #confirmation p')]
                 .map(e => e.getBoundingClientRect()).map(r => [r.top, r.bottom])"""
    )
    # Heading, text, and since issue 20 the whole link and where it was sent.
    assert len(boxes) >= 3
    # Each part starts below the one before it.
    assert all(later[0] >= earlier[1] - 1 for earlier, later in pairwise(boxes))
    assert citizen.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
