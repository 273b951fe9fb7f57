"""POST {appointment}/@request-identification: counter staff ask the citizen to
log in with DigiD on their appointment page -> {"requested": true}.

409 when the citizen has logged in already, or the appointment is over.
"""

from collective.digitalebalie.integrations import digid
from collective.digitalebalie.services.base import StaffWrite


class RevealPost(StaffWrite):
    """POST {appointment}/@reveal-bsn -> {"bsn"}: the whole BSN, for this employee
    only (never cached), written to the dossier's audit trail."""

    def reply(self):
        self.body()
        return {"bsn": digid.reveal_bsn(self.context)}


class IdentificationPost(StaffWrite):
    def reply(self):
        self.body()  # nothing to send, but nothing else than JSON either
        digid.request_identification(self.context)
        return {"requested": True}
