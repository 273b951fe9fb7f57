"""Payment pages: the employee's request, the provider's webhook, the test provider."""

from collective.digitalebalie import _
from collective.digitalebalie import desk
from collective.digitalebalie import errors
from collective.digitalebalie import logger
from collective.digitalebalie.browser import desk_forms
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.browser import headers
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.citizen import receipt_url
from collective.digitalebalie.integrations import payment_return
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.settings import setting
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse
import json
import transaction


class PaymentRequestView(BrowserView):
    """POST {appointment}/@@payment-request: amount (euros) and description."""

    def __call__(self):
        CheckAuthenticator(self.request)
        form = self.request.form
        user_id = api.user.get_current().getId()
        return desk_forms.answer(
            self,
            lambda: desk.request_payment(
                self.context, form.get("amount"), form.get("description"), user_id
            ),
            # What the page says follows how the citizen was told (mail, sms, page).
            lambda payment: SENT_MESSAGES[payment.get("sent_by") or "mail"],
        )


class PaymentWithdrawView(BrowserView):
    """POST {appointment}/@@payment-withdraw: take back an open request."""

    def __call__(self):
        CheckAuthenticator(self.request)
        payment_id = self.request.form.get("payment")
        return desk_forms.answer(
            self,
            lambda: desk.withdraw_payment(self.context, payment_id),
            _("The payment request is withdrawn."),
        )


class MollieWebhook(BrowserView):
    """POST @@mollie-webhook with id=tr_...: fetch the status from Mollie, never trust the body."""

    def __call__(self):
        response = self.request.response
        response.setHeader("Content-Type", "application/json")
        if self.request.method != "POST" or payments.provider_name() != "mollie":
            response.setStatus(404)
            return json.dumps(
                {"error": {"type": "NotFound", "message": "No webhook here."}}
            )
        alsoProvides(self.request, IDisableCSRFProtection)  # a server-to-server call
        provider_id = self.request.form.get("id")
        try:
            dossier, payment = payments.find(provider_id)
            status = payments.provider_status(provider_id)
            changed = payments.update(dossier, payment, status)
        except payments.ProviderError as error:
            transaction.doom()
            response.setStatus(503)  # Mollie calls again later
            return json.dumps({"error": {"type": error.type, "message": "Try again."}})
        except errors.NotFound:
            logger.warning("payment webhook for an unknown id refused: %r", provider_id)
            transaction.doom()
            response.setStatus(404)
            return json.dumps(
                {"error": {"type": "NotFound", "message": "Unknown payment."}}
            )
        return json.dumps({"state": payment["state"], "changed": changed})


@implementer(IPublishTraverse)
class TestPaymentView(BrowserView):
    """@@test-payment/{id}: the built-in test provider's page (takes no money)."""

    index = ViewPageTemplateFile("templates/test_payment.pt")
    payment_id = ""

    def publishTraverse(self, request, name):
        if not self.payment_id:
            self.payment_id = name
        return self

    def __call__(self):
        self.request.response.setHeader("Cache-Control", "no-store")
        headers.citizen_page(self.request.response)
        try:
            with api.env.adopt_roles(["Manager"]):
                self.dossier, self.payment = payments.find(f"test_{self.payment_id}")
        except errors.NotFound:
            self.request.response.setStatus(404)
            self.payment = None
            return self.index()
        # Only while the test provider is the one chosen: never free "payments" later.
        if self.payment["provider"] != "test" or payments.provider_name() != "test":
            self.request.response.setStatus(404)
            self.payment = None
            return self.index()
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            outcome = self.request.form.get("outcome")
            if (
                outcome in ("paid", "failed", "canceled")
                and self.payment["state"] == "open"
            ):
                with api.env.adopt_roles(["Manager"]):
                    payments.update(self.dossier, self.payment, outcome)
        return self.index()

    def amount(self):
        return formatting.price(f"{self.payment['amount'] / 100:.2f}")

    @property
    def return_url(self):
        """Where a real provider would send the citizen after paying."""
        return payment_return.url(self.dossier.getId(), self.payment["id"])

    def back_label(self):
        municipality = setting("municipality_name", "")
        label = (
            _("Back to ${municipality}", mapping={"municipality": municipality})
            if municipality
            else _("Back to the website")
        )
        return translate(label, context=self.request)

    def state_title(self):
        state = self.payment["state"]
        return translate(STATES.get(state, state), context=self.request)


