"""Citizen and employee meet in real Chromium (fake camera and microphone).

Two browser contexts on the shared live instance: the citizen checks the
devices, joins and waits; the employee joins and lets them in; both then see
the other's video, and chat.
"""

from browser_helpers import wait_for
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from live import create_product
import base64
import pytest
import requests


CHROMIUM_EXTRA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="module")
def meeting(live_site):
    """A video appointment starting within minutes: (citizen URL, employee URL)."""
    admin = live_site.admin
    product, _uid = create_product(
        live_site,
        title="Spreekuur via video",
        channels=["video"],
        faq=[{"question": "Duurt het lang?", "answer": "Nee."}],
    )
    today = datetime.now(AMS).date()
    start = requests.get(
        f"{product}/@slots",
        params={
            "start": today.isoformat(),
            "end": (today + timedelta(days=1)).isoformat(),
        },
        headers=JSON,
        timeout=30,
    ).json()["items"][0]["start"]
    booking = requests.post(
        f"{product}/@book",
        json={"start": start, "fullname": "Fatima el Amrani", "email": "f@example.nl"},
        headers=JSON,
        timeout=30,
    ).json()
    day = datetime.fromisoformat(start).date().isoformat()
    employee_url = requests.get(
        f"{product}/@appointments",
        params={"start": day, "end": day},
        headers=JSON,
        auth=admin,
        timeout=30,
    ).json()["items"][0]["@id"]
    return booking["url"], employee_url


def receives_video(page):
    """The remote video plays: it has a size and its time moves on."""
    wait_for(
        page,
        "() => { const v = document.querySelector('video.room-remote');"
        " return v && v.videoWidth > 0 && v.currentTime > 0.5; }",
        timeout=30000,
    )
    return page.evaluate("document.querySelector('video.room-remote').videoWidth")


def test_waiting_room_admit_and_video_both_ways(live_site, meeting, chromium):
    citizen_url, employee_url = meeting
    citizen_context = chromium.new_context(locale="nl-NL")
    login = base64.b64encode(":".join(live_site.admin).encode()).decode()
    employee_context = chromium.new_context(
        locale="nl-NL", extra_http_headers={"Authorization": f"Basic {login}"}
    )
    citizen = citizen_context.new_page()
    employee = employee_context.new_page()
    try:
        citizen.goto(citizen_url)
        citizen.click("[data-action=check]")
        wait_for(
            citizen,
            "document.querySelector('.room-status').textContent.includes('werken')",
        )
        citizen.click("[data-action=join]")
        wait_for(
            citizen,
            "document.querySelector('.room-status').textContent.includes('wachtkamer')",
        )

        employee.goto(employee_url)
        assert "Fatima el Amrani" in employee.inner_text("main")
        assert "Duurt het lang?" in employee.inner_text("main")
        employee.click("[data-action=check]")
        employee.wait_for_selector("[data-action=join]:not([disabled])")
        employee.click("[data-action=join]")
        admit = employee.wait_for_selector(".room-waiting button")
        assert "Fatima el Amrani" in admit.inner_text()
        admit.click()

        assert receives_video(citizen) > 0
        assert receives_video(employee) > 0

        citizen.fill("#room-chat-input", "Goedemorgen, kunt u mij horen?")
        citizen.press("#room-chat-input", "Enter")
        wait_for(
            employee,
            "document.querySelector('.room-chat-log').textContent.includes('kunt u mij horen')",
        )

        citizen.click("[data-action=mute]")
        assert citizen.get_attribute("[data-action=mute]", "aria-pressed") == "true"
        assert "uit" in citizen.inner_text(".room-status")

        citizen.click("[data-action=leave]")
        wait_for(
            employee, "document.querySelectorAll('video.room-remote').length === 0"
        )
    finally:
        citizen_context.close()
        employee_context.close()


def test_denied_camera_gives_a_clear_message(meeting, chromium):
    citizen_url, _employee_url = meeting
    context = chromium.new_context(locale="nl-NL")
    page = context.new_page()
    try:
        page.goto(citizen_url)
        # As if the citizen clicked "Block" in the browser's permission prompt.
        page.evaluate(
            "() => { navigator.mediaDevices.getUserMedia = () =>"
            " Promise.reject(new DOMException('denied', 'NotAllowedError')); }"
        )
        page.click("[data-action=check]")
        wait_for(
            page, "document.querySelector('.room-status').dataset.kind === 'error'"
        )
        assert "toegestaan" in page.inner_text(
            ".room-status"
        ) or "allow" in page.inner_text(".room-status")
        assert page.is_disabled("[data-action=join]")
    finally:
        context.close()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00"
    b"\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_employee_shows_a_document_to_the_citizen(live_site, meeting, chromium, clamd):
    citizen_url, employee_url = meeting
    site = live_site.site
    response = requests.patch(
        f"{site}/@controlpanels/digitalebalie",
        json={"clamd_address": clamd},
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    )
    assert response.status_code == 204
    token = citizen_url.rsplit("/", 1)[1]
    response = requests.post(
        f"{site}/@appointment/{token}/documents",
        files={"file": ("pasfoto.png", PNG, "image/png")},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    citizen_context = chromium.new_context(locale="nl-NL")
    login = base64.b64encode(":".join(live_site.admin).encode()).decode()
    employee_context = chromium.new_context(
        locale="nl-NL", extra_http_headers={"Authorization": f"Basic {login}"}
    )
    citizen = citizen_context.new_page()
    employee = employee_context.new_page()
    try:
        citizen.goto(citizen_url)
        citizen.click("[data-action=check]")
        citizen.wait_for_selector("[data-action=join]:not([disabled])")
        citizen.click("[data-action=join]")
        employee.goto(employee_url)
        employee.click("[data-action=check]")
        employee.wait_for_selector("[data-action=join]:not([disabled])")
        employee.click("[data-action=join]")
        employee.wait_for_selector(".room-waiting button").click()
        wait_for(
            citizen,
            "document.querySelector('.room-status').textContent.includes('binnengelaten')"
            " || document.querySelectorAll('video.room-remote').length > 0",
        )
        employee.click("[data-show-document]")
        for page in (citizen, employee):
            wait_for(
                page,
                "() => { const i = document.querySelector('.room-viewer img');"
                " return i && i.complete && i.naturalWidth === 1; }",
                timeout=30000,
            )
            assert page.inner_text(".room-viewer-title") == "pasfoto.png"
            assert page.get_attribute(".room-viewer img", "alt") == "pasfoto.png"
        employee.click("[data-action=close-document]")
        wait_for(citizen, "document.querySelector('.room-viewer').hidden")
    finally:
        citizen_context.close()
        employee_context.close()
