"""GET {appointment}/@payments: the appointment's payment requests, for its team."""

from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.services.base import Service


class PaymentsGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        dossier = dossiers.of(self.context)
        items = (
            payments.of_appointment(dossier, self.context.getId()) if dossier else []
        )
        return {"items": [payments.payment_json(p) for p in items]}
