"""Booking, cancelling and moving appointments: the domain code behind services and pages.

Correctness under concurrency: every slot has one persistent ``SlotBookings``
record in the product's ledger. Two transactions that book the same slot both
write that record, so ZODB raises a ConflictError for the later one, Zope
retries it, and the retry sees the slot taken. (Adding appointments to a
folder alone would not conflict: BTrees merge inserts of different keys.)
"""

from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie.booking import rules
from collective.digitalebalie.content.appointment import LANGUAGES
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from persistent import Persistent
from plone import api
from plone.dexterity.utils import createContentInContainer
from zoneinfo import ZoneInfo
from zope.annotation.interfaces import IAnnotations
import hashlib
import re
import secrets


FOLDER_ID = "appointments"
LEDGER_KEY = "collective.digitalebalie.ledger"
TOKENS_KEY = "collective.digitalebalie.tokens"
TOKEN_BYTES = 24  # 192 bits
MAX_NOTES = 2000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


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


class SlotBookings(Persistent):
    """The appointments in one slot of one product. Written by every booking of it."""

    def __init__(self):
        self.ids = ()

    def add(self, appointment_id):
        self.ids = (*self.ids, appointment_id)

    def remove(self, appointment_id):
        self.ids = tuple(i for i in self.ids if i != appointment_id)


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


def _token_index(folder):
    annotations = IAnnotations(folder)
    if TOKENS_KEY not in annotations:
        annotations[TOKENS_KEY] = OOBTree()
    return annotations[TOKENS_KEY]


def _ledger(product):
    annotations = IAnnotations(product)
    if LEDGER_KEY not in annotations:
        annotations[LEDGER_KEY] = LOBTree()
    return annotations[LEDGER_KEY]


def booked_counts(product, first=None, last=None):
    """{slot_key: number of appointments} between two aware datetimes."""
    ledger = IAnnotations(product).get(LEDGER_KEY)
    if not ledger:
        return {}
    low = rules.slot_key(first) if first else None
    high = rules.slot_key(last) if last else None
    return {
        key: len(record.ids)
        for key, record in ledger.items(min=low, max=high)
        if record.ids
    }


def listing(product, first=None, last=None):
    """The appointments of a product with a start between two aware datetimes.

    Comes from the booking ledger, in order of start; cancelled appointments
    have left the ledger and are not listed.
    """
    ledger = IAnnotations(product).get(LEDGER_KEY)
    if not ledger:
        return []
    folder = appointments_folder()
    low = rules.slot_key(first) if first else None
    high = rules.slot_key(last) if last else None
    result = []
    for record in ledger.values(min=low, max=high):
        for appointment_id in record.ids:
            appointment = folder._getOb(appointment_id, None)
            if appointment is not None:
                result.append(appointment)
    return result


def find_by_token(token):
    """The appointment a citizen's token belongs to, or raise NotFound."""
    if not token or len(token) > 200:
        raise NotFound(_("No appointment with this link."))
    folder = appointments_folder()
    appointment_id = _token_index(folder).get(hash_token(token))
    appointment = folder._getOb(appointment_id, None) if appointment_id else None
    if appointment is None:
        raise NotFound(_("No appointment with this link."))
    return appointment


def product_of(appointment):
    product = api.content.get(UID=appointment.product_uid)
    if product is None:
        # The citizen may not see it right now (e.g. unpublished): look it up
        # without their permissions; only its public facts are used.
        with api.env.adopt_roles(["Manager"]):
            product = api.content.get(UID=appointment.product_uid)
    return product


# --- the product's rules ------------------------------------------------------


class ProductRules:
    """The booking rules of one product, parsed once."""

    def __init__(self, product):
        self.product = product
        self.tz = site_timezone()
        self.duration = product.duration
        self.periods = rules.parse_periods(product.opening_hours or [])
        self.closures = rules.parse_closures(product.closures or [])
        self.min_notice_hours = product.min_notice_hours or 0
        self.max_days_ahead = product.max_days_ahead or 60

    def free_slots(self, first_day, last_day, now=None):
        now = now or now_utc()
        first = datetime.combine(first_day, datetime.min.time(), tzinfo=self.tz)
        last = datetime.combine(last_day, datetime.max.time(), tzinfo=self.tz)
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
            booked=booked_counts(self.product, first, last),
        )

    def check_start(self, start, now=None):
        """The number of counters of the slot at ``start``; raise when not bookable."""
        counters = rules.slot_counters(
            periods=self.periods, duration=self.duration, tz=self.tz, start=start
        )
        if not counters:
            raise InvalidInput(
                _("This time is not the start of an appointment slot."),
                {"start": _("Choose one of the times offered.")},
            )
        reason = rules.unavailable_reason(
            closures=self.closures,
            tz=self.tz,
            start=start,
            now=now or now_utc(),
            min_notice_hours=self.min_notice_hours,
            max_days_ahead=self.max_days_ahead,
        )
        if reason:
            raise SlotUnavailable(
                _("This time cannot be booked (any more). Please choose another time.")
            )
        return counters


