"""Text messages through a local gateway that speaks CM.com's API (and a generic one)."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from fake_sms import FakeGateway
from helpers import AMS
from helpers import JSON
from helpers import use_smtp
import pytest
import re
import transaction


TOKEN = "6d1f3a9e-0b2c-4f1e-9a57-3c2b1d0e8f77"
EVERY_DAY = [
    {"weekday": day, "start": "00:00", "end": "23:59", "counters": 3}
    for day in range(7)
]


@pytest.fixture
def gateway():
    fake = FakeGateway(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def site(functional, smtp, gateway, make_product, browser_as):
    controller, inbox = smtp
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    configure(manager, sms_gateway="cm", sms_gateway_url=f"{gateway.base}/v1.0/message")
    secrets.set_secret("sms_api_key", TOKEN)
    transaction.commit()
    product = make_product(
        duration=5, min_notice_hours=0, opening_hours=EVERY_DAY, channels=["video"]
    )
    return {"manager": manager, "product": product, "inbox": inbox}


def configure(manager, **settings):
    values = {"reminder_hours": 24, "video_sms_minutes": 30, "sms_sender": "Gemeente"}
    values.update(settings)
    response = manager.patch("@controlpanels/digitalebalie", json=values, headers=JSON)
    assert response.status_code == 204, response.text


def book_soon(browser, product, phone="06 12345678", language="nl"):
    """Book the first free slot from one minute on (within half an hour)."""
    now = datetime.now(AMS)
    response = browser.get(
        f"{product}/@slots",
        params={
            "start": now.date().isoformat(),
            "end": (now + timedelta(days=1)).date().isoformat(),
        },
        headers=JSON,
    )
    slot = next(
        s
        for s in response.json()["items"]
        if s["available"]
        # Counted in UTC: a minute after 02:59 summer time is 02:00 winter time.
        and datetime.fromisoformat(s["start"])
        > now.astimezone(UTC) + timedelta(minutes=1)
    )
    response = browser.post(
        f"{product}/@book",
        json={
            "start": slot["start"],
            "fullname": "Fatima el Amrani",
            "email": "fatima@example.nl",
            "phone": phone,
            "language": language,
        },
        headers=JSON,
    )
    assert response.status_code == 201, response.text
    return response.json()


def deliver(session, **params):
    response = session.post(
        "@@digitalebalie-deliver",
        headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
        params=params,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_reminder_and_video_sms_once_with_working_links(browser, site, gateway):
    book_soon(browser, site["product"])
    result = deliver(browser)
    assert result["failed"] == 0, result
    texts = {text for _number, _sender, text, _ref in gateway.messages}
    assert len(gateway.messages) == 2, gateway.messages
    assert {number for number, *_ in gateway.messages} == {"0031612345678"}
    assert {sender for _n, sender, *_ in gateway.messages} == {"Gemeente"}
    reminder = next(t for t in texts if "herinnering" in t.lower())
    video = next(t for t in texts if "videogesprek begint over 30 minuten" in t)
    for text in (reminder, video):
        link = re.search(r"https?://\S+/@@my-appointment/\S+", text).group(0)
        page = browser.get(link)
        assert page.status_code == 200
        assert "Fatima el Amrani" in page.text
    # The e-mail reminder went too; a second run sends nothing again.
    subjects = [m["Subject"] for m in site["inbox"].messages]
    assert any(s.startswith("Herinnering") for s in subjects), subjects
    again = deliver(browser)
    assert again["reminders"] == 0 and again["sent"] == 0
    assert len(gateway.messages) == 2


def test_english_text_for_an_english_booking(browser, site, gateway):
    book_soon(browser, site["product"], language="en")
    deliver(browser)
    texts = [text for _n, _s, text, _r in gateway.messages]
    assert any("your video appointment starts in 30 minutes" in t for t in texts), texts


def test_no_phone_no_text_message(browser, site, gateway):
    book_soon(browser, site["product"], phone="")
    deliver(browser)
    assert gateway.requests == 0
    assert len(site["inbox"].messages) == 2  # confirmation and reminder e-mails


def test_gateway_down_then_up_delivers(browser, site, gateway):
    gateway.fail_next = 100
    book_soon(browser, site["product"])
    result = deliver(browser)
    assert result["failed"] == 2 and gateway.messages == []
    outbox = site["manager"].get("@@digitalebalie-outbox").text
    assert "CM.com HTTP 500" in outbox
    gateway.fail_next = 0
    result = deliver(site["manager"], all=1)  # a manager's "send now"
    assert result["sent"] == 2
    assert len(gateway.messages) == 2


def test_wrong_token_is_retried_wrong_number_is_not(browser, site, gateway):
    secrets.set_secret("sms_api_key", "not-the-right-token")
    transaction.commit()
    book_soon(browser, site["product"])
    # A landline: a valid number (so the booking takes it), but the gateway
    # refuses to text it.
    book_soon(browser, site["product"], phone="010 123 4567")
    result = deliver(browser)
    assert result["failed"] == 4 and gateway.messages == []
    soup = BeautifulSoup(
        site["manager"].get("@@digitalebalie-outbox").text, "html.parser"
    )
    states = [row.find_all("td")[-1].text for row in soup.select("tbody tr")]
    assert sum("error 101" in s for s in states) == 4
    secrets.set_secret("sms_api_key", TOKEN)
    transaction.commit()
    result = deliver(site["manager"], all=1)
    # The good number's two messages go; the wrong number's are refused for good.
    assert result["sent"] == 2 and result["failed"] == 2
    assert deliver(site["manager"], all=1)["failed"] == 0
    soup = BeautifulSoup(
        site["manager"].get("@@digitalebalie-outbox").text, "html.parser"
    )
    failed = [
        r
        for r in soup.select("tbody tr")
        if r.find_all("td")[-1].text.startswith("Not sent: see the error")
    ]
    assert len(failed) == 2 and all("error 201" in r.text for r in failed)


def test_generic_gateway(browser, site, gateway):
    configure(
        site["manager"],
        sms_gateway="generic",
        sms_gateway_url=f"{gateway.base}/generic",
    )
    book_soon(browser, site["product"])
    assert deliver(browser)["failed"] == 0
    assert {number for number, *_ in gateway.messages} == {"+31612345678"}
    assert len(gateway.messages) == 2


def test_demo_keeps_text_messages_in_the_outbox(browser, site, gateway):
    configure(site["manager"], sms_gateway="none", mail_capture_only=True)
    book_soon(browser, site["product"])
    deliver(browser)
    assert gateway.requests == 0
    soup = BeautifulSoup(
        site["manager"].get("@@digitalebalie-outbox").text, "html.parser"
    )
    sms_rows = [r for r in soup.select("tbody tr") if "+31612345678" in r.text]
    assert len(sms_rows) == 2
    assert all("Kept here, not sent (demo setting)" in r.text for r in sms_rows)
    # In Dutch, in Dutch words.
    dutch = site["manager"].get(
        "@@digitalebalie-outbox", headers={"Accept-Language": "nl"}
    )
    rows = BeautifulSoup(dutch.text, "html.parser").select("tbody tr")
    sms_rows = [r for r in rows if "+31612345678" in r.text]
    assert all(
        "Hier bewaard, niet verstuurd (demo-instelling)" in r.text for r in sms_rows
    )
    assert "kept (demo)" not in dutch.text


def test_sender_is_checked_in_the_control_panel(site):
    response = site["manager"].patch(
        "@controlpanels/digitalebalie",
        json={"sms_sender": "Gemeente Voorbeeld"},
        headers=JSON,
    )
    assert response.status_code == 400
