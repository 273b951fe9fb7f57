"""The employee's desk asks for and withdraws payments with a fetch (issue 17).

POST {appointment}/@payments and POST {appointment}/@payments/{id}/withdraw,
over HTTP to the running site: what they answer, what they refuse (and that a
refusal stores nothing), that a repeated request does its work once, and that
the pages of the appointment hear of every change (the room server's notice).
"""

from bs4 import BeautifulSoup
from concurrent.futures import ThreadPoolExecutor
from desk_case import DeskCase
from fake_rooms import room_server  # noqa: F401 - a fixture
from helpers import ACCEPT
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
import json
import pytest
import threading
import transaction


ASK = {"amount": "24,50", "description": "Rijbewijs"}


class Desk(DeskCase):
    def __init__(self, *fixtures):
        super().__init__(*fixtures, title="Rijbewijs", price="24.50")

    def ask(self, body=ASK, **headers):
        return self.anna.post(
            f"{self.url}/@payments", json=body, headers=JSON | headers
        )

    def post(self, path, **kwargs):
        kwargs.setdefault("headers", JSON)
        return self.anna.post(f"{self.url}/{path}", **kwargs)

    def listed(self):
        response = self.anna.get(f"{self.url}/@payments", headers=ACCEPT)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def citizen_sees(self):
        response = self.browser.get(
            f"@appointment/{self.token}/payments", headers=ACCEPT
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]


@pytest.fixture
def desk(functional, browser, make_product, make_team, room_server):  # noqa: F811
    return Desk(functional, browser, make_product, make_team)


def test_ask_for_a_payment_with_a_fetch(desk, room_server):  # noqa: F811
    room_server.clear()
    response = desk.ask()
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["amount"] == 2450 and payment["currency"] == "EUR"
    assert payment["description"] == "Rijbewijs"
    assert payment["state"] == "open" and payment["pay_url"]
    assert desk.listed() == [payment]
    # The citizen's page has it, and heard that it changed.
    assert [p["id"] for p in desk.citizen_sees()] == [payment["id"]]
    assert room_server.parts(desk.room) == ["payments"]
    # Other spellings the form accepts are accepted here too.
    for amount, cents in (("24.50", 2450), ("€ 7", 700), ("0,05", 5)):
        response = desk.ask({"amount": amount, "description": "Leges"})
        assert response.status_code == 201, response.text
        assert response.json()["amount"] == cents


def test_withdraw_with_a_fetch(desk, room_server):  # noqa: F811
    payment = desk.ask().json()
    room_server.clear()
    response = desk.post(f"@payments/{payment['id']}/withdraw")
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "canceled" and response.json()["pay_url"] is None
    assert desk.citizen_sees()[0]["state"] == "canceled"
    assert room_server.parts(desk.room) == ["payments"]
    # A second click: nothing left to withdraw, nothing changes.
    before = desk.ready()
    again = desk.post(f"@payments/{payment['id']}/withdraw")
    assert again.status_code == 409
    assert again.json()["error"]["type"] == "WrongState"
    assert desk.db.lastTransaction() == before


def test_paid_at_the_provider_reaches_the_pages(desk, room_server):  # noqa: F811
    """The test provider's page (as the webhook would): "paid", and the receipt."""
    payment = desk.ask().json()
    room_server.clear()
    page = desk.browser.get(payment["pay_url"])
    authenticator = BeautifulSoup(page.text, "html.parser").find(
        "input", attrs={"name": "_authenticator"}
    )["value"]
    desk.browser.post(
        payment["pay_url"], data={"_authenticator": authenticator, "outcome": "paid"}
    )
    assert desk.listed()[0]["state"] == "paid"
    assert room_server.parts(desk.room) == ["payments", "documents"]


def test_the_form_without_javascript_tells_the_pages_too(desk, room_server):  # noqa: F811
    page = BeautifulSoup(desk.anna.get(desk.url).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("@@payment-request"))
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    room_server.clear()
    response = desk.anna.post(form["action"], data=values)
    assert "The payment request is sent to the citizen." in response.text
    assert room_server.parts(desk.room) == ["payments"]


def test_another_appointments_payment_is_not_withdrawn_here(
    desk, browser, make_product
):
    payment = desk.ask().json()
    other = book(browser, make_product(teams=["burgerzaken"]), at(tomorrow(), "11:00"))
    assert other.status_code == 201
    other_url = next(
        item["@id"] for item in team_agenda(desk.anna) if item["@id"] != desk.url
    )
    response = desk.anna.post(
        f"{other_url}/@payments/{payment['id']}/withdraw", headers=JSON
    )
    assert response.status_code == 404
    assert desk.listed()[0]["state"] == "open"


# --- a second click: the same request id answers the first payment ------------------


