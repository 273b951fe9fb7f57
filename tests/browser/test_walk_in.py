"""Walking in, in two Chromium windows (issue 19).

A citizen (a phone) joins the queue as number 2; the first citizen leaves and
the page says "number 1" within 2 s; the employee (a laptop) sees the queue
in the agenda and takes them; both are in the video call, and the citizen's
page never reloaded.
"""

from browser_helpers import run_axe
from browser_helpers import wait_for
from helpers import JSON
from helpers import walk_in_all_day
from live import create_product
from live import create_team
import base64
import pytest
import requests
import time


CHROMIUM_EXTRA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
PASSWORD = "walk-In-browser-pw-1"


def arrives(page, expression, within=2.0):
    started = time.monotonic()
    wait_for(page, expression, timeout=within * 1000)
    return time.monotonic() - started


def text_of(selector):
    return f"(document.querySelector({selector!r})?.innerText || '')"


@pytest.fixture
def walk_in(live_site, chromium):
    stamp = time.monotonic_ns() % 10**8
    team_id, employee_id = f"loket{stamp}", f"loket{stamp}-anna"
    create_team(live_site, team_id, [employee_id], PASSWORD)
    product, _uid = create_product(
        live_site,
        title=f"Inloop Paspoort {stamp}",
        channels=["video"],
        teams=[team_id],
        walk_in=True,
        walk_in_hours=walk_in_all_day(),
    )
    login = base64.b64encode(f"{employee_id}:{PASSWORD}".encode()).decode()
    citizen_context = chromium.new_context(
        locale="nl-NL", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    employee_context = chromium.new_context(
        locale="nl-NL",
        viewport={"width": 1366, "height": 768},
        extra_http_headers={"Authorization": f"Basic {login}"},
    )
    try:
        yield {
            "product": product,
            "citizen": citizen_context.new_page(),
            "employee": employee_context.new_page(),
        }
    finally:
        citizen_context.close()
        employee_context.close()


def test_walk_in_to_the_call_without_a_reload(live_site, walk_in):
    citizen, employee, product = (
        walk_in["citizen"],
        walk_in["employee"],
        walk_in["product"],
    )
    # The employee makes themselves available in the agenda.
    employee.goto(f"{live_site.site}/@@agenda")
    employee.click("#walk-in-availability button[name=available]")
    employee.wait_for_selector("#walk-in-availability button[value='0']")
    assert run_axe(employee) == []

    # Someone else is first in the queue.
    first = requests.post(
        f"{product}/@queue",
        json={"fullname": "Eerste Inwoner", "language": "nl"},
        headers=JSON,
        timeout=30,
    )
    assert first.status_code == 201, first.text

    # The citizen joins from the product page and is number 2.
    citizen.goto(product)
    assert "Spreek ons nu (video)" in citizen.inner_text("#walk-in")
    assert run_axe(citizen) == []
    citizen.fill("#walkin-fullname", "Fatima el Amrani")
    with citizen.expect_navigation():
        citizen.click("#walk-in-form button[name=walk_in]")
    assert "/@@queue-ticket/" in citizen.url
    assert "U bent nummer 2 in de wachtrij." in citizen.inner_text(
        ".dbalie-queue-place"
    )
    assert run_axe(citizen) == []
    # A marker a reload would lose, and a count of the tones played.
    citizen.evaluate(
        "() => { window.__queue = 'not reloaded'; window.__tones = 0;"
        " const make = AudioContext.prototype.createOscillator;"
        " AudioContext.prototype.createOscillator = function () {"
        " window.__tones += 1; return make.call(this); }; }"
    )
    wait_for(citizen, "document.querySelector('.dbalie-queue').dataset.live === 'push'")

    # The first one leaves: within 2 s the citizen is number 1.
    left = requests.post(
        f"{live_site.site}/@queue-ticket/{first.json()['token']}/leave",
        json={},
        headers=JSON,
        timeout=30,
    )
    assert left.status_code == 200, left.text
    took = arrives(
        citizen,
        f"{text_of('.dbalie-queue-place')}.includes('U bent nummer 1 in de wachtrij')",
    )
    print(f"\nleft → number 1 on the citizen's page: {took:.2f} s")

    # The agenda shows them live; the employee takes them.
    arrives(employee, f"{text_of('.dbalie-walk-in-list')}.includes('Fatima el Amrani')")
    assert "Inloop: 1 wachtend" in employee.title()
    with employee.expect_navigation():
        employee.click("#walk-in-take button")
    assert "/appointments/" in employee.url

    # The citizen's page: their turn (the title says so), then into the call.
    took = arrives(
        citizen, "document.title.startsWith('U bent aan de beurt!')", within=5
    )
    print(f"taken → 'your turn' on the citizen's page: {took:.2f} s")
    wait_for(citizen, "location.pathname.includes('/@@my-appointment/')", 10000)
    for page in (citizen, employee):
        wait_for(
            page,
            "() => { const v = document.querySelector('video.room-remote');"
            " return v && v.videoWidth > 0 && v.currentTime > 0.5; }",
            timeout=30000,
        )
    assert citizen.evaluate("window.__queue") == "not reloaded"
    assert citizen.evaluate("window.__tones") > 0  # the sound at their turn
