"""Where bookings are kept: the appointments folder and each product's ledger.

Correctness under concurrency: the bookings of one product on one (local) day
are kept in one persistent ``DayBookings`` record of the product's ledger.
Every booking, cancellation and move writes the record of its day, so of two
concurrent bookings on the same day ZODB commits one and raises a
ConflictError for the other; Zope retries it, and the retry sees the first.
(Adding appointments to a folder alone would not conflict: BTrees merge
inserts of different keys.) Capacity counts overlapping appointments, so a
booking made before an editor changed the duration still blocks its time.

All translations of a product (plone.app.multilingual) share the records of
their canonical product (``multilingual.canonical``): one ledger, so bookings
through any translation conflict with each other.

``DayBookings`` pickles name ``collective.digitalebalie.appointments.DayBookings``
(where it was defined until 1.0): that path stays importable for ever.
"""

from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOTreeSet
from collective.digitalebalie import _
from collective.digitalebalie import multilingual
from collective.digitalebalie.booking import rules
from collective.digitalebalie.errors import SlotUnavailable
from collective.digitalebalie.storage import annotation
from datetime import timedelta
from persistent import Persistent
from plone import api
from plone.dexterity.utils import createContentInContainer
from ZODB.POSException import ConflictError
from zope.annotation.interfaces import IAnnotations


FOLDER_ID = "appointments"
LEDGER_KEY = "collective.digitalebalie.ledger"  # LOBTree: day ordinal -> DayBookings
# LOBTree: day ordinal -> OOTreeSet of the ids of that day's cancelled appointments
CANCELLED_KEY = "collective.digitalebalie.cancelled"
ASK = object()  # an argument not given (None is a value: no ledger yet)


class DayBookings(Persistent):
    """The appointments of one product on one day: (start, end, id), UTC seconds.

    Written by every booking, cancellation and move of that day.
    """

    def __init__(self):
        self.entries = ()

    def add(self, start, end, appointment_id):
        self.entries = (*self.entries, (start, end, appointment_id))

    def remove(self, appointment_id):
        self.entries = tuple(e for e in self.entries if e[2] != appointment_id)

    def overlapping(self, start, end, ignore=None):
        return sum(
            1
            for first, last, appointment_id in self.entries
            if first < end and last > start and appointment_id != ignore
        )

    def _p_resolveConflict(self, old, committed, mine):
        """Two transactions changed this day at once: merge them when what
        they added does not overlap in time.

        Each booking counted the overlapping appointments of the state it
        started from. If the other transaction added nothing that overlaps
        this booking's time, that count still holds after merging, so no
        counter is handed out twice. Additions that overlap stay a conflict:
        Zope retries the request, which then counts again (and may answer
        that the time is taken). Removals (cancellations, moves) only free
        counters and always merge.
        """
        states = (old, committed, mine)
        if not all(
            isinstance(state, dict) and set(state) == {"entries"} for state in states
        ):
            raise ConflictError("DayBookings: unexpected state")
        before, theirs, ours = (set(state["entries"]) for state in states)
        added_theirs, added_ours = theirs - before, ours - before
        for first, last, _id in added_theirs:
            for start, end, _other in added_ours:
                if first < end and start < last:
                    raise ConflictError("DayBookings: overlapping bookings")
        kept = before & theirs & ours
        return {"entries": tuple(sorted(kept | added_theirs | added_ours))}


def appointments_folder():
    portal = api.portal.get()
    folder = portal.get(FOLDER_ID)
    if folder is None:
        raise RuntimeError("The appointments folder is missing; reinstall the add-on.")
    return folder


def ensure_appointments_folder(portal):
    if FOLDER_ID in portal.objectIds():
        return portal[FOLDER_ID]
    return createContentInContainer(
        portal,
        "AppointmentFolder",
        checkConstraints=False,
        id=FOLDER_ID,
        title="Appointments",
        exclude_from_nav=True,
    )


def product_of(appointment):
    """The appointment's product, also when the citizen may not see it now
    (only its public facts are shown); None when it was deleted."""
    with api.env.adopt_roles(["Manager"]):
        return api.content.get(UID=appointment.product_uid)


def _ledger(product):
    return annotation(multilingual.canonical(product), LEDGER_KEY, LOBTree)


def _day_range(ledger, first_day, last_day):
    """Day records from first_day to last_day (local dates), both included."""
    return ledger.values(min=first_day.toordinal(), max=last_day.toordinal())


def coming_ids(product, first_day):
    """Ids of the product's booked appointments from first_day on."""
    ledger = IAnnotations(multilingual.canonical(product)).get(LEDGER_KEY)
    if not ledger:
        return []
    return [
        appointment_id
        for record in ledger.values(min=first_day.toordinal())
        for _start, _end, appointment_id in record.entries
    ]


def booked_intervals(product, first_day, last_day):
    """The product's appointments around these days, for counting overlaps."""
    ledger = IAnnotations(multilingual.canonical(product)).get(LEDGER_KEY)
    if not ledger:
        return rules.BookedIntervals()
    # The day before too: an appointment late in the evening may run past midnight.
    records = _day_range(ledger, first_day - timedelta(days=1), last_day)
    return rules.BookedIntervals(
        (start, end) for record in records for start, end, _id in record.entries
    )


def ledger_of(product):
    """The product's ledger (its canonical translation's), None when empty."""
    return IAnnotations(multilingual.canonical(product)).get(LEDGER_KEY)


