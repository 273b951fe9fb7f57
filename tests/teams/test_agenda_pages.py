"""The agenda page, staff-made appointments and the calendar feed, over HTTP."""

from bs4 import BeautifulSoup
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
from icalendar import Calendar
import pytest
import transaction


@pytest.fixture
def team(make_team):
    return make_team("burgerzaken", "anna", "bram")


@pytest.fixture
def product(make_product, team):
    return make_product(teams=["burgerzaken"], title="Paspoort aanvragen")


def page(session, **params):
    response = session.get("@@agenda", params=params)
    assert response.status_code == 200, response.text[:500]
    return response, BeautifulSoup(response.text, "html.parser")


def post_form(session, form):
    """Submit a form of the agenda page as a browser would."""
    values = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name:
            continue
        if field.name == "select":
            option = field.find("option", selected=True) or field.find("option")
            values[name] = option["value"]
        else:
            values[name] = field.get("value", field.text)
    return values


class TestAgendaPage:
    def test_anonymous_is_sent_to_login(self, browser):
        response = browser.get("@@agenda", allow_redirects=False)
        assert response.status_code in (302, 401)

    def test_today_and_upcoming_with_counts_and_search(self, browser, team, product):
        book(browser, product, at(tomorrow(), "09:00"), fullname="Jan de Vries")
        book(browser, product, at(tomorrow(), "10:00"), fullname="Mila Jansen")
        anna = team["anna"]
        _response, soup = page(anna, period="today", scope="team")
        assert "Jan de Vries" not in soup.text  # tomorrow is not today
        _response, soup = page(anna, period="upcoming", scope="team")
        rows = soup.select("table.dbalie-agenda-table tbody tr")
        assert [r.find("th").find("a").text for r in rows] == [
            "Jan de Vries",
            "Mila Jansen",
        ]
        assert "2" in soup.find("p", role="status").text
        _response, soup = page(anna, day=tomorrow().isoformat(), scope="team", q="mila")
        rows = soup.select("table.dbalie-agenda-table tbody tr")
        assert len(rows) == 1 and "Mila Jansen" in rows[0].text
        # Own appointments only: Anna got one of the two.
        _response, soup = page(anna, period="upcoming", scope="mine")
        assert len(soup.select("table.dbalie-agenda-table tbody tr")) == 1

    def test_all_teams_is_not_offered_to_employees(self, team, browser_as):
        _response, soup = page(team["anna"])
        assert soup.find("option", value="all") is None
        response = team["anna"].get("@@agenda", params={"scope": "all"})
        assert response.status_code == 403
        _response, soup = page(browser_as("Manager"), scope="all")
        assert soup.find("option", value="all") is not None

    def test_workflow_actions_and_cancel_with_message(self, browser, team, product):
        book(browser, product, at(tomorrow(), "09:00"))
        anna = team["anna"]
        _response, soup = page(anna, period="upcoming", scope="team")
        start = soup.find("button", value="start").find_parent("form")
        values = post_form(anna, start)
        values["action"] = "start"
        response = anna.post("@@agenda", data=values)
        assert response.status_code == 200
        assert "The appointment has started." in response.text
        _response, soup = page(anna, period="upcoming", scope="team")
        assert "In progress" in soup.find("tbody").text
        # Without the form's token nothing happens.
        values.pop("_authenticator")
        values["action"] = "complete"
        assert anna.post("@@agenda", data=values).status_code == 403
        cancel = soup.find("button", value="cancel").find_parent("form")
        values = post_form(anna, cancel)
        values["action"] = "cancel"
        values["message"] = "De medewerker is ziek. Maak een nieuwe afspraak."
        response = anna.post("@@agenda", data=values)
        assert "The appointment is cancelled" in response.text

    def test_no_show_only_after_the_start(self, browser, team, product):
        book(browser, product, at(tomorrow(), "09:00"))
        anna = team["anna"]
        _response, soup = page(anna, period="upcoming", scope="team")
        # Not offered before the time has come ...
        assert soup.find("button", value="no_show") is None
        start = soup.find("button", value="start").find_parent("form")
        assert "Start the conversation" in start.text
        # ... and refused when sent all the same.
        values = post_form(anna, start)
        values["action"] = "no_show"
        response = anna.post("@@agenda", data=values)
        assert "once the appointment has started" in response.text
        _response, soup = page(anna, period="upcoming", scope="team")
        assert "Booked" in soup.find("tbody").text

    def test_no_show_offered_once_started(self, functional, browser, team, product):
        book(browser, product, at(tomorrow(), "09:00"))
        anna = team["anna"]
        _response, soup = page(anna, period="upcoming", scope="team")
        url = soup.select_one("tbody th a")["href"]
        desk = BeautifulSoup(anna.get(url).text, "html.parser")
        assert desk.find("input", attrs={"name": "action", "value": "start"})
        assert desk.find("input", attrs={"name": "action", "value": "no_show"}) is None
        # The time has come (the ledger still lists it tomorrow).
        transaction.begin()
        portal = functional["portal"]
        appointment = portal.unrestrictedTraverse(
            url.replace(portal.absolute_url() + "/", "")
        )
        appointment.start = datetime.now(UTC) - timedelta(minutes=5)
        transaction.commit()
        _response, soup = page(anna, period="upcoming", scope="team")
        assert soup.find("button", value="no_show") is not None
        desk = BeautifulSoup(anna.get(url).text, "html.parser")
        assert desk.find("input", attrs={"name": "action", "value": "no_show"})

    def test_counts_agree_with_their_number(self, browser, team, product):
        anna = team["anna"]
        book(browser, product, at(tomorrow(), "09:00"))
        _response, soup = page(anna, period="upcoming", scope="team")
        assert soup.find("p", role="status").text.replace(":", " ").split()[:2] == [
            "1",
            "appointment",
        ]
        book(browser, product, at(tomorrow(), "10:00"))
        nl = {"Accept-Language": "nl"}
        response = anna.get(
            "@@agenda", params={"period": "upcoming", "scope": "team"}, headers=nl
        )
        status = BeautifulSoup(response.text, "html.parser").find("p", role="status")
        assert status.text.replace(":", " ").split()[:2] == ["2", "afspraken"]
        _response, soup = page(anna, period="today", scope="team")
        assert soup.find("p", role="status").text.replace(":", " ").split()[:2] == [
            "0",
            "appointments",
        ]

    def test_give_to_a_colleague_is_said_in_words(self, browser, team, product):
        book(browser, product, at(tomorrow(), "09:00"))
        response = team["anna"].get(
            "@@agenda",
            params={"period": "upcoming", "scope": "team"},
            headers={"Accept-Language": "nl"},
        )
        soup = BeautifulSoup(response.text, "html.parser")
        form = soup.find("select", attrs={"name": "assignee"}).find_parent("form")
        assert "Aan een collega geven" in form.find("button").text
        assert "Gesprek beginnen" in soup.find("button", value="start").text

    def test_reassign_to_a_team_member_only(self, browser, team, product, make_team):
        make_team("vergunningen", "carla")
        book(browser, product, at(tomorrow(), "09:00"))
        anna = team["anna"]
        _response, soup = page(anna, period="upcoming", scope="team")
        form = soup.find("select", attrs={"name": "assignee"}).find_parent("form")
        options = [o["value"] for o in form.find_all("option")]
        assert options == ["anna", "bram"]
        values = post_form(anna, form)
        values["assignee"] = "carla"
        response = anna.post("@@agenda", data=values)
        assert "Choose a member of the team." in response.text
        current = form.find("option", selected=True)["value"]
        target = values["assignee"] = "anna" if current == "bram" else "bram"
        response = anna.post("@@agenda", data=values)
        assert "The appointment is given to" in response.text
        mine = (
            team[target]
            .get(
                "@agenda",
                params={"start": tomorrow().isoformat(), "scope": "mine"},
                headers=JSON,
            )
            .json()["items"]
        )
        assert len(mine) == 1


