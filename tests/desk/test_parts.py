"""The live desk's parts: each appointment page answers its changed parts alone."""

from bs4 import BeautifulSoup
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from helpers import ACCEPT
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
from types import SimpleNamespace
import base64
import json
import pytest


@pytest.fixture
def desk(functional, browser, browser_as, make_product, make_team):
    anna = make_team("burgerzaken", "anna")["anna"]
    product = make_product(teams=["burgerzaken"], price="24.50")
    token = book(browser, product, at(tomorrow(), "10:00"), channel="video").json()[
        "token"
    ]
    agenda = team_agenda(anna)[0]
    citizen_url = f"{browser.portal_url}/@@my-appointment/{token}"
    return {
        "anna": anna,
        "browser": browser,
        "token": token,
        "citizen": citizen_url,
        "employee": agenda["@id"],
    }


def soup(response):
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def ask_payment(desk, amount="24,50", description="Paspoort"):
    page = soup(desk["anna"].get(desk["employee"]))
    authenticator = page.find("input", attrs={"name": "_authenticator"})["value"]
    response = desk["anna"].post(
        f"{desk['employee']}/@@payment-request",
        data={
            "_authenticator": authenticator,
            "amount": amount,
            "description": description,
        },
    )
    assert response.status_code == 200


def test_the_citizen_page_says_when_and_how_in_words_first(desk):
    page = soup(desk["browser"].get(desk["citizen"]))
    lead = page.select_one(".dbalie-lead").get_text(" ", strip=True)
    day = tomorrow()
    assert f"{day.day} " in lead
    assert "10:00" in lead
    assert "video" in lead
    assert day.isoformat() not in page.get_text()
    # Before the room opens, when it opens: as a fact, not as an error.
    opens = page.select_one(".dbalie-room-opens").get_text(" ", strip=True)
    assert "09:45" in opens
    assert not page.select(".dbalie-room-opens .utrecht-alert--error")


def test_a_part_is_answered_alone_and_shows_the_change(desk):
    browser = desk["browser"]
    page = soup(browser.get(desk["citizen"]))
    parts = {tag["data-desk-part"] for tag in page.select("[data-desk-part]")}
    assert {"state", "payments", "documents"} <= parts
    assert page.select_one("#desk-payments").has_attr("hidden")  # nothing asked yet

    ask_payment(desk)
    response = browser.get(desk["citizen"], params={"desk-part": "payments"})
    part = soup(response)
    assert response.headers["Cache-Control"] == "no-store"
    # Only the part: no page around it.
    assert part.find("html") is None and part.find("header") is None
    (section,) = part.select("[data-desk-part]")
    assert section["id"] == "desk-payments"
    assert not section.has_attr("hidden")
    pay = section.select_one("a.dbalie-pay")
    # Pay opens the provider in a new tab, and says so.
    assert pay["target"] == "_blank"
    assert "tab" in pay.get_text()
    assert "Paspoort" in section["data-desk-summary"]

    two = soup(
        browser.get(desk["citizen"], params={"desk-part": ["state", "documents"]})
    )
    assert [s["id"] for s in two.select("[data-desk-part]")] == [
        "desk-state",
        "after-call",
        "desk-change",
        "desk-documents",
    ]


def test_an_unknown_part_or_a_cancelled_appointment(desk):
    browser = desk["browser"]
    response = browser.get(desk["citizen"], params={"desk-part": "fullname"})
    assert response.status_code == 404
    assert "Fatima" not in response.text
    browser.post(f"@appointment/{desk['token']}/cancel", headers=JSON)
    response = browser.get(desk["citizen"], params={"desk-part": "state"})
    assert response.status_code == 410  # the desk then shows the cancelled page
    assert response.text == ""


