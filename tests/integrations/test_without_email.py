"""Booking without e-mail: a mobile number only, the link by SMS (local CM.com gateway).

A product with ``email_required`` off takes an e-mail address, a mobile
number, or both. With the number alone the confirmation (the time, how, the
link), a move, a cancellation and the reminders go by text message.
"""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from fake_sms import FakeGateway
from helpers import AMS
from helpers import JSON
from helpers import at
from helpers import tomorrow
from helpers import use_smtp
import pytest
import re
import transaction


TOKEN = "0b6a1f0e-4c3d-4a8e-9d2f-7e6c5b4a3f21"
EVERY_DAY = [
    {"weekday": day, "start": "00:00", "end": "23:59", "counters": 3}
    for day in range(7)
]
LINK = re.compile(r"https?://\S+/@@my-appointment/\S+")


@pytest.fixture
def gateway():
    fake = FakeGateway(TOKEN).start()
    yield fake
    fake.stop()


def configure(manager, **settings):
    values = {"reminder_hours": 24, "video_sms_minutes": 30, "sms_sender": "Gemeente"}
    values.update(settings)
    response = manager.patch("@controlpanels/digitalebalie", json=values, headers=JSON)
    assert response.status_code == 204, response.text


@pytest.fixture
def site(functional, smtp, gateway, make_product, browser_as):
    controller, inbox = smtp
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    configure(manager, sms_gateway="cm", sms_gateway_url=f"{gateway.base}/v1.0/message")
    secrets.set_secret("sms_api_key", TOKEN)
    transaction.commit()

    def product(**fields):
        values = {
            "duration": 5,
            "min_notice_hours": 0,
            "opening_hours": EVERY_DAY,
            "channels": ["video"],
            "email_required": False,
        }
        return make_product(**{**values, **fields})

    return {"manager": manager, "product": product, "inbox": inbox}


def first_start(browser, product):
    """The first free slot from one minute on (within half an hour)."""
    now = datetime.now(AMS)
    response = browser.get(
        f"{product}/@slots",
        params={
            "start": now.date().isoformat(),
            "end": (now + timedelta(days=1)).date().isoformat(),
        },
        headers=JSON,
    )
    return next(
        s["start"]
        for s in response.json()["items"]
        if datetime.fromisoformat(s["start"])
        > now.astimezone(UTC) + timedelta(minutes=1)
    )


def book(browser, product, start, **contact):
    data = {"start": start, "fullname": "Henk de Vries", "language": "nl", **contact}
    return browser.post(f"{product}/@book", json=data, headers=JSON)


def deliver(session, **params):
    response = session.post(
        "@@digitalebalie-deliver",
        headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
        params=params,
    )
    assert response.status_code == 200, response.text
    return response.json()


def texts_to(gateway, number="0031612345678"):
    return [text for to, _sender, text, _ref in gateway.messages if to == number]


def test_a_mobile_number_only_gets_the_link_by_sms(browser, site, gateway):
    product = site["product"]()
    start = first_start(browser, product)
    response = book(browser, product, start, phone="06 12345678")
    assert response.status_code == 201, response.text
    assert deliver(browser)["failed"] == 0
    # Confirmation, reminder and "the video call starts soon"; no mail at all.
    texts = texts_to(gateway)
    assert len(texts) == 3, gateway.messages
    assert site["inbox"].messages == []
    (confirmation,) = [t for t in texts if "uw afspraak is op" in t]
    when = datetime.fromisoformat(start).astimezone(AMS).strftime("%H:%M")
    assert when in confirmation and "via video" in confirmation
    assert len(confirmation) < 240, confirmation
    assert any("herinnering" in t.lower() for t in texts)
    # The link works; the page says where it went, with the number masked.
    link = LINK.search(confirmation).group(0)
    page = browser.get(f"{link}?booked=1")
    assert page.status_code == 200
    assert "Henk de Vries" in page.text
    assert "06 •• •• 56 78" in page.text
    assert "0612345678" not in page.text and "+31612345678" not in page.text


def test_english_and_at_the_counter(browser, site, gateway):
    product = site["product"](channels=["counter"])
    start = first_start(browser, product)
    response = book(browser, product, start, phone="+31 6 12345678", language="en")
    assert response.status_code == 201, response.text
    deliver(browser)
    (confirmation,) = [t for t in texts_to(gateway) if "your appointment is on" in t]
    assert "at the counter" in confirmation and LINK.search(confirmation)


