"""@slots carries an ETag made from the version of the free slots: a client
that has the answer gets a 304 without a body, and every booking,
cancellation, product edit (in any connection), passed time and new day
gives another ETag at once."""

from collective.digitalebalie.booking import actions
from collective.digitalebalie.services.slots import get as slots_get
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from helpers import ACCEPT
from helpers import JSON
from helpers import at
from helpers import book
from helpers import tomorrow
from plone import api
import pytest
import transaction


MORNING = [
    {"weekday": d, "start": "09:00", "end": "11:00", "counters": 1} for d in range(7)
]


@pytest.fixture
def product(make_product):
    return make_product(opening_hours=MORNING, min_notice_hours=0)


def slots(browser, product, first, last=None, etag=None):
    headers = dict(ACCEPT, **({"If-None-Match": etag} if etag else {}))
    return browser.get(
        f"{product}/@slots",
        params={"start": first.isoformat(), "end": (last or first).isoformat()},
        headers=headers,
    )


def starts(response):
    assert response.status_code == 200, response.text
    return [item["start"] for item in response.json()["items"]]


@pytest.fixture
def clock(monkeypatch):
    """set(local ISO time): the server's clock for the free slots (the test
    server runs in this process)."""

    def set_now(iso):
        now = datetime.fromisoformat(iso).astimezone(UTC)
        for module in (actions, slots_get):
            monkeypatch.setattr(module, "now_utc", lambda: now)

    return set_now


def test_an_unchanged_answer_is_a_304_and_a_booking_changes_it_at_once(
    browser, product
):
    day = tomorrow()
    first = slots(browser, product, day)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert "Accept" in first.headers["Vary"]
    again = slots(browser, product, day, etag=etag)
    assert again.status_code == 304 and again.content == b""
    # gzip makes the ETag weak; the browser then sends it back with W/.
    assert slots(browser, product, day, etag=f"W/{etag}").status_code == 304

    start = starts(first)[0]
    booked = book(browser, product, start)
    assert booked.status_code == 201, booked.text
    after = slots(browser, product, day, etag=etag)
    assert start not in starts(after)
    assert after.headers["ETag"] != etag

    cancelled = browser.post(
        f"@appointment/{booked.json()['token']}/cancel", headers=JSON
    )
    assert cancelled.status_code == 200, cancelled.text
    free_again = slots(browser, product, day, etag=after.headers["ETag"])
    assert start in starts(free_again)
    assert free_again.headers["ETag"] not in (etag, after.headers["ETag"])


def test_an_edit_in_another_connection_changes_the_etag(browser, product, functional):
    """The test's own ZODB connection stands in for another instance."""
    day = tomorrow()
    first = slots(browser, product, day)
    assert len(starts(first)) == 4
    transaction.begin()
    obj = functional["portal"][product.rsplit("/", 1)[-1]]
    with api.env.adopt_roles(["Manager"]):
        obj.opening_hours = [{**row, "end": "10:00"} for row in MORNING]
    transaction.commit()
    changed = slots(browser, product, day, etag=first.headers["ETag"])
    assert len(starts(changed)) == 2
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_passed_times_and_a_new_day_change_the_answer(browser, product, clock):
    day = tomorrow() + timedelta(days=1)
    following = day + timedelta(days=1)
    clock(at(day, "07:00"))
    early = slots(browser, product, day, following)
    assert starts(early)[:4] == [
        at(day, t) for t in ("09:00", "09:30", "10:00", "10:30")
    ]

    clock(at(day, "09:40"))
    later = slots(browser, product, day, following, etag=early.headers["ETag"])
    assert starts(later)[:2] == [at(day, "10:00"), at(day, "10:30")]
    assert later.headers["ETag"] != early.headers["ETag"]

    clock(at(following, "07:00"))
    next_day = slots(browser, product, day, following, etag=later.headers["ETag"])
    assert starts(next_day) == [
        at(following, t) for t in ("09:00", "09:30", "10:00", "10:30")
    ]
    # Back to the morning before: the first answer again, so its ETag holds.
    clock(at(day, "07:00"))
    assert (
        slots(browser, product, day, following, etag=early.headers["ETag"]).status_code
        == 304
    )


def test_the_answer_has_nothing_personal_and_an_employee_has_another_etag(
    browser, browser_as, product
):
    day = tomorrow()
    start = starts(slots(browser, product, day))[0]
    booked = book(
        browser, product, start, fullname="Zeynep Yilmaz", email="zeynep@example.nl"
    )
    assert booked.status_code == 201, booked.text
    anonymous = slots(browser, product, day)
    assert "Zeynep" not in anonymous.text and "zeynep@" not in anonymous.text
    employee = slots(
        browser_as("Manager"), product, day, etag=anonymous.headers["ETag"]
    )
    assert employee.status_code == 200
    assert employee.headers["ETag"] != anonymous.headers["ETag"]


def test_bad_input_is_still_a_clear_400(browser, product):
    day = tomorrow()
    response = slots(browser, product, day, day - timedelta(days=1))
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "ValidationError"
    assert "ETag" not in response.headers
