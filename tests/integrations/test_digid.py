"""DigiD through an OIDC broker (a real OIDC provider on loopback: oidc-provider-mock)."""

from bs4 import BeautifulSoup
from collective.digitalebalie import appointments
from collective.digitalebalie import secrets
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import oidc
from cryptography.hazmat.primitives.asymmetric import rsa
from datetime import date
from fake_oidc import Relay
from fake_rooms import room_server  # noqa: F401 - a fixture
from helpers import JSON
from helpers import Browser
from helpers import book_soon
from helpers import team_agenda
from oidc_provider_mock import User
from oidc_provider_mock import run_server_in_thread
from plone import api
from Products.SiteAccess.VirtualHostMonster import manage_addVirtualHostMonster
from urllib.parse import parse_qs
from urllib.parse import urlsplit
import json
import pytest
import requests
import transaction


BSN = "999993653"  # passes the eleven test; a test number
LEVEL = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
EVERY_DAY = [
    {"weekday": d, "start": "00:00", "end": "23:59", "counters": 3} for d in range(7)
]


@pytest.fixture
def broker():
    users = [
        User(
            sub="burger",
            claims={
                "bsn": BSN,
                "name": "Jan Burger",
                "acr": LEVEL + "MobileTwoFactorContract",
            },
        ),
        User(
            sub="basis",
            claims={
                "bsn": BSN,
                "name": "Jan Burger",
                "acr": LEVEL + "PasswordProtectedTransport",
            },
        ),
        User(sub="nolevel", claims={"bsn": BSN, "name": "Jan Burger"}),
        User(sub="nobsn", claims={"name": "Zonder Nummer", "acr": "midden"}),
    ]
    digid._metadata_cache.clear()
    oidc.forget_keys()
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
    # The live desk's way: the same, as JSON, without reloading the page.
    assert form["data-desk-action"].endswith("/@reveal-bsn")
    answer = case["anna"].post(form["data-desk-action"], json={}, headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"bsn": BSN}
    assert answer.headers["Cache-Control"] == "no-store"
    assert browser.post(
        form["data-desk-action"], json={}, headers=JSON
    ).status_code in (
        401,
        403,
    )
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
    with_manager = appointments.find_by_token(case["token"])
    assert BSN not in with_manager.identity
    # The citizen did not become a member of the site.
    acl_users = functional["portal"].acl_users
    assert acl_users.getUserById("burger") is None
    assert acl_users.searchUsers(fullname="Jan Burger") == ()


def test_the_employees_page_hears_of_the_identification(browser, case, room_server):  # noqa: F811
    room_server.clear()
    assert browser.get(login(browser, case)).status_code == 200
    assert room_server.parts(case["appointment"].rsplit("/", 1)[-1]) == [
        "identification"
    ]


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


def identified(browser, case):
    video = browser.get(f"@appointment/{case['token']}/video", headers=JSON)
    return video.status_code == 200


def alert(response):
    return BeautifulSoup(response.text, "html.parser").find(role="alert").text


