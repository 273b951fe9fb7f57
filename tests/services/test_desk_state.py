"""The rest of the employee's desk as fetches (issue 17): asking for DigiD, the
appointment's workflow steps (plone.restapi's @workflow), inviting a guest; and,
for every desk service, who may use it and that another site cannot.

The employee logs in as in a browser (the ``__ac`` cookie) where the test is
about what the page's own fetch may do; elsewhere with an Authorization header.
"""

from bs4 import BeautifulSoup
from collective.digitalebalie.integrations import digid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from desk_case import DeskCase
from fake_rooms import room_server  # noqa: F401 - a fixture
from helpers import ACCEPT
from helpers import JSON
from helpers import at
from helpers import book
from helpers import cookie_login
from helpers import origin
from helpers import tomorrow
import pytest
import requests
import transaction


EVIL = "https://evil.example"
ASK = {"amount": "24,50", "description": "Rijbewijs"}


class Desk(DeskCase):
    def __init__(self, *fixtures):
        super().__init__(*fixtures, title="Rijbewijs")

    def state(self):
        response = self.anna.get(f"{self.url}/@workflow", headers=ACCEPT)
        assert response.status_code == 200, response.text
        return response.json()["state"]["id"]

    def asks_for_digid(self):
        """Whether the citizen's page asks them to log in with DigiD."""
        page = self.browser.get(f"@@my-appointment/{self.token}")
        soup = BeautifulSoup(page.text, "html.parser")
        return soup.find("a", href=lambda h: h and h.endswith("/identify")) is not None


@pytest.fixture
def desk(functional, browser, make_product, make_team, room_server):  # noqa: F811
    return Desk(functional, browser, make_product, make_team)


@pytest.fixture
def anna_cookie(desk, portal_url):
    """Anna logged in as in a browser, sending what the page's fetch sends."""
    session = cookie_login(portal_url, "anna")
    session.headers.update({"Origin": origin(portal_url), **JSON})
    yield session
    session.close()


# --- DigiD ----------------------------------------------------------------------------


def test_ask_for_digid_with_a_fetch(desk, room_server, anna_cookie):  # noqa: F811
    assert not desk.asks_for_digid()
    room_server.clear()
    response = anna_cookie.post(f"{desk.url}/@request-identification")
    assert response.status_code == 200, response.text
    assert response.json() == {"requested": True}
    assert desk.asks_for_digid()
    assert room_server.parts(desk.room) == ["identification"]
    # Asked again: the same answer, nothing new to tell.
    room_server.clear()
    before = desk.ready()
    again = anna_cookie.post(f"{desk.url}/@request-identification")
    assert again.status_code == 200 and again.json() == {"requested": True}
    assert room_server.parts(desk.room) == []
    assert desk.db.lastTransaction() == before


def test_digid_is_not_asked_of_an_identified_citizen(desk, anna_cookie):
    desk.appointment().identity = digid.encrypt(
        {"bsn": "999993653", "name": "Jan", "loa": "midden", "when": "x"}
    )
    transaction.commit()
    before = desk.ready()
    response = anna_cookie.post(f"{desk.url}/@request-identification")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["type"] == "WrongState"
    assert desk.db.lastTransaction() == before


def test_digid_is_not_asked_after_the_appointment(desk, anna_cookie, browser_as):
    """The team cannot even reach a cancelled appointment's desk; a manager can,
    and is refused."""
    assert anna_cookie.post(f"{desk.url}/@workflow/cancel").status_code == 200
    before = desk.ready()
    assert anna_cookie.post(f"{desk.url}/@request-identification").status_code == 401
    manager = browser_as("Manager", language="en")
    response = manager.post(f"{desk.url}/@request-identification", headers=JSON)
    assert response.status_code == 409, response.text
    assert desk.db.lastTransaction() == before


def test_the_digid_form_without_javascript_still_works(desk):
    page = BeautifulSoup(desk.anna.get(desk.url).text, "html.parser")
    form = page.find(
        "form", action=lambda a: a and a.endswith("@@request-identification")
    )
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    response = desk.anna.post(form["action"], data=values)
    assert response.status_code == 200 and response.url == desk.url
    assert "The citizen is asked to log in with DigiD" in response.text
    assert desk.asks_for_digid()


# --- the appointment's workflow: plone.restapi's own service ---------------------------


@pytest.mark.parametrize(
    "transition,new_state", [("start", "in_progress"), ("no_show", "no_show")]
)
def test_workflow_steps_with_a_fetch(
    desk,
    room_server,  # noqa: F811
    anna_cookie,
    transition,
    new_state,
):
    if transition == "no_show":  # the time has come (the ledger still says tomorrow)
        desk.appointment().start = datetime.now(UTC) - timedelta(minutes=5)
        transaction.commit()
    room_server.clear()
    response = anna_cookie.post(f"{desk.url}/@workflow/{transition}")
    assert response.status_code == 200, response.text
    assert response.json()["review_state"] == new_state
    assert desk.state() == new_state
    assert room_server.parts(desk.room) == ["state"]


def test_did_not_come_waits_for_the_time(desk, room_server, anna_cookie):  # noqa: F811
    """As on the agenda: over REST too, nobody is marked absent before the start."""
    before = desk.ready()
    room_server.clear()
    response = anna_cookie.post(f"{desk.url}/@workflow/no_show")
    assert response.status_code == 409, response.text
    assert response.json()["error"] == {
        "type": "WrongState",
        "message": "You can mark that the citizen did not come once the "
        "appointment has started.",
    }
    transaction.begin()
    assert desk.db.lastTransaction() == before
    assert desk.state() == "booked"
    assert room_server.parts(desk.room) == []


