"""The receipt of a paid payment: a PDF/A document in the dossier.

It speaks the language of the appointment, and the citizen can download it
with their link (the document carries the appointment's id, see
``dossiers.citizen.may_open``).
"""

from collective.digitalebalie.booking import store
from collective.digitalebalie.dossiers import documents
from collective.digitalebalie.dossiers import export
from collective.digitalebalie.settings import setting
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.file import NamedBlobFile
import hashlib


def receipt_id(payment):
    """The id of a payment's receipt in its dossier."""
    return f"receipt-{payment['id']}"


def write(dossier, payment):
    """Write the receipt of ``payment`` into ``dossier``; return the document."""
    municipality = setting("municipality_name", "")
    appointment = store.appointments_folder()._getOb(payment["appointment_id"], None)
    language = getattr(appointment, "language", None) or "nl"
    data = export.receipt_pdf(payment, municipality, dossier.subject, language)
    name = f"{'receipt' if language == 'en' else 'kwitantie'}-{payment['id']}.pdf"
    document = createContentInContainer(
        dossier,
        "DossierDocument",
        checkConstraints=False,
        id=receipt_id(payment),
        title=name,
        file=NamedBlobFile(data=data, filename=name, contentType="application/pdf"),
        sha256=hashlib.sha256(data).hexdigest(),
        kind="pdf",
        scan="clean",  # made here, not uploaded
        uploaded_by="payment provider",
        appointment_id=payment["appointment_id"],
    )
    document.manage_permission("Modify portal content", [], acquire=False)
    # The appointment pages list the receipt (and its download) at once.
    documents.changed(dossier)
    return document
