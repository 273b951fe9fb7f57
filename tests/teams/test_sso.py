"""Employees log in with the organisation's account (OIDC single sign-on).

End to end over HTTP: a running site (`live_site`), a real OIDC provider on
loopback (oidc-provider-mock) behind a small relay (fake_oidc.Relay) that can
spoil the ID token on its way back, as a man in the middle would.
"""

from bs4 import BeautifulSoup
from fake_oidc import Relay
from helpers import JSON
from live import free_port
from oidc_provider_mock import User
from oidc_provider_mock import run_server_in_thread
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit
import base64
import json
import pytest
import requests


TEAM = "sso-burgerzaken"

PEOPLE = [
    User(
        sub="u-anna",
        claims={
            "preferred_username": "anna.sso",
            "name": "Anna de Vries",
            "email": "anna@gemeente.example",
            "groups": ["balie-medewerkers", TEAM, "Administrators"],
        },
    ),
    User(
        sub="u-bert",
        claims={"preferred_username": "bert.sso", "groups": ["balie-medewerkers"]},
    ),
    User(
        sub="u-piet", claims={"preferred_username": "piet.sso", "groups": ["financien"]}
    ),
    User(
        sub="u-local",
        claims={"preferred_username": "local.worker", "groups": ["balie-medewerkers"]},
    ),
    User(sub="u-nameless", claims={"groups": ["balie-medewerkers"]}),
    # A user name that is a group's id (global roles are kept per principal id).
    User(
        sub="u-admins",
        claims={
            "preferred_username": "Administrators",
            "groups": ["balie-medewerkers"],
        },
    ),
]


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(user_claims=PEOPLE, require_nonce=True) as server:
        relay = Relay(server.server_port).start()
        yield relay
        relay.stop()


def new_browser():
    """A browser without a login that reads English."""
    session = requests.Session()
    session.headers["Accept-Language"] = "en"
    return session


def admin_session(live_site):
    session = new_browser()
    session.auth = live_site.admin
    session.headers.update({"Accept": "application/json"})
    return session


