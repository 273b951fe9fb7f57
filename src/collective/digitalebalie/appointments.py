"""Booking, cancelling and moving appointments: the domain code behind services and pages.

Correctness under concurrency: the bookings of one product on one (local) day
are kept in one persistent ``DayBookings`` record of the product's ledger.
Every booking, cancellation and move writes the record of its day, so of two
concurrent bookings on the same day ZODB commits one and raises a
ConflictError for the other; Zope retries it, and the retry sees the first.
(Adding appointments to a folder alone would not conflict: BTrees merge
inserts of different keys.) Capacity counts overlapping appointments, so a
booking made before an editor changed the duration still blocks its time.
"""

from babel.dates import format_date
from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from BTrees.OOBTree import OOTreeSet
from collective.digitalebalie import _
from collective.digitalebalie import limits
from collective.digitalebalie import logger
from collective.digitalebalie import validation
from collective.digitalebalie.booking import rules
from collective.digitalebalie.booking.rules import MAX_RANGE_DAYS
from collective.digitalebalie.content.appointment import LANGUAGES
from collective.digitalebalie.content.counter_product import WEEKDAYS
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.storage import annotation
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from persistent import Persistent
from plone import api
from plone.dexterity.utils import createContentInContainer
from ZODB.POSException import ConflictError
from zoneinfo import ZoneInfo
from zope.annotation.interfaces import IAnnotations
import hashlib
import re
import secrets


FOLDER_ID = "appointments"
LEDGER_KEY = "collective.digitalebalie.ledger"  # LOBTree: day ordinal -> DayBookings
TOKENS_KEY = "collective.digitalebalie.tokens"
# LOBTree: day ordinal -> OOTreeSet of the ids of that day's cancelled appointments
CANCELLED_KEY = "collective.digitalebalie.cancelled"
TOKEN_BYTES = 24  # 192 bits
MAX_NOTES = 2000


class BookingError(Exception):
    """Base of the errors a citizen can cause; ``type`` names it in REST answers."""

    type = "BookingError"
    status = 400

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(BookingError):
    type = "ValidationError"


class SlotUnavailable(BookingError):
    type = "SlotUnavailable"
    status = 409


class NotFound(BookingError):
    type = "NotFound"
    status = 404


class WrongState(BookingError):
    type = "WrongState"
    status = 409


class NotBookable(BookingError):
    type = "NotBookable"
    status = 409


class TooManyBookings(BookingError):
    type = "TooManyBookings"
    status = 429


class ChallengeRequired(BookingError):
    """Many bookings came from this address: first solve ``challenge`` (ALTCHA)."""

    type = "ChallengeRequired"
    status = 429

    def __init__(self, challenge, refused=False):
        super().__init__(
            _(
                "This check was already used or is too old. Your browser does a "
                "new check; then send the form again."
            )
            if refused
            else _(
                "One moment: many appointments were made from your internet "
                "address. Your browser first does a short check; then send the "
                "form again."
            )
        )
        self.challenge = challenge


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


# --- settings and lookups ---------------------------------------------------


def site_timezone():
    name = api.portal.get_registry_record(
        "timezone", interface=IDigitaleBalieSettings, default="Europe/Amsterdam"
    )
    return ZoneInfo(name)


def now_utc():
    return datetime.now(UTC)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def appointments_folder():
    portal = api.portal.get()
    folder = portal.get(FOLDER_ID)
    if folder is None:
        raise RuntimeError("The appointments folder is missing; reinstall the add-on.")
    return folder


def ensure_appointments_folder(portal):
    if FOLDER_ID in portal.objectIds():
        return portal[FOLDER_ID]
    folder = createContentInContainer(
        portal,
        "AppointmentFolder",
        checkConstraints=False,
        id=FOLDER_ID,
        title="Appointments",
        exclude_from_nav=True,
    )
    return folder


def token_index(folder):
    """Hashes of secret links (citizens' and guests') to appointment ids."""
    return _token_index(folder)


def _token_index(folder):
    return annotation(folder, TOKENS_KEY, OOBTree)


