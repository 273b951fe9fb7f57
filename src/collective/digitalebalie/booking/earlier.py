"""Tell me when an earlier time is free: a product's waiting list and its offers.

A citizen with a booked appointment may ask for an earlier time. When a
booking of the product is cancelled or moved, the time it frees is offered to
the first ones on the list (in order of asking) whose appointment is later and
who could book that time themselves (the product's notice and days-ahead
rules; channels share the slots). The list is one for all translations of the
product (kept on the canonical one). Each offer is a secret link (only its hash is
kept, in the token index with the prefix ``earlier:``) that moves the
appointment there in one step, through the ordinary move (``reschedule``): of
two who follow their links at once, one gets the time. A link works once, and
only while the time is free, the appointment is booked and still later, and
the citizen still asks.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import multilingual
from collective.digitalebalie.booking import actions
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.errors import NotBookable
from collective.digitalebalie.errors import NotFound
from collective.digitalebalie.errors import SlotUnavailable
from collective.digitalebalie.errors import WrongState
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.storage import annotation
from datetime import UTC
from persistent.mapping import PersistentMapping
from plone import api
from zope.annotation.interfaces import IAnnotations


WAITING_KEY = "collective.digitalebalie.earlier"  # on the product: id -> asked at
OFFERS_KEY = "collective.digitalebalie.earlier-offers"  # on the appointment
PREFIX = "earlier:"  # of an offer's hash in the token index
OFFERS_PER_TIME = 3  # the first three on the list hear of a freed time


def is_waiting(appointment):
    return getattr(appointment, "earlier_asked", None) is not None


def _waiting(product, create=False):
    """id -> asked at, of the product's waiting list (None when there is none).

    All translations of a product are one service: the list lives on the
    canonical product, next to the ledger, so a time freed through the English
    page reaches those who asked on the Dutch one.
    """
    if product is None:
        return None
    product = multilingual.canonical(product)
    if create:
        return annotation(product, WAITING_KEY, OOBTree)
    return IAnnotations(product).get(WAITING_KEY)


def _offers(appointment):
    """Hash of an offer's token -> the offered start (UTC)."""
    return annotation(appointment, OFFERS_KEY, PersistentMapping)


def ask(appointment, wanted, now=None):
    """Switch the citizen's wish on or off (asking twice keeps the first place)."""
    now = now or now_utc()
    actions.ensure_changeable(appointment, now)
    product = store.product_of(appointment)
    if product is None:
        raise NotBookable(_("This service cannot be booked online at the moment."))
    waiting = _waiting(product, create=True)
    if wanted:
        if not is_waiting(appointment):
            appointment.earlier_asked = now
        waiting[appointment.getId()] = appointment.earlier_asked
    else:
        stop(appointment)


def stop(appointment):
    """Off the list; the offers made so far stop working (idempotent)."""
    if is_waiting(appointment):
        appointment.earlier_asked = None
    waiting = _waiting(store.product_of(appointment))
    if waiting is not None and appointment.getId() in waiting:
        del waiting[appointment.getId()]
    offers = IAnnotations(appointment).get(OFFERS_KEY)
    if offers:
        index = links.token_index()
        for digest in list(offers):
            index.pop(PREFIX + digest, None)
        offers.clear()


def _is_free(product_rules, start, now, persons=1):
    """Could a citizen book ``start`` now (rules and a free counter), for an
    appointment of ``persons`` people (a household's lasts longer)?"""
    day = start.date()
    return any(
        slot.start == start and slot.available > 0
        for slot in product_rules.free_slots(day, day, now, persons=persons)
    )


def _may_take(appointment, start, now):
    return (
        is_waiting(appointment)
        and api.content.get_state(appointment) == "booked"
        and appointment.start > now
        and start < appointment.start
    )


def freed(product, start, now=None, exclude=None):
    """A time of the product is free again: offers to the first ones waiting.

    Returns [(appointment, token, start)] for the messages (the tokens are
    nowhere else). Appointments that are over or cancelled leave the list;
    ``exclude`` (the one that just moved away from ``start``) gets no offer.
    """
    now = now or now_utc()
    waiting = _waiting(product)
    if not waiting or start is None:
        return []
    try:
        product_rules = actions.ProductRules(product)
    except NotBookable:
        return []
    start = start.astimezone(product_rules.tz)
    if not _is_free(product_rules, start, now):
        return []
    folder = store.appointments_folder()
    made = []
    for _asked, appointment_id in sorted((v, k) for k, v in waiting.items()):
        appointment = folder._getOb(appointment_id, None)
        if appointment is None or (
            api.content.get_state(appointment) != "booked" or appointment.start <= now
        ):
            del waiting[appointment_id]  # stops after the appointment
            continue
        if appointment_id == exclude or not _may_take(appointment, start, now):
            continue
        persons = getattr(appointment, "persons", 1) or 1
        if persons > 1 and not _is_free(product_rules, start, now, persons):
            continue  # no room for the household's longer appointment there
        token = links.new_token()
        digest = links.hash_token(token)
        links.token_index()[PREFIX + digest] = appointment_id
        _offers(appointment)[digest] = start.astimezone(UTC)
        made.append((appointment, token, start))
        if len(made) >= OFFERS_PER_TIME:
            break
    return made


def find(token):
    """(appointment, offered start in UTC) of an offer's token; raise NotFound."""
    if not token or len(token) > links.MAX_TOKEN:
        raise NotFound(_("This link does not work."))
    digest = links.hash_token(token)
    folder = store.appointments_folder()
    appointment_id = links.token_index(folder).get(PREFIX + digest)
    appointment = folder._getOb(appointment_id, None) if appointment_id else None
    offers = IAnnotations(appointment).get(OFFERS_KEY) if appointment else None
    if not offers or digest not in offers:
        raise NotFound(_("This link does not work."))
    return appointment, offers[digest]


def check(appointment, start, now=None):
    """Raise a UserError when the offered time cannot be taken (any more)."""
    now = now or now_utc()
    actions.ensure_changeable(appointment, now)
    if not is_waiting(appointment):
        raise WrongState(_("You have switched off the messages about earlier times."))
    if start >= appointment.start:
        raise SlotUnavailable(_("Your appointment is already at this time or earlier."))
    product = store.product_of(appointment)
    if product is None or not _is_free(actions.ProductRules(product), start, now):
        raise SlotUnavailable(
            _(
                "Sorry, someone else has just taken this time. Your appointment "
                "has not changed. You can choose another free time."
            )
        )


def take(token, now=None):
    """Move the appointment to the offered time (once); return the appointment."""
    now = now or now_utc()
    appointment, start = find(token)
    check(appointment, start, now)
    product = store.product_of(appointment)
    local = start.astimezone(actions.ProductRules(product).tz)
    # The ordinary move: its ledger claim makes two takers conflict.
    actions.reschedule(appointment, local.isoformat(), now)
    digest = links.hash_token(token)
    del _offers(appointment)[digest]
    links.token_index().pop(PREFIX + digest, None)
    return appointment
