"""The device test in real Chromium on a 320 px phone, with fake camera and
microphone, against the live site's room server and a real coturn.

The appointment is two days ahead: its video room is long closed, the test
works anyway. Every check runs for real: the preview plays, the microphone
meter moves, pings go through the room server, and two connections in the page
meet only through the TURN relay.
"""

from browser_helpers import wait_for
from bs4 import BeautifulSoup
from coturn import coturn
from helpers import Browser
from live import book_first_free
from live import create_product
from live import set_controlpanel
from test_accessibility import run_axe
import json
import pytest


TURN_SECRET = "device-test-turn-secret-" + "d" * 24
CHROMIUM_EXTRA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


def settings(live_site, **values):
    set_controlpanel(live_site, "digitalebalie", values)


def set_turn_secret(live_site, secret):
    """Type the TURN secret in the secrets form, as an administrator does."""
    admin = Browser(live_site.site)
    admin.auth = live_site.admin
    form = admin.get("@@digitalebalie-secrets")
    values = admin.form_values(form, "form")
    values.update({"form.widgets.turn_secret": secret, "form.buttons.save": "Save"})
    saved = admin.post("@@digitalebalie-secrets", data=values)
    assert saved.status_code == 200, saved.text
    assert "error" not in BeautifulSoup(saved.text, "html.parser").get_text().lower()


@pytest.fixture(scope="module")
def turn(live_site, tmp_path_factory):
    """The live site pointed at a real coturn sharing its TURN secret."""
    with coturn(tmp_path_factory.mktemp("coturn"), TURN_SECRET) as (url, log):
        set_turn_secret(live_site, TURN_SECRET)
        settings(live_site, turn_urls=[url])
        try:
            yield log
        finally:
            # The other browser tests meet without a relay.
            settings(live_site, turn_urls=[])


@pytest.fixture(scope="module")
def link(live_site):
    product, _uid = create_product(
        live_site, title="Rijbewijs verlengen", channels=["video"]
    )
    return book_first_free(product, "Fatima el Amrani", days_ahead=2)["url"]


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        locale="nl-NL", viewport={"width": 320, "height": 640}
    )
    yield context.new_page()
    context.close()


def result(page, part):
    return page.inner_text(f"[data-part={part}]")


def test_everything_works_on_a_phone_days_ahead(live_site, turn, link, phone):
    phone.goto(link)
    phone.click("text=Test uw camera en microfoon")
    assert phone.url == f"{link}/device-test"
    phone.click("[data-action=start]")

    # The camera preview plays.
    wait_for(
        phone,
        "() => { const v = document.querySelector('.device-test-preview');"
        " return v.videoWidth > 0 && v.currentTime > 0.3; }",
    )
    assert phone.get_attribute("[data-part=camera]", "data-kind") == "ok"
    # The fake microphone beeps: the meter goes above zero, and it says so.
    wait_for(
        phone, "Number(document.querySelector('.device-test').dataset.micPeak) > 0"
    )
    wait_for(phone, "document.querySelector('[data-part=mic]').dataset.kind === 'ok'")
    assert "horen u" in result(phone, "mic")
    # Pings through the room server, and a connection through the relay.
    wait_for(
        phone,
        "['ok', 'fail', 'skip'].includes("
        "document.querySelector('[data-part=server]').dataset.kind)",
    )
    assert phone.get_attribute("[data-part=server]", "data-kind") == "ok", result(
        phone, "server"
    )
    wait_for(
        phone,
        "['ok', 'fail', 'skip'].includes("
        "document.querySelector('[data-part=relay]').dataset.kind)",
    )
    assert phone.get_attribute("[data-part=relay]", "data-kind") == "ok", result(
        phone, "relay"
    )
    root = phone.locator(".device-test")
    server_ms = int(root.get_attribute("data-server-ms"))
    relay_ms = int(root.get_attribute("data-relay-ms"))
    assert f"{server_ms} ms" in result(phone, "server")
    assert f"{relay_ms} ms" in result(phone, "relay")
    print(f"device test: room server {server_ms} ms, through TURN {relay_ms} ms")
    # coturn really carried it: it allocated a relay for the test's participant.
    assert ":test-" in turn.read_text()

    # Until the speaker is checked, the verdict asks for it.
    assert phone.get_attribute(".device-test-verdict", "data-kind") == "wait"
    phone.click("[data-action=play]")
    wait_for(phone, "!document.querySelector('.device-test-heard').hidden")
    phone.click("[data-action=heard-yes]")
    assert phone.get_attribute("[data-action=heard-yes]", "aria-pressed") == "true"
    wait_for(
        phone, "document.querySelector('.device-test-verdict').dataset.kind === 'ok'"
    )
    assert "Alles werkt" in phone.inner_text(".device-test-verdict")

    # Fits a 320 px phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    # And, as it stands with every result shown, no accessibility violations.
    violations = run_axe(phone)
    assert violations == [], json.dumps(violations, indent=1)


def test_denied_camera_says_what_to_do(link, phone):
    phone.goto(f"{link}/device-test")
    # As if the citizen clicked "Block" in the browser's permission prompt.
    phone.evaluate(
        "() => { navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('denied', 'NotAllowedError')); }"
    )
    phone.click("[data-action=start]")
    wait_for(
        phone, "document.querySelector('[data-part=camera]').dataset.kind === 'fail'"
    )
    assert "toegestaan" in result(phone, "camera")
    wait_for(
        phone, "document.querySelector('.device-test-verdict').dataset.kind === 'todo'"
    )
    assert "microfoon" in phone.inner_text(".device-test-verdict")
