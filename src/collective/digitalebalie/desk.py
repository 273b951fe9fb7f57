"""The counter employee's desk: what staff do on an appointment's page.

The classic forms (browser/, a reload without JavaScript) and the REST
services (services/, a fetch) call these functions, so both do the same thing
and refuse the same input. Each finds what it works on and calls the domain
code, which tells the appointment's pages what changed (video/notices.py).
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.content.dossier import IDossierDocument
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import documents
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.video import notices
from plone import api
import re


AMOUNT = re.compile(r"^\d{1,5}([.,]\d{1,2})?$")
# The permission to add a document to a dossier (its workflow takes it away
# once the dossier is closed).
ADD_DOCUMENT = "collective.digitalebalie: Add Dossier"


def parse_euros(text):
    """ "24,50" or "24.50" or "€ 24" as cents, or None (no sub-cents, no 1e3).

    Only text: a number (2450) could mean euros or cents, so it is refused.
    """
    if not isinstance(text, str):
        return None
    cleaned = text.replace("€", "").replace(" ", "")
    if not AMOUNT.match(cleaned):
        return None
    return payments.cents(cleaned.replace(",", "."))


def request_payment(appointment, amount, description, user_id):
    """Ask the citizen to pay ``amount`` (euros as text, as the form sends it)."""
    return payments.request_payment(
        dossiers.existing(appointment),
        appointment,
        parse_euros(amount),
        description if isinstance(description, str) else "",
        user_id,
    )


def payment_of(appointment, payment_id):
    """A payment request of this appointment, or NotFound."""
    for payment in payments.of_appointment(
        dossiers.existing(appointment), appointment.getId()
    ):
        if payment["id"] == payment_id:
            return payment
    raise errors.NotFound(_("Unknown payment."))


def withdraw_payment(appointment, payment_id):
    """Take back an open payment request of this appointment."""
    payment = payment_of(appointment, payment_id)
    return payments.withdraw(dossiers.existing(appointment), payment["id"])


def upload(dossier, upload, user_id):
    """An employee adds a file to the dossier: checked and scanned as every upload."""
    if not api.user.has_permission(ADD_DOCUMENT, obj=dossier):
        raise errors.WrongState(_("Documents can no longer be added to this dossier."))
    if not hasattr(upload, "read") or not getattr(upload, "filename", ""):
        raise errors.InvalidInput(_("Choose a file."), {"file": _("Choose a file.")})
    return documents.add(dossier, upload, upload.filename, user_id)


def document_item(document, appointment):
    """A document as the employee's list shows it."""
    return {
        **documents.document_json(document),
        "kind": document.kind,
        "showable": document.kind in documents.VIEWABLE,
        "shown": appointment.getId() in getattr(document, "shown_in", ()),
    }


def documents_of(appointment):
    """The documents of the appointment's dossier, oldest first."""
    dossier = dossiers.of(appointment)
    if dossier is None:
        return []
    return [
        document_item(document, appointment)
        for document in sorted(dossier.objectValues(), key=lambda d: d.created())
        if IDossierDocument.providedBy(document)
    ]


def show_document(appointment, document_id):
    """Show a dossier document in the call; returns what the room is told.

    The citizen of this appointment may open it through their link from now
    on (dossiers/citizen.py). Hiding it again is the room's business only:
    what the citizen was shown stays theirs, so nothing is recorded then.
    """
    dossier = dossiers.of(appointment)
    document = (
        dossier._getOb(document_id, None)
        if dossier is not None and isinstance(document_id, str)
        else None
    )
    if document is None or not IDossierDocument.providedBy(document):
        raise errors.NotFound(_("This document is not in the dossier."))
    kind = documents.VIEWABLE.get(document.kind)
    if kind is None:
        raise documents.UnsupportedType(
            _("Only PDF files and photos (JPEG, PNG) can be shown in the call.")
        )
    shown = getattr(document, "shown_in", ())
    if appointment.getId() not in shown:
        document.shown_in = (*shown, appointment.getId())
    audit.log(dossier, "shown in the call", document.Title())
    notices.changed(appointment, "documents")
    return {"id": document.getId(), "title": document.Title(), "kind": kind}