def test_desk_info_gives_a_watch_token_that_only_watches(desk, browser_as):
    browser = desk["browser"]
    manager = browser_as("Manager", language="en")
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={"room_server_url": "ws://127.0.0.1:9/rooms"},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    info = browser.get(f"@appointment/{desk['token']}/desk", headers=ACCEPT).json()
    # Without the room server the page polls, every 15 seconds.
    assert info["poll_seconds"] == 15
    room = desk["employee"].rstrip("/").split("/")[-1]
    assert info["watch"]["url"] == f"ws://127.0.0.1:9/rooms/{room}"
    claims = json.loads(
        base64.urlsafe_b64decode(info["watch"]["token"].split(".")[0] + "==")
    )
    # It only watches, and carries no name.
    assert claims["watch"] is True and claims["role"] == "citizen"
    assert not claims.get("name")
    staff = desk["anna"].get(f"{desk['employee']}/@desk", headers=ACCEPT)
    assert staff.status_code == 200
    assert staff.json()["watch"]["token"] != info["watch"]["token"]
    # Not for the citizen's link on the staff service.
    anonymous = browser.get(f"{desk['employee']}/@desk", headers=ACCEPT)
    assert anonymous.status_code in (401, 403)
    # A cancelled appointment: nothing to watch.
    browser.post(f"@appointment/{desk['token']}/cancel", headers=JSON)
    gone = browser.get(f"@appointment/{desk['token']}/desk", headers=ACCEPT)
    assert gone.status_code == 409


def test_the_employee_page_is_made_of_parts_and_acts_by_rest(desk):
    anna = desk["anna"]
    page = soup(anna.get(desk["employee"]))
    ids = [tag["id"] for tag in page.select("[data-desk-part]")]
    assert {"desk-actions", "desk-citizen", "desk-payments", "desk-documents"} <= set(
        ids
    )
    buttons = [b.get_text(" ", strip=True) for b in page.select("#desk-actions button")]
    # "Did not come" only once the appointment has begun (tomorrow: not yet).
    assert "Start the conversation" in buttons
    assert "Did not come" not in buttons

    response = anna.post(
        f"{desk['employee']}/@act", json={"action": "fly"}, headers=JSON
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"]
    response = anna.post(
        f"{desk['employee']}/@act", json={"action": "start"}, headers=JSON
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"state": "in_progress"}
    again = anna.post(
        f"{desk['employee']}/@act", json={"action": "start"}, headers=JSON
    )
    assert again.status_code == 409  # a second click does nothing twice

    part = soup(anna.get(desk["employee"], params={"desk-part": "state"}))
    assert [s["id"] for s in part.select("[data-desk-part]")] == [
        "desk-actions",
        "after-call",
        "desk-citizen",
    ]
    assert "In progress" in part.select_one("#desk-actions").get_text()
    # The citizen's page says so too.
    citizen = soup(desk["browser"].get(desk["citizen"], params={"desk-part": "state"}))
    assert "In progress" in citizen.get_text() or "Bezig" in citizen.get_text()
    # Anonymous: no action.
    response = desk["browser"].post(
        f"{desk['employee']}/@act", json={"action": "complete"}, headers=JSON
    )
    assert response.status_code in (401, 403)


def test_the_agenda_watches_video_calls_from_two_hours_before_the_room_opens(
    functional,
):
    from collective.digitalebalie.browser.agenda import watched

    start = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    call = SimpleNamespace(
        channel="video", start=start, end=start + timedelta(minutes=20)
    )
    opens = start - timedelta(minutes=15)  # the site's default
    assert not watched(call, "booked", opens - timedelta(hours=2, minutes=1))
    assert watched(call, "booked", opens - timedelta(hours=2))
    assert watched(call, "in_progress", start + timedelta(minutes=40))
    assert not watched(call, "booked", start + timedelta(minutes=51))
    assert not watched(call, "completed", start)
    assert not watched(
        SimpleNamespace(**{**vars(call), "channel": "phone"}), "booked", start
    )


def test_the_employee_sees_the_payment_asked_in_the_part(desk):
    response = desk["anna"].post(
        f"{desk['employee']}/@payments",
        json={"amount": "24,50", "description": "Paspoort"},
        headers=JSON,
    )
    assert response.status_code == 201, response.text
    part = soup(desk["anna"].get(desk["employee"], params={"desk-part": "payments"}))
    (row,) = part.select("#desk-payments li[data-payment]")
    assert "Paspoort" in row.get_text()
    assert row.select_one("form[data-desk-action$='/withdraw']") is not None
    # Every part of both pages renders on its own, with a payment in it.
    for name in ("state", "identification", "payments", "documents"):
        for session, url in (
            (desk["anna"], desk["employee"]),
            (desk["browser"], desk["citizen"]),
        ):
            response = session.get(url, params={"desk-part": name})
            assert response.status_code == 200, (name, url, response.text[:300])
