"""A family books one appointment on a phone (390 × 844), with and without
JavaScript: "How many people?", the times for that length, a mobile number only."""

from browser_helpers import logged_in_page
from datetime import datetime
from helpers import AMS
from live import book_first_free
from live import create_product
from live import every_day
import pytest
import time


PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=[True, False], ids=["with JavaScript", "without JavaScript"])
def phone(chromium, request):
    context = chromium.new_context(
        viewport=PHONE, locale="nl-NL", java_script_enabled=request.param
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def family_product(live_site):
    url, _uid = create_product(
        live_site,
        title="Paspoorten voor het gezin",
        duration=15,
        max_persons=4,
        extra_minutes_per_person=15,
        min_notice_hours=2,
        email_required=False,
        opening_hours=every_day("09:00", "17:00", 1),
    )
    return url


def minutes(label):
    """'09:00 – 09:45' → 45."""
    first, last = (datetime.strptime(t.strip(), "%H:%M") for t in label.split("–"))
    return (last - first).seconds // 60


def test_a_family_books_one_longer_appointment(phone, family_product):
    phone.goto(family_product)
    choice = phone.locator("#field-persons")
    assert choice.is_visible()
    assert (
        phone.inner_text("label[for=field-persons]") == "Met hoeveel personen komt u?"
    )
    # Nothing sticks out sideways on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = choice.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    single = phone.locator(".dbalie-time").first.inner_text()
    assert minutes(single) == 15
    choice.select_option("3")
    with phone.expect_navigation():
        phone.click("button[name=show_times]")
    # The times now last 15 + 2 × 15 minutes, and the choice is kept.
    labels = phone.locator(".dbalie-time").all_inner_texts()
    assert labels and {minutes(label) for label in labels} == {45}
    assert phone.input_value("#field-persons") == "3"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Another day keeps the number.
    with phone.expect_navigation():
        phone.locator(".dbalie-day-list a").nth(1).click()
    assert {minutes(t) for t in phone.locator(".dbalie-time").all_inner_texts()} == {45}
    # A mobile number is enough for this service.
    phone.check("input[name=start] >> nth=0")
    phone.fill("#field-fullname", "Familie Yilmaz")
    phone.fill("#field-phone", "06 12345678")
    with phone.expect_navigation():
        phone.click("button[name=book]")
    assert "/@@my-appointment/" in phone.url
    text = phone.inner_text("main")
    assert "Aantal personen" in text and "Familie Yilmaz" in text
    assert facts(phone)["Aantal personen"] == "3"
    assert minutes(facts(phone)["Tijd"]) == 45
    assert "We hebben de link per sms gestuurd naar 06 •• •• 56 78." in text


def facts(page):
    """{term: description} of the appointment's facts (the first such list)."""
    return page.evaluate(
        "Object.fromEntries([...document.querySelector('dl').querySelectorAll('dt')]"
        ".map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))"
    )


def test_the_agenda_and_the_appointment_show_the_number(
    live_site, chromium, family_product
):
    name = f"Familie Bakker {time.monotonic_ns() % 10**6}"  # one row in the agenda
    booking = book_first_free(
        family_product, name, email=None, phone="06 87654321", persons=4
    )
    day = datetime.fromisoformat(booking["start"]).astimezone(AMS).date()
    context, page = logged_in_page(chromium, live_site.site, *live_site.admin)
    try:
        page.goto(f"{live_site.site}/@@agenda?day={day.isoformat()}&scope=all")
        row = page.locator("tbody tr", has_text=name)
        assert "4 personen" in row.inner_text()
        with page.expect_navigation():
            row.locator("a", has_text=name).click()
        assert "Aantal personen\n4" in page.inner_text("main")
    finally:
        context.close()
