"""An appointment of a team, its citizen's link, and the site's mail to a real SMTP server."""

from collective.digitalebalie import secrets
from collective.digitalebalie.booking import store
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
from helpers import use_smtp
from plone import api
import pytest
import transaction


class Desk:
    """One appointment booked tomorrow, as its citizen and its employee see it."""

    def __init__(self, portal, browser, anna, manager, product, inbox):
        self.portal = portal
        self.citizen = browser
        self.anna = anna
        self.manager = manager
        self.product = product
        self.inbox = inbox
        self.key = secrets.get_secret("job_key")

    def book(self, hhmm="10:00", language="nl", **data):
        """Book; returns (token, the appointment's URL)."""
        response = book(
            self.citizen,
            self.product,
            at(tomorrow(), hhmm),
            language=language,
            **data,
        )
        assert response.status_code == 201, response.text
        token = response.json()["token"]
        [item] = [
            i for i in team_agenda(self.anna) if i["start"] == at(tomorrow(), hhmm)
        ]
        return token, item["@id"]

    def appointment(self, url):
        transaction.begin()  # see what the requests committed
        return store.appointments_folder()._getOb(url.rsplit("/", 1)[-1])

    def product_object(self):
        transaction.begin()
        return api.content.get(path="/" + self.product.split("/", 4)[-1])

    def mine(self, token):
        """The citizen's appointment, as their page's script reads it."""
        response = self.citizen.get(f"@appointment/{token}", headers=JSON)
        assert response.status_code == 200, response.text
        return response.json()

    def deliver(self):
        """Run the delivery job once; the number of messages sent."""
        response = self.citizen.post(
            "@@digitalebalie-deliver", headers={"X-Digitalebalie-Job-Key": self.key}
        )
        assert response.status_code == 200, response.text
        return response.json()["sent"]

    def outcome_mails(self):
        subjects = (
            "Hoe het verder gaat na uw afspraak",
            "What happens next after your appointment",
        )
        return [m for m in self.inbox.messages if m["Subject"] in subjects]


@pytest.fixture
def desk(functional, smtp, browser, browser_as, make_product, make_team):
    controller, inbox = smtp
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    response = manager.patch(
        "@controlpanels/digitalebalie", json={"reminder_hours": 0}, headers=JSON
    )
    assert response.status_code == 204, response.text
    product = make_product(teams=["burgerzaken"])
    return Desk(functional["portal"], browser, anna, manager, product, inbox)
