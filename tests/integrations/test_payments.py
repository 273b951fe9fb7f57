"""Payments: the employee asks, the citizen pays; states come from the provider, never a webhook body."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from fake_mollie import FakeMollie
from helpers import ACCEPT
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
from pypdf import PdfReader
import io
import pytest
import requests
import transaction


MOLLIE_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"


@pytest.fixture
def case(request, functional, browser, browser_as, make_product, make_team):
    """Booked in Dutch, or in the language given by indirect parametrization."""
    anna = make_team("burgerzaken", "anna")["anna"]
    product = make_product(teams=["burgerzaken"], title="Rijbewijs", price="24.50")
    language = getattr(request, "param", "nl")
    token = book(browser, product, at(tomorrow(), "10:00"), language=language).json()[
        "token"
    ]
    item = team_agenda(anna)[0]
    return {
        "anna": anna,
        "token": token,
        "appointment": item["@id"],
        "dossier": item["dossier"],
        "manager": browser_as("Manager", language="en"),
    }


def ask(case, amount=None, description=None):
    page = case["anna"].get(case["appointment"])
    soup = BeautifulSoup(page.text, "html.parser")
    form = soup.find("form", action=lambda a: a and a.endswith("@@payment-request"))
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    if amount is not None:
        values["amount"] = amount
    if description is not None:
        values["description"] = description
    return case["anna"].post(form["action"], data=values)


def citizen_payments(browser, case):
    response = browser.get(f"@appointment/{case['token']}/payments", headers=ACCEPT)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def receipts(case):
    page = case["anna"].get(case["dossier"])
    return [
        a.text
        for a in BeautifulSoup(page.text, "html.parser").find_all("a")
        if "kwitantie" in a.text
    ]


def test_demo_provider_from_request_to_receipt(browser, case):
    response = ask(case)  # the product's price is the default: 24,50
    assert "The payment request is sent to the citizen." in response.text
    (payment,) = citizen_payments(browser, case)
    assert payment["amount"] == 2450 and payment["state"] == "open" and payment["test"]
    page = BeautifulSoup(
        browser.get(f"@@my-appointment/{case['token']}").text, "html.parser"
    )
    pay = page.find("a", href=payment["pay_url"])
    assert pay is not None and "24,50" in pay.text
    # Closing waits for the payment.
    response = case["anna"].get(case["dossier"])
    assert "A payment request is still open" in response.text
    # The demo's test provider: clearly marked, takes no money.
    test_page = browser.get(payment["pay_url"])
    assert "No money is paid" in test_page.text or "geen geld" in test_page.text.lower()
    token = BeautifulSoup(test_page.text, "html.parser").find(
        "input", attrs={"name": "_authenticator"}
    )["value"]
    browser.post(payment["pay_url"], data={"_authenticator": token, "outcome": "paid"})
    (payment,) = citizen_payments(browser, case)
    assert payment["state"] == "paid" and payment["pay_url"] is None
    (receipt,) = receipts(case)
    link = BeautifulSoup(case["anna"].get(case["dossier"]).text, "html.parser").find(
        "a", string=receipt
    )
    pdf = PdfReader(io.BytesIO(case["anna"].get(link["href"]).content))
    text = pdf.pages[0].extract_text()
    assert "24,50" in text and "Rijbewijs" in text
    assert (
        "A payment request is still open" not in case["anna"].get(case["dossier"]).text
    )


@pytest.mark.parametrize(
    "amount",
    ["", "0", "-5", "abc", "20000,00", "1.2.3", "12,345", "1e3", "Infinity", "NaN"],
)
def test_bad_amounts_are_refused(browser, case, amount):
    response = ask(case, amount=amount)
    assert "Give an amount from" in response.text or "bedrag" in response.text.lower()
    assert citizen_payments(browser, case) == []


@pytest.fixture
def mollie(case):
    fake = FakeMollie(MOLLIE_KEY).start()
    response = case["manager"].patch(
        "@controlpanels/digitalebalie",
        json={"payment_provider": "mollie", "mollie_api_endpoint": fake.base},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    secrets.set_secret("mollie_api_key", MOLLIE_KEY)
    transaction.commit()
    yield fake
    fake.stop()


def webhook(browser, payment_id, **extra):
    return browser.post("@@mollie-webhook", data={"id": payment_id, **extra})


def test_mollie_payment_and_webhook(browser, case, mollie):
    ask(case, amount="12,00", description="Rijbewijs aanvragen")
    (created,) = mollie.created
    assert created["amount"] == {"currency": "EUR", "value": "12.00"}
    assert created["method"] == "ideal"
    assert created["locale"] == "nl_NL"  # booked in Dutch
    assert created["webhookUrl"].endswith("/@@mollie-webhook")
    assert case["token"] not in created["redirectUrl"]  # no secret at the provider
    (payment_id,) = mollie.payments
    (payment,) = citizen_payments(browser, case)
    assert payment["pay_url"].endswith(f"/checkout/{payment_id}")
    # A webhook body cannot make it paid: the status is fetched from Mollie.
    response = webhook(browser, payment_id, status="paid")
    assert response.status_code == 200 and response.json()["state"] == "open"
    assert citizen_payments(browser, case)[0]["state"] == "open"
    mollie.payments[payment_id]["status"] = "paid"
    for _ in range(3):  # Mollie may call more than once
        assert webhook(browser, payment_id).status_code == 200
    assert citizen_payments(browser, case)[0]["state"] == "paid"
    assert len(receipts(case)) == 1
    # Later news does not undo a final state.
    mollie.payments[payment_id]["status"] = "expired"
    webhook(browser, payment_id)
    assert citizen_payments(browser, case)[0]["state"] == "paid"


@pytest.mark.parametrize(
    ("case", "locale", "other_language", "heading"),
    [("nl", "nl_NL", "en", "Betaal € 12.00"), ("en", "en_US", "nl", "Pay € 12.00")],
    indirect=["case"],
)
def test_the_payment_page_speaks_the_language_of_the_booking(
    browser, case, mollie, locale, other_language, heading
):
    """Without a locale Mollie shows its page in the browser's language; the
    citizen booked in theirs, so the payment page follows the booking."""
    ask(case, amount="12,00")
    assert not mollie.refused
    (created,) = mollie.created
    assert created["locale"] == locale
    (payment,) = citizen_payments(browser, case)
    # A browser set to the other language (a shared computer, a library).
    page = browser.get(payment["pay_url"], headers={"Accept-Language": other_language})
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.html["lang"] == locale[:2]
    assert soup.h1.text == heading


def test_the_fake_refuses_what_mollie_refuses(mollie):
    """Mollie's create-payment rules (Payments API v2): 422 with its error body."""
    good = {
        "amount": {"currency": "EUR", "value": "12.00"},
        "description": "Rijbewijs",
        "redirectUrl": "https://balie.example.nl/@@payment-return/x",
        "webhookUrl": "https://balie.example.nl/@@mollie-webhook",
        "locale": "nl_NL",
        "metadata": {"payment": "0123456789abcdef"},
    }

    def create(**changes):
        body = {**good, **changes}
        body = {key: value for key, value in body.items() if value is not None}
        return requests.post(
            f"{mollie.base}/v2/payments",
            json=body,
            headers={"Authorization": f"Bearer {MOLLIE_KEY}"},
            timeout=10,
        )

    assert create().status_code == 201
    # Too long a description is not refused: Mollie truncates it.
    assert len(create(description="x" * 300).json()["description"]) == 255
    for changes, field in [
        ({"amount": None}, "amount"),
        ({"amount": {"currency": "EUR", "value": 12}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "12"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "12.5"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "1,200.00"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "0.00"}}, "amount"),
        ({"amount": {"currency": "XYZ", "value": "12.00"}}, "amount.currency"),
        ({"description": None}, "description"),
        ({"description": " "}, "description"),
        ({"redirectUrl": None}, "redirectUrl"),
        ({"redirectUrl": "/@@payment-return/x"}, "redirectUrl"),
        ({"webhookUrl": "javascript:alert(1)"}, "webhookUrl"),
        ({"locale": "nl"}, "locale"),
        ({"locale": "nl-NL"}, "locale"),
        ({"locale": "fy_NL"}, "locale"),
        ({"metadata": {"note": "x" * 1100}}, "metadata"),
    ]:
        response = create(**changes)
        assert response.status_code == 422, (changes, response.text)
        body = response.json()
        assert body["status"] == 422 and body["title"] == "Unprocessable Entity"
        assert body["field"] == field and body["detail"]
    assert len(mollie.payments) == 2  # nothing made of the refused ones


