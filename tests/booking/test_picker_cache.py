"""The slot picker's markup on an anonymous visitor's product page is kept per
product, days and version of the free slots (browser/picker.py), and Plone's
bundle tags for a minute (browser/resources.py): over HTTP, a booking leaves
the page at once, passed times and a new day still go, and nothing typed,
no error and nothing of a logged-in user's page reaches another visitor."""

from bs4 import BeautifulSoup
from collective.digitalebalie import settings
from collective.digitalebalie.booking import actions
from datetime import UTC
from datetime import datetime
from datetime import timedelta
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


def times(browser, product, day, **params):
    """The times offered on the page for ``day`` (ISO), and the page."""
    page = browser.get(
        product, params={"from": day.isoformat(), "day": day.isoformat(), **params}
    )
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    return [i["value"] for i in soup.find_all("input", attrs={"name": "start"})], page


@pytest.fixture
def clock(monkeypatch):
    def set_now(iso):
        now = datetime.fromisoformat(iso).astimezone(UTC)
        monkeypatch.setattr(actions, "now_utc", lambda: now)
        monkeypatch.setattr(settings, "now_utc", lambda: now)

    return set_now


def test_a_booking_leaves_the_page_at_once_and_a_cancellation_brings_it_back(
    browser, product
):
    day = tomorrow()
    offered, _page = times(browser, product, day)
    assert times(browser, product, day)[0] == offered  # from the cache now
    start = offered[0]
    booked = book(browser, product, start)
    assert booked.status_code == 201, booked.text
    assert start not in times(browser, product, day)[0]
    token = booked.json()["token"]
    assert browser.post(f"@appointment/{token}/cancel", headers=JSON).ok
    assert times(browser, product, day)[0] == offered


def test_an_edit_in_another_connection_shows_at_once(browser, product, functional):
    day = tomorrow()
    assert len(times(browser, product, day)[0]) == 4
    transaction.begin()
    obj = functional["portal"][product.rsplit("/", 1)[-1]]
    with api.env.adopt_roles(["Manager"]):
        obj.opening_hours = [{**row, "end": "10:00"} for row in MORNING]
    transaction.commit()
    assert times(browser, product, day)[0] == [at(day, "09:00"), at(day, "09:30")]


def test_passed_times_and_a_new_day_still_go(browser, product, clock):
    day = tomorrow() + timedelta(days=1)
    following = day + timedelta(days=1)
    clock(at(day, "07:00"))
    assert times(browser, product, day)[0] == [
        at(day, t) for t in ("09:00", "09:30", "10:00", "10:30")
    ]
    clock(at(day, "09:40"))
    assert times(browser, product, day)[0] == [at(day, "10:00"), at(day, "10:30")]
    clock(at(following, "07:00"))
    offered, page = times(browser, product, day)
    # The day that passed is gone: the page starts at the new today.
    assert offered == [at(following, t) for t in ("09:00", "09:30", "10:00", "10:30")]
    assert f"day={day.isoformat()}" not in page.text


def test_typed_input_and_errors_are_never_kept(browser, product):
    day = tomorrow()
    offered, page = times(browser, product, day)
    soup = BeautifulSoup(page.text, "html.parser")
    form = soup.find("button", attrs={"name": "book"}).find_parent("form")
    values = {
        i["name"]: i.get("value", "")
        for i in form.find_all("input")
        if i.get("type") != "radio"
    }
    values.update(
        start=offered[1], fullname="Zeynep Yilmaz", email="not an address", book="1"
    )
    refused = browser.post(product, data=values)
    assert refused.status_code == 400
    chosen = BeautifulSoup(refused.text, "html.parser").find(
        "input", attrs={"value": offered[1]}
    )
    assert chosen.has_attr("checked")  # the citizen's choice is kept for them
    # The next visitor gets the plain picker: nothing chosen, typed or wrong.
    again, page = times(browser, product, day)
    assert again == offered
    assert "Zeynep" not in page.text and "not an address" not in page.text
    plain = BeautifulSoup(page.text, "html.parser")
    assert not plain.find("input", attrs={"name": "start", "checked": True})
    assert plain.find(id="error-summary") is None
    # A link with a time in it (start=...) shows it chosen, and only there.
    _linked, page = times(browser, product, day, start=offered[2])
    checked = BeautifulSoup(page.text, "html.parser").find(
        "input", attrs={"name": "start", "checked": True}
    )
    assert checked["value"] == offered[2]
    assert not BeautifulSoup(times(browser, product, day)[1].text, "html.parser").find(
        "input", attrs={"name": "start", "checked": True}
    )


def test_an_employee_and_an_anonymous_visitor_never_get_each_others_page(
    browser, browser_as, product
):
    day = tomorrow()
    anonymous_page = times(browser, product, day)[1].text
    assert 'data-bundle="plone"' not in anonymous_page
    manager = browser_as("Manager")
    employee_page = times(manager, product, day)[1].text
    # Plone's scripts and toolbar for the logged-in user, from Plone itself.
    assert 'data-bundle="plone"' in employee_page
    assert 'id="edit-zone"' in employee_page
    again = times(browser, product, day)[1].text
    assert 'data-bundle="plone"' not in again and 'id="edit-zone"' not in again
    assert 'data-bundle="plone"' in times(manager, product, day)[1].text
