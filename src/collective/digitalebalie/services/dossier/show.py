"""POST {appointment}/@show-document {"id"}: show a dossier document in the call.

The employee's room then tells everybody in the room; the citizen of this
appointment may open this document through their link from now on
(desk.show_document). Written to the audit trail.
"""

from collective.digitalebalie import desk
from collective.digitalebalie.services.base import StaffWrite


class ShowDocumentPost(StaffWrite):
    def reply(self):
        return desk.show_document(self.context, self.body().get("id"))
