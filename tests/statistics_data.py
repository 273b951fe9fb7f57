"""A known week of appointments for the statistics tests (HTTP and Chromium).

The appointments are booked for one week in March 2026 with the booking's own
clock set before it (``now``), and worked through their real steps: started
and completed, cancelled by the citizen (anonymous, through the link's code)
or by an employee (logged in), not come; payments asked and paid, identities,
satisfaction answers. Walk-ins get ``origin`` and ``waited_seconds`` directly
(the queue sets them).
"""

from collective.digitalebalie import agenda
from collective.digitalebalie import statistics
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.booking import actions
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import payments
from datetime import datetime
from helpers import AMS
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from zoneinfo import ZoneInfo
import transaction


UTC = ZoneInfo("UTC")
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # the booking's clock: before the week
WEEK = {"start": "2026-03-02", "end": "2026-03-08"}  # Monday to Sunday
PRODUCT_A = "Paspoort aanvragen"
PRODUCT_B = "Parkeervergunning"


def at(day, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 3, day, hour, minute, tzinfo=AMS)


class DataSet:
    """The appointments of the week; what happened to each is in ``make``."""

    def __init__(self, portal, product_a, product_b):
        self.portal = portal
        self.a = product_a
        self.b = product_b
        self.count = 0

    def book(self, product, when, channel="video", staff=False):
        self.count += 1
        data = {
            "start": when.isoformat(),
            "fullname": f"Inwoner {self.count}",
            "email": f"inwoner{self.count}@example.nl",
            "channel": channel,
            "any_time": staff,
        }
        if staff:
            login(self.portal, "anna")  # an employee books for a citizen who phoned
        else:
            logout()  # a citizen, on the website
        appointment, _token = actions.book(product, data, now=NOW, staff=staff)
        logout()
        return appointment

    def steps(self, appointment, *names):
        with api.env.adopt_roles(["Manager"]):
            for name in names:
                api.content.transition(appointment, transition=name)

    def pay(self, appointment, cents, paid):
        dossier = dossiers.of(appointment)
        with api.env.adopt_roles(["Manager"]):
            payment = payments.request_payment(
                dossier, appointment, cents, "Leges", "anna"
            )
            if paid:
                payments.update(dossier, payment, "paid")

    def make(self):
        a, b = self.a, self.b
        one = self.book(a, at(2, "09:00"))
        one.identity = digid.encrypt({"bsn": "999993653", "name": "x", "loa": "x"})
        self.steps(one, "start", "complete")
        self.pay(one, 7550, paid=True)
        two = self.book(a, at(2, "09:30"), channel="phone", staff=True)
        self.steps(two, "start", "complete")
        self.pay(two, 2400, paid=False)
        three = self.book(a, at(2, "10:00"))
        logout()  # the citizen, through the code of their link
        actions.cancel(three, now=NOW)
        four = self.book(a, at(3, "10:00"), channel="counter", staff=True)
        login(self.portal, "anna")  # an employee, on the agenda
        agenda.act(four, "cancel", "Ziek", now=NOW)
        logout()
        five = self.book(a, at(3, "11:00"))
        self.steps(five, "no_show")
        for hhmm, waited in (("09:00", 300), ("09:30", 600), ("10:00", 1200)):
            walk_in = self.book(a, at(4, hhmm), channel="counter", staff=True)
            walk_in.origin = "walk_in"
            walk_in.waited_seconds = waited
            self.steps(walk_in, "start", "complete")
        walk_in.identity = digid.encrypt({"scheme": "eherkenning", "kvk": "12345678"})
        statistics.note(walk_in)  # what the eHerkenning login does
        self.book(a, at(5, "14:00"))  # still to come
        ten = self.book(b, at(2, "09:00"))
        self.steps(ten, "start", "complete")
        later = self.book(b, datetime(2026, 3, 10, 9, 0, tzinfo=AMS))  # after the week
        self.steps(later, "start", "complete")
        for appointment, score in ((one, 5), (two, 3), (ten, 4), (later, 1)):
            satisfaction.answer(appointment, score, today=appointment.start.date())
        self.appointments = {"one": one, "ten": ten}
        transaction.commit()


def make_week(functional, make_team, make_product):
    """The two teams, the two products and the week's appointments (a DataSet)."""
    portal = functional["portal"]
    sessions = make_team("burgerzaken", "anna")
    sessions.update(make_team("vergunningen", "vera"))
    url_a = make_product(
        title=PRODUCT_A,
        teams=["burgerzaken"],
        channels=["video", "phone", "counter"],
    )
    url_b = make_product(title=PRODUCT_B, teams=["vergunningen"])
    a = portal[url_a.rsplit("/", 1)[1]]
    b = portal[url_b.rsplit("/", 1)[1]]
    dataset = DataSet(portal, a, b)
    dataset.make()
    dataset.sessions = sessions
    return dataset
