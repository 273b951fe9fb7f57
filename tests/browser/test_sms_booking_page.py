"""Booking with only a mobile number, on a phone (390 × 844) in Chromium: the
link comes by SMS (the local CM.com gateway), in the page's language, and
opens the appointment in another browser (issue 20)."""

from babel.dates import format_date
from browser_helpers import audit
from browser_helpers import day_ahead
from browser_helpers import phone_page
from browser_helpers import run_axe
from browser_helpers import times_of
from browser_helpers import wait_for
from live import create_translated_product
from live import every_day
from live_messages import link_in
import json
import pytest


@pytest.fixture(scope="module")
def product(live_site):
    """A service that takes a mobile number instead of an e-mail address."""
    return create_translated_product(
        live_site,
        "Parkeervergunning aanvragen",
        "Apply for a parking permit",
        duration=20,
        min_notice_hours=2,
        email_required=False,
        channels=["video", "counter"],
        opening_hours=every_day("09:00", "17:00", 2),
    )


CASES = {
    "nl": {
        "locale": "nl-NL",
        "channel": "counter",
        "phone": "06 2000 0101",
        "e164": "+31620000101",
        "days": 3,
        "sent": "We hebben de link per sms gestuurd naar 06 •• •• 01 01.",
        "sms": ["uw afspraak is op", "aan de balie"],
        "heading": "Uw afspraak",
        "how": "Aan de balie in het stadhuis",
    },
    "en": {
        "locale": "en-GB",
        "channel": "video",
        "phone": "06 2000 0202",
        "e164": "+31620000202",
        "days": 4,
        "sent": "We sent the link by text message to 06 •• •• 02 02.",
        "sms": ["your appointment is on", "by video"],
        "heading": "Your appointment",
        "how": "Video call",
    },
}


@pytest.mark.parametrize("language", CASES)
def test_a_mobile_number_is_enough_the_link_comes_by_sms(
    live_site, chromium, product, messages, language
):
    case = CASES[language]
    url = product[0] if language == "nl" else product[1]
    day = day_ahead(case["days"])
    context, page = phone_page(chromium, case["locale"])
    try:
        page.goto(times_of(url, day))
        assert page.get_attribute("html", "lang") == language
        choice = page.locator("input[name=start]").nth(1)
        time_label = page.locator(f"label[for='{choice.get_attribute('id')}']")
        times = time_label.locator(".dbalie-time").inner_text()
        choice.check()
        page.fill("#field-fullname", "Sanne Sms")
        page.fill("#field-phone", case["phone"])
        page.check(f"#channel-{case['channel']}")
        with page.expect_navigation():
            page.click("button[name=book]")
        assert "/@@my-appointment/" in page.url
        sent = page.inner_text("#confirmation")
        assert case["sent"] in sent
        assert "e-mail" not in sent  # none was given, none is named
        violations = audit(page)
        assert violations == [], json.dumps(violations, indent=1)
    finally:
        context.close()

    text = messages.text(case["e164"], "@@my-appointment/")
    for words in case["sms"]:
        assert words in text, text
    start = times.split("–")[0].strip()
    assert f"{format_date(day, 'EEEE d MMMM y', locale=language)} {start}" in text
    assert len(text) < 240, text  # short: fits in two text messages

    # The phone's own browser opens the link from the text message.
    context, page = phone_page(chromium, case["locale"])
    try:
        page.goto(link_in(text))
        assert page.inner_text("h1") == case["heading"]
        facts = page.inner_text("#desk-state")
        assert times in facts
        assert format_date(day, "EEEE d MMMM y", locale=language) in facts
        assert case["how"] in facts
        assert "Sanne Sms" in facts
    finally:
        context.close()


def test_neither_email_nor_phone_says_so_at_the_fields(live_site, chromium, product):
    context, page = phone_page(chromium)
    try:
        page.goto(times_of(product[0], day_ahead(5)))
        choice = page.locator("input[name=start]").nth(2)
        start = choice.get_attribute("value")
        choice.check()
        page.fill("#field-fullname", "Zonder Zoë")
        page.check("#channel-counter")
        page.fill("#field-notes", "Ik kom met mijn dochter.")
        with page.expect_navigation():
            page.click("button[name=book]")
        assert "/@@my-appointment/" not in page.url
        wait_for(page, "document.activeElement.id === 'error-summary'")
        message = "Vul een e-mailadres of een mobiel nummer in."
        assert message in page.inner_text("#error-summary")
        for field in ("email", "phone"):
            assert page.inner_text(f"#{field}-error") == message
            assert page.get_attribute(f"#field-{field}", "aria-invalid") == "true"
            described = page.get_attribute(f"#field-{field}", "aria-describedby")
            assert f"{field}-error" in described.split()
        # Nothing typed or chosen is lost.
        assert page.input_value("#field-fullname") == "Zonder Zoë"
        assert page.input_value("#field-notes") == "Ik kom met mijn dochter."
        assert page.is_checked("#channel-counter")
        assert page.is_checked(f"input[name=start][value='{start}']")
        violations = run_axe(page)
        assert violations == [], json.dumps(violations, indent=1)
        # The summary leads to the field; a number is enough to book.
        page.click("#error-summary a[href='#field-email']")
        assert page.evaluate("document.activeElement.id") == "field-email"
        page.fill("#field-phone", "06 2000 0303")
        with page.expect_navigation():
            page.click("button[name=book]")
        assert "/@@my-appointment/" in page.url
        assert "06 •• •• 03 03" in page.inner_text("#confirmation")
    finally:
        context.close()
