"""The walk-in queue's pages without JavaScript (issue 19): the product page's
"Talk to us now", the citizen's place in the queue, the agenda's queue."""

from bs4 import BeautifulSoup
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import PASSWORD
from helpers import Browser
from helpers import walk_in_all_day
import pytest


@pytest.fixture
def team(make_team):
    return make_team("burgerzaken", "anna", "bram")


@pytest.fixture
def product(make_product, team):
    return make_product(
        teams=["burgerzaken"],
        walk_in=True,
        walk_in_hours=walk_in_all_day(),
        channels=["video"],
    )


def text(response):
    return " ".join(BeautifulSoup(response.text, "html.parser").get_text().split())


def available(session):
    response = session.post("@availability", json={"available": True}, headers=JSON)
    assert response.status_code == 200, response.text


def join_by_form(browser, product, **fields):
    page = browser.get(product)
    values = browser.form_values(page, "walk-in-form")
    values.update({"walkin_fullname": "Fatima el Amrani", "walk_in": "1", **fields})
    return browser.post(product, data=values, allow_redirects=False)


def post_form(session, page, form_id, button, value="1"):
    values = session.form_values(page, form_id)
    values[button] = value
    form = BeautifulSoup(page.text, "html.parser").find("form", id=form_id)
    return session.post(form["action"], data=values, allow_redirects=False)


