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
(closures), the number of registry changes (the house colours, the site's
title: counted on the site by ``note_registry_change``, so every instance
sees a change at once) and the minute (for what has no version at all:
portlets and actions edited through the web, theme files: within a minute).
The other parts are plone.app.caching's own (``catalogCounter`` for the
navigation and portlets, ``language``, ``userLanguage``, ``skin``,
``resourceRegistries``, ``anonymousOrRandom``).

Nothing personal is kept. plone.app.caching keeps only a GET answered 200
to an anonymous visitor without a status message (its stop variables), so
typed input and errors (a POST) never are. For anything else that is not the
same for the next visitor (a logged-in user, ``set_language``, an address that
must solve the proof-of-work check, also when the view finds that out only
after the ETag was made) ``keep_from_others`` gives the answer a random ETag
and ``KeepFromOthers`` takes it out of the RAM cache before it is stored.
"""

from BTrees.Length import Length
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
from plone.app.caching.interfaces import IRAMCached
from plone.app.caching.operations.utils import ETAG_ANNOTATION_KEY
from plone.registry.interfaces import IRecordModifiedEvent
from plone.transformchain.interfaces import ITransform
from Products.statusmessages import STATUSMESSAGEKEY
from zope.annotation.interfaces import IAnnotations
from zope.component import adapter
from zope.component.hooks import getSite
from zope.interface import Interface
from zope.interface import implementer
from zope.interface import noLongerProvides
import hashlib
import secrets
import time


NOT_KEPT = "collective.digitalebalie.page-not-kept"


def _never_again():
    return secrets.token_hex(8)


def keep_from_others(request):
    """This answer is for this visitor only: a random ETag, and not kept."""
    annotations = IAnnotations(request)
    annotations[NOT_KEPT] = True
    if ETAG_ANNOTATION_KEY in annotations:
        annotations[ETAG_ANNOTATION_KEY] = f"|{_never_again()}"


REGISTRY_CHANGES = "collective.digitalebalie.registry-changes"


def registry_changes():
    """How often the site's registry has changed (since this add-on counts)."""
    counter = IAnnotations(api.portal.get()).get(REGISTRY_CHANGES)
    return counter() if counter is not None else 0


@adapter(IRecordModifiedEvent)
def note_registry_change(event):
    """Count a changed registry record on the site (a conflict-free counter:
    two changes at once in two instances both count)."""
    site = getSite()
    annotations = IAnnotations(site, None) if site is not None else None
    if annotations is None:
        return
    counter = annotations.get(REGISTRY_CHANGES)
    if counter is None:
        annotations[REGISTRY_CHANGES] = Length(1)
    else:
        counter.change(1)


def _minute():
    """Changes once a minute: what has no version shows within a minute."""
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
        registry_changes(),
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
        version = page_version(product, self.request)
        if version is None:
            keep_from_others(self.request)  # the ETag is not made yet
            return _never_again()
        return version


@implementer(ITransform)
class KeepFromOthers:
    """After plone.app.caching's operation asked to keep the page (12000) and
    before its RAM cache stores it (90000): not an answer for one visitor."""

    order = 12100

    def __init__(self, published, request):
        self.published = published
        self.request = request

    def _forget(self):
        if IAnnotations(self.request).get(NOT_KEPT):
            noLongerProvides(self.request, IRAMCached)

    def transformBytes(self, result, encoding):
        self._forget()

    def transformUnicode(self, result, encoding):
        self._forget()

    def transformIterable(self, result, encoding):
        self._forget()