def test_answer_completed_in_another_browser_changes_nothing(browser, case, portal_url):
    browser.headers["Accept-Language"] = "en"
    start = browser.get(
        f"@@my-appointment/{case['token']}/identify", allow_redirects=False
    )
    cookie = start.headers["Set-Cookie"]
    assert cookie.startswith(f"{digid.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test site is http
    callback = login(browser, case)
    # Someone else opens the broker's answer (leaked, or planted on purpose):
    # without the cookie, and with a cookie of a login of its own.
    other = Browser(portal_url, language="en")
    for attempt in ("no cookie", "its own login"):
        if attempt == "its own login":
            other.get(
                f"@@my-appointment/{case['token']}/identify", allow_redirects=False
            )
            assert other.cookies.get(digid.COOKIE)
        response = other.get(callback)
        assert response.status_code == 400, attempt
        assert "started in another browser" in alert(response)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "identified=1" not in response.url
        assert not identified(browser, case)
    transaction.begin()
    assert digid.identity_of(_appointment(case)) is None
    # The browser that started the login still finishes it, once.
    done = browser.get(callback)
    assert done.status_code == 200 and "identified=1" in done.url
    assert identified(browser, case)
    assert digid.COOKIE not in browser.cookies  # used once
    assert browser.get(callback).status_code == 400


def test_cookie_is_secure_on_an_https_site(functional, browser, case, portal_url):
    # The same site behind a proxy that speaks https (virtual hosting).
    app = functional["app"]
    if "virtual_hosting" not in app.objectIds():
        manage_addVirtualHostMonster(app, "virtual_hosting")
        transaction.commit()
    parts = urlsplit(portal_url)
    https = (
        f"{parts.scheme}://{parts.netloc}/VirtualHostBase/https/"
        f"balie.example.nl:443{parts.path}/VirtualHostRoot"
    )
    start = browser.get(
        f"{https}/@@my-appointment/{case['token']}/identify", allow_redirects=False
    )
    assert start.status_code == 303, start.text[:300]
    cookie = start.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    redirect = parse_qs(urlsplit(start.headers["Location"]).query)["redirect_uri"]
    assert redirect == ["https://balie.example.nl/@@digid-callback"]


def _appointment(case):
    return appointments.find_by_token(case["token"])


def test_level_of_assurance_is_asked_and_enforced(browser, case):
    start = browser.get(
        f"@@my-appointment/{case['token']}/identify", allow_redirects=False
    )
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["acr_values"] == [LEVEL + "MobileTwoFactorContract"]
    asked = json.loads(query["claims"][0])["id_token"]["acr"]
    assert asked["essential"] is True
    assert asked["values"] == [
        LEVEL + "MobileTwoFactorContract",
        LEVEL + "Smartcard",
        LEVEL + "SmartcardPKI",
    ]
    browser.headers["Accept-Language"] = "en"
    for sub in ("basis", "nolevel"):
        response = browser.get(login(browser, case, sub=sub))
        assert response.status_code == 400, sub
        assert "safer DigiD login (level Midden or higher)" in alert(response)
        assert not identified(browser, case)
    # In Dutch too.
    browser.headers["Accept-Language"] = "nl"
    response = browser.get(login(browser, case, sub="basis"))
    assert "veiliger" in alert(response)
    # A product that needs more: the setting.
    response = case["manager"].patch(
        "@controlpanels/digitalebalie",
        json={"digid_loa": LEVEL + "Smartcard"},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    browser.headers["Accept-Language"] = "en"
    response = browser.get(login(browser, case))
    assert "level Substantieel or higher" in alert(response)
    assert not identified(browser, case)
    response = case["manager"].patch(
        "@controlpanels/digitalebalie",
        json={"digid_loa": LEVEL + "MobileTwoFactorContract"},
        headers=JSON,
    )
    assert browser.get(login(browser, case)).status_code == 200
    assert identified(browser, case)


@pytest.fixture
def relay(broker, case):
    """The broker behind a relay that can rotate its keys (fake_oidc.Relay)."""
    server = Relay(int(urlsplit(broker).port)).start()
    api.portal.set_registry_record(
        "collective.digitalebalie.interfaces.IDigitaleBalieSettings.oidc_issuer",
        server.base,
    )
    transaction.commit()
    yield server
    server.stop()


def test_key_rotation_without_kid_fetches_the_keys_once(browser, case, relay):
    old, new, stranger = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)
    )
    browser.headers["Accept-Language"] = "en"
    relay.signing_key = old
    assert browser.get(login(browser, case)).status_code == 200
    assert relay.requests["/jwks"] == 1
    # The broker rotates its key; its tokens name no key (no kid).
    relay.signing_key = new
    done = browser.get(login(browser, case))
    assert done.status_code == 200 and "identified=1" in done.url
    assert relay.requests["/jwks"] == 2  # fetched once more
    assert browser.get(login(browser, case)).status_code == 200
    assert relay.requests["/jwks"] == 2  # and cached again
    # A token that no key of the broker verifies: one fetch, then refused.
    transaction.begin()
    before = _appointment(case).identity
    relay.signing_key, relay.published_key = stranger, new
    response = browser.get(login(browser, case))
    assert response.status_code == 400
    assert "could not check the answer" in alert(response)
    assert relay.requests["/jwks"] == 3
    transaction.begin()
    assert _appointment(case).identity == before


def test_broker_addresses_must_be_https(browser, case, relay):
    browser.headers["Accept-Language"] = "en"
    manager = case["manager"]
    # In the control panel: refused with the field's message.
    for address in ("http://broker.example.nl", "javascript:alert(1)"):
        response = manager.patch(
            "@controlpanels/digitalebalie", json={"oidc_issuer": address}, headers=JSON
        )
        assert response.status_code == 400, response.text[:300]
        assert "https://" in response.text
    transaction.begin()
    assert digid._setting("oidc_issuer") == relay.base
    # At use time: an issuer stored some other way, or metadata that names an
    # unencrypted address, is not used.
    for name in ("token_endpoint", "jwks_uri", "authorization_endpoint"):
        digid._metadata_cache.clear()
        relay.metadata = {name: "http://broker.example.nl/x"}
        response = browser.get(
            f"@@my-appointment/{case['token']}/identify", allow_redirects=False
        )
        assert response.status_code == 400, name
        assert "DigiD is not set up correctly" in response.text
    relay.metadata = {}
    digid._metadata_cache.clear()
    api.portal.set_registry_record(
        "collective.digitalebalie.interfaces.IDigitaleBalieSettings.oidc_issuer",
        "http://broker.example.nl",
    )
    transaction.commit()
    response = browser.get(
        f"@@my-appointment/{case['token']}/identify", allow_redirects=False
    )
    assert response.status_code == 400
    assert "DigiD is not set up correctly" in response.text
