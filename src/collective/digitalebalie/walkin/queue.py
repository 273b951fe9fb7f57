"""Each product's walk-in queue: joining, the citizen's ticket, leaving, callbacks.

See the package's docstring for where the queue lives and why.
"""

from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import multilingual
from collective.digitalebalie import settings
from collective.digitalebalie import validation
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.input import e164
from collective.digitalebalie.content.appointment import LANGUAGES
from collective.digitalebalie.integrations import notifications
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.storage import annotation
from collective.digitalebalie.video import notices
from collective.digitalebalie.walkin.availability import available_employees
from collective.digitalebalie.walkin.availability import hours_open
from collective.digitalebalie.walkin.availability import long_wait_minutes
from collective.digitalebalie.walkin.availability import max_queue
from collective.digitalebalie.walkin.availability import offers_walk_in
from collective.digitalebalie.walkin.availability import opens_next
from datetime import UTC
from datetime import datetime
from persistent import Persistent
from plone import api
from zope.annotation.interfaces import IAnnotations
import math
import statistics


QUEUE_KEY = "collective.digitalebalie.walkin-queue"  # on the product
FINISHED_KEY = (
    "collective.digitalebalie.walkin-finished"  # on the product: hash -> dict
)
STATS_KEY = "collective.digitalebalie.walkin-stats"  # on the product: day -> ((joined, taken, left), ...)
SEEN_KEY = "collective.digitalebalie.walkin-seen"  # on the product: ticket id -> time
TICKETS_KEY = "collective.digitalebalie.walkin-tickets"  # hash -> product UID
GRACE_SECONDS = 120  # a citizen who is gone keeps their place this long
SEEN_EVERY = 20  # seconds: a ticket's "still here" is written at most this often
CALLS_COUNTED = 20  # the median of the last 20 calls makes the estimate
DEFAULT_CALL_MINUTES = 10  # ... and this while there are fewer
WAITING, TAKEN, LEFT = "waiting", "taken", "left"


class QueueClosed(errors.UserError):
    type = "QueueClosed"
    status = 409

    def __init__(self, message, opens=None):
        super().__init__(message)
        self.opens = opens

    @property
    def extra(self):
        return {"opens": self.opens.isoformat() if self.opens else None}


class QueueFull(errors.UserError):
    type = "QueueFull"
    status = 409


class QueueEmpty(errors.UserError):
    type = "QueueEmpty"
    status = 409


class WalkInQueue(Persistent):
    """The tickets of one product's walk-in queue; every change writes it.

    ``tickets``: ticket id -> dict, the waiting ones and open callback
    requests only (finished tickets move to a BTree of their own, so this
    record stays small); ``durations``: the lengths (seconds) of the last
    walk-in calls, for the estimate.
    """

    purged = 0  # the day (ordinal) finished tickets past retention were last removed

    def __init__(self):
        self.next_id = 1
        self.tickets = {}
        self.durations = ()

    def add(self, ticket):
        ticket["id"] = str(self.next_id)
        self.next_id += 1
        self.tickets = {**self.tickets, ticket["id"]: ticket}
        return ticket

    def waiting(self):
        """The waiting tickets, first come first."""
        return sorted(
            (t for t in self.tickets.values() if t["state"] == WAITING),
            key=lambda t: int(t["id"]),
        )


# --- the queue ----------------------------------------------------------------


def home(product):
    """Where a product's queue lives: all its translations share one (multilingual.py)."""
    return multilingual.canonical(product)


def queue_of(product, create=True):
    if create:
        return annotation(home(product), QUEUE_KEY, WalkInQueue)
    return IAnnotations(home(product)).get(QUEUE_KEY)


def ticket_url(token):
    """The citizen's queue page (their link while they wait)."""
    return f"{api.portal.get().absolute_url()}/@@queue-ticket/{token}"


def _ticket_index():
    return annotation(store.appointments_folder(), TICKETS_KEY, OOBTree)


def _seen(product):
    return annotation(home(product), SEEN_KEY, OOBTree)


def _present(seen, ticket, now):
    """Still there: joined or seen (``seen``: the product's table, or None) lately."""
    at = seen.get(ticket["id"]) if seen is not None else None
    return now.timestamp() - max(ticket["joined"], at or 0) <= GRACE_SECONDS


def waiting(product, now=None):
    """The product's waiting tickets that are still there, first come first."""
    queue = queue_of(product, create=False)
    if queue is None:
        return []
    now = now or now_utc()
    seen = IAnnotations(home(product)).get(SEEN_KEY)
    return [t for t in queue.waiting() if _present(seen, t, now)]


def call_minutes(queue):
    durations = queue.durations if queue is not None else ()
    if len(durations) < CALLS_COUNTED:
        return DEFAULT_CALL_MINUTES
    return statistics.median(durations) / 60


