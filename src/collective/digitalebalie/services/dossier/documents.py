"""The documents of the appointment's dossier, for its team.

GET  {appointment}/@documents   -> {"items": [document, ...]}
POST {appointment}/@documents   multipart/form-data, the file in the field
                                "file" -> 201 document

A document: ``document_json`` (dossiers/documents.py) with its ``kind``
(pdf, jpeg, png, heic, docx, odt), whether it can be ``showable`` in the
call and whether it was ``shown`` in this appointment's call. An upload is
checked and scanned as every upload: 400 no file, 409 the dossier is
closed, 413 too large, 415 a type not allowed, 422 a virus or a zip bomb,
503 the virus scanner cannot be reached.
"""

from collective.digitalebalie import desk
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import StaffWrite
from plone import api


class DocumentsGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        return {"items": desk.documents_of(self.context)}


class DocumentsPost(StaffWrite):
    # A file comes as multipart/form-data, also from the page with the login
    # cookie; the guard still asks it to come from this site (guard.py).
    accepts_uploads = True

    def reply(self):
        document = desk.upload(
            dossiers.existing(self.context),
            self.request.form.get("file"),
            api.user.get_current().getId(),
        )
        self.request.response.setStatus(201)
        return desk.document_item(document, self.context)
