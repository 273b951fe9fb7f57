"""The walk-in queue over REST (issue 19): joining, the ticket, leaving, callbacks,
counter staff taking the next citizen; refusals in Dutch and English."""

from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import WALK_IN_ALL_DAY
from helpers import cookie_login
from helpers import origin
from helpers import walk_in_all_day
import pytest
import transaction


CITIZEN = {"fullname": "Fatima el Amrani", "language": "nl"}


@pytest.fixture
def team(make_team):
    """Anna and Bram serve the walk-in product; Carla is in another team."""
    sessions = make_team("burgerzaken", "anna", "bram")
    sessions.update(make_team("vergunningen", "carla"))
    return sessions


@pytest.fixture
def walk_in(make_product, team):
    def make(**fields):
        values = {
            "teams": ["burgerzaken"],
            "walk_in": True,
            "walk_in_hours": walk_in_all_day(),
            "channels": ["video"],
        }
        return make_product(**{**values, **fields})

    return make


@pytest.fixture
def product(walk_in):
    return walk_in()


def available(session, value=True):
    response = session.post("@availability", json={"available": value}, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json() == {"available": value}


def join(browser, product, accept=None, **data):
    headers = {**JSON, "Accept-Language": accept} if accept else JSON
    return browser.post(f"{product}/@queue", json={**CITIZEN, **data}, headers=headers)


def joined(browser, product, **data):
    response = join(browser, product, **data)
    assert response.status_code == 201, response.text
    return response.json()


def ticket(browser, token):
    response = browser.get(f"@queue-ticket/{token}", headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


def waiting(session):
    response = session.get("@queue", headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


class TestJoining:
    def test_nobody_available_is_closed_in_dutch_and_english(self, browser, product):
        dutch = join(browser, product, accept="nl")
        assert dutch.status_code == 409, dutch.text
        assert dutch.json()["error"]["type"] == "QueueClosed"
        assert "Er is nu niemand beschikbaar" in dutch.json()["error"]["message"]
        english = join(browser, product, accept="en")
        assert "Nobody is available" in english.json()["error"]["message"]

    def test_outside_the_hours_says_when_it_opens(self, browser, walk_in, team):
        # Only tomorrow, 10:00 to 12:00: closed now, opens tomorrow at 10:00.
        tomorrow = datetime.now(AMS).date() + timedelta(days=1)
        product = walk_in(
            walk_in_hours=[
                {"weekday": tomorrow.weekday(), "start": "10:00", "end": "12:00"}
            ]
        )
        available(team["anna"])
        response = join(browser, product, accept="en")
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["type"] == "QueueClosed"
        assert (
            error["opens"]
            == datetime(
                tomorrow.year, tomorrow.month, tomorrow.day, 10, 0, tzinfo=AMS
            ).isoformat()
        )
        assert "at 10:00" in error["message"]
        dutch = join(browser, product, accept="nl").json()["error"]["message"]
        assert "om 10:00" in dutch

    def test_product_without_walk_in_is_closed(self, browser, walk_in, team):
        product = walk_in(walk_in=False)
        available(team["anna"])
        response = join(browser, product)
        assert response.status_code == 409
        assert response.json()["error"]["type"] == "QueueClosed"

    def test_bad_input_is_400_and_nothing_joins(self, browser, product, team):
        available(team["anna"])
        for data in (
            {"fullname": "  "},
            {"language": "de"},
            {"phone": "12"},
            {"email": "no address"},
            {"fullname": "A\u202eB"},
        ):
            response = join(browser, product, **data)
            assert response.status_code == 400, (data, response.text)
            assert response.json()["error"]["type"] == "ValidationError"
        response = browser.post(f"{product}/@queue", data="[1]", headers=JSON)
        assert response.status_code == 400
        assert waiting(team["anna"])["items_total"] == 0

    def test_full_queue(self, browser, walk_in, team):
        product = walk_in(walk_in_max_queue=2)
        available(team["anna"])
        joined(browser, product)
        joined(browser, product)
        response = join(browser, product, accept="en")
        assert response.status_code == 409, response.text
        assert response.json()["error"]["type"] == "QueueFull"
        assert "The queue is full" in response.json()["error"]["message"]
        dutch = join(browser, product, accept="nl").json()["error"]["message"]
        assert "De wachtrij is vol" in dutch


class TestTicket:
    def test_place_and_wait(self, browser, product, team):
        available(team["anna"])
        first = joined(browser, product)
        assert first["position"] == 1
        # Fewer than 20 calls yet: 10 minutes a call, one employee.
        assert first["estimated_wait_minutes"] == 10
        assert "/@@queue-ticket/" in first["url"]
        assert len(first["token"]) >= 32  # at least 128 bits, base64
        second = joined(browser, product, fullname="Jan de Vries")
        assert (second["position"], second["estimated_wait_minutes"]) == (2, 20)
        # A second employee halves the wait.
        available(team["bram"])
        status = ticket(browser, second["token"])
        assert status["state"] == "waiting"
        assert (status["position"], status["estimated_wait_minutes"]) == (2, 10)
        # An employee who switches off no longer counts.
        available(team["bram"], False)
        assert ticket(browser, second["token"])["estimated_wait_minutes"] == 20

    def test_the_ticket_holds_no_other_persons_data(self, browser, product, team):
        available(team["anna"])
        joined(browser, product, fullname="Eerste Burger", phone="0612345678")
        second = joined(browser, product, fullname="Tweede Burger")
        text = browser.get(f"@queue-ticket/{second['token']}", headers=JSON).text
        assert "Eerste" not in text and "+31612345678" not in text

    def test_leaving_moves_the_next_up(self, browser, product, team):
        available(team["anna"])
        first = joined(browser, product)
        second = joined(browser, product, fullname="Jan de Vries")
        response = browser.post(
            f"@queue-ticket/{first['token']}/leave", json={}, headers=JSON
        )
        assert response.status_code == 200, response.text
        assert ticket(browser, first["token"])["state"] == "left"
        assert ticket(browser, second["token"])["position"] == 1
        again = browser.post(
            f"@queue-ticket/{first['token']}/leave",
            json={},
            headers={**JSON, "Accept-Language": "en"},
        )
        assert again.status_code == 409
        assert "no longer in the queue" in again.json()["error"]["message"]
        names = [item["fullname"] for item in waiting(team["anna"])["items"]]
        assert names == ["Jan de Vries"]

    def test_unknown_token(self, browser):
        for token in ("x" * 32, "x" * 500):
            response = browser.get(f"@queue-ticket/{token}", headers=JSON)
            assert response.status_code == 404
            assert response.json()["error"]["type"] == "NotFound"

    def test_callback_when_the_wait_is_long(self, browser, product, team):
        available(team["anna"])
        first = joined(browser, product)
        # Position 1 of 1 employee: 10 minutes, shorter than the 20 of the setting.
        short = browser.post(
            f"@queue-ticket/{first['token']}/callback",
            json={"phone": "06 12345678"},
            headers={**JSON, "Accept-Language": "en"},
        )
        assert short.status_code == 409, short.text
        assert "The wait is short" in short.json()["error"]["message"]
        second = joined(browser, product, fullname="Jan de Vries")
        assert ticket(browser, second["token"])["callback_possible"] is True
        bad = browser.post(
            f"@queue-ticket/{second['token']}/callback",
            json={"phone": "12"},
            headers=JSON,
        )
        assert bad.status_code == 400
        response = browser.post(
            f"@queue-ticket/{second['token']}/callback",
            json={"phone": "06 87654321"},
            headers=JSON,
        )
        assert response.status_code == 201, response.text
        assert response.json()["state"] == "left"
        assert response.json()["callback"]["phone"] == "+31687654321"
        # The team sees the request with the number; the queue is shorter.
        queue = waiting(team["anna"])
        assert [c["fullname"] for c in queue["callbacks"]] == ["Jan de Vries"]
        assert queue["callbacks"][0]["phone"] == "+31687654321"
        assert queue["items_total"] == 1
        # The citizen can cancel it.
        cancelled = browser.post(
            f"@queue-ticket/{second['token']}/callback/cancel", json={}, headers=JSON
        )
        assert cancelled.status_code == 200, cancelled.text
        assert "callback" not in cancelled.json()
        assert waiting(team["anna"])["callbacks"] == []

    def test_employee_marks_a_callback_done(self, browser, product, team):
        available(team["anna"])
        joined(browser, product)
        second = joined(browser, product, fullname="Jan de Vries")
        browser.post(
            f"@queue-ticket/{second['token']}/callback",
            json={"phone": "06 87654321"},
            headers=JSON,
        )
        (request,) = waiting(team["bram"])["callbacks"]
        response = team["bram"].post(
            f"@queue/callbacks/{request['id']}/done", json={}, headers=JSON
        )
        assert response.status_code == 200, response.text
        assert waiting(team["anna"])["callbacks"] == []
        assert "callback" not in ticket(browser, second["token"])


class TestStaff:
    def test_queue_of_the_teams_only(self, browser, product, team, portal_url):
        available(team["anna"])
        joined(browser, product)
        queue = waiting(team["bram"])
        assert queue["items_total"] == 1
        (item,) = queue["items"]
        assert item["fullname"] == "Fatima el Amrani"
        assert item["language"] == "nl"
        assert item["product"]["@id"] == product
        datetime.fromisoformat(item["waiting_since"])
        assert waiting(team["carla"])["items_total"] == 0
        assert browser.get("@queue", headers=JSON).status_code == 401
        nothing = team["carla"].post("@queue/next", json={}, headers=JSON)
        assert nothing.status_code == 409
        assert nothing.json()["error"]["type"] == "QueueEmpty"

    def test_take_the_next_citizen(
        self, browser, browser_as, product, team, functional
    ):
        available(team["anna"])
        first = joined(browser, product, phone="0612345678")
        second = joined(browser, product, fullname="Jan de Vries")
        response = team["bram"].post("@queue/next", json={}, headers=JSON)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["ticket"]["fullname"] == "Fatima el Amrani"
        appointment = body["appointment"]
        # The citizen's ticket now leads into the call with their own token.
        status = ticket(browser, first["token"])
        assert status["state"] == "in_call"
        assert status["appointment"].endswith(f"/@@my-appointment/{first['token']}")
        mine = browser.get(f"@appointment/{first['token']}", headers=JSON).json()
        assert mine["state"] == "in_progress"
        assert mine["channel"] == "video"
        # Bram's, now, with a dossier of its own.
        agenda = (
            team["bram"]
            .get(
                "@agenda",
                params={"start": datetime.now(AMS).date().isoformat(), "scope": "mine"},
                headers=JSON,
            )
            .json()["items"]
        )
        (item,) = [i for i in agenda if i["@id"] == appointment]
        assert item["assignee"]["id"] == "bram"
        assert item["channel"] == "video"
        assert item["state"] == "in_progress"
        started = datetime.fromisoformat(item["start"])
        assert abs((datetime.now(AMS) - started).total_seconds()) < 60
        transaction.begin()  # see what the server committed
        portal = functional["portal"]
        stored = portal["appointments"][appointment.rsplit("/", 1)[1]]
        assert stored.dossier_id in portal["dossiers"]
        assert stored.email == ""  # none given: no confirmation mail
        # The statistics count it as a walk-in, with how long the citizen waited.
        today = datetime.now(AMS).date().isoformat()
        figures = browser_as("Manager").get(
            "@counter-statistics", params={"start": today, "end": today}, headers=JSON
        )
        assert figures.status_code == 200, figures.text
        assert figures.json()["total"]["walk_ins"]["count"] == 1
        # The second is next, and now number 1.
        assert ticket(browser, second["token"])["position"] == 1
        after = team["anna"].post("@queue/next", json={}, headers=JSON).json()
        assert after["ticket"]["fullname"] == "Jan de Vries"
        assert team["anna"].post("@queue/next", json={}, headers=JSON).status_code == (
            409
        )
        # The statistics: two joined, two taken, how long they waited; no names.
        stats = team["bram"].get(f"{product}/@queue-statistics", headers=JSON)
        assert stats.status_code == 200, stats.text
        (day,) = stats.json()["items"]
        assert (day["joined"], day["taken"], day["left"]) == (2, 2, 0)
        assert 0 <= day["median_wait_minutes"] <= day["longest_wait_minutes"] < 5
        assert "Fatima" not in stats.text
        assert (
            team["carla"].get(f"{product}/@queue-statistics", headers=JSON).status_code
            == 403
        )
        bad = team["bram"].get(
            f"{product}/@queue-statistics", params={"start": "gisteren"}, headers=JSON
        )
        assert bad.status_code == 400

    def test_availability_needs_a_boolean(self, team):
        response = team["anna"].post(
            "@availability", json={"available": "yes"}, headers=JSON
        )
        assert response.status_code == 400
        assert team["anna"].get("@availability", headers=JSON).json() == {
            "available": False
        }

    def test_cross_site_writes_are_refused(self, team, portal_url, browser, product):
        available(team["anna"])
        joined(browser, product)
        anna = cookie_login(portal_url, "anna")
        evil = {
            "Origin": "https://evil.example",
            "Content-Type": "text/plain",
            "Accept": "application/json",
        }
        for path in ("@queue/next", "@availability"):
            response = anna.post(path, data='{"available": false}', headers=evil)
            assert response.status_code == 403, (path, response.text)
        assert waiting(team["anna"])["items_total"] == 1
        assert waiting(team["anna"])["available"] is True
        # From the site itself, as JSON: taken.
        own = {**JSON, "Origin": origin(portal_url)}
        assert anna.post("@queue/next", json={}, headers=own).status_code == 201
        anna.close()


class TestProductFields:
    def test_walk_in_fields_over_rest(self, browser_as, team):
        manager = browser_as("Manager", language="en")
        base = {
            "@type": "CounterProduct",
            "title": "Inloop",
            "duration": 10,
            "walk_in": True,
        }
        bad = manager.post(
            "",
            json={
                **base,
                "walk_in_hours": [{"weekday": 0, "start": "12:00", "end": "09:00"}],
            },
            headers=JSON,
        )
        assert bad.status_code == 400, bad.text
        assert "Walk-in hours" in bad.text
        good = manager.post(
            "", json={**base, "walk_in_hours": WALK_IN_ALL_DAY[:1]}, headers=JSON
        )
        assert good.status_code == 201, good.text
        product = manager.get(good.json()["@id"], headers=JSON).json()
        assert product["walk_in"] is True
        assert product["walk_in_max_queue"] == 20
        assert product["walk_in_hours"][0]["start"] == "00:00"


def test_logging_out_ends_availability(team, portal_url):
    anna = cookie_login(portal_url, "anna")
    own = {**JSON, "Origin": origin(portal_url)}
    response = anna.post("@availability", json={"available": True}, headers=own)
    assert response.json() == {"available": True}
    anna.get("logout")
    assert team["anna"].get("@availability", headers=JSON).json() == {
        "available": False
    }
    anna.close()
