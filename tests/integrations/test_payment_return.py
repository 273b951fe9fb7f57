"""After paying: the return page knows the payment, and the citizen gets the receipt."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from helpers import ACCEPT
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
from helpers import use_smtp
from pypdf import PdfReader
from test_payments import ask
from test_payments import citizen_payments
from test_payments import webhook
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit
import io
import pytest
import re
import test_payments


mollie = test_payments.mollie  # the fake Mollie fixture, with this module's case
NAME = "Fatima el Amrani"  # helpers.person: never on the return page


@pytest.fixture
def case(functional, browser, browser_as, make_product, make_team):
    """An appointment whose employee can ask for a payment (test_payments.ask)."""
    anna = make_team("burgerzaken", "anna")["anna"]
    product = make_product(teams=["burgerzaken"], title="Rijbewijs", price="24.50")
    token = book(browser, product, at(tomorrow(), "10:00")).json()["token"]
    return {
        "anna": anna,
        "product": product,
        "token": token,
        "appointment": team_agenda(anna)[0]["@id"],
        "manager": browser_as("Manager", language="en"),
    }


def pay_with_test_provider(browser, pay_url, outcome="paid"):
    """Choose an outcome on the test provider's page; returns that page."""
    page = browser.get(pay_url)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("a", href=re.compile("@@payment-return")) is None  # not yet
    token = soup.find("input", attrs={"name": "_authenticator"})["value"]
    return browser.post(pay_url, data={"_authenticator": token, "outcome": outcome})


def return_link(page):
    """The provider's way back to the return page (a real one redirects there)."""
    link = BeautifulSoup(page.text, "html.parser").find(
        "a", href=re.compile(r"/@@payment-return\?")
    )
    assert link is not None, page.text
    return link["href"]


def facts(page):
    soup = BeautifulSoup(page.text, "html.parser")
    state = soup.select_one(".dbalie-payment-state")
    box = soup.select_one(".dbalie-return")
    return {
        "heading": soup.find("h1").get_text(" ", strip=True),
        "state": state["data-state"] if state else None,
        "text": soup.select_one(".dbalie-payment-return")
        .get_text(" ", strip=True)
        .replace("\xa0", " "),
        "payment": box["data-payment"] if box else None,
        "scripts": [s.get("src", "") for s in soup.find_all("script")],
    }


def test_test_provider_leads_back_to_a_return_page_that_knows_the_payment(
    browser, case
):
    ask(case)
    (payment,) = citizen_payments(browser, case)
    page = pay_with_test_provider(browser, payment["pay_url"])
    assert page.status_code == 200
    back = return_link(page)
    query = parse_qs(urlsplit(back).query)
    assert query["payment"] == [payment["id"]] and case["token"] not in back

    returned = browser.get(back)
    assert returned.status_code == 200
    seen = facts(returned)
    assert seen["heading"] == "Bedankt voor uw betaling"
    assert seen["state"] == "paid" and "Toestand: Betaald" in seen["text"]
    assert "€ 24,50" in seen["text"]
    assert seen["payment"] == payment["id"]  # the script finds the way back with it
    assert any(src.endswith("/payment-return.js") for src in seen["scripts"])
    # Without the script (or the stored address): the link in the e-mail.
    assert "link in uw e-mail" in seen["text"]
    # No personal data, no secret link; not kept in caches.
    assert NAME not in returned.text and case["token"] not in returned.text
    assert "/@@my-appointment/" not in returned.text
    assert returned.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in returned.headers["Content-Security-Policy"]


def test_a_failed_payment_says_so(browser, case):
    ask(case, amount="8,00")
    (payment,) = citizen_payments(browser, case)
    page = pay_with_test_provider(browser, payment["pay_url"], outcome="failed")
    seen = facts(browser.get(return_link(page), headers={"Accept-Language": "en"}))
    assert seen["heading"] == "Your payment did not go through"
    assert seen["state"] == "failed" and "State: Failed" in seen["text"]
    assert "You have not paid €8.00." in seen["text"]


def test_forged_return_addresses_tell_nothing(browser, case):
    ask(case)
    (payment,) = citizen_payments(browser, case)
    page = pay_with_test_provider(browser, payment["pay_url"])
    url = return_link(page)
    base, query = url.split("?")
    good = {key: values[0] for key, values in parse_qs(query).items()}
    flipped = good["check"][:-1] + ("0" if good["check"][-1] != "0" else "1")
    forged = [
        {**good, "check": flipped},
        {**good, "check": ""},
        {**good, "check": "é" * 32},
        {**good, "payment": "0" * 16},
        {**good, "dossier": "0" * 16},
        {"payment": good["payment"], "check": good["check"]},
        {**good, "check": good["check"][:16]},
    ]
    for params in forged:
        response = browser.get(f"{base}?{urlencode(params)}")
        assert response.status_code == 404, (params, response.text[-3000:])
        seen = facts(response)
        assert seen["state"] is None and seen["payment"] is None
        assert "24,50" not in response.text and "Betaald" not in response.text
    # Lists of values are not one value either.
    response = browser.get(f"{url}&check={good['check']}")
    assert response.status_code == 404
    # The address without a payment (from before payments were named): the old text.
    plain = browser.get(base)
    assert plain.status_code == 200 and "link in uw e-mail" in plain.text


