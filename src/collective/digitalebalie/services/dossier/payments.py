"""The appointment's payment requests, for its team.

GET  {appointment}/@payments                   -> {"items": [payment, ...]}
POST {appointment}/@payments {"amount": "24,50", "description"}
                                               -> 201 payment
POST {appointment}/@payments/{id}/withdraw     -> 200 payment

``amount`` is euros as text, as the page's form has it ("24,50", "24.50",
"€ 24"); a number is refused (cents or euros?). An ``Idempotency-Key``
header (or ``request_id`` in the body) makes a repeated request (a second
click, a retry after a lost answer) answer the first one's payment.
"""

from collective.digitalebalie import _
from collective.digitalebalie import desk
from collective.digitalebalie import errors
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.services import idempotency
from collective.digitalebalie.services.base import PathService
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import StaffWrite
from plone import api


class PaymentsGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        dossier = dossiers.of(self.context)
        items = (
            payments.of_appointment(dossier, self.context.getId()) if dossier else []
        )
        return {"items": [payments.payment_json(p) for p in items]}


class PaymentsPost(PathService, StaffWrite):
    def reply(self):
        if not self.params:
            return self.request_payment()
        if len(self.params) == 2 and self.params[1] == "withdraw":
            payment = desk.withdraw_payment(self.context, self.params[0])
            return payments.payment_json(payment)
        raise errors.NotFound(_("Unknown payment."))

    def request_payment(self):
        data = self.body()
        key = idempotency.key_of(self.request, data)
        asked = {"amount": data.get("amount"), "description": data.get("description")}
        earlier = idempotency.earlier(self.context, key, "payment", asked)
        if earlier is not None:
            payment = desk.payment_of(self.context, earlier)
        else:
            payment = desk.request_payment(
                self.context,
                asked["amount"],
                asked["description"],
                api.user.get_current().getId(),
            )
            idempotency.remember(self.context, key, "payment", asked, payment["id"])
        self.request.response.setStatus(201)
        return payments.payment_json(payment)
