"""Keep the booking ledger and the workload true whatever way an appointment changes.

And the listeners of the booking's own events (``booking.events``): a new or
moved appointment's team, dossier and messages, in that order (the
confirmation names the dossier's facts).
"""

from collective.digitalebalie import limits
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking import earlier
from collective.digitalebalie.booking import store
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import earlier as earlier_notice
from collective.digitalebalie.integrations import notifications
from collective.digitalebalie.video import notices
from collective.digitalebalie.video import rooms
from collective.digitalebalie.walkin import staff as walkin
from plone import api


def appointment_transitioned(appointment, event):
    """Any step: the pages show the new state. Cancelled by the citizen or by
    counter staff: the time is free again."""
    if event.transition is not None:  # not when the workflow starts, at booking
        notices.changed(appointment, "state")
    if event.new_state and event.new_state.getId() in ("completed", "no_show"):
        walkin.call_ended(appointment)
        earlier.stop(appointment)  # no earlier time after the appointment
    if event.new_state and event.new_state.getId() == "cancelled":
        store.release(appointment)
        store.note_cancelled(appointment)
        limits.forget(store.product_of(appointment), appointment)
        teams.released(appointment)
        notifications.cancelled(appointment)
        earlier.stop(appointment)
        offer_earlier(store.product_of(appointment), appointment.start)
        if appointment.channel == "video":
            rooms.revoke(appointment)


def appointment_removed(appointment, event):
    """Deleted by a manager: the time is free again."""
    store.release(appointment)
    store.forget_cancelled(appointment)
    limits.forget(store.product_of(appointment), appointment)
    if api.content.get_state(appointment, default=None) != "cancelled":
        teams.released(appointment)


def appointment_modified(appointment, event):
    """An edited e-mail address or telephone number: index the person anew."""
    keys = limits.person_keys(appointment.email, getattr(appointment, "phone", None))
    if keys == getattr(appointment, "limit_keys", None):
        return
    product = store.product_of(appointment)
    if product is None:
        return
    if api.content.get_state(appointment, default=None) == "booked":
        limits.remember(product, appointment, settings.now_utc())
    else:
        limits.forget(product, appointment)


def product_changed(product, event):
    """A product's teams may have changed: its, its appointments' and its
    open dossiers' local roles."""
    teams.sync_product(product)
    dossiers.follow_product_teams(product)


def product_copied(product, event):
    """A copy is a new product: it starts without the original's bookings."""
    store.forget_ledger(product)
    limits.forget_index(product)


def appointment_booked(appointment, event):
    """A new appointment: its team and assignee, its dossier, the confirmation."""
    teams.appointment_booked(appointment, event)
    dossiers.appointment_booked(appointment, event)
    notifications.appointment_booked(appointment, event)


def appointment_moved(appointment, event):
    """A moved appointment: the assignee's day counts, the changed invitation."""
    teams.appointment_moved(appointment, event)
    notifications.appointment_moved(appointment, event)
    offer_earlier(
        store.product_of(appointment),
        getattr(event, "old_start", None),
        exclude=appointment.getId(),
    )


def offer_earlier(product, start, exclude=None):
    """A freed time: a message with a one-step link to the first ones waiting."""
    for waiting, token, offered in earlier.freed(product, start, exclude=exclude):
        earlier_notice.earlier_free(waiting, token, offered)


def walk_in_taken(appointment, event):
    """A citizen taken from the walk-in queue: the product's teams, the employee
    who took them, a dossier of its own; no confirmation (they are on the page)."""
    teams.walk_in_taken(appointment, event.product, event.employee)
    dossiers.for_new_appointment(appointment, event.product, join=False)
