"""The statistics (statistics.py, figures.py): a known week (statistics_data.py),
then the exact figures over HTTP; who may see them; bad input; the page, CSV."""

from bs4 import BeautifulSoup
from collective.digitalebalie import figures
from collective.digitalebalie import statistics
from collective.digitalebalie.booking import actions
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers import retention
from datetime import date
from helpers import ACCEPT
from helpers import PASSWORD
from helpers import Browser
from plone import api
from plone.app.testing import logout
from statistics_data import NOW
from statistics_data import PRODUCT_A
from statistics_data import PRODUCT_B
from statistics_data import WEEK
from statistics_data import at
from statistics_data import make_week
import csv
import io
import pytest
import transaction


@pytest.fixture
def data(functional, make_team, make_product):
    return make_week(functional, make_team, make_product)


@pytest.fixture
def manager(browser_as):
    return browser_as("Manager")


@pytest.fixture
def lead(functional, data, portal_url):
    """Anna's colleague Lotte leads the team burgerzaken."""
    portal = functional["portal"]
    portal.acl_users.userFolderAddUser(
        "lotte", PASSWORD, ["Member", statistics.TEAM_LEAD_ROLE], []
    )
    with api.env.adopt_roles(["Manager"]):
        api.group.add_user(groupname="burgerzaken", username="lotte")
    transaction.commit()
    session = Browser(portal_url, "en")
    session.auth = ("lotte", PASSWORD)
    return session


def get(session, **params):
    return session.get("@counter-statistics", params=params, headers=ACCEPT)


A_FIGURES = {
    "booked": 9,
    "completed": 5,
    "open": 1,
    "cancelled": {"total": 2, "by_citizen": 1, "by_staff": 1},
    "no_show": 1,
    "staff_made": 5,
    "walk_ins": {
        "count": 3,
        "waiting_median_seconds": 600,
        "waiting_p90_seconds": 1200,
    },
    "channels": {"video": 4, "phone": 1, "counter": 4},
    "identified": {"digid": 1, "eherkenning": 1, "total": 2, "share": 0.2857},
    "payments": {
        "asked": {"count": 2, "amount_cents": 9950},
        "paid": {"count": 1, "amount_cents": 7550},
    },
    # Fewer than five answers: how many, not their scores.
    "satisfaction": {"count": 2, "mean": None, "distribution": None, "hidden": True},
}
B_FIGURES = {
    "booked": 1,
    "completed": 1,
    "open": 0,
    "cancelled": {"total": 0, "by_citizen": 0, "by_staff": 0},
    "no_show": 0,
    "staff_made": 0,
    "walk_ins": {
        "count": 0,
        "waiting_median_seconds": None,
        "waiting_p90_seconds": None,
    },
    "channels": {"video": 1, "phone": 0, "counter": 0},
    "identified": {"digid": 0, "eherkenning": 0, "total": 0, "share": 0.0},
    "payments": {
        "asked": {"count": 0, "amount_cents": 0},
        "paid": {"count": 0, "amount_cents": 0},
    },
    # Fewer than five answers: how many, not their scores.
    "satisfaction": {"count": 1, "mean": None, "distribution": None, "hidden": True},
}
TOTAL = {
    "booked": 10,
    "completed": 6,
    "open": 1,
    "cancelled": {"total": 2, "by_citizen": 1, "by_staff": 1},
    "no_show": 1,
    "staff_made": 5,
    "walk_ins": A_FIGURES["walk_ins"],
    "channels": {"video": 5, "phone": 1, "counter": 4},
    "identified": {"digid": 1, "eherkenning": 1, "total": 2, "share": 0.25},
    "payments": A_FIGURES["payments"],
    # Fewer than five answers: how many, not their scores.
    "satisfaction": {"count": 3, "mean": None, "distribution": None, "hidden": True},
}


def heat(data):
    """{(weekday, hour): n} of the non-zero cells."""
    counts = data["busiest_hours"]["counts"]
    return {
        (day, hour): n
        for day, row in enumerate(counts)
        for hour, n in enumerate(row)
        if n
    }