def _ledger(product):
    return annotation(product, LEDGER_KEY, LOBTree)


def _day_range(ledger, first_day, last_day):
    """Day records from first_day to last_day (local dates), both included."""
    return ledger.values(min=first_day.toordinal(), max=last_day.toordinal())


def booked_intervals(product, first_day, last_day):
    """The product's appointments around these days, for counting overlaps."""
    ledger = IAnnotations(product).get(LEDGER_KEY)
    if not ledger:
        return rules.BookedIntervals()
    # The day before too: an appointment late in the evening may run past midnight.
    records = _day_range(ledger, first_day - timedelta(days=1), last_day)
    return rules.BookedIntervals(
        (start, end) for record in records for start, end, _id in record.entries
    )


def listing(product, first_day, last_day):
    """The product's booked appointments from first_day to last_day, by start.

    Cancelled appointments have left the ledger and are not listed.
    """
    ledger = IAnnotations(product).get(LEDGER_KEY)
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
    days = IAnnotations(product).get(CANCELLED_KEY)
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
    days = annotation(product, CANCELLED_KEY, LOBTree)
    if day not in days:
        days[day] = OOTreeSet()
    days[day].add(appointment.getId())


def forget_cancelled(appointment):
    """A deleted appointment leaves the list of cancelled ones (idempotent)."""
    product = product_of(appointment)
    day = getattr(appointment, "ledger_day", None)
    days = IAnnotations(product).get(CANCELLED_KEY) if product is not None else None
    if days is not None and day in days and appointment.getId() in days[day]:
        days[day].remove(appointment.getId())


def find_by_token(token):
    """The appointment a citizen's token belongs to, or raise NotFound."""
    if not token or len(token) > 200:
        raise NotFound(_("No appointment with this link."))
    folder = appointments_folder()
    appointment_id = _token_index(folder).get(hash_token(token))
    appointment = folder._getOb(appointment_id, None) if appointment_id else None
    if appointment is None or appointment.end < now_utc() - timedelta(days=link_days()):
        # Links stop working some time after the appointment (privacy).
        raise NotFound(_("No appointment with this link."))
    return appointment


def link_days():
    return api.portal.get_registry_record(
        "appointment_data_days", interface=IDigitaleBalieSettings, default=30
    )


def product_of(appointment):
    """The appointment's product, also when the citizen may not see it now
    (only its public facts are shown); None when it was deleted."""
    with api.env.adopt_roles(["Manager"]):
        return api.content.get(UID=appointment.product_uid)


def ensure_bookable(product):
    """Refuse when the current user may not see the product (e.g. unpublished)."""
    if product is None or not api.user.has_permission("View", obj=product):
        raise NotBookable(_("This service cannot be booked online at the moment."))


def date_in_words(day):
    """'zaterdag 5 december' / 'Saturday 5 December', in the page's language."""
    language = (api.portal.get_current_language() or "nl")[:2]
    return format_date(
        day, "EEEE d MMMM", locale=language if language == "en" else "nl"
    )


# --- the product's rules ------------------------------------------------------


