"""POST {appointment}/@request-identification: counter staff ask the citizen to
log in with DigiD on their appointment page -> {"requested": true}.

409 when the citizen has logged in already, or the appointment is over.
"""

from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.services.base import StaffWrite


class RevealPost(StaffWrite):
    """POST {appointment}/@reveal-bsn -> {"bsn"} (DigiD) or {"company", "legal_subject",
    "branch"} (eHerkenning): the whole number, for this employee only (never cached),
    written to the dossier's audit trail."""

    def reply(self):
        self.body()
        return identification.revealed_json(
            identification.reveal(self.context), self.request
        )


class IdentificationPost(StaffWrite):
    def reply(self):
        self.body()  # nothing to send, but nothing else than JSON either
        digid.request_identification(self.context)
        return {"requested": True}