def estimate(product, position, now=None):
    """Minutes to wait at ``position``: position × median call ÷ available, up to 5."""
    available = len(available_employees(product, now))
    if not available:
        return None
    minutes = position * call_minutes(queue_of(product, create=False)) / available
    return max(5, math.ceil(minutes / 5 - 1e-9) * 5)


def status(product, now=None):
    """What the product page says: {"open", "available", "wait", "opens", "waiting"}."""
    now = now or now_utc()
    line = waiting(product, now)
    open_now = hours_open(product, now)
    available = len(available_employees(product, now)) if open_now else 0
    return {
        "open": open_now and available > 0 and len(line) < max_queue(product),
        "hours_open": open_now,
        "available": available,
        "full": len(line) >= max_queue(product),
        "waiting": len(line),
        "wait": estimate(product, len(line) + 1, now) if available else None,
        "opens": opens_next(product, now),
    }


def _clean(data, product):
    if not isinstance(data, dict):
        raise errors.InvalidInput(_("Send a JSON object."))
    fields = {}
    clean = {}
    try:
        clean["fullname"] = validation.name(data.get("fullname"), 200)
    except validation.Refused as error:
        fields["fullname"] = error.message
        clean["fullname"] = ""
    if not clean["fullname"] and "fullname" not in fields:
        fields["fullname"] = _("Fill in your name.")
    # As a booking: the translated page's language unless the citizen chose.
    language = data.get("language") or multilingual.content_language(product) or "nl"
    if language not in LANGUAGES:
        fields["language"] = _("Choose nl or en.")
    clean["language"] = language
    clean["phone"] = None
    phone = data.get("phone")
    if phone not in (None, ""):
        clean["phone"] = e164(phone) if isinstance(phone, str) else None
        if clean["phone"] is None:
            fields["phone"] = _("Fill in a valid telephone number, like 06 12345678.")
    clean["email"] = ""
    email = data.get("email")
    if email not in (None, ""):
        try:
            clean["email"] = validation.email(email)
        except validation.Refused as error:
            fields["email"] = error.message
    if fields:
        raise errors.InvalidInput(_("Some fields are not filled in correctly."), fields)
    return clean


def _closed_message(product, now):
    opens = opens_next(product, now)
    if opens is None:
        return QueueClosed(
            _(
                "You cannot walk in for this service at the moment. Please book an appointment."
            )
        )
    return QueueClosed(
        _(
            "Walking in is possible again on ${date} at ${time}. You can also book an appointment.",
            mapping={
                "date": settings.date_in_words(opens.date()),
                "time": opens.strftime("%H:%M"),
            },
        ),
        opens=opens,
    )


def join(product, data, now=None):
    """A citizen joins the product's queue: (ticket, token, position); raise a UserError."""
    now = now or now_utc()
    if not offers_walk_in(product) or not api.user.has_permission("View", obj=product):
        raise QueueClosed(
            _("You cannot walk in for this service. Please book an appointment.")
        )
    clean = _clean(data, product)
    if not hours_open(product, now):
        raise _closed_message(product, now)
    if not available_employees(product, now):
        raise QueueClosed(
            _(
                "Nobody is available for walk-ins at the moment. Please try again "
                "later, or book an appointment."
            ),
            opens=None,
        )
    queue = queue_of(product)
    sweep(product, queue, now)
    if len(queue.waiting()) >= max_queue(product):
        raise QueueFull(
            _(
                "The queue is full at the moment. Please try again later, or book an appointment."
            )
        )
    token = links.new_token()
    token_hash = links.hash_token(token)
    ticket = queue.add(
        {
            "hash": token_hash,
            "state": WAITING,
            "joined": now.timestamp(),
            # The translation joined through: the appointment's page names it.
            "product": api.content.get_uuid(product),
            **clean,
        }
    )
    _ticket_index()[token_hash] = api.content.get_uuid(product)
    notices.queue_changed(product)
    return ticket, token, len(queue.waiting())


def find(token):
    """(product, queue, ticket) of a ticket's token, or raise NotFound."""
    not_found = errors.NotFound(_("No place in a queue with this link."))
    if not isinstance(token, str) or not token or len(token) > links.MAX_TOKEN:
        raise not_found
    token_hash = links.hash_token(token)
    index = IAnnotations(store.appointments_folder()).get(TICKETS_KEY)
    uid = index.get(token_hash) if index is not None else None
    if uid is None:
        raise not_found
    with api.env.adopt_roles(["Manager"]):
        product = api.content.get(UID=uid)
    queue = queue_of(product, create=False) if product is not None else None
    if queue is None:
        raise not_found
    for ticket in queue.tickets.values():
        if ticket["hash"] == token_hash:
            return product, queue, ticket
    finished = IAnnotations(home(product)).get(FINISHED_KEY)
    ticket = finished.get(token_hash) if finished is not None else None
    if ticket is None:
        raise not_found
    return product, queue, ticket