def test_forged_webhook_and_mollie_down(browser, case, mollie):
    assert webhook(browser, "tr_doesnotexist").status_code == 404
    mollie.down = True
    response = ask(case, amount="12,00")
    assert "try again later" in response.text.lower() or "later" in response.text
    assert citizen_payments(browser, case) == []
    mollie.down = False
    ask(case, amount="12,00")
    (payment_id,) = mollie.payments
    mollie.down = True
    assert webhook(browser, payment_id).status_code == 503  # Mollie calls again later
    assert citizen_payments(browser, case)[0]["state"] == "open"


def test_test_payments_cannot_be_paid_once_mollie_is_chosen(browser, case):
    ask(case, amount="12,00")  # with the (default) test provider
    (payment,) = citizen_payments(browser, case)
    fake = FakeMollie(MOLLIE_KEY).start()
    try:
        response = case["manager"].patch(
            "@controlpanels/digitalebalie",
            json={"payment_provider": "mollie", "mollie_api_endpoint": fake.base},
            headers=JSON,
        )
        assert response.status_code == 204
        assert browser.get(payment["pay_url"]).status_code == 404
        assert browser.get("@@test-payment/anything").status_code == 404
    finally:
        fake.stop()
    assert citizen_payments(browser, case)[0]["state"] == "open"