def test_mollie_returns_to_the_same_page_that_shows_the_state(browser, case, mollie):
    ask(case, amount="12,00")
    (created,) = mollie.created
    (provider_id,) = mollie.payments
    assert "/@@payment-return?" in created["redirectUrl"]
    assert case["token"] not in created["redirectUrl"]
    # Back before Mollie called the webhook: not arrived yet, and a way to look again.
    seen = facts(browser.get(created["redirectUrl"]))
    assert seen["state"] == "open"
    assert seen["heading"] == "Uw betaling is nog niet binnen"
    mollie.payments[provider_id]["status"] = "paid"
    assert webhook(browser, provider_id).status_code == 200
    seen = facts(browser.get(created["redirectUrl"]))
    assert seen["state"] == "paid" and "€ 12,00" in seen["text"]


def pdf_text(response):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/pdf")
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def test_the_citizen_downloads_the_receipt_with_their_link(browser, case, smtp):
    ask(case)
    (payment,) = citizen_payments(browser, case)
    assert payment["receipt_url"] is None  # not paid yet
    pay_with_test_provider(browser, payment["pay_url"])
    (payment,) = citizen_payments(browser, case)
    receipt = payment["receipt_url"]
    assert receipt.endswith(
        f"/@@my-appointment/{case['token']}/document/receipt-{payment['id']}"
    )
    text = pdf_text(browser.get(receipt))
    assert "Kwitantie" in text and "€ 24,50" in text and "Betaald op" in text
    assert "UTC" not in text and re.search(r"\d{4}-\d{2}-\d{2}", text) is None
    assert re.search(
        r"(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d+ \w+ \d{4} om \d\d:\d\d",
        text,
    ), text
    # Another appointment's link cannot open it, not even in the same dossier:
    # counter staff book again for the same person, which joins the dossier.
    other = book(browser, case["product"], at(tomorrow(), "15:00")).json()["token"]
    joined = case["anna"].post(
        f"{case['product']}/@book",
        json={
            "start": at(tomorrow(), "16:00"),
            "fullname": NAME,
            "email": "fatima@example.nl",
        },
        headers=JSON,
    )
    assert joined.status_code == 201, joined.text
    dossiers = {i["start"][11:16]: i["dossier"] for i in team_agenda(case["anna"])}
    assert dossiers["16:00"] == dossiers["10:00"] != dossiers["15:00"]
    # Its link is in the citizen's confirmation mail.
    controller, inbox = smtp
    use_smtp(case["manager"], controller.port)
    response = browser.post(
        "@@digitalebalie-deliver",
        headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
    )
    assert response.status_code == 200, response.text
    # The confirmation, and at night also the reminder (tomorrow is near):
    # every link of that appointment is refused.
    mails = [m for m in inbox.messages if "16:00" in m["Subject"]]
    assert mails
    links = [
        found.group(1)
        for mail in mails
        if (
            found := re.search(
                r"/@@my-appointment/([\w-]+)\s",
                mail.get_body(("plain",)).get_content(),
            )
        )
    ]
    assert links
    for token in (other, *links):
        response = browser.get(
            f"@@my-appointment/{token}/document/receipt-{payment['id']}"
        )
        assert response.status_code == 404
        assert not response.content.startswith(b"%PDF")
        items = browser.get(f"@appointment/{token}/payments", headers=ACCEPT).json()
        assert items["items"] == []


def test_english_appointment_gets_an_english_receipt(browser, case):
    token = book(
        browser, case["product"], at(tomorrow(), "11:00"), language="en"
    ).json()["token"]
    english = {**case, "token": token}
    [item] = [i for i in team_agenda(case["anna"]) if i["start"][11:16] == "11:00"]
    english["appointment"] = item["@id"]
    ask(english)
    (payment,) = citizen_payments(browser, english)
    pay_with_test_provider(browser, payment["pay_url"])
    (payment,) = citizen_payments(browser, english)
    response = browser.get(payment["receipt_url"])
    text = pdf_text(response)
    assert "Receipt" in text and "€24.50" in text and "Paid on" in text
    assert "Kwitantie" not in text and "UTC" not in text
    assert re.search(
        r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d+ \w+ \d{4} at \d\d:\d\d", text
    ), text
    assert "receipt-" in response.headers["Content-Disposition"]
