"""DigiD through an OIDC broker (a real OIDC provider on loopback: oidc-provider-mock)."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from datetime import date
from helpers import JSON
from helpers import book_soon
from helpers import team_agenda
from oidc_provider_mock import User
from oidc_provider_mock import run_server_in_thread
from urllib.parse import parse_qs
from urllib.parse import urlsplit
import pytest
import requests
import transaction


BSN = "999993653"  # passes the eleven test; a test number
EVERY_DAY = [
    {"weekday": d, "start": "00:00", "end": "23:59", "counters": 3} for d in range(7)
]


@pytest.fixture
def broker():
    users = [
        User(
            sub="burger",
            claims={"bsn": BSN, "name": "Jan Burger", "acr": "substantieel"},
        ),
        User(sub="nobsn", claims={"name": "Zonder Nummer"}),
    ]
    with run_server_in_thread(user_claims=users, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def case(functional, broker, browser, browser_as, make_product, make_team):
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={
            "oidc_issuer": broker,
            "oidc_client_id": "digitale-balie",
            "reminder_hours": 0,
        },
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    secrets.set_secret("oidc_client_secret", "broker-client-secret-0123")
    transaction.commit()
    product = make_product(
        teams=["burgerzaken"],
        duration=5,
        min_notice_hours=0,
        opening_hours=EVERY_DAY,
        channels=["video"],
        requires_identification=True,
    )
    token, start = book_soon(browser, product, email="jan@example.nl")
    appointment = team_agenda(anna, date.fromisoformat(start[:10]))[0]["@id"]
    return {
        "token": token,
        "anna": anna,
        "appointment": appointment,
        "manager": manager,
    }


def login(browser, case, sub="burger"):
    """The citizen's way through DigiD; returns the address the broker sends back to."""
    start = browser.get(
        f"@@my-appointment/{case['token']}/identify", allow_redirects=False
    )
    assert start.status_code == 303, start.text[:300]
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert (
        query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    )
    answer = requests.post(
        authorize, data={"sub": sub}, allow_redirects=False, timeout=30
    )
    assert answer.status_code in (302, 303), answer.text[:300]
    return answer.headers["Location"]


def test_identified_before_joining_the_room(functional, browser, case):
    video = browser.get(f"@appointment/{case['token']}/video", headers=JSON)
    assert video.status_code == 403
    assert video.json()["error"]["type"] == "IdentificationRequired"
    page = BeautifulSoup(
        browser.get(f"@@my-appointment/{case['token']}").text, "html.parser"
    )
    assert page.find("a", href=lambda h: h and h.endswith("/identify")) is not None
    callback = login(browser, case)
    done = browser.get(callback)
    assert done.status_code == 200 and "identified=1" in done.url
    assert (
        browser.get(f"@appointment/{case['token']}/video", headers=JSON).status_code
        == 200
    )
    # Stored encrypted, shown masked to the employee, revealed on purpose (audited).
    transaction.begin()
    page = case["anna"].get(case["appointment"]).text
    assert "*****3653" in page and BSN not in page
    soup = BeautifulSoup(page, "html.parser")
    form = soup.find("form", action=lambda a: a and a.endswith("@@reveal-bsn"))
    token = form.find("input", attrs={"name": "_authenticator"})["value"]
    revealed = case["anna"].post(form["action"], data={"_authenticator": token})
    assert BSN in revealed.text
    dossier = case["anna"].get(
        "@agenda", params={"scope": "team", "q": "Burger"}, headers=JSON
    )
    audit = (
        case["manager"]
        .get(f"{dossier.json()['items'][0]['dossier']}/@@dossier-audit")
        .text
    )
    assert "identified with DigiD" in audit and "BSN revealed" in audit
    # Not readable at rest.
    from collective.digitalebalie import appointments

    with_manager = appointments.find_by_token(case["token"])
    assert BSN not in with_manager.identity
    # The citizen did not become a member of the site.
    acl_users = functional["portal"].acl_users
    assert acl_users.getUserById("burger") is None
    assert acl_users.searchUsers(fullname="Jan Burger") == ()


def test_replayed_or_forged_answers_are_refused(browser, case):
    callback = login(browser, case)
    parts = urlsplit(callback)
    forged = callback.replace("state=", "state=x")
    response = browser.get(forged)
    assert response.status_code == 400
    assert browser.get(callback).status_code == 200  # the real one still works once
    again = browser.get(callback)
    assert again.status_code == 400  # used
    assert "DigiD" in again.text
    assert parts.path.endswith("@@digid-callback")


def test_no_valid_bsn_is_refused(browser, case):
    callback = login(browser, case, sub="nobsn")
    response = browser.get(callback)
    assert response.status_code == 400
    assert (
        browser.get(f"@appointment/{case['token']}/video", headers=JSON).status_code
        == 403
    )


def test_employee_asks_for_digid_during_the_call(browser, case, make_product):
    from collective.digitalebalie.integrations.digid import valid_bsn

    assert valid_bsn(BSN) and not valid_bsn("123456789") and not valid_bsn("12345678a")
