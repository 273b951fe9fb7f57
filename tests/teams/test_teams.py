"""Teams: who gets an appointment, who sees it, and the @agenda service."""

from datetime import timedelta
from helpers import JSON
from helpers import at
from helpers import book
from helpers import tomorrow
import pytest


@pytest.fixture
def burgerzaken(make_team):
    return make_team("burgerzaken", "anna", "bram")


@pytest.fixture
def vergunningen(make_team):
    return make_team("vergunningen", "carla")


@pytest.fixture
def product(make_product, burgerzaken):
    return make_product(teams=["burgerzaken"])


def agenda(session, **params):
    return session.get("@agenda", params=params, headers=JSON)


class TestAssignment:
    def test_new_appointments_go_to_the_least_loaded_member(
        self, browser, burgerzaken, product
    ):
        day = tomorrow()
        for hhmm in ("09:00", "10:00", "11:00", "12:00"):
            assert book(browser, product, at(day, hhmm)).status_code == 201
        anna = agenda(burgerzaken["anna"], start=day.isoformat()).json()["items"]
        bram = agenda(burgerzaken["bram"], start=day.isoformat()).json()["items"]
        # Alternating: each has two, and no appointment is in both agendas.
        assert len(anna) == len(bram) == 2
        assert {i["assignee"]["id"] for i in anna} == {"anna"}
        assert {i["assignee"]["id"] for i in bram} == {"bram"}
        assert not {i["id"] for i in anna} & {i["id"] for i in bram}

    def test_load_counts_per_day_and_cancelling_frees_it(
        self, browser, burgerzaken, product
    ):
        day = tomorrow()
        first = book(browser, product, at(day, "09:00")).json()
        book(browser, product, at(day, "10:00"))
        # Anna (first alphabetically) had the first; cancel it: she is least loaded again.
        assert (
            browser.post(
                f"@appointment/{first['token']}/cancel", json={}, headers=JSON
            ).status_code
            == 200
        )
        book(browser, product, at(day, "11:00"))
        anna = agenda(burgerzaken["anna"], start=day.isoformat()).json()["items"]
        assert [i["start"] for i in anna] == [at(day, "11:00")]
        # Another day starts from zero.
        book(browser, product, at(day + timedelta(days=1), "09:00"))
        anna = agenda(
            burgerzaken["anna"], start=(day + timedelta(days=1)).isoformat()
        ).json()["items"]
        assert len(anna) == 1

    def test_product_without_team_is_seen_by_managers_only(
        self, browser, browser_as, make_product, burgerzaken
    ):
        product = make_product()
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        team = agenda(
            burgerzaken["anna"], start=tomorrow().isoformat(), scope="team"
        ).json()["items"]
        assert team == []
        manager = agenda(
            browser_as("Manager"), start=tomorrow().isoformat(), scope="all"
        ).json()["items"]
        assert len(manager) == 1
        assert manager[0]["assignee"] is None


class TestOnlyTheTeamSees:
    def test_other_team_cannot_see_or_work_the_appointment(
        self, browser, burgerzaken, vergunningen, product
    ):
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        mine = agenda(burgerzaken["anna"], start=tomorrow().isoformat(), scope="team")
        url = mine.json()["items"][0]["@id"]
        carla = vergunningen["carla"]
        page = carla.get(url, allow_redirects=False)
        assert page.status_code in (302, 401, 403, 404)
        assert "Fatima" not in page.text
        assert carla.get(f"{url}/@video", headers=JSON).status_code == 401
        listing = carla.get(f"{product}/@appointments", headers=JSON)
        assert listing.status_code == 200
        assert listing.json()["items"] == []
        team = agenda(carla, start=tomorrow().isoformat(), scope="team").json()
        assert team["items"] == []
        # Anna's team does see and work it.
        assert burgerzaken["bram"].get(url).status_code == 200
        assert "Fatima el Amrani" in burgerzaken["bram"].get(url).text

    def test_changing_the_product_team_moves_coming_appointments(
        self, browser, burgerzaken, vergunningen, product, browser_as
    ):
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        manager = browser_as("Manager")
        response = manager.patch(
            product, json={"teams": ["vergunningen"]}, headers=JSON
        )
        assert response.status_code == 204, response.text
        carla = agenda(
            vergunningen["carla"], start=tomorrow().isoformat(), scope="mine"
        ).json()["items"]
        assert len(carla) == 1
        anna = agenda(
            burgerzaken["anna"], start=tomorrow().isoformat(), scope="team"
        ).json()["items"]
        assert anna == []


class TestAgendaService:
    def test_anonymous_gets_401(self, browser):
        response = agenda(browser)
        assert response.status_code == 401

    def test_member_without_role_gets_401(self, browser_as):
        assert agenda(browser_as("Member")).status_code == 401

    def test_all_needs_the_right(self, burgerzaken, browser_as):
        response = agenda(burgerzaken["anna"], scope="all")
        assert response.status_code == 403
        assert response.json()["error"]["type"] == "Forbidden"
        assert agenda(browser_as("Manager"), scope="all").status_code == 200

    def test_fields_and_search(self, browser, burgerzaken, product):
        day = tomorrow()
        book(browser, product, at(day, "09:00"))
        book(browser, product, at(day, "10:00"), fullname="Jan de Vries")
        response = agenda(
            burgerzaken["anna"], start=day.isoformat(), scope="team", q="VRIES"
        )
        assert response.status_code == 200
        (item,) = response.json()["items"]
        assert item["fullname"] == "Jan de Vries"
        assert item["start"] == at(day, "10:00")
        assert item["state"] == "booked"
        assert item["product"]["title"].startswith("Product")
        assert item["assignee"]["fullname"] in ("Anna", "Bram")

    @pytest.mark.parametrize(
        "params,field",
        [
            ({"scope": "everything"}, "scope"),
            ({"start": "2026-13-01"}, "start"),
            ({"start": "2026-12-10", "end": "2026-12-01"}, "end"),
            ({"start": "2026-01-01", "end": "2026-12-31"}, "end"),
        ],
    )
    def test_bad_input_is_400(self, burgerzaken, params, field):
        response = agenda(burgerzaken["anna"], **params)
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]


class TestTeamsVocabulary:
    """Which teams there are is internal: anonymous visitors learn nothing."""

    URL = "@vocabularies/collective.digitalebalie.Teams"

    def test_anonymous_lists_nothing(self, browser, burgerzaken, product):
        response = browser.get(self.URL, headers=JSON)
        assert response.status_code in (401, 403) or response.json()["items"] == []
        assert "burgerzaken" not in response.text.lower()
        # Nor through the product's own REST answer or classic @@getVocabulary.
        assert "burgerzaken" not in browser.get(product, headers=JSON).text.lower()
        classic = browser.get(
            "@@getVocabulary", params={"name": "collective.digitalebalie.Teams"}
        )
        assert "burgerzaken" not in classic.text.lower()

    def test_an_editor_still_gets_the_teams(self, browser_as, burgerzaken, product):
        editor = browser_as("Editor")
        listed = editor.get(self.URL, headers=JSON)
        assert listed.status_code == 200, listed.text
        assert "burgerzaken" in [item["token"] for item in listed.json()["items"]]
        assert editor.get(product, headers=JSON).json()["teams"][0]["token"] == (
            "burgerzaken"
        )
