"""The mail and the invitation say how the appointment happens (through a real SMTP server)."""

from collective.digitalebalie import secrets
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import book
from helpers import use_smtp
from imip import event_of
import pytest
import re


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def site(functional, smtp, make_product, browser_as):
    controller, inbox = smtp
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    # The room opens 20 minutes early here: the mail must follow the setting.
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={"reminder_hours": 0, "room_opens_minutes_before": 20},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    return {
        "manager": manager,
        "key": secrets.get_secret("job_key"),
        "inbox": inbox,
        "product": make_product(channels=["video", "phone", "counter"]),
    }


def tomorrow_at(hhmm):
    day = datetime.now(AMS).date() + timedelta(days=1)
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


def deliver(browser, key):
    response = browser.post(
        "@@digitalebalie-deliver", headers={"X-Digitalebalie-Job-Key": key}
    )
    assert response.status_code == 200, response.text
    return response.json()


def book_at(browser, site, start, **data):
    response = book(browser, site["product"], start.isoformat(), **data)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def texts(message):
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return plain, html


def link_with(text, ending):
    return next(line for line in text.splitlines() if line.strip().endswith(ending))


def test_dutch_confirmation_of_a_video_appointment(browser, site):
    token = book_at(browser, site, tomorrow_at("10:30"), language="nl")
    deliver(browser, site["key"])
    [message] = site["inbox"].messages
    plain, html = texts(message)
    assert "Dit is een videogesprek." in plain
    assert "Vanaf 10:10 kunt u naar binnen." in plain  # 20 minutes before 10:30
    assert "telefoon, tablet of computer met camera en microfoon" in plain
    assert "rustige plek" in plain
    assert "Test nu uw camera en microfoon:" in plain
    device_test = link_with(plain, f"/@@my-appointment/{token}/device-test")
    appointment_link = link_with(plain, f"/@@my-appointment/{token}")
    assert "naar het videogesprek" in plain
    # The device test works with the mailed link, before the room opens.
    assert browser.get(device_test).status_code == 200
    # Links are links in the HTML part too; the date is in words, never ISO.
    assert f'href="{device_test}"' in html
    assert ISO_DATE.search(plain) is None and ISO_DATE.search(html) is None
    assert ISO_DATE.search(str(message["Subject"])) is None

    event = event_of(message)
    assert str(event["URL"]) == appointment_link
    assert str(event["LOCATION"]) == appointment_link
    description = str(event["DESCRIPTION"])
    assert "Dit is een videogesprek." in description
    assert "Vanaf 10:10 kunt u naar binnen." in description
    assert device_test in description and appointment_link in description


def test_english_confirmation_and_reminder_of_a_video_appointment(browser, site):
    site["manager"].patch(
        "@controlpanels/digitalebalie", json={"reminder_hours": 48}, headers=JSON
    )
    token = book_at(browser, site, tomorrow_at("14:00"), language="en")
    result = deliver(browser, site["key"])
    assert result["reminders"] == 1
    deliver(browser, site["key"])  # the reminder was queued by the first run
    [confirmation, reminder] = sorted(
        site["inbox"].messages, key=lambda m: m["Subject"].startswith("Reminder")
    )
    assert confirmation["Subject"].startswith("Your appointment on")
    assert reminder["Subject"].startswith("Reminder:")
    for message in (confirmation, reminder):
        plain, html = texts(message)
        assert "This is a video call." in plain
        assert "From 13:40 you can go in." in plain
        assert (
            "You need a phone, tablet or computer with a camera and microphone, "
            "and a quiet place." in plain
        )
        assert "Test your camera and microphone now:" in plain
        assert "Go to the video call with this link." in plain
        assert ISO_DATE.search(plain) is None and ISO_DATE.search(html) is None
        event = event_of(message)
        assert str(event["URL"]) == str(event["LOCATION"])
        assert str(event["URL"]) in plain
        assert "This is a video call." in str(event["DESCRIPTION"])
    assert f"/@@my-appointment/{token}/device-test" in texts(confirmation)[0]
    # The reminder carries a fresh link of its own, and its device test works.
    device_test = link_with(texts(reminder)[0], "/device-test")
    assert token not in device_test
    assert str(event_of(reminder)["URL"]) == device_test.removesuffix("/device-test")
    page = browser.get(device_test)
    assert page.status_code == 200 and "camera" in page.text.lower()


def test_telephone_and_counter_appointments_say_how(browser, site):
    book_at(browser, site, tomorrow_at("09:00"), channel="phone", language="en")
    book_at(browser, site, tomorrow_at("11:00"), channel="counter", language="nl")
    deliver(browser, site["key"])
    phone, counter = sorted(
        site["inbox"].messages, key=lambda m: event_of(m).decoded("DTSTART")
    )
    plain = texts(phone)[0]
    assert "This is a telephone call. We will call you at +31612345678." in plain
    assert "video" not in plain.lower() and "/device-test" not in plain
    event = event_of(phone)
    assert "We will call you" in str(event["DESCRIPTION"])
    assert "URL" not in event and "LOCATION" not in event
    plain = texts(counter)[0]
    assert "Kom naar de balie in het stadhuis." in plain
    assert "/device-test" not in plain
    assert "URL" not in event_of(counter)


def test_moved_video_appointment_says_when_the_room_opens(browser, site):
    token = book_at(browser, site, tomorrow_at("10:00"), language="en")
    new = tomorrow_at("15:30")
    response = browser.post(
        f"@appointment/{token}/reschedule",
        json={"start": new.isoformat()},
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    deliver(browser, site["key"])
    moved = next(m for m in site["inbox"].messages if "moved" in m["Subject"])
    plain = texts(moved)[0]
    assert "From 15:10 you can go in." in plain
    # This mail has no link (the citizen has it): no token in the invitation either.
    assert "/@@my-appointment/" not in plain
    event = event_of(moved)
    assert "URL" not in event and str(event["LOCATION"]) == "Video call"
    assert "From 15:10 you can go in." in str(event["DESCRIPTION"])
