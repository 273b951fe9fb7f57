"""An anonymous visitor's product page comes from plone.app.caching's RAM cache
under an ETag of what it shows (browser/page_cache.py), over HTTP: the next
visitor gets the same page without it being rendered, a browser that has it a
304; a booking, an edit, new content elsewhere on the site and a changed setting
show at once; a
logged-in user's page, a status message and a page that asks a proof of work
are never kept or handed to another visitor."""

from bs4 import BeautifulSoup
from collective.digitalebalie import limits
from collective.digitalebalie.browser import page_cache
from helpers import at
from helpers import book
from helpers import tomorrow
from plone import api
from Products.statusmessages import STATUSMESSAGEKEY
from Products.statusmessages.adapter import _encodeCookieValue
import pytest
import transaction


RAM = "X-RAMCache"
MORNING = [
    {"weekday": d, "start": "09:00", "end": "11:00", "counters": 1} for d in range(7)
]


@pytest.fixture(autouse=True)
def minute(monkeypatch):
    """The page's minute, held still: no verdict depends on when a test runs."""
    now = [1]
    monkeypatch.setattr(page_cache, "_minute", lambda: now[0])
    return now


@pytest.fixture
def product(make_product):
    return make_product(opening_hours=MORNING, min_notice_hours=0)


def page(browser, url, **params):
    response = browser.get(url, params=params or None)
    assert response.status_code == 200, response.text[:500]
    return response


def offered(response):
    soup = BeautifulSoup(response.text, "html.parser")
    return [i["value"] for i in soup.find_all("input", attrs={"name": "start"})]


def day_of(product, browser, day):
    return page(browser, product, **{"from": day.isoformat(), "day": day.isoformat()})