def test_move_and_cancel_go_by_sms_too(browser, site, gateway):
    product = site["product"]()
    day = tomorrow()
    token = book(browser, product, at(day, "10:00"), phone="0612345678").json()["token"]
    moved = browser.post(
        f"@appointment/{token}/reschedule",
        json={"start": at(day, "11:00")},
        headers=JSON,
    )
    assert moved.status_code == 200, moved.text
    cancelled = browser.post(f"@appointment/{token}/cancel", headers=JSON)
    assert cancelled.status_code in (200, 204), cancelled.text
    deliver(browser)
    texts = texts_to(gateway)
    assert any("verplaatst naar" in t and "11:00" in t for t in texts), texts
    assert any("geannuleerd" in t for t in texts), texts
    assert site["inbox"].messages == []


def test_both_given_mail_as_before(browser, site, gateway):
    product = site["product"]()
    response = book(
        browser,
        product,
        at(tomorrow(), "10:00"),
        phone="0612345678",
        email="h@example.nl",
    )
    assert response.status_code == 201
    deliver(browser)
    subjects = [m["Subject"] for m in site["inbox"].messages]
    assert any(s.startswith("Uw afspraak op") for s in subjects), subjects
    assert not any("uw afspraak is op" in t for t in texts_to(gateway))


@pytest.mark.parametrize(
    "contact,fields",
    [
        ({}, {"email", "phone"}),
        ({"phone": "020 123 4567"}, {"phone"}),  # a landline cannot get a text
        ({"phone": "12"}, {"phone"}),
        ({"email": "henk-at-example"}, {"email"}),
    ],
)
def test_no_way_to_reach_the_citizen_is_a_400(browser, site, contact, fields):
    product = site["product"]()
    response = book(browser, product, at(tomorrow(), "10:00"), **contact)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "ValidationError"
    assert set(error["fields"]) == fields


def test_a_product_that_needs_e_mail_refuses_a_number_only(browser, site):
    product = site["product"](email_required=True)
    response = book(browser, product, at(tomorrow(), "10:00"), phone="0612345678")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email"}


def test_without_a_gateway_a_number_only_is_refused(browser, site, gateway):
    configure(site["manager"], sms_gateway="none")
    product = site["product"]()
    response = book(browser, product, at(tomorrow(), "10:00"), phone="0612345678")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email"}


def test_the_employee_books_for_a_citizen_who_phoned(browser, site, gateway):
    product = site["product"]()
    manager = site["manager"]
    response = manager.get("@@new-appointment")
    values = manager.form_values(response, "new-appointment-form")
    soup = BeautifulSoup(response.text, "html.parser")
    title = manager.get(product, headers=JSON).json()["title"]
    (option,) = [
        o
        for o in soup.select("#field-product option")
        if o.text.startswith(f"{title} (")
    ]
    values.update(
        product=option["value"],
        date=tomorrow().isoformat(),
        time="10:00",
        fullname="Henk de Vries",
        email="",
        phone="06 12345678",
        channel="video",
        persons="1",
    )
    made = manager.post("@@new-appointment", data=values)
    assert made.status_code == 200, made.text[:3000]
    assert "text message with the link" in made.text
    assert "/appointments/" in made.url
    deliver(browser)
    (confirmation,) = [t for t in texts_to(gateway) if "uw afspraak is op" in t]
    assert LINK.search(confirmation)
    assert site["inbox"].messages == []


def test_text_confirmations_per_number_are_limited(browser, site, gateway, limits_on):
    limits_on(
        confirmation_mails_per_day=2,
        max_open_bookings_per_person=10,
        bookings_per_address_per_hour=100,
    )
    product = site["product"]()
    day = tomorrow()
    for hhmm in ("10:00", "11:00", "12:00"):
        response = book(browser, product, at(day, hhmm), phone="0612345678")
        assert response.status_code == 201, response.text
    deliver(browser)
    confirmations = [t for t in texts_to(gateway) if "uw afspraak is op" in t]
    assert len(confirmations) == 2
    outbox = site["manager"].get("@@digitalebalie-outbox").text
    assert "+31612345678" in outbox