def test_employee_withdraws_an_open_request(browser, case):
    ask(case, amount="12,00")
    page = BeautifulSoup(case["anna"].get(case["appointment"]).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("@@payment-withdraw"))
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    response = case["anna"].post(form["action"], data=values)
    assert "The payment request is withdrawn." in response.text
    assert citizen_payments(browser, case)[0]["state"] == "canceled"
    # Again: nothing left to withdraw; and the dossier may close now.
    response = case["anna"].post(form["action"], data=values)
    assert "can no longer be withdrawn" in response.text
    assert (
        "A payment request is still open" not in case["anna"].get(case["dossier"]).text
    )


# --- the webhook never comes: the delivery job asks Mollie ----------------------------


def run_whole_job(browser):
    """The delivery job's whole answer (mail, reminders, archive, payments)."""
    response = browser.post(
        "@@digitalebalie-deliver",
        headers={
            "X-Digitalebalie-Job-Key": secrets.get_secret("job_key"),
            "Accept": "application/json",
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def run_job(browser):
    return run_whole_job(browser)["payments"]


def let_minutes_pass(minutes):
    """As if the clock moved on: every planned question to Mollie comes sooner."""
    from collective.digitalebalie.dossiers import payments
    from datetime import timedelta

    transaction.begin()
    watch = payments._watch()
    for key, (when, polls) in list(watch.items()):
        watch[key] = (when - timedelta(minutes=minutes), polls)
    transaction.commit()


def test_lost_webhook_the_job_finds_the_payment_paid(browser, case, mollie):
    ask(case, amount="12,00", description="Rijbewijs aanvragen")
    (payment_id,) = mollie.payments
    mollie.payments[payment_id]["status"] = "paid"  # paid; the webhook is lost
    # Just asked: Mollie's webhook may still come, so the job does not ask yet.
    assert run_job(browser) == {"checked": 0, "changed": 0, "failed": 0}
    assert mollie.fetched == []
    assert citizen_payments(browser, case)[0]["state"] == "open"
    let_minutes_pass(6)
    assert run_job(browser) == {"checked": 1, "changed": 1, "failed": 0}
    (payment,) = citizen_payments(browser, case)
    assert payment["state"] == "paid" and payment["pay_url"] is None
    assert len(receipts(case)) == 1
    # Final: never asked again, and a late webhook adds no second receipt.
    let_minutes_pass(120)
    assert run_job(browser)["checked"] == 0
    assert mollie.fetched == [payment_id]
    assert webhook(browser, payment_id).json() == {"state": "paid", "changed": False}
    assert len(receipts(case)) == 1
    audit = case["manager"].get(f"{case['dossier']}/@@dossier-audit").text
    assert audit.count("payment paid") == 1


def test_the_job_asks_less_often_and_survives_mollie_being_down(browser, case, mollie):
    ask(case, amount="12,00")
    (payment_id,) = mollie.payments
    let_minutes_pass(6)
    assert run_job(browser) == {"checked": 1, "changed": 0, "failed": 0}
    assert run_job(browser)["checked"] == 0  # asked a moment ago
    let_minutes_pass(6)
    assert run_job(browser)["checked"] == 1  # 5 minutes after the first question
    let_minutes_pass(6)
    assert run_job(browser)["checked"] == 0  # now it waits 10 minutes
    let_minutes_pass(5)
    assert run_job(browser)["checked"] == 1
    assert mollie.fetched == [payment_id] * 3
    # Mollie cannot be reached: nothing changes, the job tries again later.
    mollie.down = True
    let_minutes_pass(30)
    assert run_job(browser) == {"checked": 1, "changed": 0, "failed": 1}
    assert citizen_payments(browser, case)[0]["state"] == "open"
    mollie.down = False
    mollie.payments[payment_id]["status"] = "expired"
    let_minutes_pass(60)
    assert run_job(browser) == {"checked": 1, "changed": 1, "failed": 0}
    (payment,) = citizen_payments(browser, case)
    assert payment["state"] == "expired" and payment["pay_url"] is None
    assert receipts(case) == []
    let_minutes_pass(120)
    assert run_job(browser)["checked"] == 0


def test_withdrawn_requests_are_not_asked_about(browser, case, mollie):
    ask(case, amount="12,00")
    page = BeautifulSoup(case["anna"].get(case["appointment"]).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("@@payment-withdraw"))
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    case["anna"].post(form["action"], data=values)
    let_minutes_pass(30)
    assert run_job(browser)["checked"] == 0
    assert mollie.fetched == []


def test_one_failing_payment_stops_neither_the_others_nor_the_mail(
    browser, case, mollie, monkeypatch
):
    from collective.digitalebalie.dossiers import payments

    for amount in ("12,00", "13,00", "14,00"):
        ask(case, amount=amount)
    first, second, third = mollie.payments
    mollie.payments[first]["status"] = "zombie"  # an answer nobody knows
    mollie.payments[second]["status"] = "paid"
    mollie.payments[third]["status"] = "paid"
    real_receipt = payments.write_receipt

    def broken_for_the_second(dossier, payment):
        if payment["provider_id"] == second:
            raise RuntimeError("disk full")
        return real_receipt(dossier, payment)

    monkeypatch.setattr(payments, "write_receipt", broken_for_the_second)
    let_minutes_pass(6)
    result = run_whole_job(browser)
    assert result["payments"] == {"checked": 3, "changed": 1, "failed": 2}
    assert "sent" in result  # the mail part ran as well
    states = {p["amount"]: p["state"] for p in citizen_payments(browser, case)}
    assert states == {1200: "open", 1300: "open", 1400: "paid"}
    assert len(receipts(case)) == 1
    # Both failures are asked about again later, and then succeed.
    monkeypatch.setattr(payments, "write_receipt", real_receipt)
    mollie.payments[first]["status"] = "authorized"  # not paid yet
    assert run_job(browser)["checked"] == 0  # not at once
    let_minutes_pass(6)
    assert run_job(browser) == {"checked": 2, "changed": 2, "failed": 0}
    states = {p["amount"]: p["state"] for p in citizen_payments(browser, case)}
    assert states == {1200: "pending", 1300: "paid", 1400: "paid"}
    assert len(receipts(case)) == 2


def test_mollie_down_the_job_stops_asking_after_three(browser, case, mollie):
    for amount in ("11,00", "12,00", "13,00", "14,00"):
        ask(case, amount=amount)
    mollie.down = True
    let_minutes_pass(6)
    assert run_job(browser) == {"checked": 3, "changed": 0, "failed": 3}
    mollie.down = False
    # The fourth was not asked (it is still due); the three wait their pause.
    assert run_job(browser) == {"checked": 1, "changed": 0, "failed": 0}
