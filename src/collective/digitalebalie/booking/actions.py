"""Booking, cancelling and moving appointments: the domain code behind services and pages.

The ledger (``store``) makes concurrent bookings of one time conflict; the
side effects (team, dossier, mail and text messages) are the listeners of the
events fired here (``booking.events``, subscribers in ``events.py``).
"""

from collective.digitalebalie import _
from collective.digitalebalie import limits
from collective.digitalebalie.booking import free
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import rules
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.events import AppointmentBooked
from collective.digitalebalie.booking.events import AppointmentMoved
from collective.digitalebalie.booking.input import clean_booking_data
from collective.digitalebalie.booking.input import parse_start
from collective.digitalebalie.booking.person_limit import check_person_limit
from collective.digitalebalie.content.counter_product import WEEKDAYS
from collective.digitalebalie.content.households import appointment_minutes
from collective.digitalebalie.content.private import add_private
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.errors import NotBookable
from collective.digitalebalie.errors import SlotUnavailable
from collective.digitalebalie.errors import WrongState
from collective.digitalebalie.settings import date_in_words
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.settings import site_timezone
from datetime import UTC
from datetime import timedelta
from plone import api
from zope.event import notify
import secrets


def ensure_bookable(product):
    """Refuse when the current user may not see the product (e.g. unpublished)."""
    if product is None or not api.user.has_permission("View", obj=product):
        raise NotBookable(_("This service cannot be booked online at the moment."))


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

    def minutes(self, persons=1):
        """How long an appointment for ``persons`` people takes."""
        return appointment_minutes(self.product, persons)

    def free_slots(self, first_day, last_day, now=None, persons=1):
        """The slots a citizen can book now, day by day from the cache; for
        ``persons`` people only starts with room for the whole appointment."""
        return self.versioned_slots(first_day, last_day, now, persons)[0]

    def versioned_slots(self, first_day, last_day, now=None, persons=1):
        """(free slots, the version they have): see ``free.versioned_slots``."""
        return free.versioned_slots(
            self, first_day, last_day, now or now_utc(), persons
        )

    def check_start(self, start, now=None, staff=False, persons=1):
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
        grid = {"periods": self.periods, "duration": self.duration, "tz": self.tz}
        counters = rules.slot_counters(
            **grid, start=start, length=self.minutes(persons)
        )
        if not counters and persons > 1 and rules.slot_counters(**grid, start=start):
            raise SlotUnavailable(
                _(
                    "An appointment for ${persons} people takes ${minutes} minutes: "
                    "from this time it would last past closing time. Please "
                    "choose an earlier time.",
                    mapping={"persons": persons, "minutes": self.minutes(persons)},
                )
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


def book(product, data, now=None, staff=False, join_dossier=None):
    """Book an appointment; return (appointment, token). Raise a UserError.

    ``staff``: an employee books for a citizen who phoned or wrote in. A
    published slot may then be taken at short notice; with ``any_time`` in
    the data, any future time (the employee decides; no counter is counted).
    ``join_dossier`` (staff only): False starts a new dossier even when the
    citizen has an open one for this product.
    """
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
        counters = product_rules.check_start(
            start, now, staff=staff, persons=clean["persons"]
        )
    end = _end(start, product_rules.minutes(clean["persons"]))
    if not staff:
        check_person_limit(product, clean, now)
    record = store.claim(product, start, end, counters)
    token = links.new_token()
    appointment = add_private(
        store.appointments_folder(),
        "Appointment",
        item_id=secrets.token_hex(8),
        product_uid=api.content.get_uuid(product),
        # Stored in UTC: ZoneInfo objects do not pickle into the ZODB.
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        ledger_day=start.date().toordinal(),
        token_hash=links.hash_token(token),
        booked_by=api.user.get_current().getId() if staff else None,
        **clean,
    )
    record.add(rules.slot_key(start), rules.slot_key(end), appointment.getId())
    # Staff bookings count too (they are not checked): N is per person.
    limits.remember(product, appointment, now or now_utc())
    links.index_citizen(appointment)
    # Team, dossier, then the confirmation (which names the dossier's facts).
    notify(
        AppointmentBooked(
            appointment,
            product,
            token,
            staff=staff,
            join_dossier=staff and join_dossier is not False,
        )
    )
    return appointment, token


def _end(start, minutes):
    """The end of an appointment that lasts ``minutes`` real minutes.

    Counted in UTC: arithmetic on a local time is by the clock, which across a
    daylight-saving change (and in the autumn's repeated hour) is wrong.
    """
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


def ensure_changeable(appointment, now=None):
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
    ensure_changeable(appointment, now)
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(appointment, transition="cancel")


def reschedule(appointment, value, now=None):
    """Move a booked appointment to another free slot of the same product."""
    ensure_changeable(appointment, now)
    product = store.product_of(appointment)
    ensure_bookable(product)
    product_rules = ProductRules(product)
    start = parse_start(value).astimezone(product_rules.tz)
    if start == appointment.start:
        raise SlotUnavailable(_("This is already the time of your appointment."))
    persons = getattr(appointment, "persons", 1) or 1
    counters = product_rules.check_start(start, now, persons=persons)
    end = _end(start, product_rules.minutes(persons))
    record = store.claim(product, start, end, counters, ignore=appointment.getId())
    old_day = appointment.ledger_day
    old_start = appointment.start
    store.release(appointment)
    record.add(rules.slot_key(start), rules.slot_key(end), appointment.getId())
    appointment.start = start.astimezone(UTC)
    appointment.end = end.astimezone(UTC)
    appointment.ledger_day = start.date().toordinal()
    limits.remember(product, appointment, now or now_utc())
    notify(AppointmentMoved(appointment, old_day, old_start))
    return appointment
