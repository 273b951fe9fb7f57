"""The confirmation is composed by the delivery job, not in the booking: the
outbox holds an order without the secret link in clear, the job makes the mail
with the site's public address, and a retry sends the very same message."""

from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from collective.digitalebalie import credentials
from collective.digitalebalie.integrations import outbox
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import use_smtp
from imip import invitation
from plone import api
from Products.SiteAccess.VirtualHostMonster import manage_addVirtualHostMonster
from urllib.parse import urlsplit
import pytest
import re
import transaction


PUBLIC = "https://balie.gemeente.example"


@pytest.fixture
def site(functional, smtp, make_product, browser_as):
    controller, inbox = smtp
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    response = manager.patch(
        "@controlpanels/digitalebalie", json={"reminder_hours": 0}, headers=JSON
    )
    assert response.status_code == 204, response.text
    app = functional["app"]
    if "virtual_hosting" not in app.objectIds():
        manage_addVirtualHostMonster(app, "virtual_hosting")
        transaction.commit()
    return {
        "manager": manager,
        "key": credentials.get_secret("job_key"),
        "smtp": smtp,
        "inbox": inbox,
        "product": make_product(),
        "portal": functional["portal"],
    }


def public_url(url):
    """``url`` as a citizen reaches it behind the municipality's front server
    (Zope's VirtualHostMonster): https://balie.gemeente.example/..."""
    parts = urlsplit(url)
    host = urlsplit(PUBLIC).netloc
    site_path, rest = parts.path.lstrip("/").split("/", 1)
    return (
        f"{parts.scheme}://{parts.netloc}/VirtualHostBase/https/{host}:443/"
        f"{site_path}/VirtualHostRoot/{rest}"
    )


def book(browser, product, hour=10, email="fatima@example.nl"):
    day = datetime.now(AMS).date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=AMS)
    response = browser.post(
        public_url(f"{product}/@book"),
        json={"start": start.isoformat(), "fullname": "Fatima", "email": email},
        headers=JSON,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["url"].startswith(PUBLIC)
    return body["token"]


def deliver(browser, key):
    # The job reaches the site at its own (internal) address.
    response = browser.post(
        "@@digitalebalie-deliver", headers={"X-Digitalebalie-Job-Key": key}
    )
    assert response.status_code == 200, response.text
    return response.json()


def items():
    transaction.begin()
    return list(outbox.outbox().values())


def test_the_job_composes_the_mail_with_the_public_address(browser, site):
    token = book(browser, site["product"])
    [item] = items()
    # An order, not a message yet; the link's token is nowhere in clear.
    assert item.compose is not None and item.message == ""
    assert item.kind == "confirmation" and item.mto == "fatima@example.nl"
    assert item.subject.startswith("Uw afspraak op")
    assert token not in repr(vars(item))
    result = deliver(browser, site["key"])
    assert (result["sent"], result["failed"]) == (1, 0)
    [message] = site["inbox"].messages
    text = message.get_body(("plain",)).get_content()
    # The link the citizen got on the page, at the address they used.
    assert f"{PUBLIC}/@@my-appointment/{token}" in text
    [event] = invitation(message).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 0
    [item] = items()
    assert item.compose is None and item.sent is not None
    assert deliver(browser, site["key"])["sent"] == 0  # once


def test_outbox_page_shows_the_order_as_it_will_read(browser, site):
    token = book(browser, site["product"])
    page = site["manager"].get("@@digitalebalie-outbox")
    [row] = BeautifulSoup(page.text, "html.parser").select("tbody tr")
    assert "put together just before it is sent" in row.text
    assert "Beste Fatima," in row.text
    assert f"{PUBLIC}/@@my-appointment/***" in row.text
    assert token not in page.text
    assert "Waiting to be sent" in row.text


def test_a_retry_sends_the_message_composed_the_first_time(browser, site):
    controller, inbox = site["smtp"]
    controller.stop()
    token = book(browser, site["product"])
    result = deliver(browser, site["key"])
    assert (result["sent"], result["failed"]) == (0, 1)
    [item] = items()
    assert item.compose is None and item.attempts == 1
    made = item.message
    item.next_try = item.created  # due again now
    transaction.commit()
    back = Controller(inbox, hostname="127.0.0.1", port=controller.port)
    back.start()
    controller.stop = back.stop  # the fixture's teardown stops the new one
    assert deliver(browser, site["key"])["sent"] == 1
    [message] = inbox.messages
    assert f"Message-ID: {message['Message-ID']}" in made
    assert token in message.get_body(("plain",)).get_content()


def test_a_deleted_appointment_gets_no_confirmation(browser, site):
    token = book(browser, site["product"])
    transaction.begin()
    from collective.digitalebalie.booking import links

    appointment = links.find_by_token(token)
    with api.env.adopt_roles(["Manager"]):
        api.content.delete(appointment, check_linkintegrity=False)
    transaction.commit()
    result = deliver(browser, site["key"])
    assert (result["sent"], result["failed"]) == (0, 1)
    assert site["inbox"].messages == []
    [item] = items()
    assert item.state == "failed" and "no longer exists" in item.error
    assert deliver(browser, site["key"])["failed"] == 0  # not tried again


def test_a_new_identity_key_still_gives_a_working_link(browser, site):
    first = book(browser, site["product"])
    transaction.begin()
    credentials.set_secret("identity_key", credentials.generate_secret())
    transaction.commit()
    assert deliver(browser, site["key"])["sent"] == 1
    [message] = site["inbox"].messages
    text = message.get_body(("plain",)).get_content()
    fresh = re.search(r"/@@my-appointment/([^/\s]+)", text).group(1)
    assert fresh != first  # the sealed one could not be opened: a new link
    for token in (first, fresh):
        response = browser.get(f"@appointment/{token}", headers=JSON)
        assert response.status_code == 200, response.text
