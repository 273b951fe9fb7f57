"""The control panel over HTTP: who may see it, what saving does, secrets hidden."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from helpers import JSON
import pytest
import re


SETTINGS = "@@digitalebalie-controlpanel"
SECRETS = "@@digitalebalie-secrets"
PREFIX = "form.widgets."


def _setting(name, browser):
    """A setting as the server has it now (read over HTTP, as a client would)."""
    response = browser.get(
        "@controlpanels/digitalebalie", headers={"Accept": "application/json"}
    )
    value = response.json()["data"][name]
    return value["token"] if isinstance(value, dict) else value


def _secret(name):
    """A secret, read in the test's own transaction: only before any change."""
    return secrets.get_secret(name)


def _fingerprints(browser):
    """What the secrets page says about each secret that is set, by field."""
    soup = BeautifulSoup(browser.get(SECRETS).text, "html.parser")
    result = {}
    for field in soup.find_all(
        "input", attrs={"name": re.compile(r"^form\.widgets\.")}
    ):
        name = field["name"].removeprefix("form.widgets.")
        container = field.find_parent(class_="field") or field.parent
        found = re.search(r"fingerprint (\w+)", container.get_text(" "))
        if found:
            result[name] = found.group(1)
    return result


def _shows_form(response):
    return response.status_code == 200 and f'name="{PREFIX}municipality_name"' in (
        response.text
    )


class TestAccess:
    @pytest.mark.parametrize("page", [SETTINGS, SECRETS])
    def test_anonymous_is_sent_to_login(self, browser, page):
        response = browser.get(page, allow_redirects=False)
        assert response.status_code in (302, 401)
        assert "municipality_name" not in response.text
        if response.status_code == 302:
            assert "login" in response.headers["Location"]

    @pytest.mark.parametrize("roles", [("Member",), ("Editor",), ("CounterEmployee",)])
    @pytest.mark.parametrize("page", [SETTINGS, SECRETS])
    def test_other_users_are_refused(self, browser_as, page, roles):
        response = browser_as(*roles).get(page, allow_redirects=False)
        assert response.status_code in (302, 401, 403)
        assert "form.widgets" not in response.text

    @pytest.mark.parametrize("roles", [("Manager",), ("Site Administrator",)])
    def test_managers_see_the_settings(self, browser_as, roles):
        response = browser_as(*roles, language="en").get(SETTINGS)
        assert _shows_form(response)
        assert "Gemeente Voorbeeld" in response.text

    def test_listed_in_site_setup(self, browser_as):
        response = browser_as("Manager", language="en").get("@@overview-controlpanel")
        assert "@@digitalebalie-controlpanel" in response.text
        assert "@@digitalebalie-secrets" in response.text


