"""An appointment: created only by booking, private, worked by counter employees."""

from collective.digitalebalie import _
from collective.digitalebalie.content.private import not_catalogued
from collective.digitalebalie.content.private import unstamped
from plone.dexterity.content import Container
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


LANGUAGES = ("nl", "en")


class IAppointment(model.Schema):
    """What a booking stores. Personal data stays out of the catalog."""

    # Read-only in forms and REST: a time changes only by moving the
    # appointment, which keeps the booking ledger right.
    product_uid = schema.ASCIILine(
        title=_("Counter product"), required=True, readonly=True
    )
    start = schema.Datetime(title=_("Start"), required=True, readonly=True)
    end = schema.Datetime(title=_("End"), required=True, readonly=True)
    channel = schema.ASCIILine(title=_("How"), required=True, default="video")
    fullname = schema.TextLine(title=_("Name"), required=True, max_length=200)
    # Empty when the product allows a mobile number instead (email_required).
    email = schema.ASCIILine(title=_("E-mail address"), required=False, default="")
    phone = schema.TextLine(title=_("Telephone number"), required=False)
    # A household in one appointment; read-only: the length follows from it.
    persons = schema.Int(
        title=_("Number of people"),
        required=False,
        readonly=True,
        default=1,
        missing_value=1,
        min=1,
    )
    language = schema.Choice(
        title=_("Language"), values=LANGUAGES, default="nl", required=True
    )
    notes = schema.Text(title=_("Notes"), required=False, max_length=2000)
    # What the employee promised, for the citizen's page and mail. Read-only in
    # forms and REST: it changes only through @complete and @outcome-note (see
    # aftercall/outcome.py), which tell the pages. Old appointments without it
    # read the default.
    outcome_note = schema.Text(
        title=_("What happens next"),
        required=False,
        readonly=True,
        default="",
        missing_value="",
        max_length=2000,
    )
    token_hash = schema.ASCIILine(title="token hash", required=True, readonly=True)


@implementer(IAppointment)
@not_catalogued
class Appointment(Item):
    """An appointment; its title carries no personal data.

    Appointments are kept out of portal_catalog on purpose (see
    not_catalogued), and a booking writes a tenth of the objects (measured:
    21 ms per booking with catalog indexing, 11 ms without). Lists of
    appointments come from each product's booking ledger
    (see ``store.listing``).
    """

    def Title(self):
        start = getattr(self, "start", None)
        when = start.strftime("%Y-%m-%d %H:%M UTC") if start else ""
        return f"{self.getId()} {when}".strip()

    def Description(self):
        return ""


class IAppointmentFolder(model.Schema):
    """The private folder that holds every appointment."""


@implementer(IAppointmentFolder)
@unstamped
class AppointmentFolder(Container):
    """Private container; its content is never shown to anonymous users."""

    # No position list: it would grow with every appointment and make every
    # booking write (and conflict on) one big object.
    _ordering = "unordered"
