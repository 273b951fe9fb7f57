"""What counter staff do with the walk-in queue: see it, take the next citizen,
handle callback requests."""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import rules
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.events import WalkInTaken
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.walkin.availability import products_of_teams
from collective.digitalebalie.walkin.availability import touch
from collective.digitalebalie.walkin.callbacks import settle_callback
from collective.digitalebalie.walkin.queue import CALLS_COUNTED
from collective.digitalebalie.walkin.queue import STATS_KEY
from collective.digitalebalie.walkin.queue import TAKEN
from collective.digitalebalie.walkin.queue import QueueEmpty
from collective.digitalebalie.walkin.queue import finish
from collective.digitalebalie.walkin.queue import home
from collective.digitalebalie.walkin.queue import queue_of
from collective.digitalebalie.walkin.queue import sweep
from collective.digitalebalie.walkin.queue import waiting
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from plone import api
from plone.dexterity.utils import createContentInContainer
from zope.annotation.interfaces import IAnnotations
from zope.event import notify
import secrets
import statistics


# --- counter staff ---------------------------------------------------------------


def _iso(timestamp):
    return (
        datetime.fromtimestamp(timestamp, UTC)
        .astimezone(settings.site_timezone())
        .isoformat()
    )


def _product_info(product):
    return {
        "@id": product.absolute_url(),
        "title": product.Title(),
        "uid": api.content.get_uuid(product),
    }


def staff_view(user, now=None):
    """The waiting tickets and callback requests of the user's teams, oldest first."""
    now = now or now_utc()
    items, callbacks = [], []
    for product in products_of_teams(teams.user_teams(user)):
        info = _product_info(product)
        for ticket in waiting(product, now):
            items.append(
                {
                    "id": f"{info['uid']}-{ticket['id']}",
                    "product": info,
                    "fullname": ticket["fullname"],
                    "language": ticket.get("language", "nl"),
                    "waiting_since": _iso(ticket["joined"]),
                    "_joined": ticket["joined"],
                }
            )
        queue = queue_of(product, create=False)
        for ticket in queue.tickets.values() if queue else ():
            callback = ticket.get("callback")
            if callback:
                callbacks.append(
                    {
                        "id": f"{info['uid']}-{ticket['id']}",
                        "product": info,
                        "fullname": callback["fullname"],
                        "phone": callback["phone"],
                        "requested": _iso(callback["at"]),
                    }
                )
    items.sort(key=lambda item: (item.pop("_joined"), item["id"]))
    callbacks.sort(key=lambda item: item["requested"])
    return items, callbacks


def callback_done(user, item_id):
    """An employee called the citizen back: the request leaves the list."""
    product, queue, ticket = _staff_ticket(user, item_id)
    if not ticket.get("callback"):
        raise errors.NotFound(_("This callback request is no longer there."))
    settle_callback(product, queue, ticket)


def _staff_ticket(user, item_id):
    uid, _sep, ticket_id = (item_id or "").partition("-")
    for product in products_of_teams(teams.user_teams(user)):
        if api.content.get_uuid(product) == uid:
            queue = queue_of(product, create=False)
            if queue is not None and ticket_id in queue.tickets:
                return product, queue, queue.tickets[ticket_id]
    raise errors.NotFound(_("This callback request is no longer there."))


def take_next(user, now=None):
    """The employee takes the citizen who waited longest: (appointment, ticket, product).

    Across the walk-in products of the employee's teams, first come first
    served. The ticket's queue record is written, so two employees taking at
    once conflict in ZODB and the retry takes the next one.
    """
    now = now or now_utc()
    user_id = user.getId()
    best = None
    for product in products_of_teams(teams.user_teams(user)):
        queue = queue_of(product, create=False)
        if queue is None:
            continue
        sweep(product, queue, now)
        line = waiting(product, now)
        if line and (best is None or (line[0]["joined"], int(line[0]["id"])) < best[0]):
            best = ((line[0]["joined"], int(line[0]["id"])), product, queue, line[0])
    if best is None:
        raise QueueEmpty(_("Nobody is waiting."))
    _key, product, queue, ticket = best
    touch(user_id, now)
    appointment = _appointment(product, ticket, user_id, now)
    finish(product, queue, ticket, TAKEN, now, appointment=appointment.getId())
    return appointment, ticket, product


def _appointment(product, ticket, user_id, now):
    """The walk-in's appointment: video, now, assigned to the employee, its own dossier."""
    tz = settings.site_timezone()
    start = now.astimezone(tz)
    end = start + timedelta(minutes=product.duration)
    record = store.claim(product, start, end, None)
    appointment = createContentInContainer(
        store.appointments_folder(),
        "Appointment",
        checkConstraints=False,
        id=secrets.token_hex(8),
        # The translation the citizen joined through (the queue is shared).
        product_uid=ticket.get("product") or api.content.get_uuid(product),
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        ledger_day=start.date().toordinal(),
        token_hash=ticket["hash"],
        booked_by=user_id,
        channel="video",
        fullname=ticket["fullname"],
        email=ticket.get("email") or "",
        phone=ticket.get("phone"),
        language=ticket.get("language", "nl"),
        notes="",
    )
    appointment.walk_in = True
    # For the statistics (issue 21): a walk-in, and how long the citizen waited.
    appointment.origin = "walk_in"
    appointment.waited_seconds = max(0, int(now.timestamp() - ticket["joined"]))
    record.add(rules.slot_key(start), rules.slot_key(end), appointment.getId())
    links.index_citizen(appointment)
    # Team and assignee, dossier (subscribers in events.py); no confirmation mail.
    notify(WalkInTaken(appointment, product, user_id))
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(appointment, transition="start")
    return appointment


def call_ended(appointment):
    """A walk-in call is over: its length counts for the next estimates."""
    if not getattr(appointment, "walk_in", False):
        return
    product = store.product_of(appointment)
    queue = queue_of(product, create=False) if product is not None else None
    if queue is None:
        return
    seconds = max(60, (now_utc() - appointment.start).total_seconds())
    queue.durations = (*queue.durations, seconds)[-CALLS_COUNTED:]


def ticket_json(ticket, product, appointment):
    """What the employee who took a ticket learns of it."""
    return {
        "id": f"{api.content.get_uuid(product)}-{ticket['id']}",
        "product": _product_info(product),
        "fullname": appointment.fullname,
        "language": appointment.language,
        "waiting_since": _iso(ticket["joined"]),
        "taken": appointment.start.astimezone(settings.site_timezone()).isoformat(),
    }


def statistics_of(product, first_day, last_day):
    """Per day (site time) how many joined, were taken, left, and how long the
    taken ones waited (median, longest; minutes). From the anonymous times of
    finished tickets; who waits now is not counted yet."""
    days = IAnnotations(home(product)).get(STATS_KEY)
    result = []
    for day, entries in (
        days.items(min=first_day.toordinal(), max=last_day.toordinal()) if days else ()
    ):
        waits = [(taken - joined) / 60 for joined, taken, _left in entries if taken]
        result.append(
            {
                "day": date.fromordinal(day).isoformat(),
                "joined": len(entries),
                "taken": len(waits),
                "left": sum(
                    1 for _joined, taken, left in entries if left and not taken
                ),
                "median_wait_minutes": round(statistics.median(waits), 1)
                if waits
                else None,
                "longest_wait_minutes": round(max(waits), 1) if waits else None,
            }
        )
    return result
