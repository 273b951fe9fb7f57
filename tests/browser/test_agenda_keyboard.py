"""The agenda with the keyboard alone, in real Chromium, on a laptop and a phone."""

from browser_helpers import logged_in_page
from live import book_first_free
from pathlib import Path
import pytest
import tempfile


SCREENSHOTS = Path(tempfile.gettempdir())
EMPLOYEE = {"username": "medewerker", "password": "balie-demo-2026"}


def employee_page(site, chromium, width, height):
    """A browser window of the demo employee, logged in through the login form."""
    return logged_in_page(
        chromium, site, EMPLOYEE["username"], EMPLOYEE["password"], width, height
    )


def book_demo(site, name):
    return book_first_free(f"{site}/balie/uittreksel-brp", name)["start"]


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, value: e.value || '', text: e.innerText || ''}; }"
    )


def test_start_an_appointment_with_the_keyboard(live_site, chromium):
    name = "Keyboard Kees"
    book_demo(live_site.site, name)
    context, page = employee_page(live_site.site, chromium, 1280, 800)
    try:
        page.goto(f"{live_site.site}/@@agenda?period=upcoming&scope=team&q=kees")
        assert name in page.inner_text("table")
        for _ in range(200):
            page.keyboard.press("Tab")
            current = focused(page)
            if current["tag"] == "BUTTON" and current["value"] == "start":
                break
        else:
            pytest.fail("the Start button cannot be reached with Tab")
        # The button says what it starts, for screen reader users.
        assert name in current["text"]
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "De afspraak is begonnen." in page.inner_text("body")
        assert "Bezig" in page.inner_text("table")
    finally:
        context.close()


def test_agenda_fits_a_phone(live_site, chromium):
    book_demo(live_site.site, "Smalle Sanne")
    context, page = employee_page(live_site.site, chromium, 320, 640)
    try:
        page.goto(f"{live_site.site}/@@agenda?period=upcoming&scope=team")
        assert "Smalle Sanne" in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


def test_employee_lands_on_the_agenda_and_sees_the_day_on_a_laptop(live_site, chromium):
    """1366 × 768, the most common laptop screen: after logging in the agenda,
    and the day's first appointment without scrolling."""
    start = book_demo(live_site.site, "Laptop Lotte")
    context, page = employee_page(live_site.site, chromium, 1366, 768)
    try:
        assert "/@@agenda" in page.url
        page.goto(f"{live_site.site}/@@agenda?day={start[:10]}&scope=team")
        row = page.locator("table.dbalie-agenda-table tbody tr").first
        assert "Laptop Lotte" in page.inner_text("table")
        box = row.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, box
        page.screenshot(path=str(SCREENSHOTS / "agenda-1366x768.png"))
        # The toolbar and the user menu lead back to it.
        page.goto(f"{live_site.site}/@@new-appointment")
        assert page.locator("#edit-zone a[href*='/@@agenda']").count() >= 2
    finally:
        context.close()