class ProductRules:
    """The booking rules of one product, parsed once."""

    def __init__(self, product):
        self.product = product
        self.tz = site_timezone()
        self.duration = product.duration
        try:
            self.periods = rules.parse_periods(product.opening_hours or [])
            self.closures = rules.parse_closures(product.closures or [])
        except rules.RuleError:
            # Forms refuse such rules; data from elsewhere (an import) may not.
            raise NotBookable(
                _("This service cannot be booked online at the moment.")
            ) from None
        self.min_notice_hours = product.min_notice_hours or 0
        self.max_days_ahead = product.max_days_ahead or 60

    def free_slots(self, first_day, last_day, now=None):
        now = now or now_utc()
        return rules.free_slots(
            periods=self.periods,
            closures=self.closures,
            duration=self.duration,
            tz=self.tz,
            first_day=first_day,
            last_day=last_day,
            now=now,
            min_notice_hours=self.min_notice_hours,
            max_days_ahead=self.max_days_ahead,
            booked=booked_intervals(self.product, first_day, last_day),
        )

    def check_start(self, start, now=None, staff=False):
        """The number of counters of the slot at ``start``; raise when not bookable.

        Any well-formed start that is not a free slot is a SlotUnavailable
        (409), with the reason in words: input that can never be right is
        refused earlier, by the parsing. Staff may book a published slot at
        short notice and far ahead.
        """
        now = now or now_utc()
        if start <= now:
            raise SlotUnavailable(
                _("This time has passed. Please choose a time in the future.")
            )
        day = start.astimezone(self.tz).date()
        if any(first <= day <= last for first, last in self.closures):
            raise SlotUnavailable(
                _(
                    "We are closed on ${date}. Please choose another day.",
                    mapping={"date": date_in_words(day)},
                )
            )
        if not any(period.weekday == day.weekday() for period in self.periods):
            raise SlotUnavailable(
                _(
                    "We are closed on ${weekday}. Please choose another day.",
                    mapping={"weekday": WEEKDAYS.by_value[day.weekday()].title},
                )
            )
        counters = rules.slot_counters(
            periods=self.periods, duration=self.duration, tz=self.tz, start=start
        )
        if not counters:
            raise SlotUnavailable(
                _(
                    "No appointment starts at this time. Please choose one of the times offered."
                )
            )
        reason = rules.unavailable_reason(
            closures=self.closures,
            tz=self.tz,
            start=start,
            now=now,
            min_notice_hours=0 if staff else self.min_notice_hours,
            max_days_ahead=rules.MAX_STAFF_DAYS_AHEAD if staff else self.max_days_ahead,
        )
        if reason == "too_soon":
            raise SlotUnavailable(
                _(
                    "Book at least ${hours} hours ahead. Please choose a later time.",
                    mapping={"hours": self.min_notice_hours},
                )
            )
        if reason == "too_far":
            days = rules.MAX_STAFF_DAYS_AHEAD if staff else self.max_days_ahead
            raise SlotUnavailable(
                _(
                    "You can book at most ${days} days ahead. Please choose an earlier day.",
                    mapping={"days": days},
                )
            )
        if reason:
            raise SlotUnavailable(
                _("You cannot book this time. Please choose another time.")
            )
        return counters


# --- input ---------------------------------------------------------------------