class TestStaffMadeAppointments:
    def form(self, session):
        response = session.get("@@new-appointment")
        assert response.status_code == 200
        soup = BeautifulSoup(response.text, "html.parser")
        return soup, session.form_values(response, "new-appointment-form")

    def test_published_slot_and_the_citizen_gets_the_invitation(
        self, team, product, browser_as
    ):
        anna = team["anna"]
        soup, values = self.form(anna)
        assert "Paspoort aanvragen" in soup.find("select", id="field-product").text
        values.update(
            date=tomorrow().isoformat(),
            time="11:00",
            fullname="Piet Bakker",
            email="piet@example.nl",
            phone="0612345678",
            channel="phone",
        )
        response = anna.post("@@new-appointment", data=values)
        assert response.status_code == 200
        assert "Appointment made for Piet Bakker" in response.text
        assert "/appointments/" in response.url
        # The same confirmation as after booking online, with the link.
        outbox = browser_as("Manager").get("@@digitalebalie-outbox")
        soup = BeautifulSoup(outbox.text, "html.parser")
        (row,) = [r for r in soup.select("tbody tr") if "piet@example.nl" in r.text]
        # The link is there, its token masked: the manager reads, cannot use it.
        assert "@@my-appointment/***" in row.text
        assert 'method="REQUEST"' in row.text

    def test_wrong_time_keeps_input_and_offers_free_times(self, team, product):
        anna = team["anna"]
        _soup, values = self.form(anna)
        values.update(
            date=tomorrow().isoformat(),
            time="11:07",
            fullname="Piet Bakker",
            email="piet@example.nl",
        )
        response = anna.post("@@new-appointment", data=values)
        assert response.status_code == 409  # well formed, but no slot starts then
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.find(id="error-summary") is not None
        assert soup.find("input", id="field-fullname")["value"] == "Piet Bakker"
        assert "11:30" in soup.find(id="times").text

    def test_another_time_when_the_employee_decides(self, team, product):
        anna = team["anna"]
        _soup, values = self.form(anna)
        values.update(
            date=tomorrow().isoformat(),
            time="19:15",  # after opening hours
            any_time="1",
            fullname="Piet Bakker",
            email="piet@example.nl",
        )
        response = anna.post("@@new-appointment", data=values)
        assert "Appointment made for Piet Bakker" in response.text
        items = team_agenda(anna)
        assert [i["start"] for i in items] == [at(tomorrow(), "19:15")]

    def test_choice_of_dossier_for_a_citizen_with_an_open_one(self, team, product):
        anna = team["anna"]

        def make(hhmm, **extra):
            _soup, values = self.form(anna)
            values.update(
                date=tomorrow().isoformat(),
                time=hhmm,
                fullname="Piet Bakker",
                email="piet@example.nl",
                **extra,
            )
            return anna.post("@@new-appointment", data=values)

        first = make("09:00")
        assert "Appointment made for Piet Bakker" in first.text
        # The second time the employee is asked, and nothing is made yet.
        asked = make("10:00")
        assert asked.status_code == 400
        soup = BeautifulSoup(asked.text, "html.parser")
        choice = soup.find("fieldset", id="field-dossier")
        assert "This citizen has an open dossier for this product" in choice.text
        assert {i["value"] for i in choice.find_all("input")} == {"join", "new"}
        assert "Choose: add to the open dossier" in soup.find(id="error-summary").text
        assert len(team_agenda(anna)) == 1
        joined = make("10:00", dossier="join")
        separate = make("11:00", dossier="new")
        items = {i["start"]: i["dossier"] for i in team_agenda(anna)}
        assert items[at(tomorrow(), "10:00")] == items[at(tomorrow(), "09:00")]
        assert items[at(tomorrow(), "11:00")] != items[at(tomorrow(), "09:00")]
        assert "Appointment made" in joined.text and "Appointment made" in separate.text

    def test_rest_booking_by_staff_chooses_the_dossier(self, team, product):
        anna = team["anna"]

        def post(hhmm, **extra):
            return anna.post(
                f"{product}/@book",
                json={
                    "start": at(tomorrow(), hhmm),
                    "any_time": True,
                    "fullname": "Piet Bakker",
                    "email": "piet@example.nl",
                    **extra,
                },
                headers=JSON,
            )

        assert post("19:00").status_code == 201
        assert post("19:15").status_code == 201  # joins, as before
        assert post("19:30", dossier="new").status_code == 201
        wrong = post("19:45", dossier="maybe")
        assert wrong.status_code == 400
        assert wrong.json()["error"]["message"] == (
            "Choose: add to the open dossier, or start a new one."
        )
        items = {i["start"]: i["dossier"] for i in team_agenda(anna)}
        assert len(items) == 3
        assert items[at(tomorrow(), "19:15")] == items[at(tomorrow(), "19:00")]
        assert items[at(tomorrow(), "19:30")] != items[at(tomorrow(), "19:00")]

    def test_employee_of_another_team_cannot(self, make_team, product):
        carla = make_team("vergunningen", "carla")["carla"]
        response = carla.get("@@new-appointment")
        assert "None of your teams serves a counter product yet" in response.text
        response = carla.post(
            f"{product}/@book",
            json={
                "start": at(tomorrow(), "19:15"),
                "any_time": True,
                "fullname": "X",
                "email": "x@example.nl",
            },
            headers=JSON,
        )
        # Not of the product's team: treated as a citizen, and 19:15 is no slot.
        assert response.status_code == 409
        assert response.json()["error"]["type"] == "SlotUnavailable"

    def test_rest_booking_by_staff_hides_the_citizen_link(self, team, product):
        response = team["anna"].post(
            f"{product}/@book",
            json={
                "start": at(tomorrow(), "19:15"),
                "any_time": True,
                "fullname": "Piet Bakker",
                "email": "piet@example.nl",
            },
            headers=JSON,
        )
        assert response.status_code == 201, response.text
        assert "token" not in response.json()
        assert response.json()["assignee"] in ("anna", "bram")


