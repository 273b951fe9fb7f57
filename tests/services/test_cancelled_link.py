"""A cancelled appointment's link shows only that it is cancelled, and what for.

The link may be old, forwarded or found in a mailbox later: once the
appointment is cancelled it no longer shows the person's name, contact
details, notes or documents, and offers no upload or DigiD login.
"""

from bs4 import BeautifulSoup
from helpers import JSON
from helpers import at
from helpers import book
from helpers import tomorrow
import pytest


PERSON = {
    "fullname": "Fatima el Amrani",
    "email": "fatima@example.nl",
    "phone": "06 12345678",
    "notes": "Ik neem mijn dochter mee",
}
SECRETS = ["Fatima", "Amrani", "fatima@example.nl", "12345678", "dochter"]


@pytest.fixture
def cancelled(browser, make_product):
    product = make_product(title="Paspoort aanvragen", requires_identification=True)
    booked = book(browser, product, at(tomorrow(), "11:00"), **PERSON)
    assert booked.status_code == 201, booked.text
    token = booked.json()["token"]
    # Shown while booked (so the checks below are not empty).
    assert "Fatima el Amrani" in browser.get(booked.json()["url"]).text
    response = browser.post(f"@appointment/{token}/cancel", headers=JSON)
    assert response.status_code == 200, response.text
    return token, booked.json()["url"], product


def test_rest_answer_holds_the_state_and_the_product_only(browser, cancelled):
    token, _url, product = cancelled
    response = browser.get(f"@appointment/{token}", headers=JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "cancelled"
    assert body["product"] == {"title": "Paspoort aanvragen", "url": product}
    assert set(body) == {"url", "state", "product"}
    for secret in SECRETS:
        assert secret not in response.text
    # Its documents and payments are not listed; nothing can be sent any more.
    for part in ("documents", "payments"):
        listed = browser.get(f"@appointment/{token}/{part}", headers=JSON)
        assert listed.status_code == 409
        assert listed.json()["error"]["type"] == "WrongState"
    upload = browser.post(
        f"@appointment/{token}/documents",
        files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers={"Accept": "application/json"},
    )
    assert upload.status_code == 409


@pytest.mark.parametrize("path", ["", "/move", "/cancel", "/identify"])
def test_page_shows_that_it_is_cancelled_and_nothing_personal(browser, cancelled, path):
    _token, url, product = cancelled
    response = browser.get(f"{url}{path}", allow_redirects=False)
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    main = page.find(id="content") or page
    text = main.get_text(" ", strip=True)
    assert "afgezegd" in text.lower() or "cancelled" in text.lower()
    assert page.find("a", href=product) is not None
    for secret in SECRETS:
        assert secret not in response.text
    assert page.find("form", class_="dbalie-upload") is None
    assert page.find("input", attrs={"type": "file"}) is None
    assert page.find("a", href=lambda href: href and "/identify" in href) is None
    assert page.find(class_="dbalie-room") is None


def test_document_links_of_a_cancelled_appointment_are_gone(browser, cancelled):
    _token, url, _product = cancelled
    assert browser.get(f"{url}/document/anything").status_code == 404