class TestProductPage:
    def test_nobody_available_offers_booking(self, browser, product):
        page = browser.get(product, headers={"Accept-Language": "en"})
        assert "Talk to us now (video)" in text(page)
        assert "Nobody is available for walk-ins at the moment" in text(page)
        soup = BeautifulSoup(page.text, "html.parser")
        assert soup.find("form", id="walk-in-form") is None
        assert soup.select_one("#walk-in a[href='#book']") is not None

    def test_closed_says_when_in_dutch(self, browser, make_product, team):
        tomorrow = datetime.now(AMS).date() + timedelta(days=1)
        product = make_product(
            teams=["burgerzaken"],
            walk_in=True,
            walk_in_hours=[
                {"weekday": tomorrow.weekday(), "start": "09:30", "end": "11:00"}
            ],
        )
        available(team["anna"])
        page = browser.get(product, headers={"Accept-Language": "nl"})
        assert "Spreek ons nu (video)" in text(page)
        assert "U kunt weer binnenlopen op" in text(page)
        assert "om 09:30" in text(page)

    def test_open_shows_the_wait_and_joins(self, browser, product, team):
        available(team["anna"])
        page = browser.get(product, headers={"Accept-Language": "en"})
        assert "Expected wait: about 10 minutes." in text(page)
        response = join_by_form(browser, product, walkin_phone="06 12345678")
        assert response.status_code == 303, response.text[:500]
        ticket = response.headers["Location"]
        assert "/@@queue-ticket/" in ticket
        page = browser.get(ticket, headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "You are number 1 in the queue: you are next." in text(page)
        soup = BeautifulSoup(page.text, "html.parser")
        place = soup.select_one(".dbalie-queue-place")
        assert place["aria-live"] == "polite"
        assert soup.find("a", string="Test your camera and microphone")
        second = join_by_form(browser, product, walkin_fullname="Jan de Vries")
        page = browser.get(
            second.headers["Location"], headers={"Accept-Language": "nl"}
        )
        assert "U bent nummer 2 in de wachtrij." in text(page)
        assert "Verwachte wachttijd: ongeveer 20 minuten." in text(page)

    def test_bad_input_keeps_what_was_typed(self, browser, product, team):
        available(team["anna"])
        response = join_by_form(
            browser, product, walkin_phone="12", walkin_fullname="Jan"
        )
        assert response.status_code == 400
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.find(id="walkin-phone-error")
        assert soup.find(id="walkin-fullname")["value"] == "Jan"
        assert soup.find(id="walkin-phone")["aria-invalid"] == "true"


class TestTicketPage:
    def test_leave_the_queue(self, browser, product, team):
        available(team["anna"])
        ticket = join_by_form(browser, product).headers["Location"]
        page = browser.get(ticket, headers={"Accept-Language": "en"})
        response = post_form(browser, page, "queue-leave", "leave")
        assert response.status_code == 303
        page = browser.get(ticket, headers={"Accept-Language": "en"})
        assert "You are no longer in the queue." in text(page)
        assert "Leave the queue" not in text(page)

    def test_callback_and_cancel(self, browser, product, team):
        available(team["anna"])
        join_by_form(browser, product)
        ticket = join_by_form(browser, product, walkin_fullname="Jan").headers[
            "Location"
        ]
        page = browser.get(ticket, headers={"Accept-Language": "en"})
        assert "Rather be called back?" in text(page)
        values = browser.form_values(page, "queue-callback")
        values.update({"phone": "06 87654321", "callback": "1"})
        assert browser.post(ticket, data=values, allow_redirects=False).status_code == (
            303
        )
        page = browser.get(ticket, headers={"Accept-Language": "en"})
        assert "We call you on +31687654321." in text(page)
        agenda = team["bram"].get("@@agenda")
        assert "+31687654321" in text(agenda)
        post_form(browser, page, "queue-cancel-callback", "cancel_callback")
        assert "+31687654321" not in text(team["bram"].get("@@agenda"))

    def test_device_test_while_waiting(self, browser, product, team):
        available(team["anna"])
        ticket = join_by_form(browser, product).headers["Location"]
        page = browser.get(f"{ticket}/device-test", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert "Test your camera and microphone" in text(page)
        token = browser.get(f"{ticket}/device-test/token")
        assert token.status_code == 200, token.text

    def test_unknown_ticket(self, browser):
        assert browser.get("@@queue-ticket/nothing-here").status_code == 404


class TestAgenda:
    def test_availability_queue_and_take(self, browser, product, team, portal_url):
        anna = team["anna"]
        agenda = anna.get("@@agenda")
        assert "You are not available for walk-ins." in text(agenda)
        response = post_form(anna, agenda, "walk-in-availability", "available", "1")
        assert response.status_code == 303
        agenda = anna.get("@@agenda")
        assert "You are available for walk-ins." in text(agenda)
        assert "Nobody is waiting." in text(agenda)
        ticket = join_by_form(browser, product).headers["Location"]
        agenda = anna.get("@@agenda")
        assert "1 waiting, longest wait: 0 min" in text(agenda)
        assert "Fatima el Amrani" in text(agenda)
        response = post_form(anna, agenda, "walk-in-take", "take")
        assert response.status_code == 303
        appointment = response.headers["Location"]
        assert appointment.endswith("#walk-in")
        desk = anna.get(appointment.split("#")[0])
        assert desk.status_code == 200
        assert "Fatima el Amrani" in text(desk)
        # The citizen's queue page leads into the appointment now.
        moved = browser.get(ticket, allow_redirects=False)
        assert moved.status_code == 303
        assert "/@@my-appointment/" in moved.headers["Location"]
        # Nobody left: taking again says so.
        agenda = anna.get("@@agenda")
        post_form(anna, agenda, "walk-in-take", "take")
        assert "Nobody is waiting." in text(anna.get("@@agenda"))

    def test_not_shown_without_walk_in_products(self, make_team):
        sessions = make_team("vergunningen", "carla")
        assert "Walk-in (video)" not in text(sessions["carla"].get("@@agenda"))

    def test_staff_forms_need_the_token(self, team, product, portal_url):
        session = Browser(portal_url, "en")
        session.auth = ("anna", PASSWORD)
        response = session.post("@@walk-in-staff", data={"available": "1"})
        assert response.status_code == 403
        assert team["anna"].get("@availability", headers=JSON).json() == {
            "available": False
        }
