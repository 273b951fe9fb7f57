"""Booking with the keyboard alone, in real Chromium, on a phone-sized screen.

Runs against a real instance (the demo site) with Debian's Chromium driven by
Playwright.
"""

from browser_helpers import wait_for
import pytest


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        viewport={"width": 320, "height": 640}, locale="nl-NL", device_scale_factor=1
    )
    page = context.new_page()
    yield page
    context.close()


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, name: e.name || '', id: e.id || '', type: e.type || ''}; }"
    )


def tab_to(page, predicate, limit=300):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if predicate(focused(page)):
            return focused(page)
    pytest.fail("could not reach the element with the Tab key")


def test_book_with_the_keyboard_on_a_phone(live_site, phone):
    phone.goto(f"{live_site.site}/balie/verhuizing-doorgeven")
    # Nothing is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320

    tab_to(phone, lambda e: e["name"] == "start")
    phone.keyboard.press("Space")
    chosen = phone.evaluate("document.querySelector('input[name=start]:checked').value")

    tab_to(phone, lambda e: e["name"] == "fullname")
    phone.keyboard.type("Fatima el Amrani")
    phone.keyboard.press("Tab")
    assert focused(phone)["name"] == "email"
    phone.keyboard.type("fatima-at-example")  # a typo
    tab_to(phone, lambda e: e["tag"] == "BUTTON" and e["name"] == "book")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")

    # The error summary gets the focus, so a screen reader reads it first.
    wait_for(phone, "document.activeElement.id === 'error-summary'")
    assert "geldig e-mailadres" in phone.inner_text("#error-summary")
    assert phone.get_attribute("input[name=email]", "aria-invalid") == "true"
    assert (
        phone.evaluate("document.querySelector('input[name=start]:checked').value")
        == chosen
    )
    assert phone.input_value("input[name=fullname]") == "Fatima el Amrani"

    phone.keyboard.press("Tab")  # into the summary's link to the field
    assert focused(phone)["tag"] == "A"
    phone.keyboard.press("Enter")  # the link puts the cursor in the field
    assert focused(phone)["name"] == "email"
    phone.keyboard.press("Control+A")
    phone.keyboard.type("fatima@example.nl")
    tab_to(phone, lambda e: e["tag"] == "BUTTON" and e["name"] == "book")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")

    assert "/@@my-appointment/" in phone.url
    assert "Uw afspraak is gemaakt" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320


def test_focus_is_visible(live_site, phone):
    phone.goto(f"{live_site.site}/balie/verhuizing-doorgeven")
    tab_to(phone, lambda e: e["name"] == "fullname")
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    shadow = phone.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline != "none" or shadow != "none"
