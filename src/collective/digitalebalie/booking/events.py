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
    join_dossier = Attribute(
        "Whether it joins the citizen's open dossier (None: staff's do, others not)"
    )


class IAppointmentMoved(IObjectEvent):
    """A booked appointment moved to another time."""

    old_day = Attribute("The ledger day (ordinal) it had before")
    old_start = Attribute("The start (UTC) it had before: that time is free now")


@implementer(IAppointmentBooked)
class AppointmentBooked(ObjectEvent):
    def __init__(self, appointment, product, token, staff=False, join_dossier=None):
        super().__init__(appointment)
        self.product = product
        self.token = token
        self.staff = staff
        self.join_dossier = join_dossier


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


class IAppointmentChanged(IObjectEvent):
    """A fact about an appointment changed that no workflow step tells: a
    payment asked, paid or withdrawn, an identification (for the statistics)."""

    part = Attribute("What changed: 'payments' or 'identification'")


@implementer(IAppointmentChanged)
class AppointmentChanged(ObjectEvent):
    def __init__(self, appointment, part):
        super().__init__(appointment)
        self.part = part


class ISatisfactionAnswered(IObjectEvent):
    """The citizen answered the satisfaction question about the appointment."""

    day = Attribute("The (local) day of the answer")
    score = Attribute("The score, 1-5")


@implementer(ISatisfactionAnswered)
class SatisfactionAnswered(ObjectEvent):
    def __init__(self, appointment, day, score):
        super().__init__(appointment)
        self.day = day
        self.score = score
