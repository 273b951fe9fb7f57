"""eHerkenning through an OIDC broker (oidc-provider-mock on loopback, eHerkenning claims)."""

from bs4 import BeautifulSoup
from collective.digitalebalie import appointments
from collective.digitalebalie import secrets
from collective.digitalebalie.integrations import broker as flow
from collective.digitalebalie.integrations import eherkenning
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.integrations import oidc
from cryptography.hazmat.primitives.asymmetric import rsa
from datetime import date
from datetime import timedelta
from fake_oidc import LEVEL
from fake_oidc import Relay
from fake_oidc import eherkenning_claims
from fake_rooms import room_server  # noqa: F401 - a fixture
from helpers import JSON
from helpers import Browser
from helpers import book_soon
from helpers import team_agenda
from oidc_provider_mock import User
from oidc_provider_mock import run_server_in_thread
from plone import api
from urllib.parse import parse_qs
from urllib.parse import urlsplit
import json
import pytest
import requests
import transaction


KVK = "12345678"
BRANCH = "000012345678"
RSIN = "123456782"  # passes the eleven test
EVERY_DAY = [
    {"weekday": d, "start": "00:00", "end": "23:59", "counters": 3} for d in range(7)
]
USERS = {
    "kvk-branch": eherkenning_claims(KVK, branch=BRANCH),
    "kvk-plain": eherkenning_claims(KVK, form="plain", kind=None),
    "rsin": eherkenning_claims(RSIN, kind="RSIN", form="plain"),
    "bad-kvk": eherkenning_claims("1234567"),
    "kvk-9-digits": eherkenning_claims("123456782"),
    "bad-rsin": eherkenning_claims("123456789", kind="RSIN"),
    "bad-branch": eherkenning_claims(KVK, branch="12345678901"),
    "bsn": eherkenning_claims("999993653", kind="BSN"),
    "loa2": eherkenning_claims(KVK, loa="loa2"),
    "loa4": eherkenning_claims(KVK, loa="loa4", branch=BRANCH),
    "digid": {"bsn": "999993653", "acr": "midden"},
}


