"""Many bookings from one address: the product page solves the ALTCHA check in
real Chromium and books, with the keyboard as before (issue 15).

Runs against the test layer's site (the limits are switched on for it here).
"""

from helpers import at
from helpers import book
from helpers import tomorrow
import pytest


@pytest.fixture
def page(chromium):
    context = chromium.new_context(
        viewport={"width": 320, "height": 640}, locale="nl-NL", device_scale_factor=1
    )
    page = context.new_page()
    yield page
    context.close()


def test_product_page_solves_the_check_and_books(
    browser, limits_on, make_product, page
):
    limits_on(bookings_per_address_per_hour=1)
    product = make_product(title="Paspoort aanvragen")
    # One booking from 127.0.0.1 already: the next one needs the check.
    response = book(
        browser, product, at(tomorrow(), "09:00"), email="eerder@example.nl", phone=""
    )
    assert response.status_code == 201, response.text
    requests_elsewhere = []
    page.on(
        "request",
        lambda request: (
            requests_elsewhere.append(request.url)
            if not request.url.startswith(
                ("http://localhost", "http://127.0.0.1", "blob:", "data:")
            )
            else None
        ),
    )

    page.goto(product)
    assert page.locator("altcha-widget").count() == 1
    # The widget is no tab stop and is not read out; a status line speaks.
    assert page.evaluate(
        "document.querySelector('altcha-widget').closest('[inert]') !== null"
    )
    assert page.get_attribute(".dbalie-check-status", "role") == "status"

    page.locator("input[name=start]").first.check()
    page.fill("input[name=fullname]", "Fatima el Amrani")
    page.fill("input[name=email]", "fatima@example.nl")
    page.press("input[name=email]", "Enter")  # submit with the keyboard
    page.wait_for_url("**/@@my-appointment/**", timeout=60000)
    assert "Uw afspraak is gemaakt" in page.inner_text("main")
    assert requests_elsewhere == []


def test_without_a_solution_the_page_asks_again(browser, limits_on, make_product):
    limits_on(bookings_per_address_per_hour=1)
    product = make_product()
    assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
    page = browser.get(product)
    assert "<altcha-widget" in page.text
    assert "One moment…" in page.text or "Een ogenblik…" in page.text