def test_cancel_with_a_fetch_frees_the_time_and_closes_the_room(
    desk,
    room_server,  # noqa: F811
    anna_cookie,
    browser,
):
    # One counter: the time is taken.
    assert book(browser, desk.product, at(tomorrow(), "10:00")).status_code == 409
    room_server.clear()
    response = anna_cookie.post(f"{desk.url}/@workflow/cancel")
    assert response.status_code == 200, response.text
    assert desk.state() == "cancelled"
    assert room_server.kinds(desk.room) == ["update", "revoke"]
    assert room_server.parts(desk.room) == ["state"]
    assert book(browser, desk.product, at(tomorrow(), "10:00")).status_code == 201


def test_a_step_that_is_not_possible_changes_nothing(desk, room_server, anna_cookie):  # noqa: F811
    """A step the state does not have, or an unknown one: a 409 in words, and
    nothing stored. The same step again (a second click, or a colleague's a
    moment ago) answers as the first did, and does nothing twice."""
    assert anna_cookie.post(f"{desk.url}/@workflow/start").status_code == 200
    before = desk.ready()
    room_server.clear()
    again = anna_cookie.post(f"{desk.url}/@workflow/start")
    assert again.status_code == 200 and again.json()["review_state"] == "in_progress"
    for transition in ("no_show", "archive"):
        response = anna_cookie.post(f"{desk.url}/@workflow/{transition}")
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["type"] == "WrongState"
        assert error["message"] == (
            "This cannot be done with this appointment (any more)."
        )
    assert desk.state() == "in_progress"
    assert desk.db.lastTransaction() == before
    assert room_server.parts(desk.room) == []


def test_inviting_a_guest_reaches_the_pages(desk, room_server, anna_cookie):  # noqa: F811
    room_server.clear()
    response = anna_cookie.post(f"{desk.url}/@video-guest", json={"name": "Tolk Ahmed"})
    assert response.status_code == 201, response.text
    assert room_server.parts(desk.room) == ["guests"]


# --- who may: counter staff of the appointment's team, and only from this site --------

PAYMENT = "{payment}"
# (id, method, path after the appointment, keyword arguments of the request)
SERVICES = [
    ("ask-payment", "POST", "@payments", {"json": ASK}),
    ("withdraw", "POST", f"@payments/{PAYMENT}/withdraw", {}),
    ("documents", "GET", "@documents", {}),
    (
        "upload",
        "POST",
        "@documents",
        {"files": {"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}},
    ),
    ("show", "POST", "@show-document", {"json": {"id": "0123456789abcdef"}}),
    ("digid", "POST", "@request-identification", {}),
    ("workflow", "POST", "@workflow/start", {}),
]


def call(session, desk, payment_id, method, path, kwargs, **headers):
    url = f"{desk.url}/{path.replace(PAYMENT, payment_id)}"
    return session.request(
        method, url, headers={**ACCEPT, **headers}, timeout=30, **kwargs
    )


@pytest.fixture
def payment_id(desk):
    response = desk.anna.post(f"{desk.url}/@payments", json=ASK, headers=JSON)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(
    "method,path,kwargs",
    [row[1:] for row in SERVICES],
    ids=[row[0] for row in SERVICES],
)
def test_others_cannot_use_the_desk(desk, make_team, payment_id, method, path, kwargs):
    """Anonymous, the citizen with their link's token, another team's employee."""
    carla = make_team("vergunningen", "carla")["carla"]
    before = desk.ready()
    for session, headers in (
        (requests.Session(), {}),
        (requests.Session(), {"Authorization": f"Bearer {desk.token}"}),
        (desk.browser, {}),
        (carla, {}),
    ):
        response = call(session, desk, payment_id, method, path, kwargs, **headers)
        assert response.status_code in (401, 403), (path, headers, response.text)
    # The citizen's own service knows no such actions either.
    response = desk.browser.post(
        f"@appointment/{desk.token}/payments", json=ASK, headers=JSON
    )
    assert response.status_code == 404
    assert desk.db.lastTransaction() == before
    assert desk.state() == "booked"


JSON_WRITES = [row for row in SERVICES if row[1] == "POST" and row[0] != "upload"]


@pytest.mark.parametrize(
    "method,path,kwargs",
    [row[1:] for row in JSON_WRITES],
    ids=[row[0] for row in JSON_WRITES],
)
def test_another_site_cannot_use_the_login_cookie(
    desk, anna_cookie, payment_id, portal_url, method, path, kwargs
):
    before = desk.ready()
    form = "application/x-www-form-urlencoded"
    for headers in (
        {"Origin": EVIL},  # JSON, from another site
        {"Origin": origin(portal_url), "Content-Type": form},  # a form
        {"Origin": origin(portal_url), "Content-Type": "text/plain"},
        {"Origin": "null"},
    ):
        response = call(
            anna_cookie, desk, payment_id, method, path, {"data": "{}"}, **headers
        )
        assert response.status_code == 403, (headers, response.text)
        assert response.json()["error"]["type"] == "CSRFRefused"
    assert desk.db.lastTransaction() == before


@pytest.mark.parametrize(
    "method,path,kwargs,status",
    [
        (*row[1:], status)
        for row, status in zip(JSON_WRITES, (201, 200, 404, 200, 200), strict=True)
    ],
    ids=[row[0] for row in JSON_WRITES],
)
def test_the_pages_own_fetch_with_the_cookie_is_taken(
    desk, anna_cookie, payment_id, method, path, kwargs, status
):
    """Same origin, JSON: what the page sends (the show row finds no document)."""
    response = call(anna_cookie, desk, payment_id, method, path, kwargs)
    assert response.status_code == status, response.text
