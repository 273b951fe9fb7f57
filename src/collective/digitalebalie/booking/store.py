"""Where bookings are kept: the appointments folder and each product's ledger.

Correctness under concurrency: the bookings of one product on one (local) day
are kept in one persistent ``DayBookings`` record of the product's ledger.
Every booking, cancellation and move writes the record of its day, so of two
concurrent bookings on the same day ZODB commits one and raises a
ConflictError for the other; Zope retries it, and the retry sees the first.
An appointment that runs past midnight is written into the record of every
day its time covers: two bookings that overlap always meet in one record.
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


def ledger_of(product):
    """The product's ledger (its canonical translation's), None when empty."""
    return IAnnotations(multilingual.canonical(product)).get(LEDGER_KEY)


def _day_range(ledger, first_day, last_day):
    """Day records from first_day to last_day (local dates), both included."""
    return ledger.values(min=first_day.toordinal(), max=last_day.toordinal())


def days_covered(start, end):
    """The ordinals of the local days that [start, end) touches (``start``'s zone)."""
    first = start.date().toordinal()
    # The end is not part of the time: an appointment until 00:00 ends that day.
    last = (end - timedelta(microseconds=1)).astimezone(start.tzinfo).date()
    return range(first, max(first, last.toordinal()) + 1)


def _unique(records):
    """The entries of these day records, each appointment once (one that runs
    past midnight is in the record of each day it covers)."""
    return {entry[2]: entry for record in records for entry in record.entries}


def coming_ids(product, first_day):
    """Ids of the product's booked appointments from first_day on."""
    ledger = ledger_of(product)
    if not ledger:
        return []
    return list(_unique(ledger.values(min=first_day.toordinal())))


def booked_intervals(product, first_day, last_day):
    """The product's appointments around these days, for counting overlaps."""
    ledger = ledger_of(product)
    if not ledger:
        return rules.BookedIntervals()
    # The day before too: appointments booked before each day they cover held
    # their time may still run past midnight from there.
    records = _day_range(ledger, first_day - timedelta(days=1), last_day)
    return rules.BookedIntervals(
        (start, end) for start, end, _id in _unique(records).values()
    )


def serial(obj):
    """(oid, serial) of a persistent object as this connection sees it; None
    when this transaction changed it (or it is new)."""
    obj._p_activate()
    if obj._p_oid is None or obj._p_changed:
        return None
    return (obj._p_oid, obj._p_serial)


def day_version(product, day, last_day=None, ledger=ASK):
    """What the free slots of ``day`` depend on in the database, as a key.

    The serials of the product (its opening hours, closures, duration) and
    of the ledger's records of the day and the day before (its bookings;
    through ``last_day`` when the day's slots run into the next day): every
    booking, cancellation and move writes them, in any instance, and ZODB
    shows each connection the serials of its own snapshot. None when this
    transaction has changed one of them (not committed yet: no key).
    ``ledger``: the product's ``ledger_of``, when the caller has it already.
    """
    # The ledger of all translations is the canonical product's.
    if ledger is ASK:
        ledger = ledger_of(product)
    parts = [day.toordinal()]
    last = (last_day or day).toordinal()
    for obj in (
        product,
        *(
            ledger.get(ordinal) if ledger else None
            for ordinal in range(day.toordinal() - 1, last + 1)
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


def cached_day(product, day, zone, compute, last_day=None, ledger=ASK):
    """(version, ``compute()``) for the product's day, from the cache while
    the day's version (``day_version``) is the same; version None: not cached."""
    version = day_version(product, day, last_day, ledger)
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
    ledger = ledger_of(product)
    if not ledger:
        return []
    folder = appointments_folder()
    # Listed on the day it starts: one that runs into first_day from the day
    # before is in that day's record too.
    before = ledger.get(first_day.toordinal() - 1)
    earlier = {entry[2] for entry in before.entries} if before is not None else ()
    entries = sorted(
        entry
        for entry in _unique(_day_range(ledger, first_day, last_day)).values()
        if entry[2] not in earlier
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


class Claim:
    """The day records a new time is written into: ``add`` adds it to each."""

    def __init__(self, records):
        self.records = records

    def add(self, start, end, appointment_id):
        for record in self.records:
            record.add(start, end, appointment_id)


def claim(product, start, end, counters, ignore=None):
    """The records of the days [start, end) covers, if a counter is free for
    the whole of it; the caller adds (``Claim.add``).

    ``start`` is local time: its date names the first day record. A time that
    runs past midnight takes the next day's record too, so a booking early
    that day meets it there, also when both commit at the same moment.
    """
    ledger = _ledger(product)
    days = days_covered(start, end)
    records = []
    for day in days:
        if ledger.get(day) is None:
            ledger[day] = DayBookings()
        records.append(ledger[day])
    # The evening before, for appointments booked before each covered day held them.
    before = ledger.get(days[0] - 1)
    entries = _unique([*records, *([before] if before is not None else [])])
    taken = rules.peak(
        [(first, last) for first, last, other in entries.values() if other != ignore],
        rules.slot_key(start),
        rules.slot_key(end),
    )
    if counters is not None and taken >= counters:
        raise SlotUnavailable(
            _("This time is already taken. Please choose another time.")
        )
    # Write the records even when nothing else changes, so that concurrent
    # bookings of these days always meet in their conflict resolution.
    for record in records:
        record._p_changed = True
    return Claim(records)


def release(appointment):
    """Take the appointment out of its product's ledger (idempotent): the
    record of its day and of each next day it runs into."""
    product = product_of(appointment)
    day = getattr(appointment, "ledger_day", None)
    if product is None or day is None:
        return
    ledger = ledger_of(product)
    if ledger is None:
        return
    span = (appointment.end - appointment.start).days + 2  # enough for any zone
    for record in ledger.values(min=day, max=day + span):
        if any(e[2] == appointment.getId() for e in record.entries):
            record.remove(appointment.getId())