@pytest.fixture
def broker():
    users = [User(sub=sub, claims=claims) for sub, claims in USERS.items()]
    flow._metadata_cache.clear()
    oidc.forget_keys()
    with run_server_in_thread(user_claims=users, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def configured(functional, broker, browser_as, make_team):
    """One broker for both (the callbacks differ); settings and secrets set."""
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={
            "eherkenning_issuer": broker,
            "eherkenning_client_id": "digitale-balie-eh",
            "oidc_issuer": broker,
            "oidc_client_id": "digitale-balie",
            "reminder_hours": 0,
        },
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    secrets.set_secret("eherkenning_client_secret", "eh-client-secret-0123")
    secrets.set_secret("oidc_client_secret", "broker-client-secret-0123")
    transaction.commit()
    return {"anna": anna, "manager": manager}


def book(browser, configured, make_product, **fields):
    product = make_product(
        teams=["burgerzaken"],
        duration=5,
        min_notice_hours=0,
        opening_hours=EVERY_DAY,
        channels=["video"],
        **fields,
    )
    token, start = book_soon(
        browser, product, email="ondernemer@example.nl", ahead=timedelta(minutes=1)
    )
    appointment = team_agenda(configured["anna"], date.fromisoformat(start[:10]))[0][
        "@id"
    ]
    return {
        **configured,
        "token": token,
        "appointment": appointment,
        "product": product,
    }


@pytest.fixture
def case(browser, configured, make_product):
    return book(browser, configured, make_product, identification="eherkenning")


def authorize(browser, case, path="identify"):
    start = browser.get(
        f"@@my-appointment/{case['token']}/{path}", allow_redirects=False
    )
    assert start.status_code == 303, start.text[:300]
    return start


def login(browser, case, sub, path="identify"):
    """The entrepreneur's way through eHerkenning; returns the broker's answer address."""
    location = authorize(browser, case, path).headers["Location"]
    answer = requests.post(
        location, data={"sub": sub}, allow_redirects=False, timeout=30
    )
    assert answer.status_code in (302, 303), answer.text[:300]
    return answer.headers["Location"]


def identified(browser, case):
    video = browser.get(f"@appointment/{case['token']}/video", headers=JSON)
    return video.status_code == 200


def alert(response):
    return BeautifulSoup(response.text, "html.parser").find(role="alert").text


def stored(case):
    transaction.begin()
    return identification.identity_of(appointments.find_by_token(case["token"]))


def citizen_status(browser, case):
    page = BeautifulSoup(
        browser.get(f"@@my-appointment/{case['token']}").text, "html.parser"
    )
    return " ".join(page.select_one("#desk-identification [role=status]").text.split())


def test_kvk_with_branch(functional, browser, case):
    browser.headers["Accept-Language"] = "en"
    video = browser.get(f"@appointment/{case['token']}/video", headers=JSON)
    assert video.status_code == 403
    assert video.json()["error"]["message"] == (
        "First log in with eHerkenning. Then you can join the video call."
    )
    page = BeautifulSoup(
        browser.get(f"@@my-appointment/{case['token']}").text, "html.parser"
    )
    (button,) = page.select("#desk-identification a[href$='/identify']")
    assert "Log in with eHerkenning" in button.text
    # The request: eHerkenning's own client, callback and cookie; the level the
    # product needs (default EH3), asked as essential; PKCE.
    start = authorize(browser, case)
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["client_id"] == ["digitale-balie-eh"]
    assert query["redirect_uri"][0].endswith("/@@eherkenning-callback")
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == [LEVEL + "loa3"]
    asked = json.loads(query["claims"][0])["id_token"]
    assert asked["acr"] == {
        "essential": True,
        "values": [LEVEL + "loa3", LEVEL + "loa4"],
    }
    assert asked["urn:etoegang:core:LegalSubjectID"] == {"essential": True}
    cookie = start.headers["Set-Cookie"]
    assert cookie.startswith(f"{eherkenning.COOKIE}=") and "HttpOnly" in cookie
    done = browser.get(login(browser, case, "kvk-branch"))
    assert done.status_code == 200 and "identified=1" in done.url
    assert identified(browser, case)
    # Stored encrypted, in the shape the case system's rol is made from.
    identity = stored(case)
    when = identity.pop("when")
    assert when.endswith("+00:00")
    assert identity == {
        "scheme": "eherkenning",
        "legal_subject": {"kind": "kvk", "number": KVK},
        "branch": BRANCH,
        "acting": USERS["kvk-branch"]["urn:etoegang:core:ActingSubjectID"],
        "loa": LEVEL + "loa3",
        "name": "Bakkerij De Korenbloem B.V.",
    }
    appointment = appointments.find_by_token(case["token"])
    assert KVK not in appointment.identity and BRANCH not in appointment.identity
    # The citizen sees it, in English and in Dutch.
    assert citizen_status(browser, case) == (
        f"You identified with eHerkenning as KVK {KVK} (branch {BRANCH})."
    )
    browser.headers["Accept-Language"] = "nl"
    assert citizen_status(browser, case) == (
        f"U bent ingelogd met eHerkenning als KVK {KVK} (vestiging {BRANCH})."
    )
    # The employee: masked until revealed, revealing is recorded.
    anna = case["anna"]
    anna.headers["Accept-Language"] = "en"
    page = anna.get(case["appointment"]).text
    soup = BeautifulSoup(page, "html.parser")
    part = soup.select_one("#desk-identification")
    assert "Identified with eHerkenning" in part.text
    assert "Bakkerij De Korenbloem B.V." in part.text
    assert part.select_one(".dbalie-company").text == "KVK *****5678 (branch *****5678)"
    assert KVK not in page and BRANCH not in page
    form = part.find("form", action=lambda a: a and a.endswith("@@reveal-bsn"))
    assert form["data-desk-reveal"] == "company"
    token = form.find("input", attrs={"name": "_authenticator"})["value"]
    revealed = BeautifulSoup(
        anna.post(form["action"], data={"_authenticator": token}).text, "html.parser"
    )
    assert revealed.select_one("#desk-identification .dbalie-company").text == (
        f"KVK {KVK} (branch {BRANCH})"
    )
    answer = anna.post(form["data-desk-action"], json={}, headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.json() == {
        "company": f"KVK {KVK} (branch {BRANCH})",
        "legal_subject": {"kind": "kvk", "number": KVK},
        "branch": BRANCH,
    }
    assert browser.post(
        form["data-desk-action"], json={}, headers=JSON
    ).status_code in (
        401,
        403,
    )
    anna.headers["Accept-Language"] = "nl"
    assert "(vestiging *****5678)" in anna.get(case["appointment"]).text
    # The dossier has it too, and its audit trail says what happened.
    transaction.begin()
    dossier = (
        case["anna"]
        .get("@agenda", params={"scope": "team", "q": "Jan"}, headers=JSON)
        .json()["items"][0]["dossier"]
    )
    audit = case["manager"].get(f"{dossier}/@@dossier-audit").text
    assert "identified with eHerkenning" in audit and "KVK number revealed" in audit
    assert audit.count("KVK number revealed") == 2
    # The entrepreneur did not become a member of the site.
    assert functional["portal"].acl_users.getUserById("kvk-branch") is None


def test_the_employees_page_hears_of_it(browser, case, room_server):  # noqa: F811
    room_server.clear()
    assert browser.get(login(browser, case, "kvk-branch")).status_code == 200
    assert room_server.parts(case["appointment"].rsplit("/", 1)[-1]) == [
        "identification"
    ]


def test_rsin_and_the_plain_string_form(browser, case):
    # A plain string with the qualifier in the claim next to it.
    browser.headers["Accept-Language"] = "en"
    assert browser.get(login(browser, case, "rsin")).status_code == 200
    identity = stored(case)
    assert identity["legal_subject"] == {"kind": "rsin", "number": RSIN}
    assert identity["branch"] == ""
    assert citizen_status(browser, case) == (
        f"You identified with eHerkenning as RSIN {RSIN}."
    )
    case["anna"].headers["Accept-Language"] = "en"
    part = BeautifulSoup(case["anna"].get(case["appointment"]).text, "html.parser")
    assert part.select_one(".dbalie-company").text == "RSIN *****6782"
    # Without a qualifier: 8 digits are a KVK number.
    assert browser.get(login(browser, case, "kvk-plain")).status_code == 200
    assert stored(case)["legal_subject"] == {"kind": "kvk", "number": KVK}


@pytest.mark.parametrize(
    "sub,english,dutch",
    [
        (
            "bad-kvk",
            "eHerkenning did not give a valid KVK number (8 digits).",
            "eHerkenning gaf geen geldig KVK-nummer (8 cijfers).",
        ),
        (
            "kvk-9-digits",
            "eHerkenning did not give a valid KVK number (8 digits).",
            "eHerkenning gaf geen geldig KVK-nummer (8 cijfers).",
        ),
        (
            "bad-rsin",
            "eHerkenning did not give a valid RSIN.",
            "eHerkenning gaf geen geldig RSIN.",
        ),
        (
            "bad-branch",
            "eHerkenning did not give a valid branch number (12 digits).",
            "eHerkenning gaf geen geldig vestigingsnummer (12 cijfers).",
        ),
        (
            "bsn",
            "eHerkenning did not give a KVK number or RSIN of your company.",
            "eHerkenning gaf geen KVK-nummer of RSIN van uw bedrijf.",
        ),
    ],
)
def test_a_bad_number_is_refused_and_nothing_stored(browser, case, sub, english, dutch):
    for language, message in (("en", english), ("nl", dutch)):
        browser.headers["Accept-Language"] = language
        response = browser.get(login(browser, case, sub))
        assert response.status_code == 400, sub
        assert alert(response) == message
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert not identified(browser, case)
    assert stored(case) is None


def test_too_low_a_level_is_refused(browser, case):
    browser.headers["Accept-Language"] = "en"
    response = browser.get(login(browser, case, "loa2"))
    assert response.status_code == 400
    assert "safer eHerkenning login (level EH3 or higher)" in alert(response)
    browser.headers["Accept-Language"] = "nl"
    response = browser.get(login(browser, case, "loa2"))
    assert "veiliger" in alert(response) and "EH3" in alert(response)
    assert stored(case) is None
    # Higher than needed is fine.
    assert browser.get(login(browser, case, "loa4")).status_code == 200
    assert stored(case)["loa"] == LEVEL + "loa4"


def test_a_product_that_needs_less(browser, configured, make_product):
    case = book(
        browser,
        configured,
        make_product,
        identification="eherkenning",
        eherkenning_loa=LEVEL + "loa2",
    )
    start = authorize(browser, case)
    assert parse_qs(urlsplit(start.headers["Location"]).query)["acr_values"] == [
        LEVEL + "loa2"
    ]
    assert browser.get(login(browser, case, "loa2")).status_code == 200
    assert stored(case)["loa"] == LEVEL + "loa2"


@pytest.fixture
def relay(broker, case):
    """The broker behind a relay that can change the ID token (fake_oidc.Relay)."""
    server = Relay(int(urlsplit(broker).port)).start()
    api.portal.set_registry_record(
        "collective.digitalebalie.interfaces.IDigitaleBalieSettings.eherkenning_issuer",
        server.base,
    )
    transaction.commit()
    yield server
    server.stop()


def test_state_and_nonce_must_match(browser, case, relay, portal_url):
    browser.headers["Accept-Language"] = "en"
    # A state nobody started.
    callback = login(browser, case, "kvk-branch")
    forged = callback.replace("state=", "state=x")
    response = browser.get(forged)
    assert response.status_code == 400
    assert "This eHerkenning login does not work any more" in alert(response)
    assert "Logging in with eHerkenning did not work" in response.text
    # Another browser, with the real answer: nothing changes.
    other = Browser(portal_url, language="en")
    response = other.get(callback)
    assert response.status_code == 400
    assert "eHerkenning login was started in another browser" in alert(response)
    # The answer brought to DigiD's callback: not a DigiD login, refused;
    # the login stays for eHerkenning's callback.
    callback = login(browser, case, "kvk-branch")
    response = browser.get(callback.replace("eherkenning-callback", "digid-callback"))
    assert response.status_code == 400
    assert "This DigiD login does not work any more" in alert(response)
    assert stored(case) is None
    assert browser.get(callback).status_code == 200
    transaction.begin()
    appointments.find_by_token(case["token"]).identity = None
    transaction.commit()
    # A token for another login (its nonce is not this one's), well signed.
    relay.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    relay.claims = {"nonce": "not-the-nonce-of-this-login"}
    response = browser.get(login(browser, case, "kvk-branch"))
    assert response.status_code == 400
    assert "could not check the answer from eHerkenning" in alert(response)
    assert stored(case) is None
    # The same relay without the change: it works, once.
    relay.claims = {}
    callback = login(browser, case, "kvk-branch")
    assert browser.get(callback).status_code == 200
    assert browser.get(callback).status_code == 400
    assert stored(case)["legal_subject"]["number"] == KVK


def test_the_citizen_chooses_when_the_product_allows_either(
    browser, configured, make_product
):
    case = book(browser, configured, make_product, identification="either")
    browser.headers["Accept-Language"] = "en"
    video = browser.get(f"@appointment/{case['token']}/video", headers=JSON)
    assert video.json()["error"]["message"] == (
        "First log in with DigiD or eHerkenning. Then you can join the video call."
    )
    for language, words in (
        ("en", ("Log in with DigiD", "Log in with eHerkenning", "for a company")),
        ("nl", ("Inloggen met DigiD", "Inloggen met eHerkenning", "voor een bedrijf")),
    ):
        browser.headers["Accept-Language"] = language
        response = browser.get(
            f"@@my-appointment/{case['token']}/identify", allow_redirects=False
        )
        assert response.status_code == 200  # the choice, not a broker
        part = BeautifulSoup(response.text, "html.parser").select_one(
            "#desk-identification"
        )
        links = {a.get_text(" ", True): a["href"] for a in part.select("a")}
        assert [href.rsplit("/", 2)[-2:] for href in links.values()] == [
            ["identify", "digid"],
            ["identify", "eherkenning"],
        ]
        assert words[0] in " ".join(links) and words[1] in " ".join(links)
        assert words[2] in part.text
    for path, callback in (
        ("digid", "digid-callback"),
        ("eherkenning", "eherkenning-callback"),
    ):
        start = authorize(browser, case, f"identify/{path}")
        assert parse_qs(urlsplit(start.headers["Location"]).query)["redirect_uri"][
            0
        ].endswith(f"/@@{callback}")
    # Either way in: here DigiD, whose identity keeps its BSN.
    assert (
        browser.get(login(browser, case, "digid", path="identify/digid")).status_code
        == 200
    )
    identity = stored(case)
    assert identity["scheme"] == "digid" and identity["bsn"] == "999993653"
    assert identified(browser, case)


def test_identification_setting_and_the_old_field(
    browser, configured, make_product, functional
):
    manager = configured["manager"]
    url = make_product(identification="eherkenning")
    product = manager.get(url, headers=JSON).json()
    assert product["identification"]["token"] == "eherkenning"
    assert product["requires_identification"] is True  # as before: "needs some"
    # An old client switches it off, and on again: DigiD, as it always meant.
    for value, expected in ((False, "none"), (True, "digid")):
        response = manager.patch(
            url, json={"requires_identification": value}, headers=JSON
        )
        assert response.status_code == 204, response.text
        product = manager.get(url, headers=JSON).json()
        assert product["identification"]["token"] == expected
        assert product["requires_identification"] is value
    # A product saved before the setting: requires_identification true is DigiD,
    # before the upgrade and after it.
    transaction.begin()
    old = functional["portal"][url.rsplit("/", 1)[-1]]
    old._p_activate()
    old.__dict__.pop("identification", None)
    old.__dict__["requires_identification"] = True
    old._p_changed = True
    transaction.commit()
    assert identification.method_of(old) == "digid"
    assert manager.get(url, headers=JSON).json()["requires_identification"] is True
    page = BeautifulSoup(manager.get(url).text, "html.parser")
    assert "with DigiD" in page.select_one(".dbalie-facts").text
    setup_tool = functional["portal"].portal_setup
    setup_tool.setLastVersionForProfile("collective.digitalebalie:default", "1006")
    setup_tool.upgradeProfile("collective.digitalebalie:default")
    transaction.commit()
    assert setup_tool.getLastVersionForProfile("collective.digitalebalie:default") == (
        "1009",
    )
    assert old.__dict__["identification"] == "digid"
    assert "requires_identification" not in old.__dict__
    assert manager.get(url, headers=JSON).json()["identification"]["token"] == "digid"
    assert api.portal.get_registry_record(
        "collective.digitalebalie.interfaces.IDigitaleBalieSettings"
        ".eherkenning_legal_subject_claim"
    ) == ("urn:etoegang:core:LegalSubjectID")
    # The product page tells entrepreneurs what they need.
    eh = make_product(identification="eherkenning")
    manager.headers["Accept-Language"] = "nl"
    facts = BeautifulSoup(manager.get(eh).text, "html.parser").select_one(
        ".dbalie-facts"
    )
    assert "met eHerkenning" in facts.text