def parse_start(value):
    """An ISO 8601 datetime with offset (or Z) to an aware datetime."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("Choose a time."), {"start": _("Choose a time.")})
    try:
        start = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        # Far-off years cannot be converted between time zones.
        start.astimezone(UTC)
    except (ValueError, OverflowError):
        start = None
    if start is None or start.tzinfo is None:
        raise InvalidInput(
            _("The start time is not valid."),
            {
                "start": _(
                    "Use a date and time with offset, e.g. 2026-12-01T09:00:00+01:00."
                )
            },
        )
    return start


def parse_day(value, name):
    try:
        day = date.fromisoformat(value)
        day + timedelta(days=MAX_RANGE_DAYS + 1)  # far-off dates cannot be ranged
        return day
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(
            _("The date is not valid."), {name: _("Use YYYY-MM-DD.")}
        ) from None


def check_range(first, last):
    """Refuse a range that ends before it starts or is longer than MAX_RANGE_DAYS."""
    if last < first:
        raise InvalidInput(
            _("The end date is before the start date."),
            {"end": _("Use a date on or after the start date.")},
        )
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(
            _(
                "Ask for at most ${days} days at once.",
                mapping={"days": MAX_RANGE_DAYS},
            ),
            {"end": _("Choose a shorter period.")},
        )


def parse_range(form, default_days=0):
    """The ``start`` and ``end`` days of a request (YYYY-MM-DD).

    ``start`` defaults to today, ``end`` to ``default_days`` after it.
    """
    today = now_utc().astimezone(site_timezone()).date()
    first = parse_day(form["start"], "start") if form.get("start") else today
    last = (
        parse_day(form["end"], "end")
        if form.get("end")
        else first + timedelta(days=default_days)
    )
    check_range(first, last)
    return first, last


def e164(number, country_code="31"):
    """A phone number in E.164 form (+31612345678), or None when it is not one.

    Checked with phonenumbers (a valid number of its country); numbers
    without a country code are taken as numbers of ``country_code``.
    """
    return validation.phone(number, country_code)


def clean_booking_data(data, product):
    """Validate what a citizen sent; return clean values or raise InvalidInput."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Send a JSON object."))
    errors = {}
    clean = {}

    def text(name, max_length):
        value = data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            errors[name] = _("Must be text.")
            return ""
        if name == "notes":
            value = value.strip()
            # Line breaks and tabs are text in notes; other control
            # characters and lone surrogates are not.
            if not validation.is_clean_text(re.sub(r"[\r\n\t]", "", value)):
                errors[name] = _("The text holds characters that are not allowed.")
        else:
            value = " ".join(value.split())
        if len(value) > max_length:
            errors[name] = _(
                "Use at most ${max} characters.", mapping={"max": max_length}
            )
        return value

    try:
        clean["fullname"] = validation.name(data.get("fullname"), 200)
    except validation.Refused as error:
        errors["fullname"] = error.message
        clean["fullname"] = ""
    if not clean["fullname"] and "fullname" not in errors:
        errors["fullname"] = _("Fill in your name.")
    clean["email"] = text("email", 254)
    if "email" not in errors:
        try:
            clean["email"] = validation.email(data.get("email"))
        except validation.Refused as error:
            errors["email"] = error.message
    clean["phone"] = text("phone", 40)
    if clean["phone"] and "phone" not in errors:
        clean["phone"] = e164(clean["phone"])
        if clean["phone"] is None:
            errors["phone"] = _("Fill in a valid telephone number, like 06 12345678.")
    clean["notes"] = text("notes", MAX_NOTES)
    language = data.get("language") or "nl"
    if language not in LANGUAGES:
        errors["language"] = _("Choose nl or en.")
    clean["language"] = language
    channels = list(product.channels or ["video"])
    channel = data.get("channel") or channels[0]
    if channel not in channels:
        errors["channel"] = _(
            "Choose one of: ${channels}.", mapping={"channels": ", ".join(channels)}
        )
    clean["channel"] = channel
    try:
        clean["start"] = parse_start(data.get("start"))
    except InvalidInput as error:
        errors.update(error.fields)
    if errors:
        raise InvalidInput(_("Some fields are not filled in correctly."), errors)
    return clean


# --- actions -------------------------------------------------------------------


def book(product, data, now=None, staff=False):
    """Book an appointment; return (appointment, token). Raise a BookingError.

    ``staff``: an employee books for a citizen who phoned or wrote in. A
    published slot may then be taken at short notice; with ``any_time`` in
    the data, any future time (the employee decides; no counter is counted).
    """
    from collective.digitalebalie import teams
    from collective.digitalebalie.dossiers import dossiers

    if not staff:
        ensure_bookable(product)
    clean = clean_booking_data(data, product)
    product_rules = ProductRules(product)
    start = clean.pop("start").astimezone(product_rules.tz)
    if staff and data.get("any_time") is True:
        if start <= (now or now_utc()):
            raise InvalidInput(
                _("This time has passed. Choose a time in the future."),
                {"start": _("Choose a time in the future.")},
            )
        counters = None
    else:
        counters = product_rules.check_start(start, now, staff=staff)
    end = _end(start, product.duration)
    if not staff:
        check_person_limit(product, clean, now)
    record = _claim(product, start, end, counters)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    folder = appointments_folder()
    appointment = createContentInContainer(
        folder,
        "Appointment",
        checkConstraints=False,
        id=secrets.token_hex(8),
        product_uid=api.content.get_uuid(product),
        # Stored in UTC: ZoneInfo objects do not pickle into the ZODB.
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        ledger_day=start.date().toordinal(),
        token_hash=hash_token(token),
        booked_by=api.user.get_current().getId() if staff else None,
        **clean,
    )
    record.add(rules.slot_key(start), rules.slot_key(end), appointment.getId())
    # Staff bookings count too (they are not checked): N is per person.
    limits.remember(product, appointment, now or now_utc())
    teams.setup_new(appointment, product)
    dossiers.for_new_appointment(appointment, product, join=staff)
    _token_index(folder)[appointment.token_hash] = appointment.getId()
    notifications().booked(appointment, token)
    return appointment, token


