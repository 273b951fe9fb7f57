"""Let me know if an earlier time becomes free, on a phone (390 × 844) in
Chromium: the switch by keyboard, the mail through a real SMTP server, the
link that moves the appointment in one step (issue 20).

The time is freed by a second citizen who booked through the English
translation: all translations of a product are one service.
"""

from babel.dates import format_date
from browser_helpers import PHONE
from browser_helpers import audit
from browser_helpers import day_ahead
from browser_helpers import phone_page
from browser_helpers import times_of
from browser_helpers import wait_for
from datetime import datetime
from helpers import AMS
from helpers import JSON
from helpers import day_slots
from live import create_translated_product
from live import every_day
from live_messages import link_in
import json
import pytest
import requests


@pytest.fixture(scope="module")
def product(live_site):
    """One counter: a time someone cancels is the only place at that time."""
    return create_translated_product(
        live_site,
        "Identiteitskaart aanvragen",
        "Apply for an identity card",
        duration=30,
        min_notice_hours=2,
        channels=["video", "counter"],
        opening_hours=every_day("09:00", "17:00", 1),
    )


def times(url, day):
    return [slot["start"] for slot in day_slots(url, day)]


def book(url, start, name, language="nl"):
    response = requests.post(
        f"{url}/@book",
        json={
            "start": start,
            "fullname": name,
            "email": f"{name.split()[0].lower()}.earlier@example.nl",
            "language": language,
        },
        headers=JSON,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def start_of(live_site, url):
    token = url.split("?")[0].rsplit("/", 1)[1]
    response = requests.get(
        f"{live_site.site}/@appointment/{token}", headers=JSON, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["start"]


def clock(start):
    return datetime.fromisoformat(start).astimezone(AMS).strftime("%H:%M")


def offered(start, language="nl"):
    """How the mail names the earlier time: 'maandag 7 december 2026, 09:00'."""
    moment = datetime.fromisoformat(start).astimezone(AMS)
    day = format_date(moment.date(), "EEEE d MMMM y", locale=language)
    return f"{day}, {moment:%H:%M}"


def press_by_keyboard(page, text):
    """Tab to the button with this text and press Enter, as a keyboard user does."""
    for _step in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"{text!r} cannot be reached with Tab")


def announced(page, text):
    """The answer is a status message, in the first screen, with the focus."""
    wait_for(page, "document.activeElement.id === 'confirmation'")
    status = page.locator("#confirmation")
    assert status.get_attribute("role") == "status"
    assert status.inner_text().strip() == text
    box = status.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_the_notice_moves_the_appointment_in_one_step(
    live_site, chromium, product, messages
):
    dutch, english = product
    day = day_ahead(6)
    slots = times(dutch, day)
    erik = book(english, slots[0], "Erik Early", language="en")

    context, anna = phone_page(chromium)
    try:
        anna.goto(times_of(dutch, day))
        anna.check(f"input[name=start][value='{slots[4]}']")
        anna.fill("#field-fullname", "Anna Later")
        anna.fill("#field-email", "anna.earlier@example.nl")
        with anna.expect_navigation():
            anna.click("button[name=book]")
        own_link = anna.url.split("?")[0]
        press_by_keyboard(anna, "Laat het mij weten als er een eerdere tijd vrijkomt")
        announced(anna, "We laten het u weten als er een eerdere tijd vrijkomt.")
        switch = anna.locator("#earlier button[name=earlier]")
        assert switch.inner_text() == "Stop de berichten over een eerdere tijd"
        violations = audit(anna)
        assert violations == [], json.dumps(violations, indent=1)

        # Erik, on his own phone in English, cancels his earlier appointment.
        other, page = phone_page(chromium, "en-GB")
        try:
            page.goto(f"{erik['url']}/cancel")
            with page.expect_navigation():
                page.click("text=Yes, cancel my appointment")
            # (The live desk on that page hears of the change too: its reload
            # must not replace the answer.)
            announced(
                page,
                "Your appointment is cancelled. "
                "You can make a new appointment at any time.",
            )
        finally:
            other.close()

        mail = messages.mail("anna.earlier@example.nl", "@@earlier-time/")
        assert "Er is een eerdere tijd vrij voor uw afspraak." in mail
        assert f"Eerdere tijd: {offered(slots[0])}" in mail
        link = link_in(mail)
        anna.goto(link)
        assert anna.inner_text("h1") == "Een eerdere tijd"
        assert anna.inner_text("#earlier-current").endswith(clock(slots[4]))
        assert anna.inner_text("#earlier-offered") == offered(slots[0])
        # Opening the link changed nothing yet (a mail scanner may open it).
        assert start_of(live_site, own_link) == slots[4]
        violations = audit(anna)
        assert violations == [], json.dumps(violations, indent=1)
        with anna.expect_navigation():
            anna.click("text=Ja, verzet mijn afspraak")
        announced(anna, "Uw afspraak is verzet naar de nieuwe tijd.")
        new_time = f"{clock(slots[0])} – {clock(slots[1])}"
        assert new_time in anna.inner_text("#desk-state")
        assert start_of(live_site, own_link) == slots[0]

        # The same link again: it says so, and the appointment stays.
        anna.goto(link)
        assert anna.inner_text("h1") == "Deze link werkt niet"
        assert "Uw afspraak is niet veranderd." in anna.inner_text("main")
        assert anna.locator("button").filter(has_text="verzet").count() == 0
        violations = audit(anna)
        assert violations == [], json.dumps(violations, indent=1)
        assert start_of(live_site, own_link) == slots[0]
        assert slots[4] in times(dutch, day)  # her old time is free again
        assert slots[0] not in times(english, day)
    finally:
        context.close()


def test_a_time_taken_by_another_and_switching_the_notice_off(
    live_site, chromium, product, messages
):
    dutch, english = product
    day = day_ahead(7)
    slots = times(dutch, day)
    bea = book(dutch, slots[1], "Bea Cancels")
    carl = book(english, slots[5], "Carl Quick", language="en")
    dora = book(dutch, slots[6], "Dora Waits")

    context, page = phone_page(chromium, "en-GB")
    try:
        page.goto(carl["url"])
        with page.expect_navigation():
            page.click("text=Let me know if an earlier time becomes free")
        announced(page, "We will let you know if an earlier time becomes free.")
    finally:
        context.close()
    context, page = phone_page(chromium)
    try:
        page.goto(dora["url"])
        with page.expect_navigation():
            page.click("text=Laat het mij weten als er een eerdere tijd vrijkomt")
        cancelled = requests.post(
            f"{live_site.site}/@appointment/{bea['token']}/cancel",
            headers=JSON,
            timeout=30,
        )
        assert cancelled.status_code == 200, cancelled.text

        # Both hear of it; Carl is quicker.
        to_carl = messages.mail("carl.earlier@example.nl", offered(slots[1], "en"))
        to_dora = messages.mail("dora.earlier@example.nl", offered(slots[1]))
        quick, carl_page = phone_page(chromium, "en-GB")
        try:
            carl_page.goto(link_in(to_carl))
            with carl_page.expect_navigation():
                carl_page.click("text=Yes, move my appointment")
            announced(carl_page, "Your appointment has been moved to the new time.")
        finally:
            quick.close()
        page.goto(link_in(to_dora))
        message = page.inner_text("#earlier-message")
        assert "iemand anders heeft deze tijd net gekozen" in message
        assert "Uw afspraak is niet veranderd." in message
        assert page.locator("#earlier-form").count() == 0
        assert page.locator("text=Kies een andere tijd").is_visible()
        violations = audit(page)
        assert violations == [], json.dumps(violations, indent=1)
        assert start_of(live_site, dora["url"]) == slots[6]

        # Carl's old time is earlier than Dora's: offered to her in turn ...
        later_offer = messages.mail("dora.earlier@example.nl", offered(slots[5]))
        # ... but she switches the messages off.
        page.goto(dora["url"])
        press_by_keyboard(page, "Stop de berichten over een eerdere tijd")
        announced(page, "U krijgt geen berichten meer over eerdere tijden.")
        switch = page.locator("#earlier button[name=earlier]")
        assert switch.inner_text() == (
            "Laat het mij weten als er een eerdere tijd vrijkomt"
        )
        page.goto(link_in(later_offer))
        assert page.inner_text("h1") == "Deze link werkt niet"
        assert start_of(live_site, dora["url"]) == slots[6]

        # A time freed now is no longer offered to her.
        eva = book(dutch, slots[2], "Eva Also")
        cancelled = requests.post(
            f"{live_site.site}/@appointment/{eva['token']}/cancel",
            headers=JSON,
            timeout=30,
        )
        assert cancelled.status_code == 200, cancelled.text
        # Queued with Eva's own cancellation mail, in the same transaction.
        messages.mail("eva.earlier@example.nl", "afgezegd")
        messages.deliver()
        assert not [
            m
            for m in messages.mails_to("dora.earlier@example.nl")
            if offered(slots[2]) in m.get_body(("plain",)).get_content()
        ]
    finally:
        context.close()