class TestCalendarFeed:
    def test_feed_lists_own_appointments_without_citizen_names(
        self, browser, team, product
    ):
        book(browser, product, at(tomorrow(), "09:00"), fullname="Jan de Vries")
        book(browser, product, at(tomorrow(), "10:00"), fullname="Mila Jansen")
        anna = team["anna"]
        values = anna.form_values(anna.get("@@agenda-feed"), "feed-form")
        values["action"] = "create"
        response = anna.post("@@agenda-feed", data=values)
        url = BeautifulSoup(response.text, "html.parser").find(id="feed-url")["value"]
        assert "/@@calendar-feed/" in url
        feed = browser.get(url)  # no login: calendar programs have none
        assert feed.status_code == 200
        assert feed.headers["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(feed.content)
        events = calendar.walk("VEVENT")
        assert len(events) == 1  # the other one is Bram's
        assert events[0]["dtstart"].dt.isoformat() == at(tomorrow(), "09:00")
        assert "Paspoort aanvragen" in str(events[0]["summary"])
        assert b"Jan de Vries" not in feed.content
        assert calendar.walk("VTIMEZONE")
        # A new address revokes the old one; switching off revokes it too.
        response = anna.post("@@agenda-feed", data=values)
        second = BeautifulSoup(response.text, "html.parser").find(id="feed-url")[
            "value"
        ]
        assert browser.get(url).status_code == 404
        assert browser.get(second).status_code == 200
        values["action"] = "revoke"
        anna.post("@@agenda-feed", data=values)
        assert browser.get(second).status_code == 404

    def test_unknown_feed_is_404(self, browser):
        assert browser.get("@@calendar-feed/nothing-here").status_code == 404


class TestCancelledInTheAgenda:
    def test_cancelled_appointments_on_request(self, browser, team, product):
        kept = book(browser, product, at(tomorrow(), "09:00"), fullname="Jan de Vries")
        gone = book(browser, product, at(tomorrow(), "10:00"), fullname="Mila Jansen")
        assert kept.status_code == gone.status_code == 201
        token = gone.json()["token"]
        assert (
            browser.post(f"@appointment/{token}/cancel", headers=JSON).status_code
            == 200
        )
        anna = team["anna"]
        day = tomorrow().isoformat()
        # By default the agenda shows what will happen...
        _response, soup = page(anna, day=day, scope="team")
        names = [r.find("th").find("a").text for r in soup.select("tbody tr")]
        assert names == ["Jan de Vries"]
        assert not soup.find("input", id="agenda-cancelled").has_attr("checked")
        # ...and on request also who cancelled, marked so, without actions.
        _response, soup = page(anna, day=day, scope="team", cancelled="1")
        rows = soup.select("table.dbalie-agenda-table tbody tr")
        assert [r.find("th").find("a").text for r in rows] == [
            "Jan de Vries",
            "Mila Jansen",
        ]
        assert "Geannuleerd" in rows[1].text or "Cancelled" in rows[1].text
        assert rows[1].find("form") is None
        assert soup.find("input", id="agenda-cancelled").has_attr("checked")
        # The period links keep the choice.
        tabs = soup.select("ul.dbalie-tabs a[href]")
        assert tabs and all("cancelled=1" in a["href"] for a in tabs)
        # The same over REST.
        items = anna.get(
            "@agenda",
            params={"start": day, "end": day, "scope": "team", "cancelled": "true"},
            headers=JSON,
        ).json()["items"]
        assert [(i["fullname"], i["state"]) for i in items] == [
            ("Jan de Vries", "booked"),
            ("Mila Jansen", "cancelled"),
        ]
        plain = anna.get(
            "@agenda", params={"start": day, "end": day, "scope": "team"}, headers=JSON
        ).json()["items"]
        assert [i["fullname"] for i in plain] == ["Jan de Vries"]
        # The cancelled time is free again for others.
        again = book(browser, product, at(tomorrow(), "10:00"), fullname="Piet Bakker")
        assert again.status_code == 201


class TestStaffScreensInDutch:
    def appointment_page(self, browser, team, product, **book_data):
        book(browser, product, at(tomorrow(), "09:00"), **book_data)
        anna = team["anna"]
        url = team_agenda(anna)[0]["@id"]
        response = anna.get(url, headers={"Accept-Language": "nl"})
        assert response.status_code == 200
        return url, BeautifulSoup(response.text, "html.parser")

    def test_toolbar_state_and_language_in_dutch(self, browser, team, product):
        _url, soup = self.appointment_page(browser, team, product, language="nl")
        toolbar = soup.find(id="plone-contentmenu-workflow")
        assert toolbar is not None
        assert "Gemaakt" in toolbar.text and "Booked" not in toolbar.text
        facts = soup.find("dt", string="Taal").find_next("dd")
        assert facts.text.strip() == "Nederlands"

    def test_breadcrumb_names_the_citizen_and_the_local_time(
        self, browser, team, product
    ):
        url, soup = self.appointment_page(
            browser, team, product, fullname="Jan de Vries"
        )
        crumbs = soup.find(id="portal-breadcrumbs").text
        assert "Jan de Vries" in crumbs
        assert "09:00" in crumbs  # local time, not UTC
        assert "UTC" not in crumbs
        assert url.rsplit("/", 1)[-1] not in crumbs
        # Someone who may not work it gets no page, so no name either.
        response = browser.get(url, allow_redirects=False)
        assert "Jan de Vries" not in response.text