def check_person_limit(product, clean, now=None):
    """Refuse a booking by someone who has enough open appointments here."""
    if not limits.enabled():
        return
    maximum = limits.max_open()
    found = limits.open_bookings(
        product, clean["email"], clean["phone"], now or now_utc()
    )
    if found >= maximum:
        logger.warning(
            "booking refused: %s open appointments (person %s, product %s)",
            found,
            limits.label("email", clean["email"].lower()),
            api.content.get_uuid(product),
        )
        raise TooManyBookings(
            _(
                "You already have ${count} appointments for this service that "
                "have not taken place yet. To change one, move or cancel it with "
                "the link in your e-mail. Or call the municipality.",
                mapping={"count": found},
            )
        )


def notifications():
    # Imported late: notifications use this module too.
    from collective.digitalebalie.integrations import notifications

    return notifications


def _end(start, minutes):
    """The end of an appointment that lasts ``minutes`` real minutes.

    Counted in UTC: arithmetic on a local time is by the clock, which across a
    daylight-saving change (and in the autumn's repeated hour) is wrong.
    """
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


def forget_ledger(product):
    """Drop the product's booking ledger (for a copy, whose appointments are none)."""
    IAnnotations(product).pop(LEDGER_KEY, None)


def _claim(product, start, end, counters, ignore=None):
    """The record of the day of ``start``, if a counter is free; the caller adds.

    ``start`` is local time: its date names the day record.
    """
    ledger = _ledger(product)
    day = start.date().toordinal()
    record = ledger.get(day)
    if record is None:
        record = ledger[day] = DayBookings()
    taken = record.overlapping(rules.slot_key(start), rules.slot_key(end), ignore)
    # The evening before may run past midnight.
    before = ledger.get(day - 1)
    if before is not None:
        taken += before.overlapping(rules.slot_key(start), rules.slot_key(end), ignore)
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
    ledger = IAnnotations(product).get(LEDGER_KEY)
    record = ledger.get(day) if ledger is not None else None
    if record is not None and any(e[2] == appointment.getId() for e in record.entries):
        record.remove(appointment.getId())


def _ensure_changeable(appointment, now=None):
    state = api.content.get_state(appointment)
    if state == "cancelled":
        raise WrongState(_("This appointment is already cancelled."))
    if state != "booked":
        raise WrongState(_("You can no longer change this appointment."))
    if appointment.start <= (now or now_utc()):
        raise WrongState(
            _("This appointment has started or is over. You can no longer change it.")
        )


def cancel(appointment, now=None):
    """Cancel a booked appointment; its time is free again (see events.py)."""
    _ensure_changeable(appointment, now)
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(appointment, transition="cancel")


def reschedule(appointment, value, now=None):
    """Move a booked appointment to another free slot of the same product."""
    _ensure_changeable(appointment, now)
    product = product_of(appointment)
    ensure_bookable(product)
    product_rules = ProductRules(product)
    start = parse_start(value).astimezone(product_rules.tz)
    if start == appointment.start:
        raise SlotUnavailable(_("This is already the time of your appointment."))
    counters = product_rules.check_start(start, now)
    end = _end(start, product.duration)
    record = _claim(product, start, end, counters, ignore=appointment.getId())
    old_day = appointment.ledger_day
    release(appointment)
    record.add(rules.slot_key(start), rules.slot_key(end), appointment.getId())
    appointment.start = start.astimezone(UTC)
    appointment.end = end.astimezone(UTC)
    appointment.ledger_day = start.date().toordinal()
    limits.remember(product, appointment, now or now_utc())
    from collective.digitalebalie import teams

    teams.moved(appointment, old_day)
    notifications().moved(appointment)
    return appointment
