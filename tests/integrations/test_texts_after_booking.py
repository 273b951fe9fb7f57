"""A citizen without e-mail hears of a payment request and of the note on what
happens next by text message too (issue 20), through the local CM.com gateway.

The pay text carries the provider's checkout page; the note's text says that
there is a message on the appointment page, with a new link (only its hash is
kept). Nothing goes when text messages are off, and the employee's page says
how the citizen was told.
"""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from fake_sms import FakeGateway
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
from helpers import use_smtp
import pytest
import re
import transaction


TOKEN = "5d1c7e2a-9b3f-4e6d-8a1c-2f4e6b8d0a13"
NUMBER = "0031612345678"
LINK = re.compile(r"https?://\S+/@@my-appointment/[\w-]+")
NOTE = "U krijgt de vergunning binnen 2 weken per post."


@pytest.fixture
def gateway():
    fake = FakeGateway(TOKEN).start()
    yield fake
    fake.stop()


def sms(manager, gateway_name, gateway):
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={
            "reminder_hours": 0,
            "video_sms_minutes": 0,
            "sms_gateway": gateway_name,
            "sms_gateway_url": f"{gateway.base}/v1.0/message",
            "sms_sender": "Gemeente",
        },
        headers=JSON,
    )
    assert response.status_code == 204, response.text


@pytest.fixture
def desk(functional, smtp, gateway, browser, browser_as, make_product, make_team):
    controller, inbox = smtp
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    sms(manager, "cm", gateway)
    secrets.set_secret("sms_api_key", TOKEN)
    transaction.commit()
    product = make_product(
        teams=["burgerzaken"], title="Rijbewijs", price="24.50", email_required=False
    )

    class Desk:
        def book(self, language="nl", hhmm="10:00"):
            """A booking with a mobile number only; the appointment's URL."""
            start = at(tomorrow(), hhmm)
            response = book(browser, product, start, email="", language=language)
            assert response.status_code == 201, response.text
            [item] = [i for i in team_agenda(anna) if i["start"] == start]
            return item["@id"]

        def deliver(self):
            response = browser.post(
                "@@digitalebalie-deliver",
                headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
            )
            assert response.status_code == 200, response.text
            return response.json()

        def texts(self, word):
            self.deliver()
            return [
                t for to, _s, t, _r in gateway.messages if to == NUMBER and word in t
            ]

        def sms_off(self):
            sms(manager, "none", gateway)

    found = Desk()
    found.anna, found.manager, found.inbox = anna, manager, inbox
    return found


def ask_payment(anna, url):
    """The employee's form without JavaScript; the page it leads back to."""
    page = BeautifulSoup(anna.get(url).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("@@payment-request"))
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    return anna.post(form["action"], data=values)


def payments(anna, url):
    response = anna.get(f"{url}/@payments", headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize(
    "language,words",
    [
        ("nl", ("betalen voor", "24,50", "Rijbewijs")),
        ("en", ("pay", "24.50", "Rijbewijs")),
    ],
)
def test_the_pay_link_goes_by_text_message(desk, language, words):
    url = desk.book(language=language)
    page = ask_payment(desk.anna, url)
    assert "The payment request is sent to the citizen by text message." in page.text
    listed = BeautifulSoup(page.text, "html.parser").select_one("#desk-payments li")
    assert "Sent by text message" in listed.text
    [payment] = payments(desk.anna, url)
    assert payment["sent_by"] == "sms"

    found = desk.texts(words[0])
    assert len(found) == 1, desk.texts("")
    [text] = found
    assert all(word in text for word in words), text
    # The provider's checkout page, nothing of ours that is secret.
    assert text.endswith(payment["pay_url"]), text
    assert not LINK.search(text)
    assert len(text) < 240, text
    assert desk.inbox.messages == []  # no mail at all


@pytest.mark.parametrize(
    "language,words",
    [
        ("nl", ("er is een bericht voor u", "hoe het verder gaat")),
        ("en", ("there is a message for you", "what happens next")),
    ],
)
def test_the_note_after_the_call_is_announced_by_text_message(
    desk, browser, language, words
):
    url = desk.book(language=language)
    response = desk.anna.post(f"{url}/@complete", json={"note": NOTE}, headers=JSON)
    assert response.status_code == 200, response.text

    [text] = desk.texts(words[0])
    assert words[1] in text, text
    assert NOTE not in text  # the note itself stays on the page
    link = LINK.search(text).group(0)
    assert len(text) < 240, text
    # The link opens the page with the note.
    page = browser.get(link)
    assert page.status_code == 200
    assert NOTE in page.text
    # Sent once: saving the note again sends nothing more.
    desk.manager.post(f"{url}/@outcome-note", json={"note": NOTE + " !"}, headers=JSON)
    assert len(desk.texts(words[0])) == 1
    # The employee's page says how the citizen heard of it.
    assert "already got a text message about the note" in desk.manager.get(url).text
    team = desk.anna.get(url).text  # completed: the team reads, no longer edits
    assert "got a text message that the note is on their appointment page" in team


def test_the_employee_form_without_javascript_says_text_message(desk):
    url = desk.book()
    page = BeautifulSoup(desk.anna.get(url).text, "html.parser")
    label = page.find("label", attrs={"for": "field-note"})
    assert "gets a text message that it is there" in label.text
    form = page.find("form", id="complete-form")
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    done = desk.anna.post(
        form["action"], data={**values, "note": NOTE, "complete": "1"}
    )
    assert done.status_code == 200, done.text
    assert "The citizen gets a text message that the note is on" in done.text
    assert desk.texts("er is een bericht voor u")


def test_nothing_goes_when_text_messages_are_off(desk):
    url = desk.book()
    other = desk.book(hhmm="11:00")
    desk.deliver()  # the confirmations
    before = len(desk.texts(""))
    desk.sms_off()

    page = ask_payment(desk.anna, url)
    assert "They have no e-mail address and text messages are off" in page.text
    [payment] = payments(desk.anna, url)
    assert payment["sent_by"] == "page"
    label = BeautifulSoup(desk.anna.get(other).text, "html.parser").find(
        "label", attrs={"for": "field-note"}
    )
    assert "sees this on their appointment page" in label.text
    response = desk.anna.post(f"{other}/@complete", json={"note": NOTE}, headers=JSON)
    assert response.status_code == 200, response.text

    assert desk.deliver()["sent"] == 0
    assert len(desk.texts("")) == before
    outbox = desk.manager.get("@@digitalebalie-outbox").text
    assert "betalen voor" not in outbox and "bericht voor u" not in outbox