class PaymentReturnView(BrowserView):
    """Where the provider sends the citizen back: the payment's state in words.

    The address names the payment and carries its HMAC
    (integrations/payment_return.py); a wrong one gets a 404 that tells
    nothing. The page shows no personal data: the state and the amount. Its
    script finds the citizen's appointment page in the browser's storage
    (put there by the appointment page when *Pay* was pressed).
    """

    index = ViewPageTemplateFile("templates/payment_return.pt")
    payment = None
    unknown = False

    def __call__(self):
        response = self.request.response
        headers.secret_link_page(response)
        form = self.request.form
        names = ("dossier", "payment", "check")
        dossier_id, payment_id, check = (form.get(name) for name in names)
        if not any((dossier_id, payment_id, check)):
            return self.index()  # an address from before payments were named
        try:
            if not payment_return.verified(dossier_id, payment_id, check):
                raise errors.NotFound(_("Unknown payment."))
            with api.env.adopt_roles(["Manager"]):
                _dossier, payment = payments.get(dossier_id, payment_id)
        except errors.NotFound:
            response.setStatus(404)
            self.unknown = True
            return self.index()
        self.dossier_id = dossier_id
        self.payment = {
            "id": payment["id"],
            "state": payment["state"],
            "amount": formatting.price(f"{payment['amount'] / 100:.2f}"),
        }
        return self.index()

    @property
    def outcome(self):
        """What the page says: "paid", "waiting" or "failed" (None: no payment)."""
        if self.payment is None:  # the template defines it before its condition
            return None
        state = self.payment["state"]
        if state == "paid":
            return "paid"
        return "waiting" if state in payments.OPEN else "failed"

    def state_title(self):
        state = self.payment["state"]
        return translate(STATES.get(state, state), context=self.request)

    @property
    def again_url(self):
        return payment_return.url(self.dossier_id, self.payment["id"])


# How the citizen hears of a payment request (payments.request_payment).
SENT = {
    "mail": _("Sent by e-mail"),
    "sms": _("Sent by text message"),
    "page": _("Not sent: only on the citizen's appointment page"),
}
SENT_MESSAGES = {
    "mail": _("The payment request is sent to the citizen."),
    "sms": _("The payment request is sent to the citizen by text message."),
    "page": _(
        "The payment request is on the citizen's appointment page. They have no "
        "e-mail address and text messages are off: tell them how to pay."
    ),
}


STATES = {
    "open": _("Not paid yet"),
    "pending": _("Being processed"),
    "paid": _("Paid"),
    "failed": _("Failed"),
    "expired": _("Expired"),
    "canceled": _("Cancelled"),
}


def payments_for(appointment, citizen_url=None):
    """The payments of this appointment, for its pages.

    With the citizen's URL (their page) a paid payment has its ``receipt_url``.
    """
    with api.env.adopt_roles(["Manager"]):
        dossier = dossiers.of(appointment)
        if dossier is None:
            return []
        items = [
            {
                **payments.payment_json(p),
                "amount_text": formatting.price(f"{p['amount'] / 100:.2f}"),
                "state_title": STATES.get(p["state"], p["state"]),
                "sent_title": SENT.get(p.get("sent_by")),
                "receipt_url": receipt_url(dossier, p, citizen_url)
                if citizen_url
                else None,
            }
            for p in payments.of_appointment(dossier, appointment.getId())
        ]
    return items
