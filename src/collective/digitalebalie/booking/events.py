"""Events of the booking: what happened to an appointment, for its listeners.

The booking fires them; teams, dossiers and notifications listen (see the
subscribers in ``collective.digitalebalie.events``), so the booking code does
not import its listeners. Cancelling and deleting are the workflow's and the
folder's own events.
"""

from zope.interface import Attribute
from zope.interface import implementer
from zope.interface.interfaces import IObjectEvent
from zope.interface.interfaces import ObjectEvent


class IAppointmentBooked(IObjectEvent):
    """A new appointment is booked (its ledger entry and first link exist)."""

    product = Attribute("The counter product")
    token = Attribute("The citizen's secret link token (for the confirmation)")
    staff = Attribute("True when counter staff booked it for a citizen")


class IAppointmentMoved(IObjectEvent):
    """A booked appointment moved to another time."""

    old_day = Attribute("The ledger day (ordinal) it had before")
    old_start = Attribute("The start (UTC) it had before: that time is free now")


@implementer(IAppointmentBooked)
class AppointmentBooked(ObjectEvent):
    def __init__(self, appointment, product, token, staff=False):
        super().__init__(appointment)
        self.product = product
        self.token = token
        self.staff = staff


@implementer(IAppointmentMoved)
class AppointmentMoved(ObjectEvent):
    def __init__(self, appointment, old_day, old_start=None):
        super().__init__(appointment)
        self.old_day = old_day
        self.old_start = old_start


class IWalkInTaken(IObjectEvent):
    """An employee took a citizen from the walk-in queue: a new appointment."""

    product = Attribute("The counter product")
    employee = Attribute("The user id of the employee who took the citizen")


@implementer(IWalkInTaken)
class WalkInTaken(ObjectEvent):
    def __init__(self, appointment, product, employee):
        super().__init__(appointment)
        self.product = product
        self.employee = employee