def set_sso_secret(live_site, value):
    """Through the secrets page, as an administrator does (with the form token)."""
    session = new_browser()
    session.auth = live_site.admin
    page = session.get(f"{live_site.site}/@@digitalebalie-secrets", timeout=30)
    soup = BeautifulSoup(page.text, "html.parser")
    token = soup.find("input", attrs={"name": "_authenticator"})["value"]
    response = session.post(
        f"{live_site.site}/@@digitalebalie-secrets",
        data={
            "_authenticator": token,
            "form.widgets.sso_client_secret": value,
            "form.buttons.save": "Save",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text[:300]


@pytest.fixture(scope="module")
def site(live_site, provider):
    admin = admin_session(live_site)
    # Off by default: there is nothing to log in with.
    assert requests.get(f"{live_site.site}/@@sso-login", timeout=30).status_code == 404
    group = admin.post(
        f"{live_site.site}/@groups",
        json={
            "groupname": TEAM,
            "title": "Burgerzaken (SSO)",
            "roles": ["CounterEmployee"],
        },
        headers=JSON,
        timeout=30,
    )
    assert group.status_code == 201, group.text
    local = admin.post(
        f"{live_site.site}/@users",
        json={
            "username": "local.worker",
            "email": "local@example.org",
            "password": "a-Local-password-1",
        },
        headers=JSON,
        timeout=30,
    )
    assert local.status_code == 201, local.text
    set_sso_secret(live_site, "employee-sso-secret-0123")
    response = admin.patch(
        f"{live_site.site}/@controlpanels/digitalebalie",
        json={
            "sso_enabled": True,
            "sso_issuer": provider.base,
            "sso_client_id": "digitale-balie-medewerkers",
            "sso_scope": "openid profile email",
            "sso_userid_claim": "preferred_username",
            "sso_groups_claim": "groups",
            "sso_employee_groups": ["balie-medewerkers"],
            "sso_sync_teams": True,
        },
        headers=JSON,
        timeout=30,
    )
    assert response.status_code == 204, response.text
    yield live_site
    response = admin.patch(
        f"{live_site.site}/@controlpanels/digitalebalie",
        json={"sso_enabled": False},
        headers=JSON,
        timeout=30,
    )
    assert response.status_code == 204, response.text
    assert requests.get(f"{live_site.site}/@@sso-login", timeout=30).status_code == 404


def to_provider(session, site, came_from=None):
    """The employee clicks "Log in with your organisation account"; returns the provider's address."""
    params = {"came_from": came_from} if came_from else {}
    start = session.get(
        f"{site.site}/@@sso-login", params=params, allow_redirects=False, timeout=30
    )
    assert start.status_code == 303, start.text[:300]
    return start.headers["Location"]


def at_provider(authorize, sub):
    """The employee logs in at the provider; returns the address it sends the browser back to."""
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"]
    answer = requests.post(
        authorize, data={"sub": sub}, allow_redirects=False, timeout=30
    )
    assert answer.status_code in (302, 303), answer.text[:300]
    return answer.headers["Location"]


def user(site, user_id):
    response = admin_session(site).get(f"{site.site}/@users/{user_id}", timeout=30)
    return response.json() if response.status_code == 200 else None


def refused(response, text):
    assert response.status_code == 400, response.text[:300]
    alert = BeautifulSoup(response.text, "html.parser").find(role="alert")
    assert alert is not None and text in alert.text, alert
    assert "__ac" not in response.cookies


def logged(site, text):
    """Whether the site's event log has a line with this text."""
    return text in (site.directory / "var" / "log" / "event.log").read_text()


def test_employee_logs_in_and_sees_the_agenda(site, provider):
    browser = new_browser()
    # Anonymous: Plone's own login form, with a link to the organisation's login.
    agenda = browser.get(f"{site.site}/@@agenda", timeout=30)
    assert "/login" in agenda.url and provider.base not in agenda.url
    link = BeautifulSoup(agenda.text, "html.parser").find(
        "a", href=lambda h: h and "@@sso-login" in h
    )
    assert link is not None and "organisation account" in link.text
    assert urlsplit(link["href"]).query  # it remembers where the employee was going
    authorize = to_provider(browser, site, came_from=f"{site.site}/@@agenda")
    assert authorize.startswith(provider.base)
    query = parse_qs(urlsplit(authorize).query)
    assert query["redirect_uri"] == [f"{site.site}/@@sso-callback"]
    assert query["client_id"] == ["digitale-balie-medewerkers"]
    back = at_provider(authorize, "u-anna")
    done = browser.get(back, timeout=30)
    assert done.status_code == 200 and done.url == f"{site.site}/@@agenda"
    assert "Anna de Vries" in done.text
    page = BeautifulSoup(done.text, "html.parser")
    assert page.find("h1") is not None
    # A member of Plone now: employee through her group, in the team the provider names,
    # and never in Administrators even though the provider says so.
    anna = user(site, "anna.sso")
    assert anna["fullname"] == "Anna de Vries"
    # No e-mail address in Plone: "forgot password" cannot give her a local
    # password that would outlive her organisation account.
    assert not anna["email"]
    reset = requests.get(
        f"{site.site}/mail_password",
        params={"userid": "anna.sso"},
        headers={"Accept-Language": "en"},
        timeout=30,
    )
    assert "does not have an email address" in reset.text
    assert "CounterEmployee" in anna["roles"] and "Manager" not in anna["roles"]
    groups = {g["id"] for g in anna["groups"]["items"]}
    assert TEAM in groups and "Administrators" not in groups
    # The session cookie works for the employee's REST calls too.
    agenda_json = browser.get(
        f"{site.site}/@agenda", headers={"Accept": "application/json"}, timeout=30
    )
    assert agenda_json.status_code == 200, agenda_json.text[:300]
    # The answer cannot be used a second time, not even in another browser.
    assert browser.get(back, timeout=30).status_code == 400
    refused(new_browser().get(back, timeout=30), "not valid")
    assert logged(site, "employee anna.sso logged in through SSO")
    # Only addresses of this site are followed after the login.
    browser = new_browser()
    authorize = to_provider(browser, site, came_from="https://evil.example/phish")
    done = browser.get(at_provider(authorize, "u-anna"), timeout=30)
    assert done.url == f"{site.site}/@@agenda"


def test_normal_plone_login_keeps_working(site):
    browser = new_browser()
    form = browser.get(f"{site.site}/login", timeout=30)
    soup = BeautifulSoup(form.text, "html.parser")
    values = {
        i["name"]: i.get("value", "")
        for i in soup.select("form#login_form input")
        if i.get("name")
    }
    values.update({"__ac_name": "local.worker", "__ac_password": "a-Local-password-1"})
    values.pop("buttons.login", None)
    values["buttons.login"] = "Log in"
    response = browser.post(f"{site.site}/login", data=values, timeout=30)
    assert response.status_code == 200
    assert "__ac" in browser.cookies
    me = browser.get(
        f"{site.site}/@users/local.worker",
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert me.status_code == 200


def test_wrong_state_is_refused_and_nothing_changes(site):
    browser = new_browser()
    back = at_provider(to_provider(browser, site), "u-bert")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    forged = f"{parts.scheme}://{parts.netloc}{parts.path}?" + urlencode(
        {"code": query["code"][0], "state": "x" + query["state"][0]}
    )
    refused(browser.get(forged, timeout=30), "not valid")
    assert user(site, "bert.sso") is None
    # The pending login is spent: the real answer after a forged one is refused too.
    refused(browser.get(back, timeout=30), "not valid")
    assert user(site, "bert.sso") is None
    # Someone else's answer, opened in a browser that did not start this login.
    attacker = new_browser()
    victim = new_browser()
    to_provider(victim, site)
    stolen = at_provider(to_provider(attacker, site), "u-bert")
    refused(victim.get(stolen, timeout=30), "not valid")
    assert user(site, "bert.sso") is None


def test_tampered_id_token_is_refused(site, provider):
    browser = new_browser()
    back = at_provider(to_provider(browser, site), "u-bert")
    provider.spoil = "signature"
    try:
        refused(browser.get(back, timeout=30), "could not be checked")
    finally:
        provider.spoil = None
    assert user(site, "bert.sso") is None
    assert logged(site, "login refused: code exchange or ID token: BadSignature")
    # A tampered pending-login cookie (another nonce) is refused as well.
    browser = new_browser()
    authorize = to_provider(browser, site)
    cookie = browser.cookies.get("__digitalebalie_sso")
    pending = json.loads(base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)))
    pending["nonce"] = "not-the-nonce-sent"
    tampered = base64.urlsafe_b64encode(json.dumps(pending).encode()).decode()
    back = at_provider(authorize, "u-bert")
    response = new_browser().get(
        back,
        headers={"Cookie": f"__digitalebalie_sso={tampered.rstrip('=')}"},
        timeout=30,
    )
    refused(response, "could not be checked")
    assert logged(site, "login refused: nonce does not match")
    assert user(site, "bert.sso") is None


def test_who_may_not_log_in(site):
    # Not in an employee group or team.
    browser = new_browser()
    refused(
        browser.get(at_provider(to_provider(browser, site), "u-piet"), timeout=30),
        "may not log in here",
    )
    assert user(site, "piet.sso") is None
    # The provider names a local account: it is not taken over.
    before = user(site, "local.worker")
    browser = new_browser()
    refused(
        browser.get(at_provider(to_provider(browser, site), "u-local"), timeout=30),
        "already a Plone user",
    )
    assert user(site, "local.worker") == before
    # A user name that is a group's id would share that group's roles.
    browser = new_browser()
    refused(
        browser.get(at_provider(to_provider(browser, site), "u-admins"), timeout=30),
        "already a Plone user",
    )
    assert logged(site, "Administrators is a group")
    # No user name in the claims.
    browser = new_browser()
    refused(
        browser.get(at_provider(to_provider(browser, site), "u-nameless"), timeout=30),
        "no usable user name",
    )
    # A login stopped at the provider.
    browser = new_browser()
    authorize = to_provider(browser, site)
    denied = requests.post(
        authorize, data={"action": "deny"}, allow_redirects=False, timeout=30
    )
    refused(browser.get(denied.headers["Location"], timeout=30), "stopped")


def test_the_plugins_own_rest_login_is_closed(site):
    for path in ("@login-oidc/digitalebalie-sso", "@logout-oidc/digitalebalie-sso"):
        response = requests.get(
            f"{site.site}/{path}", headers={"Accept": "application/json"}, timeout=30
        )
        assert response.status_code == 404, response.text[:300]
    response = requests.post(
        f"{site.site}/@login-oidc/digitalebalie-sso",
        json={"qs": "?code=x&state=y"},
        headers=JSON,
        timeout=30,
    )
    assert response.status_code == 404


def test_rest_clients_are_shown_the_add_ons_login(site):
    options = new_browser().get(
        f"{site.site}/@login", headers={"Accept": "application/json"}, timeout=30
    )
    assert options.status_code == 200
    (option,) = [o for o in options.json()["options"] if o["id"] == "digitalebalie-sso"]
    assert option["url"] == f"{site.site}/@@sso-login"


def test_login_service_down(site, provider):
    admin = admin_session(site)
    settings = f"{site.site}/@controlpanels/digitalebalie"
    closed = f"http://127.0.0.1:{free_port()}"
    assert admin.patch(settings, json={"sso_issuer": closed}, headers=JSON).ok
    try:
        response = new_browser().get(f"{site.site}/@@sso-login", timeout=60)
        assert response.status_code == 503
        alert = BeautifulSoup(response.text, "html.parser").find(role="alert")
        assert "cannot be reached" in alert.text
        assert logged(site, "login refused: provider not reachable")
    finally:
        assert admin.patch(
            settings, json={"sso_issuer": provider.base}, headers=JSON
        ).ok


@pytest.mark.parametrize(
    "spoil, reason",
    [
        ("none", "ID token signed with 'none'"),
        # HMAC with the client secret: pyoidc takes it from any provider.
        (("HS256", "employee-sso-secret-0123"), "ID token signed with 'HS256'"),
    ],
    ids=["alg-none", "hs256-with-public-keys"],
)
def test_id_token_without_the_providers_signature_is_refused(
    site, provider, spoil, reason
):
    browser = new_browser()
    back = at_provider(to_provider(browser, site), "u-bert")
    provider.spoil = spoil
    try:
        refused(browser.get(back, timeout=30), "could not be checked")
    finally:
        provider.spoil = None
    assert "__ac" not in browser.cookies
    assert user(site, "bert.sso") is None
    assert logged(site, f"login refused: {reason}")


def test_provider_addresses_must_be_https(site, provider):
    admin = admin_session(site)
    settings = f"{site.site}/@controlpanels/digitalebalie"
    # In the control panel: refused, with the field's message.
    for address in ("http://login.example.nl/realms/gemeente", "ftp://127.0.0.1/x"):
        response = admin.patch(settings, json={"sso_issuer": address}, headers=JSON)
        assert response.status_code == 400, response.text[:300]
        assert "https://" in response.text
    assert (
        admin.get(settings, headers=JSON).json()["data"]["sso_issuer"] == provider.base
    )
    # At use time: metadata naming an unencrypted token or key address.
    for name in ("token_endpoint", "jwks_uri"):
        provider.metadata = {name: "http://login.example.nl/token"}
        try:
            response = new_browser().get(
                f"{site.site}/@@sso-login", allow_redirects=False, timeout=30
            )
        finally:
            provider.metadata = {}
        assert response.status_code == 503, response.text[:300]
        alert = BeautifulSoup(response.text, "html.parser").find(role="alert")
        assert "not set up completely" in alert.text
        assert logged(site, f"login refused: {name} in the metadata is not https")
