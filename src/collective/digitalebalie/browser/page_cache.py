"""An anonymous visitor's product page from Zope's memory (issue 22).

When a municipality opens new slots, hundreds of citizens open the same
product page in the same minutes, and most of the time of each page went to
Plone's page around the product (portlets, navigation, the theme). The page is
the same for every anonymous visitor who asks the same address, until someone
books, cancels or moves an appointment, the product or the site changes, or
the clock moves on. So plone.app.caching keeps it in its RAM cache: the
product page has the ruleset ``collective.digitalebalie.productPage``
(caching.zcml), mapped to ``plone.app.caching.weakCaching`` with ``ramCache``
(profiles/default/registry.xml). Its ETag says what the page shows; the RAM
cache keys on the ETag and the address, and a browser that has the page gets
a 304.

This module is the part of the ETag plone.app.caching cannot know,
``digitalebalie.freeTimes``: the version of the free times the picker shows
(booking/free.py: the serials of the product and of the days' ledger records,
today, the slots the clock has left), the walk-in queue's state, today's date
(closures) and the minute (the registry, where the house colours and the
site's title live, has no version: a change there shows within a minute).
The other parts are plone.app.caching's own (``catalogCounter`` for the
navigation and portlets, ``language``, ``userLanguage``, ``skin``,
``resourceRegistries``, ``anonymousOrRandom``).

Nothing personal is kept: the value is random (so the page is never found
again) for anything but a plain GET by an anonymous visitor, for a request
that carries a status message, asks another language or comes from an address
that must solve a proof-of-work check. A page with typed input or errors is
the answer to a POST (and not 200), which plone.app.caching does not keep.
"""

from collective.digitalebalie import errors
from collective.digitalebalie import limits
from collective.digitalebalie import settings
from collective.digitalebalie.booking import store
from collective.digitalebalie.browser.picker import SlotPicker
from collective.digitalebalie.content.counter_product import ICounterProduct
from collective.digitalebalie.walkin import queue
from collective.digitalebalie.walkin.availability import offers_walk_in
from plone import api
from plone.app.caching.interfaces import IETagValue
from Products.statusmessages import STATUSMESSAGEKEY
from zope.component import adapter
from zope.interface import Interface
from zope.interface import implementer
import hashlib
import secrets
import time


def _never_again():
    return secrets.token_hex(8)


def _minute():
    """Changes once a minute: what the registry holds shows within a minute."""
    return int(time.time() // 60)


def plain_visit(product, request):
    """A GET of the product page by an anonymous visitor that shows what
    every such visitor of this address sees."""
    return (
        request.get("REQUEST_METHOD") in ("GET", "HEAD")
        and ICounterProduct.providedBy(product)
        and STATUSMESSAGEKEY not in request.cookies
        and "set_language" not in request.form
        and api.user.is_anonymous()
        and not limits.ClientGate(request).needed()
    )


def page_version(product, request):
    """What the anonymous product page shows, as a short text; None when the
    page is not the same for the next visitor."""
    if not plain_visit(product, request):
        return None
    try:
        picker = SlotPicker(product, request, request.form.get("start"))
    except errors.NotBookable:
        slots = "not bookable"
    else:
        if picker.version is None:
            return None
        slots = picker.version
    walk_in = queue.status(product) if offers_walk_in(product) else None
    tz = settings.site_timezone()
    parts = (
        store.serial(product),
        slots,
        walk_in,
        settings.now_utc().astimezone(tz).date(),
        _minute(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


@implementer(IETagValue)
@adapter(Interface, Interface)
class FreeTimes:
    """The ``digitalebalie.freeTimes`` ETag component (see the module)."""

    def __init__(self, published, request):
        self.published = published
        self.request = request

    def __call__(self):
        product = getattr(self.published, "context", None)
        return page_version(product, self.request) or _never_again()
