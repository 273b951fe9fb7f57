"""Domain rules that need a clock: an appointment that began can no longer change."""

from collective.digitalebalie import appointments
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from plone import api
import pytest


@pytest.fixture
def booked(portal):
    with api.env.adopt_roles(["Manager"]):
        product = api.content.create(
            container=portal,
            type="CounterProduct",
            title="Product",
            duration=30,
            opening_hours=[
                {"weekday": d, "start": "08:00", "end": "18:00", "counters": 1}
                for d in range(7)
            ],
        )
        api.content.transition(product, to_state="published")
    day = datetime.now(AMS).date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS)
    appointment, _token = appointments.book(
        product, {"start": start.isoformat(), "fullname": "A", "email": "a@example.nl"}
    )
    return product, appointment, start


@pytest.mark.parametrize("action", ["cancel", "reschedule"])
def test_no_changes_once_begun(booked, action):
    _product, appointment, start = booked
    later = start + timedelta(minutes=5)
    with pytest.raises(appointments.WrongState):
        if action == "cancel":
            appointments.cancel(appointment, now=later)
        else:
            appointments.reschedule(
                appointment, (start + timedelta(hours=2)).isoformat(), now=later
            )
    assert api.content.get_state(appointment) == "booked"
    assert appointment.start == start


def test_move_within_its_own_time_is_allowed(booked):
    """Moving 10:00 to 10:15 with 30 minutes overlaps only itself."""
    product, appointment, start = booked
    product.duration = 15
    appointments.reschedule(appointment, (start + timedelta(minutes=15)).isoformat())
    assert appointment.start == start + timedelta(minutes=15)


def test_deleted_product_makes_moving_impossible(booked, portal):
    product, appointment, start = booked
    with api.env.adopt_roles(["Manager"]):
        api.content.delete(product, check_linkintegrity=False)
    with pytest.raises(appointments.NotBookable):
        appointments.reschedule(appointment, (start + timedelta(hours=1)).isoformat())


def test_a_copied_product_starts_without_bookings(booked, portal):
    """The copy is a new product: the original's appointments do not take its
    counters, and booking the copy does not take the original's."""
    product, appointment, start = booked
    with api.env.adopt_roles(["Manager"]):
        copy = api.content.copy(source=product, target=portal, id="product-copy")
    assert copy.getId() == "product-copy"
    copied, _token = appointments.book(
        copy, {"start": start.isoformat(), "fullname": "B", "email": "b@example.nl"}
    )
    assert copied.start == start
    # The original (one counter) stays full at that time...
    with pytest.raises(appointments.SlotUnavailable):
        appointments.book(
            product,
            {"start": start.isoformat(), "fullname": "C", "email": "c@example.nl"},
        )
    # ...and cancelling in the original does not free the copy's counter.
    appointments.cancel(appointment)
    with pytest.raises(appointments.SlotUnavailable):
        appointments.book(
            copy, {"start": start.isoformat(), "fullname": "D", "email": "d@example.nl"}
        )


@pytest.mark.parametrize(
    "start",
    [
        "2027-10-31T02:00:00+02:00",  # 02:00 summer time, the first of the two
        "2027-10-31T02:00:00+01:00",  # 02:00 winter time, an hour later
        "2027-03-28T01:00:00+01:00",  # runs into the hour the spring skips
    ],
)
def test_appointments_last_their_real_minutes_across_a_clock_change(portal, start):
    with api.env.adopt_roles(["Manager"]):
        product = api.content.create(
            container=portal,
            type="CounterProduct",
            title="Nachtloket",
            duration=60,
            opening_hours=[
                {"weekday": 6, "start": "00:00", "end": "04:00", "counters": 1}
            ],
            min_notice_hours=0,
        )
        api.content.transition(product, to_state="published")
    moment = datetime.fromisoformat(start)
    appointment, _token = appointments.book(
        product,
        {"start": start, "fullname": "A", "email": "a@example.nl"},
        now=moment - timedelta(days=3),
    )
    assert appointment.start == moment
    assert appointment.end - appointment.start == timedelta(minutes=60)