def serial(obj):
    """(oid, serial) of a persistent object as this connection sees it; None
    when this transaction changed it (or it is new)."""
    obj._p_activate()
    if obj._p_oid is None or obj._p_changed:
        return None
    return (obj._p_oid, obj._p_serial)


def day_version(product, day, ledger=ASK):
    """What the free slots of ``day`` depend on in the database, as a key.

    The serials of the product (its opening hours, closures, duration) and
    of the ledger's records of the day and the day before (its bookings):
    every booking, cancellation and move writes them, in any instance, and
    ZODB shows each connection the serials of its own snapshot. None when
    this transaction has changed one of them (not committed yet: no key).
    ``ledger``: the product's ``ledger_of``, when the caller has it already.
    """
    # The ledger of all translations is the canonical product's.
    if ledger is ASK:
        ledger = ledger_of(product)
    parts = [day.toordinal()]
    for obj in (
        product,
        *(
            ledger.get(ordinal) if ledger else None
            for ordinal in (day.toordinal() - 1, day.toordinal())
        ),
    ):
        if obj is None:
            parts.append(None)
            continue
        version = serial(obj)
        if version is None:
            return None
        parts.append(version)
    return tuple(parts)


# (day version, time zone) -> what was computed for that day (the free slots);
# per process, and right in every process: the key is what the database says.
_DAYS = {}
MAX_CACHED_DAYS = 5000


def cached_day(product, day, zone, compute, ledger=ASK):
    """(version, ``compute()``) for the product's day, from the cache while
    the day's version (``day_version``) is the same; version None: not cached."""
    version = day_version(product, day, ledger)
    key = (version, zone) if version else None
    value = _DAYS.get(key) if key else None
    if value is None:
        value = compute()
        if key:
            if len(_DAYS) >= MAX_CACHED_DAYS:
                _DAYS.clear()
            _DAYS[key] = value
    return version, value


def listing(product, first_day, last_day):
    """The product's booked appointments from first_day to last_day, by start.

    Cancelled appointments have left the ledger and are not listed.
    """
    ledger = IAnnotations(multilingual.canonical(product)).get(LEDGER_KEY)
    if not ledger:
        return []
    folder = appointments_folder()
    entries = sorted(
        entry
        for record in _day_range(ledger, first_day, last_day)
        for entry in record.entries
    )
    result = []
    for _start, _end, appointment_id in entries:
        appointment = folder._getOb(appointment_id, None)
        if appointment is not None:
            result.append(appointment)
    return result


def cancelled_listing(product, first_day, last_day):
    """The product's cancelled appointments from first_day to last_day, by start."""
    days = IAnnotations(multilingual.canonical(product)).get(CANCELLED_KEY)
    if not days:
        return []
    folder = appointments_folder()
    found = (
        folder._getOb(appointment_id, None)
        for ids in _day_range(days, first_day, last_day)
        for appointment_id in ids
    )
    return sorted((a for a in found if a is not None), key=lambda a: a.start)


def note_cancelled(appointment):
    """Remember a cancelled appointment by day, for the agenda (it left the ledger)."""
    product = product_of(appointment)
    day = getattr(appointment, "ledger_day", None)
    if product is None or day is None:
        return
    days = annotation(multilingual.canonical(product), CANCELLED_KEY, LOBTree)
    if day not in days:
        days[day] = OOTreeSet()
    days[day].add(appointment.getId())


def forget_cancelled(appointment):
    """A deleted appointment leaves the list of cancelled ones (idempotent)."""
    product = product_of(appointment)
    day = getattr(appointment, "ledger_day", None)
    days = (
        IAnnotations(multilingual.canonical(product)).get(CANCELLED_KEY)
        if product is not None
        else None
    )
    if days is not None and day in days and appointment.getId() in days[day]:
        days[day].remove(appointment.getId())


def forget_ledger(product):
    """Drop the product's booking ledger (for a copy, whose appointments are none).

    The copy's own: never its canonical product's, which may be the original.
    """
    IAnnotations(product).pop(LEDGER_KEY, None)


def claim(product, start, end, counters, ignore=None):
    """The record of the day of ``start``, if a counter is free for the whole
    of [start, end); the caller adds.

    ``start`` is local time: its date names the day record.
    """
    ledger = _ledger(product)
    day = start.date().toordinal()
    record = ledger.get(day)
    if record is None:
        record = ledger[day] = DayBookings()
    # The evening before may run past midnight.
    before = ledger.get(day - 1)
    entries = [*record.entries, *(before.entries if before is not None else ())]
    taken = rules.peak(
        [(first, last) for first, last, other in entries if other != ignore],
        rules.slot_key(start),
        rules.slot_key(end),
    )
    if counters is not None and taken >= counters:
        raise SlotUnavailable(
            _("This time is already taken. Please choose another time.")
        )
    # Write the record even when nothing else changes, so that concurrent
    # bookings of this day always meet in its conflict resolution.
    record._p_changed = True
    return record


def release(appointment):
    """Take the appointment out of its product's ledger (idempotent)."""
    product = product_of(appointment)
    day = getattr(appointment, "ledger_day", None)
    if product is None or day is None:
        return
    ledger = IAnnotations(multilingual.canonical(product)).get(LEDGER_KEY)
    record = ledger.get(day) if ledger is not None else None
    if record is not None and any(e[2] == appointment.getId() for e in record.entries):
        record.remove(appointment.getId())