# --- input ---------------------------------------------------------------------


def parse_start(value):
    """An ISO 8601 datetime with offset (or Z) to an aware datetime."""
    if not isinstance(value, str):
        raise InvalidInput(
            _("Give the start time."), {"start": _("This field is required.")}
        )
    try:
        start = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
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
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("The date is not valid."), {name: _("Use YYYY-MM-DD.")}
        ) from None


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
        value = " ".join(value.split()) if name != "notes" else value.strip()
        if len(value) > max_length:
            errors[name] = _(
                "Use at most ${max} characters.", mapping={"max": max_length}
            )
        return value

    clean["fullname"] = text("fullname", 200)
    if not clean["fullname"] and "fullname" not in errors:
        errors["fullname"] = _("Fill in your name.")
    clean["email"] = text("email", 254)
    if "email" not in errors and not _EMAIL.match(clean["email"]):
        errors["email"] = _("Fill in a valid e-mail address, like name@example.nl.")
    clean["phone"] = text("phone", 40)
    if clean["phone"] and "phone" not in errors and not _PHONE.match(clean["phone"]):
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


def book(product, data, now=None):
    """Book an appointment; return (appointment, token). Raise a BookingError."""
    clean = clean_booking_data(data, product)
    product_rules = ProductRules(product)
    start = clean.pop("start").astimezone(product_rules.tz)
    counters = product_rules.check_start(start, now)
    record = _claim(product, start, counters)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    folder = appointments_folder()
    appointment_id = secrets.token_hex(8)
    end = start.astimezone(UTC) + _minutes(product.duration)
    appointment = createContentInContainer(
        folder,
        "Appointment",
        checkConstraints=False,
        id=appointment_id,
        product_uid=api.content.get_uuid(product),
        # Stored in UTC: ZoneInfo objects do not pickle into the ZODB.
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        token_hash=hash_token(token),
        **clean,
    )
    record.add(appointment.getId())
    _token_index(folder)[appointment.token_hash] = appointment.getId()
    return appointment, token


def _minutes(n):
    return timedelta(minutes=n)


def _claim(product, start, counters):
    """The slot's record, if a place is left; it is written by the caller."""
    ledger = _ledger(product)
    key = rules.slot_key(start)
    record = ledger.get(key)
    if record is None:
        record = ledger[key] = SlotBookings()
    if len(record.ids) >= counters:
        raise SlotUnavailable(
            _("This time is already taken. Please choose another time.")
        )
    # Touch the record even before adding, so racing bookings always conflict.
    record._p_changed = True
    return record


def _release(appointment):
    product = product_of(appointment)
    if product is None:
        return
    record = _ledger(product).get(rules.slot_key(appointment.start))
    if record is not None:
        record.remove(appointment.getId())


def cancel(appointment):
    """Cancel a booked appointment; its slot is free again."""
    state = api.content.get_state(appointment)
    if state == "cancelled":
        raise WrongState(_("This appointment is already cancelled."))
    if state != "booked":
        raise WrongState(_("This appointment can no longer be cancelled."))
    _release(appointment)
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(appointment, transition="cancel")


def reschedule(appointment, value, now=None):
    """Move a booked appointment to another free slot of the same product."""
    if api.content.get_state(appointment) != "booked":
        raise WrongState(_("Only a booked appointment can be moved."))
    product = product_of(appointment)
    product_rules = ProductRules(product)
    start = parse_start(value).astimezone(product_rules.tz)
    if start == appointment.start:
        raise SlotUnavailable(_("This is already the time of your appointment."))
    counters = product_rules.check_start(start, now)
    record = _claim(product, start, counters)
    _release(appointment)
    record.add(appointment.getId())
    appointment.start = start.astimezone(UTC)
    appointment.end = appointment.start + _minutes(product.duration)
    appointment.reindexObject()
    return appointment
