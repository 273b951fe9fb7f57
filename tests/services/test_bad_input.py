"""Bad input gets a clear answer, never a 500, and stores nothing (issue 15).

One table: each row sends one kind of bad input over HTTP to the running site
and expects a 4xx with the add-on's error body {"error": {"type", "message"}}
(a page: a friendly message). Nothing may be stored: the database has no new
transaction after the request. Every row answered 500 (or was accepted) before.
"""

from bs4 import BeautifulSoup
from helpers import JSON
from helpers import at
from helpers import person
from helpers import tomorrow
import json
import pytest


SLOT = "10:00"


class Site:
    """What the rows need: a product, its team and (on demand) a booked appointment."""

    def __init__(self, browser, browser_as, make_team, make_product):
        self.browser = browser
        self.manager = browser_as("Manager")
        self.anna = make_team("burgerzaken", "anna")["anna"]
        self.product = make_product(teams=["burgerzaken"], title="Rijbewijs")
        self._appointment = None

    @property
    def appointment(self):
        """The URL of an appointment tomorrow, booked once."""
        if self._appointment is None:
            response = self.browser.post(
                f"{self.product}/@book",
                json=person(start=at(tomorrow(), "16:00")),
                headers=JSON,
            )
            assert response.status_code == 201, response.text
            items = self.anna.get(
                "@agenda",
                params={"start": tomorrow().isoformat(), "scope": "team"},
                headers=JSON,
            ).json()["items"]
            self._appointment = items[0]["@id"]
        return self._appointment

    def ready(self):
        """Store what is stored on purpose before the request under test: the
        appointment, and what Plone writes on an employee's first page view."""
        assert self.appointment
        assert self.anna.get("@@agenda").status_code == 200
        assert self.anna.get("@@new-appointment").status_code == 200

    def book_raw(self, body):
        return self.browser.post(
            f"{self.product}/@book",
            data=body.encode("utf-8") if isinstance(body, str) else body,
            headers=JSON,
        )

    def book(self, **fields):
        return self.book_raw(json.dumps(person(start=at(tomorrow(), SLOT), **fields)))

    def slots(self, **params):
        return self.browser.get(f"{self.product}/@slots", params=params, headers=JSON)

    def agenda(self, query):
        return self.anna.get(f"@agenda?{query}", headers=JSON)

    def agenda_page(self, query):
        return self.anna.get(f"@@agenda?{query}")

    def guest(self, name):
        return self.anna.post(
            f"{self.appointment}/@video-guest", json={"name": name}, headers=JSON
        )

    def control_panel(self, body):
        return self.manager.patch(
            "@controlpanels/digitalebalie", data=body, headers=JSON
        )

    def staff_form(self, **fields):
        form = self.anna.get("@@new-appointment")
        values = self.anna.form_values(form, "new-appointment-form")
        values.update(
            date=tomorrow().isoformat(),
            time=SLOT,
            fullname="Piet Bakker",
            email="piet@example.nl",
            channel="phone",
        )
        values.update(fields)
        return self.anna.post("@@new-appointment", data=values)


def deep(levels):
    return '{"fullname": ' + "[" * levels + "]" * levels + "}"


def surrogate_name():
    # The JSON text escape of a lone surrogate: json.dumps would refuse nothing,
    # but a str holding it cannot be encoded as UTF-8 further on.
    body = json.dumps(person(start=at(tomorrow(), SLOT), fullname="X"))
    return body.replace('"X"', '"\\ud800"')


ENCODED_HEADER = "=?utf-8?q?=0D=0ABcc:_v@evil.org?="
JSON_ROW, PAGE_ROW = "json", "page"