class TestSettingsForm:
    def test_save(self, browser_as):
        browser = browser_as("Manager", language="en")
        values = browser.form_values(browser.get(SETTINGS), "form")
        values.update(
            {
                f"{PREFIX}municipality_name": "Gemeente Rotterdam",
                f"{PREFIX}timezone:list": "America/Curacao",
                f"{PREFIX}room_server_url": "wss://balie.example.nl/rooms",
                "form.buttons.save": "Save",
            }
        )
        response = browser.post(SETTINGS, data=values)
        assert response.status_code == 200
        assert _setting("municipality_name", browser) == "Gemeente Rotterdam"
        assert _setting("timezone", browser) == "America/Curacao"
        assert _setting("room_server_url", browser) == "wss://balie.example.nl/rooms"

    @pytest.mark.parametrize(
        "field,value",
        [
            ("municipality_name", ""),
            ("timezone:list", "Mars/Olympus_Mons"),
            ("room_server_url", "not a url"),
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, browser_as, field, value):
        browser = browser_as("Manager", language="en")
        values = browser.form_values(browser.get(SETTINGS), "form")
        values.update(
            {
                f"{PREFIX}municipality_name": "Gemeente Rotterdam",
                f"{PREFIX}{field}": value,
                "form.buttons.save": "Save",
            }
        )
        response = browser.post(SETTINGS, data=values)
        assert response.status_code == 200
        assert "There were some errors" in response.text
        assert _setting("municipality_name", browser) == "Gemeente Voorbeeld"
        assert _setting("timezone", browser) == "Europe/Amsterdam"

    def test_post_without_csrf_token_changes_nothing(self, browser_as):
        browser = browser_as("Manager", language="en")
        values = browser.form_values(browser.get(SETTINGS), "form")
        values.pop("_authenticator", None)
        values.update(
            {
                f"{PREFIX}municipality_name": "Gemeente Gestolen",
                "form.buttons.save": "Save",
            }
        )
        browser.post(SETTINGS, data=values)
        assert _setting("municipality_name", browser) == "Gemeente Voorbeeld"


class TestSecrets:
    def test_page_never_shows_a_secret(self, browser_as):
        browser = browser_as("Manager", language="en")
        response = browser.get(SECRETS)
        assert response.status_code == 200
        for name in secrets.GENERATED:
            value = _secret(name)
            assert value and value not in response.text
            assert secrets.fingerprint(value) in response.text

    def test_rest_and_registry_forms_never_show_a_secret(self, browser_as):
        browser = browser_as("Manager", language="en")
        responses = [
            browser.get(SETTINGS),
            browser.get(
                "@controlpanels/digitalebalie", headers={"Accept": "application/json"}
            ),
        ]
        for name in secrets.GENERATED:
            value = _secret(name)
            for response in responses:
                assert response.status_code == 200
                assert value not in response.text

    @pytest.mark.parametrize("name", secrets.SECRET_NAMES)
    def test_registry_service_has_no_secret(self, browser_as, name):
        browser = browser_as("Manager", language="en")
        record = f"collective.digitalebalie.interfaces.IDigitaleBalieSecrets.{name}"
        response = browser.get(
            f"@registry/{record}", headers={"Accept": "application/json"}
        )
        assert response.status_code == 404
        value = _secret(name)
        if value:
            assert value not in response.text

    def test_registry_listing_and_edit_form_have_no_secret(self, browser_as):
        browser = browser_as("Manager", language="en")
        listing = browser.get(
            "@registry?q=collective.digitalebalie&b_size=1000",
            headers={"Accept": "application/json"},
        )
        assert listing.status_code == 200
        pages = [
            listing,
            browser.get("@@configuration_registry?q=digitalebalie"),
            browser.get("@@configuration_registry?q=IDigitaleBalieSecrets"),
            browser.get("portal_registry/manage_main"),
        ]
        for response in pages:
            assert "IDigitaleBalieSecrets" not in response.text
            for name in secrets.GENERATED:
                assert _secret(name) not in response.text
        edit = browser.get(
            "@@configuration_registry/"
            "collective.digitalebalie.interfaces.IDigitaleBalieSecrets.job_key",
            allow_redirects=False,
        )
        assert edit.status_code in (302, 404) or _secret("job_key") not in edit.text

    def test_type_a_new_secret(self, browser_as):
        browser = browser_as("Manager", language="en")
        before = _fingerprints(browser)
        values = browser.form_values(browser.get(SECRETS), "form")
        new = "x" * 20 + "-shared-with-the-room-server"
        values.update(
            {
                f"{PREFIX}room_token_secret": new,
                f"{PREFIX}turn_secret": "",
                "form.buttons.save": "Save",
            }
        )
        response = browser.post(SECRETS, data=values)
        assert response.status_code == 200
        assert "saved" in response.text
        assert new not in response.text
        after = _fingerprints(browser)
        assert after["room_token_secret"] == secrets.fingerprint(new)
        assert after["turn_secret"] == before["turn_secret"]  # empty keeps it

    @pytest.mark.parametrize("value", ["too-short", "with spaces " * 4])
    def test_weak_secret_is_refused(self, browser_as, value):
        browser = browser_as("Manager", language="en")
        before = _fingerprints(browser)
        values = browser.form_values(browser.get(SECRETS), "form")
        values.update(
            {
                f"{PREFIX}room_token_secret": value,
                "form.buttons.save": "Save",
            }
        )
        response = browser.post(SECRETS, data=values)
        assert "There were some errors" in response.text
        assert _fingerprints(browser) == before

    def test_generate_new_secrets(self, browser_as):
        browser = browser_as("Site Administrator", language="en")
        before = _fingerprints(browser)
        values = browser.form_values(browser.get(SECRETS), "form")
        values["form.buttons.generate"] = "Generate new secrets"
        response = browser.post(SECRETS, data=values)
        assert response.status_code == 200
        assert "New secrets are generated" in response.text
        after = _fingerprints(browser)
        assert set(after) == set(secrets.GENERATED)  # the API key is not made up
        for name in secrets.GENERATED:
            assert after[name] != before[name]

    def test_sms_api_key_is_typed_and_never_shown(self, browser_as):
        browser = browser_as("Manager", language="en")
        values = browser.form_values(browser.get(SECRETS), "form")
        values.update({f"{PREFIX}sms_api_key": "short", "form.buttons.save": "Save"})
        assert "There were some errors" in browser.post(SECRETS, data=values).text
        key = "6d1f3a9e-0b2c-4f1e-9a57-3c2b1d0e8f77"
        values[f"{PREFIX}sms_api_key"] = key
        response = browser.post(SECRETS, data=values)
        assert "saved" in response.text and key not in response.text
        assert _fingerprints(browser)["sms_api_key"] == secrets.fingerprint(key)


class TestRestControlpanel:
    def test_manager_reads_and_patches(self, browser_as):
        browser = browser_as("Manager", language="en")
        headers = {"Accept": "application/json"}
        response = browser.get("@controlpanels/digitalebalie", headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["municipality_name"] == "Gemeente Voorbeeld"
        response = browser.patch(
            "@controlpanels/digitalebalie",
            headers=headers,
            json={"municipality_name": "Gemeente Delft"},
        )
        assert response.status_code == 204
        assert _setting("municipality_name", browser) == "Gemeente Delft"

    def test_anonymous_gets_401(self, browser):
        response = browser.get(
            "@controlpanels/digitalebalie", headers={"Accept": "application/json"}
        )
        assert response.status_code == 401


BAD_ADDRESSES = [
    ("room_server_url", "ws://rooms.example.nl/rooms"),
    ("room_server_url", "javascript:alert(1)"),
    ("sms_gateway_url", "http://gateway.example.nl/send"),
    ("sms_gateway_url", "file:///etc/passwd"),
    ("mollie_api_endpoint", "gopher://api.mollie.com"),
    ("oidc_issuer", "http://broker.example.nl"),
    ("eherkenning_issuer", "http://eherkenning.example.nl"),
    ("sso_issuer", "javascript:alert(document.cookie)"),
    ("zaken_api_url", "http://10.0.0.5/zaken/api/v1"),
    ("documenten_api_url", "ftp://documenten.example.nl"),
    ("jitsi_url", "http://127.0.0.1.example.nl"),
    ("clamd_address", "http://127.0.0.1:3310"),
    ("clamd_address", "tcp://127.0.0.1"),
    ("clamd_address", "unix://relative/clamd.ctl"),
    ("clamd_address", "file:///run/clamav/clamd.ctl"),
    ("turn_urls", ["javascript:alert(1)"]),
    ("stun_urls", ["http://stun.example.nl"]),
]
GOOD_ADDRESSES = [
    ("room_server_url", "wss://balie.example.nl/rooms"),
    ("room_server_url", "ws://127.0.0.2:8081/rooms"),
    ("sms_gateway_url", "http://localhost:9000/send"),
    ("oidc_issuer", "https://broker.example.nl/realms/digid"),
    ("eherkenning_issuer", "https://broker.example.nl/realms/eherkenning"),
    ("zaken_api_url", "http://[::1]:8000/zaken/api/v1"),
    ("clamd_address", "tcp://127.0.0.1:3310"),
    ("clamd_address", "tcp://clamav.internal:3310"),
    ("clamd_address", "unix:///run/clamav/clamd.ctl"),
    ("turn_urls", ["turn:turn.example.nl:3478?transport=udp", "turns:t.example.nl"]),
]


class TestAddresses:
    """Addresses of outside services: encrypted (plain only on this machine), and
    never a scheme a browser or a client would do something else with."""

    @pytest.mark.parametrize("field,value", BAD_ADDRESSES)
    def test_rest_refuses_in_the_addons_format(self, browser_as, field, value):
        browser = browser_as("Manager", language="en")
        before = _setting(field, browser)
        response = browser.patch(
            "@controlpanels/digitalebalie",
            headers=JSON,
            json={"municipality_name": "Gemeente Delft", field: value},
        )
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "ValidationError"
        assert error["message"] and field in error["fields"]
        assert _setting(field, browser) == before
        assert _setting("municipality_name", browser) == "Gemeente Voorbeeld"

    @pytest.mark.parametrize("field,value", GOOD_ADDRESSES)
    def test_rest_accepts(self, browser_as, field, value):
        browser = browser_as("Manager", language="en")
        response = browser.patch(
            "@controlpanels/digitalebalie", headers=JSON, json={field: value}
        )
        assert response.status_code == 204, response.text
        assert _setting(field, browser) == value

    @pytest.mark.parametrize(
        "field,value,message",
        [
            ("sso_issuer", "javascript:alert(1)", "starts with https://"),
            ("clamd_address", "file:///etc/passwd", "tcp://host:port"),
            ("room_server_url", "ws://rooms.example.nl", "starts with wss://"),
        ],
    )
    def test_form_shows_the_field_message(self, browser_as, field, value, message):
        browser = browser_as("Manager", language="en")
        values = browser.form_values(browser.get(SETTINGS), "form")
        values.update({f"{PREFIX}{field}": value, "form.buttons.save": "Save"})
        response = browser.post(SETTINGS, data=values)
        assert "There were some errors" in response.text
        soup = BeautifulSoup(response.text, "html.parser")
        widget = soup.find(attrs={"name": f"{PREFIX}{field}"})
        container = widget.find_parent(class_="field")
        assert message in container.get_text(" ")
        assert _setting(field, browser) != value
