"""Cross-site requests (issue 15): a REST write riding on a login cookie must come
from this site, as JSON.

The employee logs in through Plone's own login form, as in a browser: the
session holds the ``__ac`` cookie and sends no Authorization header. Another
site can make that browser send a POST with the cookie, a foreign ``Origin``
and ``Content-Type: text/plain`` (a plain form or a no-cors fetch); it must
change nothing.
"""

from bs4 import BeautifulSoup
from helpers import JSON
from helpers import PASSWORD
from helpers import at
from helpers import book
from helpers import cookie_login
from helpers import origin
from helpers import team_agenda
from helpers import tomorrow
import pytest
import requests


EVIL = "https://evil.example"
PLAIN = {"Content-Type": "text/plain", "Accept": "application/json"}


@pytest.fixture
def team(make_team):
    return make_team("burgerzaken", "anna")


@pytest.fixture
def anna(team, portal_url):
    """Anna of the team, logged in with a cookie."""
    session = cookie_login(portal_url, "anna")
    yield session
    session.close()


@pytest.fixture
def booked(browser, make_product, team):
    """An appointment of the team's product tomorrow, as the agenda lists it."""
    product = make_product(teams=["burgerzaken"])
    assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
    (item,) = team_agenda(team["anna"])
    return item


def state(session, url):
    response = session.get(f"{url}/@workflow", headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["state"]["id"]


def api_url(portal_url, url):
    """The same object's URL through ++api++."""
    return url.replace(portal_url, f"{portal_url}/++api++", 1)


# The three routes to a workflow transition: ++api++, the plain path with
# Accept: application/json, and the dossier's workflow.
ROUTES = {
    "appointment-api": ("@id", "cancel", "cancelled", True),
    "appointment-accept-json": ("@id", "cancel", "cancelled", False),
    "dossier-api": (
        "dossier",
        "dossier-transition-start",
        "dossier-state-in-progress",
        True,
    ),
}


def transition_url(portal_url, item, route):
    key, transition, _state, through_api = ROUTES[route]
    url = item[key]
    if through_api:
        url = api_url(portal_url, url)
    return f"{url}/@workflow/{transition}", ROUTES[route][2]


ATTACKS = {
    "foreign-origin-text-plain": {"Origin": EVIL, **PLAIN},
    "foreign-origin-json": {"Origin": EVIL, **JSON},
    "foreign-referer-no-origin": {"Referer": f"{EVIL}/page", **JSON},
    "no-origin-no-referer": dict(JSON),
    "same-origin-text-plain": {"Origin": "{site}", **PLAIN},
    "same-origin-form": {
        "Origin": "{site}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    },
    "null-origin": {"Origin": "null", **JSON},
}


def headers_for(attack, portal_url):
    return {
        name: value.replace("{site}", origin(portal_url))
        for name, value in ATTACKS[attack].items()
    }


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_cross_site_workflow_change_is_refused(
    anna, team, booked, portal_url, route, attack
):
    url, _new_state = transition_url(portal_url, booked, route)
    object_url = url.split("/@workflow/")[0]
    before = state(team["anna"], object_url)
    response = anna.post(url, data="{}", headers=headers_for(attack, portal_url))
    assert response.status_code == 403, response.text[:500]
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["type"] == "CSRFRefused"
    assert error["message"]
    assert state(team["anna"], object_url) == before


@pytest.mark.parametrize("route", list(ROUTES))
def test_same_site_json_with_the_cookie_works(anna, team, booked, portal_url, route):
    """What the add-on's pages send: same origin, application/json."""
    url, new_state = transition_url(portal_url, booked, route)
    response = anna.post(url, headers={"Origin": origin(portal_url), **JSON})
    assert response.status_code == 200, response.text[:500]
    assert state(team["anna"], url.split("/@workflow/")[0]) == new_state


def test_same_site_referer_without_origin_works(anna, team, booked, portal_url):
    url, new_state = transition_url(portal_url, booked, "appointment-api")
    response = anna.post(url, headers={"Referer": f"{portal_url}/@@agenda", **JSON})
    assert response.status_code == 200, response.text[:500]
    assert state(team["anna"], booked["@id"]) == new_state


def test_authorization_header_is_not_refused(team, booked, portal_url):
    """A script with the credentials in a header is no cross-site request."""
    url, new_state = transition_url(portal_url, booked, "appointment-api")
    response = team["anna"].post(url, headers={"Origin": EVIL, **PLAIN})
    assert response.status_code == 200, response.text[:500]
    assert state(team["anna"], booked["@id"]) == new_state


def test_cross_site_user_creation_is_refused(make_user, portal_url, browser_as):
    make_user("chef", ["Manager"])
    chef = cookie_login(portal_url, "chef")
    new_user = {"username": "mallory", "email": "m@example.nl", "password": PASSWORD}
    for headers in ({"Origin": EVIL, **PLAIN}, {"Origin": EVIL, **JSON}):
        response = chef.post("++api++/@users", json=new_user, headers=headers)
        assert response.status_code == 403, response.text[:500]
        assert response.json()["error"]["type"] == "CSRFRefused"
    manager = browser_as("Manager")
    assert manager.get("@users/mallory", headers=JSON).status_code == 404
    # From the site itself, as JSON, the same manager may.
    response = chef.post(
        "++api++/@users",
        json=new_user,
        headers={"Origin": origin(portal_url), **JSON},
    )
    assert response.status_code == 201, response.text[:500]
    chef.close()


def test_classic_page_with_the_cookie_keeps_working(anna, team, booked):
    """The agenda page's own form (plone.protect's token) is no REST call."""
    response = anna.get("@@agenda", params={"period": "upcoming", "scope": "team"})
    soup = BeautifulSoup(response.text, "html.parser")
    form = soup.find("button", value="cancel").find_parent("form")
    values = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name")
    }
    values["action"] = "cancel"
    response = anna.post("@@agenda", data=values)
    assert response.status_code == 200
    assert "The appointment is cancelled" in response.text
    assert state(team["anna"], booked["@id"]) == "cancelled"


def test_citizen_token_services_need_no_origin(browser, make_product):
    """Citizens have no login: their link's services are not refused."""
    product = make_product()
    token = book(browser, product, at(tomorrow(), "11:00")).json()["token"]
    response = browser.post(
        f"@appointment/{token}/cancel", headers={"Origin": EVIL, **PLAIN}
    )
    assert response.status_code == 200, response.text[:500]
    assert response.json()["state"] == "cancelled"


def test_multipart_with_the_cookie_only_for_upload_services(
    anna, team, booked, browser, make_product, portal_url
):
    """An employee trying a citizen's link may upload; no other service takes a form."""
    same_site = {"Origin": origin(portal_url), "Accept": "application/json"}
    files = {"file": ("bewijs.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    url, _new_state = transition_url(portal_url, booked, "appointment-api")
    response = anna.post(url, files=files, headers=same_site)
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "CSRFRefused"
    token = book(browser, make_product(), at(tomorrow(), "12:00")).json()["token"]
    response = anna.post(
        f"@appointment/{token}/documents", files=files, headers=same_site
    )
    # Not refused as cross-site: the upload service answers (stored, or the
    # scanner is not configured in this test).
    assert response.status_code != 403, response.text[:500]
    assert "error" not in response.json() or (
        response.json()["error"]["type"] != "CSRFRefused"
    )


def test_login_with_the_password_in_the_body_needs_no_origin(make_user, portal_url):
    """POST @login carries its credentials on purpose (a script or app logging in):
    no cookie rides along, so it is no cross-site request."""
    name = make_user("app-user", ["Member"])
    response = requests.post(
        f"{portal_url}/@login",
        json={"login": name, "password": PASSWORD},
        headers=JSON,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["token"]
