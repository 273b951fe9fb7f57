"""POST {appointment}/@show-document {"id"}: show a dossier document in the call.

The employee's room then tells everybody in the room; the citizen of this
appointment may open this document through their link from now on. Written to the audit trail.
"""

from collective.digitalebalie import _
from collective.digitalebalie.content.dossier import IDossierDocument
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import json_object
from collective.digitalebalie.services.errors import error_body
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


VIEWABLE = {"pdf": "pdf", "jpeg": "image", "png": "image"}


class ShowDocumentPost(Service):
    def reply(self):
        # Cookie sessions: a cross-site form cannot send JSON without CORS consent.
        if not (self.request.getHeader("Content-Type") or "").startswith(
            "application/json"
        ):
            return error_body(
                self.request, 415, "UnsupportedMediaType", _("Send JSON.")
            )
        # Only JSON reaches this point, which no other site can send with the
        # employee's session; the write below is the intended one.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request) or {}
        dossier = dossiers.of(self.context)
        document_id = data.get("id")
        document = (
            dossier._getOb(document_id, None)
            if dossier is not None and isinstance(document_id, str)
            else None
        )
        if document is None or not IDossierDocument.providedBy(document):
            return error_body(
                self.request, 404, "NotFound", _("This document is not in the dossier.")
            )
        kind = VIEWABLE.get(document.kind)
        if kind is None:
            return error_body(
                self.request,
                415,
                "UnsupportedType",
                _("Only PDF files and photos (JPEG, PNG) can be shown in the call."),
            )
        # The citizen of this appointment may open it through their link.
        document.shown_in = (*getattr(document, "shown_in", ()), self.context.getId())
        audit.log(dossier, "shown in the call", document.Title())
        return {"id": document.getId(), "title": document.Title(), "kind": kind}
