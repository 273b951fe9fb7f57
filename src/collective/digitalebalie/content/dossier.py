"""A dossier: the case of one citizen for one counter product, and its documents."""

from collective.digitalebalie import _
from collective.digitalebalie.content.private import not_catalogued
from collective.digitalebalie.content.private import unstamped
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.dexterity.content import Item
from plone.namedfile.field import NamedBlobFile
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class IDossier(model.Schema):
    subject = schema.TextLine(title=_("Subject"), required=True, max_length=200)
    case_type = schema.TextLine(title=_("Case type"), required=False, readonly=True)
    product_uid = schema.ASCIILine(
        title=_("Counter product"), required=True, readonly=True
    )
    appointment_ids = schema.List(
        title=_("Appointments"),
        value_type=schema.ASCIILine(),
        default=[],
        required=False,
        readonly=True,
    )
    # Shortening the retention period is a manager's decision.
    directives.write_permission(
        retention_years="collective.digitalebalie.ManageSettings"
    )
    retention_years = schema.Int(
        title=_("Keep for this many years after archiving"),
        default=7,
        min=0,
        max=120,
        required=True,
    )
    opened = schema.Datetime(title=_("Opened"), required=False, readonly=True)
    closed = schema.Datetime(title=_("Closed"), required=False, readonly=True)
    archived = schema.Datetime(title=_("Archived"), required=False, readonly=True)
    destroy_after = schema.Date(title=_("Destroy after"), required=False, readonly=True)


@implementer(IDossier)
@not_catalogued
class Dossier(Container):
    """Private; its title names the product and a number, never the citizen."""

    _ordering = "unordered"


class IDossierDocument(model.Schema):
    file = NamedBlobFile(title=_("File"), required=True)
    sha256 = schema.ASCIILine(title="SHA-256", required=True, readonly=True)
    kind = schema.ASCIILine(title=_("Type"), required=True, readonly=True)
    scan = schema.ASCIILine(title=_("Virus scan"), required=True, readonly=True)
    uploaded_by = schema.ASCIILine(title=_("Uploaded by"), required=True, readonly=True)
    appointment_id = schema.ASCIILine(title=_("Appointment"), required=False)


@implementer(IDossierDocument)
@not_catalogued
class DossierDocument(Item):
    """A document in a dossier: scanned for viruses before it was stored."""


class IDossierFolder(model.Schema):
    """The private folder that holds every dossier."""


@implementer(IDossierFolder)
@unstamped
class DossierFolder(Container):
    _ordering = "unordered"