def ticket_status(token, now=None):
    """What the citizen's page shows (GET /@queue-ticket/{token}); marks them present."""
    now = now or now_utc()
    product, _queue, ticket = find(token)
    answer = {
        "state": ticket["state"],
        "position": None,
        "estimated_wait_minutes": None,
        "product": {"title": product.Title(), "url": product.absolute_url()},
        "language": ticket.get("language", "nl"),
        "joined": datetime.fromtimestamp(ticket["joined"], UTC)
        .astimezone(settings.site_timezone())
        .isoformat(),
    }
    if ticket.get("callback"):
        answer["callback"] = {
            "requested": datetime.fromtimestamp(ticket["callback"]["at"], UTC)
            .astimezone(settings.site_timezone())
            .isoformat(),
            "phone": ticket["callback"]["phone"],
        }
    if ticket["state"] == WAITING:
        line = waiting(product, now)
        ids = [t["id"] for t in line]
        if ticket["id"] not in ids:
            answer["state"] = LEFT  # gone too long: leaves at the next change
        else:
            position = ids.index(ticket["id"]) + 1
            answer["position"] = position
            answer["estimated_wait_minutes"] = estimate(product, position, now)
            answer["callback_possible"] = (
                answer["estimated_wait_minutes"] or 0
            ) >= long_wait_minutes()
            seen = _seen(product)
            if now.timestamp() - seen.get(ticket["id"], 0) > SEEN_EVERY:
                seen[ticket["id"]] = now.timestamp()
    elif ticket["state"] == TAKEN:
        appointment = store.appointments_folder()._getOb(ticket["appointment"], None)
        state = api.content.get_state(appointment) if appointment is not None else None
        answer["state"] = {"booked": "called", "in_progress": "in_call"}.get(
            state, "done"
        )
        if appointment is not None:
            answer["appointment"] = links.citizen_url(token)
    return answer


def finish(product, queue, ticket, state, now, count=True, **values):
    """A ticket leaves the line: its personal data go (a callback keeps its own)."""
    kept = {
        "id": ticket["id"],
        "hash": ticket["hash"],
        "joined": ticket["joined"],
        "language": ticket.get("language", "nl"),
        "state": state,
        state: now.timestamp(),
        **values,
    }
    seen = IAnnotations(home(product)).get(SEEN_KEY)
    if seen is not None and ticket["id"] in seen:
        del seen[ticket["id"]]
    rest = {k: v for k, v in queue.tickets.items() if k != ticket["id"]}
    if kept.get("callback"):
        queue.tickets = {**rest, ticket["id"]: kept}  # the team still needs it
    else:
        queue.tickets = rest
        annotation(home(product), FINISHED_KEY, OOBTree)[ticket["hash"]] = kept
    if count:  # (a settled callback was counted when it left)
        day = _local_day(ticket["joined"])
        stats = annotation(home(product), STATS_KEY, LOBTree)
        entry = (ticket["joined"], kept.get(TAKEN), kept.get(LEFT))
        stats[day] = (*stats.get(day, ()), entry)
    notices.queue_changed(product)
    return kept


def _local_day(timestamp):
    moment = datetime.fromtimestamp(timestamp, UTC).astimezone(settings.site_timezone())
    return moment.date().toordinal()


def leave(token, now=None):
    now = now or now_utc()
    product, queue, ticket = find(token)
    if ticket["state"] != WAITING:
        raise errors.WrongState(_("You are no longer in the queue."))
    _left(product, queue, ticket, now)


def _left(product, queue, ticket, now, gone=False):
    phone = ticket.get("phone")
    language = ticket.get("language", "nl")
    finish(product, queue, ticket, LEFT, now)
    if gone and phone:
        notify_left(phone, language, product)


def notify_left(phone, language, product):
    """A text message "you left the queue", only to a citizen who gave a number."""
    notifications.walk_in_left(phone, language, product)


def sweep(product, queue, now):
    """Tickets whose holder has been gone too long leave the queue (at a write)."""
    seen = IAnnotations(home(product)).get(SEEN_KEY)
    for ticket in queue.waiting():
        if not _present(seen, ticket, now):
            _left(product, queue, ticket, now, gone=True)
    # Once a day: finished tickets go after the retention period (their
    # links stop working); the statistics keep their times, anonymous.
    today = _local_day(now.timestamp())
    if queue.purged >= today:
        return
    queue.purged = today
    finished = IAnnotations(home(product)).get(FINISHED_KEY)
    limit = now.timestamp() - settings.link_days() * 86400
    old = [
        ticket
        for ticket in (finished.values() if finished is not None else ())
        if not ticket.get("callback")
        and max(ticket.get(TAKEN, 0), ticket.get(LEFT, 0)) < limit
    ]
    index = _ticket_index()
    for ticket in old:
        index.pop(ticket["hash"], None)
        del finished[ticket["hash"]]
