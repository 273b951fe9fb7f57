"""POST {appointment}/@request-identification: counter staff ask the citizen to
log in with DigiD on their appointment page -> {"requested": true}.

409 when the citizen has logged in already, or the appointment is over.
"""

from collective.digitalebalie.integrations import digid
from collective.digitalebalie.services.base import StaffWrite


class IdentificationPost(StaffWrite):
    def reply(self):
        self.body()  # nothing to send, but nothing else than JSON either
        digid.request_identification(self.context)
        return {"requested": True}
