"""Keep the booking ledger and the workload true whatever way an appointment changes."""

from collective.digitalebalie import appointments
from collective.digitalebalie import limits
from collective.digitalebalie import teams
from collective.digitalebalie.video import rooms
from plone import api


def appointment_transitioned(appointment, event):
    """Cancelled by the citizen or by counter staff: the time is free again."""
    if event.new_state and event.new_state.getId() == "cancelled":
        appointments.release(appointment)
        appointments.note_cancelled(appointment)
        limits.forget(appointments.product_of(appointment), appointment)
        teams.released(appointment)
        appointments.notifications().cancelled(appointment)
        if appointment.channel == "video":
            rooms.revoke(appointment)


def appointment_removed(appointment, event):
    """Deleted by a manager: the time is free again."""
    appointments.release(appointment)
    appointments.forget_cancelled(appointment)
    limits.forget(appointments.product_of(appointment), appointment)
    if api.content.get_state(appointment, default=None) != "cancelled":
        teams.released(appointment)


def appointment_modified(appointment, event):
    """An edited e-mail address or telephone number: index the person anew."""
    keys = limits.person_keys(appointment.email, getattr(appointment, "phone", None))
    if keys == getattr(appointment, "limit_keys", None):
        return
    product = appointments.product_of(appointment)
    if product is None:
        return
    if api.content.get_state(appointment, default=None) == "booked":
        limits.remember(product, appointment, appointments.now_utc())
    else:
        limits.forget(product, appointment)


def product_changed(product, event):
    """A product's teams may have changed: its and its appointments' local roles."""
    teams.sync_product(product)


def product_copied(product, event):
    """A copy is a new product: it starts without the original's bookings."""
    appointments.forget_ledger(product)
    limits.forget_index(product)