def test_the_same_idempotency_key_asks_once(desk, room_server):  # noqa: F811
    key = {"Idempotency-Key": "4f9c2a7e-first-click"}
    first = desk.ask(**key)
    assert first.status_code == 201, first.text
    room_server.clear()
    before = desk.ready()
    second = desk.ask(**key)
    assert second.status_code == 201, second.text
    assert second.json() == first.json()
    assert len(desk.listed()) == 1
    assert room_server.parts(desk.room) == []  # nothing changed, nobody told
    assert desk.db.lastTransaction() == before
    # The key in the body (request_id) is the same key.
    third = desk.ask({**ASK, "request_id": "4f9c2a7e-first-click"})
    assert third.json()["id"] == first.json()["id"]
    # Another key is another request.
    other = desk.ask(**{"Idempotency-Key": "4f9c2a7e-second-one"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert len(desk.listed()) == 2


def test_a_key_used_for_other_input_is_refused(desk):
    desk.ask(**{"Idempotency-Key": "key-of-the-first"})
    before = desk.ready()
    response = desk.ask(
        {"amount": "30,00", "description": "Rijbewijs"},
        **{"Idempotency-Key": "key-of-the-first"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["type"] == "IdempotencyKeyReused"
    assert len(desk.listed()) == 1
    assert desk.db.lastTransaction() == before


def test_two_clicks_at_the_same_moment_ask_once(desk):
    """Two requests with one key in flight together: ZODB lets one win, the
    other is retried and answers the winner's payment."""
    barrier = threading.Barrier(2)

    def click(_number):
        barrier.wait()
        return desk.ask(**{"Idempotency-Key": "double-click-0001"})

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(click, range(2)))
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    assert responses[0].json()["id"] == responses[1].json()["id"]
    assert len(desk.listed()) == 1


# --- bad input: a clear error, naming the field, and nothing stored -----------------


def body(text, content_type="application/json"):
    return {"data": text, "headers": {**ACCEPT, "Content-Type": content_type}}


# (id, what to send, status, error type, fields named)
BAD = [
    ("amount-number", {"amount": 2450, "description": "x"}, 400, ["amount"]),
    ("amount-float", {"amount": 24.5, "description": "x"}, 400, ["amount"]),
    ("amount-true", {"amount": True, "description": "x"}, 400, ["amount"]),
    ("amount-missing", {"description": "x"}, 400, ["amount"]),
    ("amount-null", {"amount": None, "description": "x"}, 400, ["amount"]),
    ("amount-empty", {"amount": "", "description": "x"}, 400, ["amount"]),
    ("amount-zero", {"amount": "0", "description": "x"}, 400, ["amount"]),
    ("amount-negative", {"amount": "-5", "description": "x"}, 400, ["amount"]),
    ("amount-too-much", {"amount": "20000,00", "description": "x"}, 400, ["amount"]),
    ("amount-exponent", {"amount": "1e3", "description": "x"}, 400, ["amount"]),
    ("amount-sub-cents", {"amount": "12,345", "description": "x"}, 400, ["amount"]),
    ("amount-infinity", {"amount": "Infinity", "description": "x"}, 400, ["amount"]),
    ("amount-list", {"amount": ["24,50"], "description": "x"}, 400, ["amount"]),
    ("description-missing", {"amount": "24,50"}, 400, ["description"]),
    (
        "description-blank",
        {"amount": "24,50", "description": "  \t "},
        400,
        ["description"],
    ),
    ("description-number", {"amount": "24,50", "description": 5}, 400, ["description"]),
    (
        "description-object",
        {"amount": "24,50", "description": {"a": 1}},
        400,
        ["description"],
    ),
    ("both-missing", {}, 400, ["amount", "description"]),
    ("request-id-short", {**ASK, "request_id": "x"}, 400, ["request_id"]),
    ("request-id-number", {**ASK, "request_id": 12345678}, 400, ["request_id"]),
    ("request-id-spaces", {**ASK, "request_id": "one two three"}, 400, ["request_id"]),
]
RAW = [
    (
        "form-body",
        "@payments",
        body("amount=24%2C50", "application/x-www-form-urlencoded"),
        415,
        "UnsupportedMediaType",
    ),
    (
        "text-body",
        "@payments",
        body(json.dumps(ASK), "text/plain"),
        415,
        "UnsupportedMediaType",
    ),
    ("json-list", "@payments", body("[]"), 400, "ValidationError"),
    ("json-null", "@payments", body("null"), 400, "ValidationError"),
    ("json-broken", "@payments", body('{"amount": "24,'), 400, "ValidationError"),
    (
        "header-key-differs-from-body",
        "@payments",
        {
            "json": {**ASK, "request_id": "body-key-0001"},
            "headers": {**JSON, "Idempotency-Key": "header-key-0001"},
        },
        400,
        "ValidationError",
    ),
    ("unknown-path", "@payments/nothing", {}, 404, "NotFound"),
    ("withdraw-unknown", "@payments/0123456789abcdef/withdraw", {}, 404, "NotFound"),
    (
        "withdraw-too-deep",
        "@payments/0123456789abcdef/withdraw/now",
        {},
        404,
        "NotFound",
    ),
]


@pytest.mark.parametrize(
    "sent,status,fields", [row[1:] for row in BAD], ids=[row[0] for row in BAD]
)
def test_bad_payment_requests_are_refused(desk, sent, status, fields):
    before = desk.ready()
    response = desk.ask(sent)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["type"] == "ValidationError" and error["message"]
    assert sorted(error["fields"]) == sorted(fields)
    assert desk.listed() == []
    assert desk.db.lastTransaction() == before, "the refused request stored something"


@pytest.mark.parametrize(
    "path,kwargs,status,error_type",
    [row[1:] for row in RAW],
    ids=[row[0] for row in RAW],
)
def test_malformed_requests_are_refused(desk, path, kwargs, status, error_type):
    before = desk.ready()
    response = desk.post(path, **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]["type"] == error_type
    assert desk.listed() == []
    assert desk.db.lastTransaction() == before, "the refused request stored something"


def test_no_dossier_is_404(desk):
    desk.appointment().dossier_id = None
    transaction.commit()
    before = desk.ready()
    response = desk.ask()
    assert response.status_code == 404, response.text
    assert response.json()["error"]["message"] == "This appointment has no dossier."
    assert desk.db.lastTransaction() == before


def test_no_payment_once_the_dossier_is_closed(desk):
    desk.close_dossier()
    before = desk.ready()
    response = desk.ask()
    assert response.status_code == 409, response.text
    assert response.json()["error"]["type"] == "WrongState"
    assert desk.db.lastTransaction() == before