class TestFigures:
    def test_the_week_for_a_manager(self, data, manager):
        response = get(manager, **WEEK)
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "private, no-store"
        body = response.json()
        assert body["start"] == "2026-03-02" and body["end"] == "2026-03-08"
        assert body["total"] == TOTAL
        products = {p["title"]: p["figures"] for p in body["products"]}
        assert products == {PRODUCT_A: A_FIGURES, PRODUCT_B: B_FIGURES}
        teams = {t["id"]: t["figures"] for t in body["teams"]}
        assert teams == {"burgerzaken": A_FIGURES, "vergunningen": B_FIGURES}
        # Monday 9-10: two of A and one of B; the cancelled ones are not busy.
        assert heat(body) == {(0, 9): 3, (1, 11): 1, (2, 9): 2, (2, 10): 1, (3, 14): 1}

    def test_one_product_and_one_day(self, data, manager):
        uid = api.content.get_uuid(data.b)
        body = get(manager, product=uid, **WEEK).json()
        assert body["total"] == B_FIGURES
        assert [p["title"] for p in body["products"]] == [PRODUCT_B]
        body = get(manager, start="2026-03-04", end="2026-03-04").json()
        assert body["total"]["booked"] == 3
        assert body["total"]["walk_ins"]["waiting_median_seconds"] == 600
        assert body["total"]["satisfaction"]["count"] == 0
        body = get(manager, start="2026-03-10", end="2026-03-10").json()
        assert body["total"]["completed"] == 1
        assert body["total"]["satisfaction"] == {
            "count": 1,
            "mean": None,
            "distribution": None,
            "hidden": True,
        }

    def test_no_personal_data_in_the_answer(self, data, manager):
        text = get(manager, **WEEK).text
        for word in ("Inwoner", "inwoner1@example.nl", "999993653", "12345678", "Ziek"):
            assert word not in text
        for appointment in data.appointments.values():
            assert appointment.getId() not in text

    def test_figures_survive_the_retention_purge(self, data, manager):
        before = get(manager, **WEEK).json()
        one = data.appointments["one"]
        with api.env.adopt_roles(["Manager"]):
            retention.destroy(dossiers.of(one))
            retention.anonymize(data.appointments["ten"])
            # Whatever writes the rows again later (a repair, an upgrade):
            statistics.rebuild()
        transaction.commit()
        assert one.fullname == retention.REMOVED and dossiers.of(one) is None
        after = get(manager, **WEEK).json()
        assert after["total"] == before["total"] == TOTAL

    def test_a_folder_counts_its_own_products(self, data, manager):
        with api.env.adopt_roles(["Manager"]):
            folder = api.content.create(
                container=data.portal, type="Folder", id="balie", title="Balie"
            )
            api.content.move(source=data.a, target=folder)
        transaction.commit()
        response = manager.get(
            f"{folder.absolute_url()}/@counter-statistics", params=WEEK, headers=ACCEPT
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert [p["title"] for p in body["products"]] == [PRODUCT_A]
        assert body["total"] == A_FIGURES
        # The other product is not in this folder.
        other = get(manager, product=api.content.get_uuid(data.b), **WEEK)
        assert other.status_code == 200
        response = manager.get(
            f"{folder.absolute_url()}/@counter-statistics",
            params={**WEEK, "product": api.content.get_uuid(data.b)},
            headers=ACCEPT,
        )
        assert response.status_code == 400

    def test_moving_an_appointment_moves_its_figures(self, data, manager):
        appointment = data.book(data.a, at(6, "09:00"))
        transaction.commit()
        assert (
            get(manager, start="2026-03-06", end="2026-03-06").json()["total"]["booked"]
            == 1
        )
        logout()  # the citizen moves it, with their link
        actions.reschedule(appointment, at(16, "09:00").isoformat(), now=NOW)
        transaction.commit()
        assert (
            get(manager, start="2026-03-06", end="2026-03-06").json()["total"]["booked"]
            == 0
        )
        assert (
            get(manager, start="2026-03-16", end="2026-03-16").json()["total"]["booked"]
            == 1
        )


class TestWhoSeesThem:
    def test_anonymous(self, data, browser):
        assert get(browser, **WEEK).status_code == 401
        response = browser.get("@@counter-statistics", allow_redirects=False)
        assert response.status_code in (302, 401)

    def test_counter_employee_without_the_lead_role(self, data):
        vera = data.sessions["vera"]
        assert get(vera, **WEEK).status_code == 401
        assert vera.get("@@counter-statistics", allow_redirects=False).status_code in (
            302,
            401,
            403,
        )

    def test_a_team_lead_sees_their_teams_only(self, data, lead):
        response = get(lead, **WEEK)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == A_FIGURES
        assert [t["id"] for t in body["teams"]] == ["burgerzaken"]
        assert [p["title"] for p in body["products"]] == [PRODUCT_A]
        # Another team's product: nothing of it.
        other = get(lead, product=api.content.get_uuid(data.b), **WEEK).json()
        assert other["total"]["booked"] == 0
        assert other["total"]["satisfaction"]["count"] == 0

    def test_the_team_lead_s_page(self, data, lead):
        response = lead.get("@@counter-statistics", params=WEEK)
        assert response.status_code == 200
        soup = BeautifulSoup(response.text, "html.parser")
        names = [
            row.th.text.strip()
            for row in soup.select("table.dbalie-statistics-table tbody tr")
        ]
        assert names == [PRODUCT_A, "Burgerzaken"]

    def test_a_lead_role_without_a_team_sees_nothing(self, data, make_user, portal_url):
        make_user("loner", ["Member", statistics.TEAM_LEAD_ROLE])
        session = Browser(portal_url, "en")
        session.auth = ("loner", PASSWORD)
        response = get(session, **WEEK)
        assert response.status_code == 403
        assert response.json()["error"]["type"] == "Forbidden"


class TestBadInput:
    @pytest.mark.parametrize(
        "params,field",
        [
            ({}, "start"),
            ({"start": "2026-03-02"}, "end"),
            ({"start": "2-3-2026", "end": "2026-03-08"}, "start"),
            ({"start": "2026-03-02", "end": "2026-02-30"}, "end"),
            ({"start": "2026-03-08", "end": "2026-03-02"}, "end"),
            ({"start": "2025-01-01", "end": "2026-03-02"}, "end"),
            (
                {"start": "2026-03-02", "end": "2026-03-08", "product": "nope"},
                "product",
            ),
        ],
    )
    def test_refused_with_a_reason(self, functional, manager, params, field):
        response = get(manager, **params)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "ValidationError"
        assert field in error["fields"]

    def test_a_repeated_field(self, functional, manager):
        response = manager.get(
            "@counter-statistics?start=2026-03-02&start=2026-03-03&end=2026-03-08",
            headers=ACCEPT,
        )
        assert response.status_code == 400
        assert response.json()["error"]["type"] == "ValidationError"

    def test_a_year_is_allowed(self, functional, manager):
        response = get(manager, start="2025-03-03", end="2026-03-03")
        assert response.status_code == 200, response.text


class TestPage:
    def test_the_page_shows_the_figures_in_tables(self, data, manager):
        manager.headers["Accept-Language"] = "en"
        response = manager.get("@@counter-statistics", params=WEEK)
        assert response.status_code == 200, response.text[:500]
        soup = BeautifulSoup(response.text, "html.parser")
        captions = [c.text.strip() for c in soup.find_all("caption")]
        assert "In total" in captions
        assert "Appointments by weekday and hour" in captions
        summary = {
            row.th.text.strip(): row.td.text.strip()
            for row in soup.select("table.dbalie-statistics-summary tbody tr")
        }
        assert summary["Appointments made"] == "10"
        assert summary["Cancelled by the citizen"] == "1"
        assert summary["Walk-ins"] == (
            "3 (waiting time: median 10 min 00 s, 90% within 20 min 00 s)"
        )
        assert summary["Payments paid"] == "1 (€75.50)"
        assert summary["Share identified (of the appointments not cancelled)"] == "25%"
        heat_table = soup.select_one("table.dbalie-heat-table")
        assert all(th.get("scope") for th in heat_table.find_all("th"))
        monday = heat_table.select("tbody tr")[0]
        assert monday.th.text == "Monday"
        assert soup.select_one(".dbalie-heat-map-picture svg") is not None
        assert "Inwoner" not in response.text

    def test_dutch_with_a_default_period(self, data, manager, functional):
        manager.headers["Accept-Language"] = "nl"
        response = manager.get("@@counter-statistics")
        assert response.status_code == 200
        soup = BeautifulSoup(response.text, "html.parser")
        start = soup.find("input", id="statistics-start")["value"]
        end = soup.find("input", id="statistics-end")["value"]
        assert (date.fromisoformat(end) - date.fromisoformat(start)).days == 29
        assert soup.find("h1").text.strip() == "Statistieken van de balie"

    def test_a_wrong_period_is_said_in_words(self, functional, manager):
        manager.headers["Accept-Language"] = "en"
        response = manager.get(
            "@@counter-statistics", params={"start": "2026-03-08", "end": "2026-03-02"}
        )
        assert response.status_code == 400
        soup = BeautifulSoup(response.text, "html.parser")
        assert "The end date is before the start date." in soup.find(role="alert").text

    def test_csv_download(self, data, manager):
        response = manager.get("@@counter-statistics", params={**WEEK, "format": "csv"})
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        by_title = {row["title"]: row for row in rows}
        assert by_title[PRODUCT_A]["booked"] == "9"
        assert by_title[PRODUCT_A]["payments_paid_cents"] == "7550"
        assert by_title["Burgerzaken"]["kind"] == "team"
        assert rows[0]["kind"] == "total" and rows[0]["booked"] == "10"
        assert rows[0]["waiting_p90_seconds"] == "1200"


class TestNobodysAnswerIsRecognised:
    """Satisfaction scores only of groups of five answers or more, and never
    one that the total minus the others would give away."""

    def answers(self, appointment, *scores):
        for score in scores:  # as the answers of other citizens that day
            statistics.note_answer(appointment, appointment.start.date(), score)
        transaction.commit()

    def test_a_few_answers_show_only_their_number(self, data, manager):
        manager.headers["Accept-Language"] = "en"
        response = manager.get("@@counter-statistics", params=WEEK)
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.select_one("table.dbalie-statistics-satisfaction") is None
        assert (
            " ".join(soup.select_one(".dbalie-statistics-hidden").text.split())
            == "Answers: 3. The scores are shown only from 5 answers, so that "
            "nobody's answer can be recognised. Choose a longer period or more "
            "products."
        )
        rows = manager.get("@@counter-statistics", params={**WEEK, "format": "csv"})
        total = next(csv.DictReader(io.StringIO(rows.text)))
        assert total["satisfaction_count"] == "3"
        assert total["satisfaction_mean"] == "" and total["satisfaction_5"] == ""

    def test_the_complement_is_hidden_too(self, data, manager):
        # A has five answers, B one: the total less A would be B's one answer.
        self.answers(data.appointments["one"], 5, 4, 4)
        body = get(manager, **WEEK).json()
        assert body["total"]["satisfaction"] == {
            "count": 6,
            "mean": 4.17,
            "distribution": {"1": 0, "2": 0, "3": 1, "4": 3, "5": 2},
            "hidden": False,
        }
        by_title = {p["title"]: p["figures"]["satisfaction"] for p in body["products"]}
        assert by_title[PRODUCT_B]["hidden"] and by_title[PRODUCT_A]["hidden"]
        teams = {t["id"]: t["figures"]["satisfaction"] for t in body["teams"]}
        assert teams["burgerzaken"]["hidden"] and teams["vergunningen"]["hidden"]
        # B gets five answers as well: every group shows its scores.
        self.answers(data.appointments["ten"], 2, 2, 3, 3)
        body = get(manager, **WEEK).json()
        by_title = {p["title"]: p["figures"]["satisfaction"] for p in body["products"]}
        assert by_title[PRODUCT_A]["distribution"] == {
            "1": 0,
            "2": 0,
            "3": 1,
            "4": 2,
            "5": 2,
        }
        assert by_title[PRODUCT_B]["mean"] == 2.8
        manager.headers["Accept-Language"] = "en"
        soup = BeautifulSoup(
            manager.get("@@counter-statistics", params=WEEK).text, "html.parser"
        )
        scores = soup.select("table.dbalie-statistics-satisfaction tbody td")
        assert [td.text for td in scores] == ["0", "2", "3", "3", "2"]
        assert soup.select_one(".dbalie-statistics-hidden") is None


def test_median_and_nearest_rank_percentile():
    assert figures.percentile([5, 1, 3, 2, 4], 90) == 5
    assert figures.percentile(list(range(1, 11)), 90) == 9
    assert figures.percentile([], 90) is None
    assert figures.median([1, 2]) == 1.5
    assert figures.median([60, 120, 600]) == 120
