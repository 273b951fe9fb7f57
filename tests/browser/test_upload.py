"""A citizen sends a document with the keyboard, in real Chromium, and sees progress."""

from helpers import JSON
from live import book_first_free
import requests


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n" + b"% filler\n" * 40000 + b"%%EOF\n"


def test_upload_with_progress(live_site, chromium, clamd, tmp_path):
    site = live_site.site
    response = requests.patch(
        f"{site}/@controlpanels/digitalebalie",
        json={"clamd_address": clamd},
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    )
    assert response.status_code == 204
    booking = book_first_free(
        f"{site}/balie/verhuizing-doorgeven", "Upload Ursula", days_ahead=3
    )
    document = tmp_path / "verhuisbewijs.pdf"
    document.write_bytes(PDF)
    context = chromium.new_context(
        viewport={"width": 390, "height": 800}, locale="nl-NL"
    )
    page = context.new_page()
    try:
        page.goto(booking["url"])
        page.set_input_files("#field-file", str(document))
        page.focus("form.dbalie-upload button[type=submit]")
        page.keyboard.press("Enter")
        status = page.locator(".dbalie-upload-status")
        status.filter(has_text="verhuisbewijs.pdf").wait_for(timeout=30000)
        assert "Opgeslagen" in status.inner_text()
        assert "verhuisbewijs.pdf" in page.inner_text(".dbalie-document-list")
        assert page.url == booking["url"]  # no page load
        listed = requests.get(
            f"{site}/@appointment/{booking['token']}/documents",
            headers={"Accept": "application/json"},
            timeout=30,
        ).json()["items"]
        assert [d["title"] for d in listed] == ["verhuisbewijs.pdf"]
    finally:
        context.close()
