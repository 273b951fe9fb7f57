"""HTTP caching (plone.app.caching) and what an anonymous visitor loads, over HTTP.

Resources with a version in their address are kept by the browser for a year;
Plone's public pages are revalidated; the add-on's pages keep their own
Cache-Control (never cached where they show personal data), and anonymous
visitors get none of Plone's JavaScript.
"""

from collective.digitalebalie.booking.store import FOLDER_ID
from helpers import at
from helpers import book
from helpers import tomorrow
from plone import api
from plone.base.utils import get_installer
from plone.registry.interfaces import IRegistry
from zope.component import getUtility
import pytest
import re
import transaction


ANONYMOUS_FREE = ("plone", "plone-fullscreen", "datagridfield-bundle")


def scripts(html):
    return re.findall(r'<script[^>]*data-bundle="([^"]+)"', html)


def stylesheet(html, part):
    return next(u for u in re.findall(r'href="([^"]+\.css)"', html) if part in u)


def test_plone_app_caching_is_on_with_the_addons_rules(functional):
    with api.env.adopt_roles(["Manager"]):
        assert get_installer(functional["portal"]).is_product_installed(
            "plone.app.caching"
        )
    registry = getUtility(IRegistry)
    assert registry["plone.caching.interfaces.ICacheSettings.enabled"] is True
    mapping = registry["plone.caching.interfaces.ICacheSettings.operationMapping"]
    assert mapping["plone.stableResource"] == "plone.app.caching.strongCaching"
    # The add-on's pages and the REST services: no operation, so no caching.
    assert "collective.digitalebalie.uncached" not in mapping
    assert mapping["collective.digitalebalie.productPage"] == (
        "plone.app.caching.weakCaching"
    )
    assert "plone.content.dynamic" not in mapping
    types = registry[
        "plone.app.caching.interfaces.IPloneCacheSettings.contentTypeRulesetMapping"
    ]
    for portal_type in ("CounterProduct", "Appointment", "Dossier", "DossierDocument"):
        assert types[portal_type] == "collective.digitalebalie.uncached"
    # Nothing is kept in Zope's memory.
    assert registry[
        "plone.app.caching.weakCaching.plone.content.itemView.ramCache"
    ] is (False)


def test_the_bundles_keep_their_files_and_load_for_logged_in_users_only(functional):
    registry = getUtility(IRegistry)
    assert registry["plone.bundles/plone.jscompilation"] == (
        "++plone++static/bundle-plone/bundle.min.js"
    )
    assert registry["plone.bundles/plone.enabled"] is True
    for name in ANONYMOUS_FREE:
        assert registry[f"plone.bundles/{name}.expression"] == (
            "python: member is not None"
        )


def test_anonymous_visitors_get_no_plone_javascript(browser, browser_as):
    anonymous = browser.get("")
    assert anonymous.status_code == 200
    loaded = scripts(anonymous.text)
    assert not set(ANONYMOUS_FREE) & set(loaded), loaded
    # The house style's own script still comes (it opens the phone's menu).
    assert "collective-digitalebalie" in loaded
    employee = browser_as("Manager").get("")
    assert "plone" in scripts(employee.text)


def test_resources_are_cached_and_public_pages_revalidated(browser):
    home = browser.get("")
    assert home.status_code == 200
    # A public page: kept, but asked again every time (and a 304 when unchanged).
    assert home.headers["Cache-Control"] == "max-age=0, must-revalidate, private"
    assert (
        browser.get("", headers={"If-None-Match": home.headers["ETag"]}).status_code
        == 304
    )
    css = stylesheet(home.text, "/nlds/nlds.css")
    assert "++webresource++" in css
    response = browser.get(css)
    assert response.status_code == 200
    # A real instance marks ++webresource++ addresses as stable: a year
    # (tests/setup/test_compression.py checks it on `make start`); the test
    # layer serves them with the rule of other resources, a day.
    assert response.headers["X-Cache-Operation"] == "plone.app.caching.strongCaching"
    assert "public" in response.headers["Cache-Control"]


@pytest.fixture
def appointment(browser, make_product):
    product = make_product()
    booked = book(browser, product, at(tomorrow(), "10:00")).json()
    return product, booked["url"]


def test_pages_with_personal_data_are_never_cached(browser, browser_as, appointment):
    product, link = appointment
    citizen = browser.get(link)
    assert citizen.status_code == 200
    assert citizen.headers["Cache-Control"] == "no-store"
    assert "ETag" not in citizen.headers
    # The employee's page of the same appointment, a content item's default view.
    transaction.begin()  # see what the server's thread committed
    folder = api.portal.get()[FOLDER_ID]
    url = folder.objectValues()[-1].absolute_url()
    employee = browser_as("Manager")
    page = employee.get(url)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in page.headers
    # The product page shows free slots of this minute: a browser asks again
    # every time (test_page_cache.py: kept in Zope's memory, with an ETag).
    product_page = browser.get(product)
    assert product_page.status_code == 200
    assert "max-age=0" in product_page.headers["Cache-Control"]
    assert "must-revalidate" in product_page.headers["Cache-Control"]
