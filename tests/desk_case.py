"""What the tests of the employee's desk (tests/services/test_desk_*.py) share:
an appointment tomorrow at 10:00, its team's employee and the citizen's link."""

from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
import transaction


class DeskCase:
    """Anna of team "burgerzaken" (with an Authorization header) and an
    appointment for a product of her team, booked by a citizen."""

    def __init__(self, functional, browser, make_product, make_team, **product):
        self.portal = functional["portal"]
        self.db = functional["app"]._p_jar.db()
        self.browser = browser
        self.anna = make_team("burgerzaken", "anna")["anna"]
        self.product = make_product(teams=["burgerzaken"], **product)
        self.token = self.book("10:00")
        item = team_agenda(self.anna)[0]
        self.url, self.dossier = item["@id"], item["dossier"]
        self.room = self.url.rsplit("/", 1)[-1]  # the appointment's id

    def book(self, hhmm):
        """A citizen books the product tomorrow; returns their link's token."""
        response = book(self.browser, self.product, at(tomorrow(), hhmm))
        assert response.status_code == 201, response.text
        return response.json()["token"]

    def appointment(self):
        """The appointment, read in a fresh transaction (to change it in a test)."""
        transaction.begin()
        path = self.url.replace(self.portal.absolute_url() + "/", "")
        return self.portal.unrestrictedTraverse(path)

    def close_dossier(self):
        for transition in ("dossier-transition-start", "dossier-transition-close"):
            response = self.anna.post(
                f"{self.dossier}/@workflow/{transition}", headers=JSON
            )
            assert response.status_code == 200, response.text

    def ready(self):
        """What Plone writes on an employee's first request is written now;
        returns the database's last transaction, to see that nothing follows."""
        assert self.anna.get(self.url).status_code == 200
        transaction.begin()
        return self.db.lastTransaction()
