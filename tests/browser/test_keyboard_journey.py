"""The whole journey of a citizen with the keyboard alone (no mouse), in real Chromium:
find a product, book, open the link, send a document, join the video call, chat,
leave, cancel. The employee (another window) lets the citizen in.
"""

from browser_helpers import wait_for
from live import create_product
import base64
import pytest


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CHROMIUM_EXTRA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName,"
        " name: e.name || '', id: e.id || '', text: (e.innerText || e.value || '').trim(),"
        " action: e.dataset ? (e.dataset.action || '') : '', href: e.href || ''}; }"
    )


def tab_to(page, predicate, limit=400):
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused(page)
        if predicate(current):
            return current
    pytest.fail("could not reach the element with the Tab key")


def test_citizen_journey_with_the_keyboard(live_site, chromium, clamd, tmp_path):
    import requests

    site = live_site.site
    requests.patch(
        f"{site}/@controlpanels/digitalebalie",
        json={"clamd_address": clamd},
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        auth=live_site.admin,
        timeout=30,
    )
    create_product(live_site, title="Toetsenbord spreekuur", channels=["video"])
    citizen_context = chromium.new_context(
        locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    login = base64.b64encode(":".join(live_site.admin).encode()).decode()
    employee_context = chromium.new_context(
        locale="nl-NL", extra_http_headers={"Authorization": f"Basic {login}"}
    )
    page = citizen_context.new_page()
    employee = employee_context.new_page()
    document = tmp_path / "bewijs.pdf"
    document.write_bytes(PDF)
    try:
        # Find the product in the counter folder.
        page.goto(f"{site}/balie")
        tab_to(page, lambda e: e["tag"] == "A" and "Toetsenbord spreekuur" in e["text"])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        # Book the first time offered.
        tab_to(page, lambda e: e["name"] == "start")
        page.keyboard.press("Space")
        tab_to(page, lambda e: e["name"] == "fullname")
        page.keyboard.type("Kees Toetsenbord")
        page.keyboard.press("Tab")
        page.keyboard.type("kees@example.nl")
        tab_to(page, lambda e: e["tag"] == "BUTTON" and e["name"] == "book")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/@@my-appointment/" in page.url
        link = page.url.split("?")[0]
        # Open the link (as from the e-mail) and send a document.
        page.goto(link)
        page.set_input_files(
            "#field-file", str(document)
        )  # the file chooser of the system
        tab_to(page, lambda e: e["tag"] == "BUTTON" and e["name"] == "upload")
        page.keyboard.press("Enter")
        page.locator(".dbalie-upload-status").filter(has_text="bewijs.pdf").wait_for(
            timeout=30000
        )
        # Join the video call.
        tab_to(page, lambda e: e["action"] == "check")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-action=join]:not([disabled])")
        tab_to(page, lambda e: e["action"] == "join")
        page.keyboard.press("Enter")
        wait_for(
            page,
            "document.querySelector('.room-status').textContent.includes('wachtkamer')",
        )
        # The employee lets the citizen in (not part of the citizen's journey).
        appointments = requests.get(
            f"{site}/@agenda",
            params={"scope": "all", "q": "Toetsenbord"},
            headers={"Accept": "application/json"},
            auth=live_site.admin,
            timeout=30,
        ).json()["items"]
        employee.goto(appointments[0]["@id"])
        employee.click("[data-action=check]")
        employee.wait_for_selector("[data-action=join]:not([disabled])")
        employee.click("[data-action=join]")
        employee.wait_for_selector(".room-waiting button").click()
        page.wait_for_selector(".room-chat button:not([disabled])")
        # Chat.
        tab_to(page, lambda e: e["id"] == "room-chat-input")
        page.keyboard.type("Goedemorgen")
        page.keyboard.press("Enter")
        wait_for(
            employee,
            "document.querySelector('.room-chat-log').textContent.includes('Goedemorgen')",
        )
        # Leave.
        tab_to(page, lambda e: e["action"] == "leave")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-action=leave][disabled]")
        # Cancel the appointment.
        tab_to(page, lambda e: e["tag"] == "A" and e["href"].endswith("/cancel"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        tab_to(page, lambda e: e["tag"] == "BUTTON" and e["name"] == "cancel")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "afgezegd" in page.inner_text("main").lower()
    finally:
        citizen_context.close()
        employee_context.close()
