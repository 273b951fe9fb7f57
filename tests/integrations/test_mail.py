"""Confirmation, move and cancel mail with iCalendar, through a real SMTP server."""

from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import use_smtp
from imip import calendar_text
from imip import event_of
from imip import hours
from imip import hours_near_changes
from imip import invitation
from imip import offset_at
from imip import unquote_param
from imip import zone_offsets
from zoneinfo import ZoneInfo
import pytest
import vobject


@pytest.fixture
def site(functional, smtp, make_product, browser_as):
    """The site sends mail to our SMTP server, set as an administrator would."""
    controller, inbox = smtp
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    # Reminders have a test of their own.
    response = manager.patch(
        "@controlpanels/digitalebalie", json={"reminder_hours": 0}, headers=JSON
    )
    assert response.status_code == 204, response.text
    return {
        "manager": manager,
        "key": secrets.get_secret("job_key"),
        "inbox": inbox,
        "product": make_product(),
        "portal": functional["portal"],
    }


def tomorrow_at(hhmm):
    day = datetime.now(AMS).date() + timedelta(days=1)
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


def deliver(browser, key, **params):
    response = browser.post(
        "@@digitalebalie-deliver",
        headers={"X-Digitalebalie-Job-Key": key},
        params=params,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    result.pop("reminders")
    result.pop("archive")
    result.pop("payments")
    return result


def book(browser, product, start, language="nl", fullname="Fatima el Amrani"):
    response = browser.post(
        f"{product}/@book",
        json={
            "start": start.isoformat(),
            "fullname": fullname,
            "email": "fatima@example.nl",
            "language": language,
        },
        headers=JSON,
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_confirmation_with_invitation(browser, site):
    start = tomorrow_at("10:00")
    token = book(browser, site["product"], start)
    assert site["inbox"].messages == []  # nothing is sent inside the booking
    assert deliver(browser, site["key"]) == {"sent": 1, "failed": 0, "skipped": 0}
    [message] = site["inbox"].messages
    # The recipients are the stored address alone (MailHost writes it as the
    # To header): a name typed in the form can never add one (issue 15).
    assert message["To"] == "fatima@example.nl"
    assert message["Subject"].startswith("Uw afspraak op")
    text = message.get_body(("plain",)).get_content()
    assert f"/@@my-appointment/{token}" in text
    assert "Beste Fatima el Amrani," in text and "Wanneer: " in text
    assert message.get_body(("html",)) is not None
    calendar = invitation(message)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == start
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Amsterdam"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    # The municipality invites (the mail's sender); the citizen need not answer.
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:balie@example.org"
    assert organizer.params["CN"] == "Gemeente Voorbeeld"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:fatima@example.nl"
    assert attendee.params["CN"] == "Fatima el Amrani"
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    # Delivered once: a second run sends nothing.
    assert deliver(browser, site["key"])["sent"] == 0


def test_move_then_cancel_update_the_same_event(browser, site):
    token = book(browser, site["product"], tomorrow_at("11:00"))
    new = tomorrow_at("14:00")
    assert (
        browser.post(
            f"@appointment/{token}/reschedule",
            json={"start": new.isoformat()},
            headers=JSON,
        ).status_code
        == 200
    )
    assert browser.post(f"@appointment/{token}/cancel", headers=JSON).status_code == 200
    assert deliver(browser, site["key"])["sent"] == 3
    messages = sorted(
        site["inbox"].messages,
        key=lambda m: int(invitation(m).walk("VEVENT")[0]["SEQUENCE"]),
    )
    events = [invitation(m).walk("VEVENT")[0] for m in messages]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[1].decoded("DTSTART") == new
    methods = [str(invitation(m)["METHOD"]) for m in messages]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    # The cancel names the same people, so the calendar finds the event to remove.
    assert str(events[2]["ORGANIZER"]) == "mailto:balie@example.org"
    assert str(events[2]["ATTENDEE"]) == "mailto:fatima@example.nl"
    assert "afgezegd" in messages[2]["Subject"]


def test_english_booking_gets_english_mail(browser, site):
    book(browser, site["product"], tomorrow_at("12:00"), language="en")
    deliver(browser, site["key"])
    [message] = site["inbox"].messages
    assert message["Subject"].startswith("Your appointment on")
    assert "Dear Fatima el Amrani" in message.get_body(("plain",)).get_content()


def test_smtp_down_keeps_the_mail_until_it_is_back(browser, browser_as, site, smtp):
    controller, inbox = smtp
    controller.stop()
    port = controller.port
    token = book(browser, site["product"], tomorrow_at("15:00"))
    assert token  # the booking succeeded although mail cannot go out
    assert deliver(browser, site["key"]) == {"sent": 0, "failed": 1, "skipped": 0}
    manager = browser_as("Manager", language="en")
    outbox = manager.get("@@digitalebalie-outbox")
    assert "tried again automatically" in outbox.text
    assert "ConnectionRefusedError" in outbox.text
    back = Controller(inbox, hostname="127.0.0.1", port=port)
    back.start()
    smtp[0].start = back.start  # the fixture's teardown stops the new one
    smtp[0].stop = back.stop
    # Not due yet (it waits a minute); a manager's "send now" sends it.
    assert deliver(browser, site["key"])["sent"] == 0
    # A manager's "send now" from the outbox page (with the page's form token).
    page = BeautifulSoup(manager.get("@@digitalebalie-outbox").text, "html.parser")
    token = page.find("input", attrs={"name": "_authenticator"})["value"]
    assert deliver(manager, "", all=1, _authenticator=token)["sent"] == 1
    response = manager.post("@@digitalebalie-deliver", params={"all": 1})
    assert response.status_code == 403  # without the token: refused
    assert len(inbox.messages) == 1


def test_wrong_key_is_refused(browser, site):
    response = browser.post(
        "@@digitalebalie-deliver", headers={"X-Digitalebalie-Job-Key": "nope"}
    )
    assert response.status_code in (401, 403) or "login" in response.url
    anonymous_outbox = browser.get("@@digitalebalie-outbox", allow_redirects=False)
    assert anonymous_outbox.status_code in (302, 401)


def test_reminder_once_with_a_fresh_link(browser, site):
    site["manager"].patch(
        "@controlpanels/digitalebalie", json={"reminder_hours": 48}, headers=JSON
    )
    first_token = book(browser, site["product"], tomorrow_at("16:00"))
    response = browser.post(
        "@@digitalebalie-deliver", headers={"X-Digitalebalie-Job-Key": site["key"]}
    )
    assert response.json()["reminders"] == 1
    again = browser.post(
        "@@digitalebalie-deliver", headers={"X-Digitalebalie-Job-Key": site["key"]}
    )
    assert again.json()["reminders"] == 0
    reminders = [
        m for m in site["inbox"].messages if m["Subject"].startswith("Herinnering")
    ]
    assert len(reminders) == 1
    text = reminders[0].get_body(("plain",)).get_content()
    link = next(
        line
        for line in text.splitlines()
        if "/@@my-appointment/" in line and not line.endswith("/device-test")
    )
    assert first_token not in link
    page = browser.get(link)
    assert page.status_code == 200 and "Fatima el Amrani" in page.text


def test_names_with_accents_and_quotes_survive(browser, site):
    """Frisian names and a name with a comma and quotes, read by another parser."""
    response = site["manager"].patch(
        "@controlpanels/digitalebalie",
        json={"municipality_name": "Gemeente Súdwest-Fryslân"},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    name = 'Fâlde, Sjoerd "Sjors"'
    book(browser, site["product"], tomorrow_at("09:30"), fullname=name)
    deliver(browser, site["key"])
    [message] = site["inbox"].messages
    calendar = vobject.readOne(calendar_text(message))
    event = calendar.vevent
    assert event.summary.value.startswith("Gemeente Súdwest-Fryslân: ")
    assert event.organizer.params["CN"] == ["Gemeente Súdwest-Fryslân"]
    [cn] = event.attendee.params["CN"]
    assert unquote_param(cn) == name
    assert event.attendee.value == "mailto:fatima@example.nl"
    assert event.attendee.params["RSVP"] == ["FALSE"]
    # icalendar reads it the same way.
    assert event_of(message)["ATTENDEE"].params["CN"] == name


def next_date(month, day):
    """The first month/day from tomorrow on (within 366 days, the product's horizon)."""
    first = datetime.now(AMS).date() + timedelta(days=1)
    candidate = first.replace(month=month, day=day)
    return candidate if candidate >= first else candidate.replace(year=first.year + 1)


def test_summer_and_winter_times_are_read_right_by_another_parser(
    browser, site, make_product
):
    product = make_product(max_days_ahead=366)
    summer, winter = next_date(7, 15), next_date(1, 15)
    for day in (summer, winter):
        start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS)
        book(browser, product, start)
    deliver(browser, site["key"])
    assert len(site["inbox"].messages) == 2
    instants = set()
    for message in site["inbox"].messages:
        event = vobject.readOne(calendar_text(message)).vevent
        start = event.dtstart.value.astimezone(UTC)
        end = event.dtend.value.astimezone(UTC)
        instants.add((start, end))
    # 10:00 in Amsterdam is 08:00 UTC in summer (CEST) and 09:00 UTC in winter (CET).
    assert instants == {
        (
            datetime(summer.year, 7, 15, 8, 0, tzinfo=UTC),
            datetime(summer.year, 7, 15, 8, 30, tzinfo=UTC),
        ),
        (
            datetime(winter.year, 1, 15, 9, 0, tzinfo=UTC),
            datetime(winter.year, 1, 15, 9, 30, tzinfo=UTC),
        ),
    }


def test_the_vtimezone_gives_every_hour_of_2025_to_2035_its_offset(browser, site):
    """Evaluated by RFC 5545 §3.6.5 and by vobject, against the tz database."""
    book(browser, site["product"], tomorrow_at("13:00"))
    deliver(browser, site["key"])
    [message] = site["inbox"].messages
    text = calendar_text(message)
    [vtimezone] = invitation(message).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Amsterdam"
    # As Outlook and Google write it: one rule a year for each change.
    rules = {o.name: o["RRULE"].to_ical().decode() for o in vtimezone.subcomponents}
    assert rules == {
        "DAYLIGHT": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "STANDARD": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    }
    onsets = zone_offsets(vtimezone, until=datetime(2036, 1, 1))
    other = vobject.readOne(text).vtimezone.gettzinfo()
    amsterdam = ZoneInfo("Europe/Amsterdam")
    wrong = [
        hour
        for hour in hours(2025, 2035)
        if offset_at(onsets, hour) != hour.astimezone(amsterdam).utcoffset()
    ]
    assert wrong == []
    # vobject (slow: dateutil) at noon every day and every hour around a change.
    wrong = [
        hour
        for hour in hours_near_changes(amsterdam, 2025, 2035)
        if hour.astimezone(other).utcoffset() != hour.astimezone(amsterdam).utcoffset()
    ]
    assert wrong == []