def test_the_next_anonymous_visitor_gets_the_kept_page_and_a_browser_a_304(
    browser, product
):
    day = tomorrow()
    first = day_of(product, browser, day)
    assert RAM not in first.headers
    second = day_of(product, browser, day)
    assert second.headers[RAM]  # not rendered again
    assert second.text == first.text
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "must-revalidate" in second.headers["Cache-Control"]
    # The page's own headers come with it.
    assert (
        second.headers["Content-Security-Policy"]
        == (first.headers["Content-Security-Policy"])
    )
    again = browser.get(
        product,
        params={"from": day.isoformat(), "day": day.isoformat()},
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    assert again.content == b""


def test_a_booking_shows_at_once_and_the_old_etag_gets_the_new_page(browser, product):
    day = tomorrow()
    before = day_of(product, browser, day)
    day_of(product, browser, day)  # kept now
    start = at(day, "09:30")
    assert start in offered(before)
    assert book(browser, product, start).status_code == 201
    after = browser.get(
        product,
        params={"from": day.isoformat(), "day": day.isoformat()},
        headers={"If-None-Match": before.headers["ETag"]},
    )
    assert after.status_code == 200
    assert RAM not in after.headers
    assert start not in offered(after)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_an_edit_and_new_content_elsewhere_show_at_once(browser, product, functional):
    portal = functional["portal"]
    page(browser, product)
    assert page(browser, product).headers[RAM]
    transaction.begin()
    with api.env.adopt_roles(["Manager"]):
        obj = portal[product.rsplit("/", 1)[-1]]
        obj.title = "Paspoort aanvragen"
        obj.reindexObject()
    transaction.commit()
    edited = page(browser, product)
    assert RAM not in edited.headers
    assert "Paspoort aanvragen" in edited.text
    # A new page in the site's navigation (the catalog changed).
    transaction.begin()
    with api.env.adopt_roles(["Manager"]):
        news = api.content.create(
            container=portal, type="Document", title="Verhuizing doorgeven"
        )
        api.content.transition(news, to_state="published")
    transaction.commit()
    fresh = page(browser, product)
    assert RAM not in fresh.headers
    assert fresh.headers["ETag"] != edited.headers["ETag"]


def test_a_changed_setting_shows_at_once(browser, product, functional):
    """The house colours live in the registry: an administrator who changes
    them sees them on the next product page, not a minute later."""
    from collective.digitalebalie.interfaces import IDigitaleBalieSettings

    page(browser, product)
    assert page(browser, product).headers[RAM]
    transaction.begin()
    old = api.portal.get_registry_record(
        "primary_color", interface=IDigitaleBalieSettings
    )
    api.portal.set_registry_record(
        "primary_color", "#6b2c91", interface=IDigitaleBalieSettings
    )
    transaction.commit()
    try:
        changed = page(browser, product)
        assert RAM not in changed.headers
        assert "#6b2c91" in changed.text
    finally:
        api.portal.set_registry_record(
            "primary_color", old, interface=IDigitaleBalieSettings
        )
        transaction.commit()


def test_a_logged_in_users_page_is_never_kept_nor_handed_on(
    browser, browser_as, product
):
    employee = browser_as("Manager")
    first = page(employee, product)
    second = page(employee, product)
    assert RAM not in second.headers
    assert second.headers["ETag"] != first.headers["ETag"]
    anonymous = page(browser, product)
    soup = BeautifulSoup(anonymous.text, "html.parser")
    assert "userrole-anonymous" in soup.body["class"]
    assert soup.select_one("#edit-zone") is None
    assert page(browser, product).headers[RAM]


def test_a_status_message_reaches_only_its_own_visitor(browser, product):
    page(browser, product)
    message = "Uw afspraak is geannuleerd"
    cookie = _encodeCookieValue(message, "info")
    cookie = cookie.decode() if isinstance(cookie, bytes) else cookie
    browser.cookies.set(STATUSMESSAGEKEY, cookie)
    shown = page(browser, product)
    assert RAM not in shown.headers
    assert message in shown.text
    browser.cookies.clear()
    plain = page(browser, product)
    assert message not in plain.text
    assert plain.headers[RAM]


def test_a_visitor_who_must_solve_a_check_gets_a_page_of_their_own(
    browser, product, monkeypatch
):
    page(browser, product)
    assert page(browser, product).headers[RAM]
    monkeypatch.setattr(limits.ClientGate, "needed", lambda self: True)
    checked = page(browser, product)
    assert RAM not in checked.headers
    assert "altcha-widget" in checked.text
    again = page(browser, product)
    assert RAM not in again.headers  # every challenge is new
    monkeypatch.undo()
    assert "altcha-widget" not in page(browser, product).text


def test_a_check_found_only_by_the_view_is_not_handed_on(browser, product, monkeypatch):
    """The address reached its limit between the ETag and the page (another
    booking from it committed meanwhile): that page and its challenge are
    for this visitor only."""
    answers = iter([False, True])  # the ETag's question, then the view's
    monkeypatch.setattr(limits.ClientGate, "needed", lambda self: next(answers, False))
    checked = page(browser, product)
    assert "altcha-widget" in checked.text
    plain = page(browser, product)
    assert RAM not in plain.headers  # the page with the challenge was not kept
    assert "altcha-widget" not in plain.text
    assert plain.headers["ETag"] != checked.headers["ETag"]
    again = page(browser, product)
    assert again.headers[RAM]
    assert "altcha-widget" not in again.text


def test_the_next_minute_makes_the_page_anew(browser, product, minute):
    """The registry (site title, house colours) has no version: a change
    there shows within a minute."""
    first = page(browser, product)
    assert page(browser, product).headers[RAM]
    minute[0] += 1
    later = page(browser, product)
    assert RAM not in later.headers
    assert later.headers["ETag"] != first.headers["ETag"]
    assert page(browser, product).headers[RAM]


@pytest.fixture
def two_languages(functional):
    """As a municipality's site (cli/create_site.py): the browser's language
    and the language cookie choose the page's language."""
    transaction.begin()
    names = ("plone.available_languages", "plone.use_request_negotiation")
    names += ("plone.use_cookie_negotiation",)
    old = {name: api.portal.get_registry_record(name) for name in names}
    api.portal.set_registry_record("plone.available_languages", ["nl", "en"])
    api.portal.set_registry_record("plone.use_request_negotiation", True)
    api.portal.set_registry_record("plone.use_cookie_negotiation", True)
    transaction.commit()
    yield
    for name, value in old.items():
        api.portal.set_registry_record(name, value)
    transaction.commit()


def html_lang(response):
    return BeautifulSoup(response.text, "html.parser").html.get("lang")


def test_each_language_has_its_own_page(browser, product, two_languages):
    english = {"Accept-Language": "en"}
    dutch = {"Accept-Language": "nl"}
    for _ in range(2):
        assert html_lang(browser.get(product, headers=english)) == "en"
        assert html_lang(browser.get(product, headers=dutch)) == "nl"
    # The language cookie (the site's language menu) over the browser's.
    browser.cookies.set("I18N_LANGUAGE", "en")
    for _ in range(2):
        chosen = browser.get(product, headers=dutch)
        assert html_lang(chosen) == "en"
    assert chosen.headers[RAM]