# (id, request, expected status, JSON or page, the field named in the error)
ROWS = [
    ("slots-year-1", lambda s: s.slots(start="0001-01-01"), 400, JSON_ROW, "start"),
    (
        "slots-year-1-range",
        lambda s: s.slots(start="0001-01-01", end="0001-01-02"),
        400,
        JSON_ROW,
        "start",
    ),
    ("book-nested-100000", lambda s: s.book_raw(deep(100_000)), 400, JSON_ROW, None),
    (
        "book-encoded-header",
        lambda s: s.book(fullname=ENCODED_HEADER),
        400,
        JSON_ROW,
        "fullname",
    ),
    (
        "book-lone-surrogate",
        lambda s: s.book_raw(surrogate_name()),
        400,
        JSON_ROW,
        None,
    ),
    (
        "book-control-char",
        lambda s: s.book(fullname="Jan\x07"),
        400,
        JSON_ROW,
        "fullname",
    ),
    ("book-nul", lambda s: s.book(fullname="Jan\x00Jansen"), 400, JSON_ROW, "fullname"),
    (
        "book-bidi-override",
        lambda s: s.book(fullname="Jan \u202enesnaJ"),
        400,
        JSON_ROW,
        "fullname",
    ),
    (
        "book-bidi-isolate",
        lambda s: s.book(fullname="Jan \u2066x\u2069"),
        400,
        JSON_ROW,
        "fullname",
    ),
    (
        "book-zero-width-name",
        lambda s: s.book(fullname="\u200b\u200d\ufeff"),
        400,
        JSON_ROW,
        "fullname",
    ),
    (
        "book-email-comma",
        lambda s: s.book(email="a,b@example.nl"),
        400,
        JSON_ROW,
        "email",
    ),
    (
        "book-email-literal",
        lambda s: s.book(email="jan@[127.0.0.1]"),
        400,
        JSON_ROW,
        "email",
    ),
    (
        "book-email-dots",
        lambda s: s.book(email="jan..x@example.nl"),
        400,
        JSON_ROW,
        "email",
    ),
    ("book-phone-zeros", lambda s: s.book(phone="+0000000000"), 400, JSON_ROW, "phone"),
    (
        "book-over-1-mb",
        lambda s: s.book(notes="x" * (1024 * 1024)),
        413,
        JSON_ROW,
        None,
    ),
    ("agenda-q-twice", lambda s: s.agenda("q=a&q=b"), 400, JSON_ROW, "q"),
    ("agenda-q-int", lambda s: s.agenda("q:int=1"), 400, JSON_ROW, "q"),
    ("agenda-page-q-twice", lambda s: s.agenda_page("q=a&q=b"), 400, PAGE_ROW, None),
    (
        "agenda-page-period-twice",
        lambda s: s.agenda_page("period=today&period=past"),
        400,
        PAGE_ROW,
        None,
    ),
    ("agenda-page-q-int", lambda s: s.agenda_page("q:int=5"), 400, PAGE_ROW, None),
    ("guest-number", lambda s: s.guest(5), 400, JSON_ROW, "name"),
    ("guest-list", lambda s: s.guest(["Ann"]), 400, JSON_ROW, "name"),
    ("guest-object", lambda s: s.guest({"name": "Ann"}), 400, JSON_ROW, "name"),
    ("guest-true", lambda s: s.guest(True), 400, JSON_ROW, "name"),
    ("guest-bidi", lambda s: s.guest("Ann \u202e"), 400, JSON_ROW, "name"),
    (
        "control-panel-truncated",
        lambda s: s.control_panel('{"timezone": "Europe/Ams'),
        400,
        JSON_ROW,
        None,
    ),
    ("control-panel-list", lambda s: s.control_panel("[]"), 400, JSON_ROW, None),
    ("control-panel-null", lambda s: s.control_panel("null"), 400, JSON_ROW, None),
    ("control-panel-string", lambda s: s.control_panel('"x"'), 400, JSON_ROW, None),
    (
        "staff-form-control-char",
        lambda s: s.staff_form(fullname="Piet\x1bBakker"),
        400,
        PAGE_ROW,
        None,
    ),
    (
        "staff-form-zero-width",
        lambda s: s.staff_form(fullname="\u200b"),
        400,
        PAGE_ROW,
        None,
    ),
]


@pytest.fixture
def site(browser, browser_as, make_team, make_product):
    return Site(browser, browser_as, make_team, make_product)


@pytest.fixture
def last_transaction(functional):
    db = functional["app"]._p_jar.db()
    return db.lastTransaction


@pytest.mark.parametrize(
    "send,status,kind,field", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_bad_input_is_refused_and_nothing_is_stored(
    site, last_transaction, send, status, kind, field
):
    site.ready()
    before = last_transaction()
    response = send(site)
    assert response.status_code == status, response.text[:1000]
    if kind == JSON_ROW:
        assert response.headers["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert error["type"] and error["message"]
        if field:
            assert error["fields"][field]
    else:
        assert response.headers["Content-Type"].startswith("text/html")
        soup = BeautifulSoup(response.text, "html.parser")
        alert = soup.select_one(".utrecht-alert--error, #error-summary")
        assert alert is not None and alert.get_text(strip=True)
    assert last_transaction() == before, "the refused request stored something"


def test_good_input_still_works(site):
    """The rows above are refused for their bad part only."""
    response = site.book(
        fullname="Zoë  O'Brien-de Vries", email="zoe@example.nl", phone="+31 6 12345678"
    )
    assert response.status_code == 201, response.text
    assert site.slots(start=tomorrow().isoformat()).status_code == 200
    assert (
        site.agenda(f"q=zo%C3%AB&scope=team&start={tomorrow()}").json()["items_total"]
        == 1
    )
    page = site.agenda_page(f"q=zo%C3%AB&scope=team&day={tomorrow()}")
    assert "Zoë O'Brien-de Vries" in BeautifulSoup(page.text, "html.parser").text
    assert site.guest("Tolk Ahmed").status_code == 201
