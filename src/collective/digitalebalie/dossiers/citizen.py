"""What a citizen may do with their dossier through their appointment link."""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.dossiers import documents
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import receipts
from plone import api


def citizen_documents(appointment):
    """The documents the citizen sent with this appointment's link."""
    with api.env.adopt_roles(["Manager"]):
        dossier = dossiers.existing(appointment)
        return [
            documents.document_json(doc)
            for doc in sorted(dossier.objectValues(), key=lambda d: d.created())
            if may_open(doc, appointment) and doc.uploaded_by == "citizen"
        ]


def may_open(document, appointment):
    """Sent with this appointment's link, or shown in this appointment's call.

    The receipt of a payment of this appointment carries its id too.
    """
    return document.appointment_id == appointment.getId() or (
        appointment.getId() in getattr(document, "shown_in", ())
    )


def receipt_url(dossier, payment, citizen_url):
    """Where the citizen downloads the receipt of a paid payment, or None."""
    document_id = receipts.receipt_id(payment)
    if payment["state"] != "paid" or dossier._getOb(document_id, None) is None:
        return None
    return f"{citizen_url}/document/{document_id}"


def upload_for_citizen(appointment, upload):
    """Store a citizen's upload in the dossier, while the dossier is open."""
    state = api.content.get_state(appointment)
    if state not in ("booked", "in_progress"):
        raise errors.WrongState(
            _("Documents can be sent until the appointment is over.")
        )
    with api.env.adopt_roles(["Manager"]):
        dossier = dossiers.existing(appointment)
        if api.content.get_state(dossier) not in dossiers.ACTIVE:
            raise errors.WrongState(
                _("This case is closed. Documents can no longer be sent.")
            )
        return documents.add(
            dossier,
            upload,
            getattr(upload, "filename", "") or "document",
            "citizen",
            appointment.getId(),
        )
