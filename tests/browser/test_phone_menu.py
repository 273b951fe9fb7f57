"""The navigation on a phone without Plone's JavaScript (issue 22).

Anonymous visitors get no Plone bundle; the house style's script opens and
closes the menu panel the way Bootstrap's offcanvas did, in real Chromium.
"""

import pytest


@pytest.fixture(scope="module")
def phone(chromium):
    context = chromium.new_context(
        locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    yield context.new_page()
    context.close()


def test_a_citizen_opens_and_closes_the_menu_on_a_phone(live_site, phone):
    phone.goto(live_site.site)
    # No Plone JavaScript reached the page.
    assert phone.locator("script[data-bundle='plone']").count() == 0
    toggler = phone.locator(".navbar-toggler")
    panel = phone.locator("#offcanvasNavbar")
    link = panel.get_by_role("link", name="Digitale balie")
    assert toggler.is_visible()
    assert not link.is_visible()
    toggler.click()
    link.wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    assert panel.get_attribute("role") == "dialog"
    # The keyboard stays in the panel and Escape closes it.
    phone.keyboard.press("Tab")
    assert phone.evaluate(
        "document.getElementById('offcanvasNavbar').contains(document.activeElement)"
    )
    phone.keyboard.press("Escape")
    link.wait_for(state="hidden")
    assert toggler.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.classList.contains('navbar-toggler')")
    # The close button closes it too, and the link leads where it says.
    toggler.click()
    link.wait_for(state="visible")
    panel.locator("[data-bs-dismiss='offcanvas']").click()
    link.wait_for(state="hidden")
    toggler.click()
    with phone.expect_navigation():
        link.click()
    assert phone.url.rstrip("/").endswith("/balie")
