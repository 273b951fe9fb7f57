"""Payment of fees during or after the conversation.

An employee asks for a payment (amount in cents, default the product's
price); the citizen pays at the provider (Mollie, iDEAL) through a button on
their appointment page and in the mail. The provider's webhook carries only
the payment id: the add-on then asks the provider for the status, so a forged
or replayed webhook changes nothing. The first change to "paid" writes a
receipt (PDF/A) into the dossier; concurrent webhooks conflict in ZODB and the
retry sees the payment already paid. A webhook can get lost (the site was
down, a proxy refused it): the delivery job asks Mollie itself about payments
that are still open some minutes after they were made, less often as time
goes by (``poll_open``).

Providers: ``mollie`` (its REST API through mollie-api-python) and ``test``, a
clearly marked built-in provider for the demo that needs no network.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import credentials
from collective.digitalebalie import logger
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.events import AppointmentChanged
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.errors import NotFound
from collective.digitalebalie.errors import UserError as BookingError
from collective.digitalebalie.errors import WrongState
from collective.digitalebalie.integrations import notifications
from collective.digitalebalie.integrations import payment_return
from collective.digitalebalie.integrations import receipts
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from collective.digitalebalie.video import notices
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation
from persistent.mapping import PersistentMapping
from plone import api
from ZODB.POSException import ConflictError
from zope.annotation.interfaces import IAnnotations
from zope.event import notify
import secrets
import time
import transaction


PAYMENTS_KEY = "collective.digitalebalie.payments"  # on a dossier: id -> payment
INDEX_KEY = "collective.digitalebalie.payment-index"  # on the portal: provider id -> (dossier, id)
# On the portal: provider id -> (next poll, polls so far), for open Mollie payments.
WATCH_KEY = "collective.digitalebalie.payment-watch"
# Mollie normally calls the webhook within seconds; ask only when it did not.
POLL_AFTER = timedelta(minutes=5)
POLL_MAX_PAUSE = timedelta(hours=1)
OPEN = ("open", "pending")
FINAL = ("paid", "failed", "expired", "canceled")
MAX_CENTS = 1_000_000  # 10,000 euros


class ProviderError(BookingError):
    type = "PaymentProviderUnavailable"
    status = 503


def provider_name():
    return setting("payment_provider", "test")


def cents(price):
    """A product price in euros ("24.50") as cents, or None."""
    try:
        value = Decimal(str(price or "0"))
    except InvalidOperation:
        return None
    return int((value * 100).to_integral_value()) if value > 0 else None


def euros(amount):
    return f"{amount // 100}.{amount % 100:02d}"


def _payments(dossier, create=True):
    annotations = IAnnotations(dossier)
    if PAYMENTS_KEY not in annotations and create:
        annotations[PAYMENTS_KEY] = OOBTree()
    return annotations.get(PAYMENTS_KEY)


def _index():
    return annotation(api.portal.get(), INDEX_KEY, OOBTree)


def _watch():
    """Open Mollie payments the delivery job asks about when no webhook came."""
    annotations = IAnnotations(api.portal.get())
    if WATCH_KEY not in annotations:
        watch = OOBTree()
        # A site from before this list: watch the Mollie payments still open.
        now = datetime.now(UTC)
        for provider_id in _index():
            try:
                _dossier, payment = find(provider_id)
            except NotFound:
                continue
            if payment["provider"] == "mollie" and payment["state"] in OPEN:
                watch[provider_id] = (now, 0)
        annotations[WATCH_KEY] = watch
    return annotations[WATCH_KEY]


def _unwatch(payment):
    watch = _watch()
    if payment["provider_id"] in watch:
        del watch[payment["provider_id"]]


def all_of(dossier):
    payments = _payments(dossier, create=False)
    return sorted(payments.values(), key=lambda p: p["created"]) if payments else []


def of_appointment(dossier, appointment_id):
    return [p for p in all_of(dossier) if p["appointment_id"] == appointment_id]


def open_requests(dossier):
    return [p for p in all_of(dossier) if p["state"] in OPEN]


# --- providers ----------------------------------------------------------------------


def _mollie():
    from mollie.api.client import Client

    client = Client(
        api_endpoint=setting("mollie_api_endpoint", "") or "",
        timeout=(5, 15),
        retry=0,
    )
    client.set_api_key(credentials.get_secret("mollie_api_key"))
    return client


def _portal_url():
    return api.portal.get().absolute_url()


# The language of the payment page (Mollie's ``locale``): the booking's.
MOLLIE_LOCALES = {"nl": "nl_NL", "en": "en_US"}


def mollie_locale(language):
    return MOLLIE_LOCALES.get(language or "nl", MOLLIE_LOCALES["nl"])


def _create_at_provider(payment, dossier_id, language):
    """Create the payment at the provider; returns (provider id, checkout URL)."""
    if provider_name() == "mollie":
        from mollie.api.error import Error as MollieError

        try:
            created = _mollie().payments.create(
                {
                    "amount": {"currency": "EUR", "value": euros(payment["amount"])},
                    "description": payment["description"][:255],
                    "method": "ideal",
                    # No secret of the citizen's: the provider keeps this address.
                    "redirectUrl": payment_return.url(dossier_id, payment["id"]),
                    "webhookUrl": f"{_portal_url()}/@@mollie-webhook",
                    "metadata": {"payment": payment["id"]},
                    # Else Mollie guesses from the browser, which may not be the
                    # language the citizen booked in.
                    "locale": mollie_locale(language),
                },
                # A retry (after a ZODB conflict) gets the same payment, not a second one.
                idempotency_key=payment["id"],
            )
        except MollieError as error:
            # Never the message itself: it may quote the API key.
            logger.error("Mollie refused or unreachable: %s", type(error).__name__)
            raise ProviderError(
                _("Payments cannot be made at the moment. Please try again later.")
            ) from None
        return created.id, created.checkout_url
    return f"test_{payment['id']}", f"{_portal_url()}/@@test-payment/{payment['id']}"


def provider_status(provider_id):
    """The status the provider gives now (never what a webhook body says)."""
    if provider_name() == "mollie":
        from mollie.api.error import Error as MollieError

        try:
            return _mollie().payments.get(provider_id).status
        except MollieError as error:
            logger.warning(
                "Mollie: status of %s not fetched: %s",
                provider_id,
                type(error).__name__,
            )
            raise ProviderError(
                _("The payment provider could not be reached.")
            ) from None
    raise NotFound(_("Unknown payment."))


# --- actions ------------------------------------------------------------------------


def request_payment(dossier, appointment, amount, description, user_id):
    """An employee asks the citizen to pay; returns the payment."""
    if (
        api.content.get_state(dossier) not in dossiers.ACTIVE
        or getattr(appointment, "anonymized", None)
        or api.content.get_state(appointment) == "cancelled"
    ):
        raise WrongState(_("No payment can be asked for this appointment (any more)."))
    refused = {}
    if not (type(amount) is int and 1 <= amount <= MAX_CENTS):
        refused["amount"] = _(
            "Give an amount from € 0.01 to € 10,000, for example 24,50."
        )
    description = " ".join(str(description or "").split())[:200]
    if not description:
        refused["description"] = _("Describe what the payment is for.")
    if refused:
        raise InvalidInput(next(iter(refused.values())), refused)
    payment = PersistentMapping(
        id=secrets.token_hex(8),
        amount=amount,
        description=description,
        state="open",
        provider=provider_name(),
        appointment_id=appointment.getId(),
        requested_by=user_id,
        created=datetime.now(UTC),
    )
    payment["provider_id"], payment["checkout_url"] = _create_at_provider(
        payment, dossier.getId(), getattr(appointment, "language", None)
    )
    _payments(dossier)[payment["id"]] = payment
    _index()[payment["provider_id"]] = (dossier.getId(), payment["id"])
    if payment["provider"] == "mollie":
        _watch()[payment["provider_id"]] = (payment["created"] + POLL_AFTER, 0)
    audit.log(dossier, "payment requested", f"{euros(amount)} EUR: {description}")
    payment["sent_by"] = notifications.payment_requested(appointment, payment) or "page"
    notices.changed(appointment, "payments")
    notify(AppointmentChanged(appointment, "payments"))
    return payment


def find(provider_id):
    """(dossier, payment) for a provider's id, or raise NotFound."""
    entry = _index().get(provider_id) if isinstance(provider_id, str) else None
    return get(*(entry or ("", "")))


def get(dossier_id, payment_id):
    """(dossier, payment) for our ids, or raise NotFound."""
    folder = dossiers.dossiers_folder()
    dossier = folder._getOb(dossier_id, None) if dossier_id else None
    payments = _payments(dossier, create=False) if dossier is not None else None
    payment = payments.get(payment_id) if payments else None
    if payment is None:
        raise NotFound(_("Unknown payment."))
    return dossier, payment


def update(dossier, payment, status):
    """Set the state the provider reported; the first "paid" writes the receipt."""
    status = "canceled" if status == "cancelled" else status
    # Mollie's "authorized" (some methods other than iDEAL): not paid yet.
    status = "pending" if status == "authorized" else status
    if status not in OPEN + FINAL:
        logger.warning("payment %s: unknown status %r", payment["id"], status)
        raise ProviderError(_("The payment provider gave an unknown answer."))
    if status == payment["state"] or payment["state"] in FINAL:
        return False
    payment["state"] = status
    if status in FINAL:
        _unwatch(payment)
    audit.log(dossier, "payment " + status, payment["id"], who="payment provider")
    notices.changed(payment["appointment_id"], "payments")
    _changed(payment)
    if status == "paid":
        payment["paid"] = datetime.now(UTC)
        write_receipt(dossier, payment)
    return True


def write_receipt(dossier, payment):
    """A PDF/A receipt in the dossier (a name of its own: tests replace it)."""
    return receipts.write(dossier, payment)


def withdraw(dossier, payment_id):
    """An employee takes back an open request (at Mollie: cancels the payment)."""
    payments = _payments(dossier, create=False) or {}
    payment = payments.get(payment_id) if isinstance(payment_id, str) else None
    if payment is None:
        raise NotFound(_("Unknown payment."))
    if payment["state"] not in OPEN:
        raise WrongState(_("This payment request can no longer be withdrawn."))
    if payment["provider"] == "mollie":
        from mollie.api.error import Error as MollieError

        try:
            _mollie().payments.delete(payment["provider_id"])
        except MollieError as error:
            logger.warning(
                "Mollie: %s not cancelled: %s",
                payment["provider_id"],
                type(error).__name__,
            )
            raise WrongState(
                _(
                    "The payment provider did not cancel this payment (it may be paid already)."
                )
            ) from None
    payment["state"] = "canceled"
    _unwatch(payment)
    audit.log(dossier, "payment request withdrawn", payment["id"])
    notices.changed(payment["appointment_id"], "payments")
    _changed(payment)
    return payment


def _changed(payment):
    """Tell the listeners (the statistics) that the appointment's payments changed."""
    appointment = store.appointments_folder()._getOb(payment["appointment_id"], None)
    if appointment is not None:
        notify(AppointmentChanged(appointment, "payments"))


def forget(dossier):
    """Before a dossier is destroyed: its payments leave the index."""
    index = _index()
    for payment in all_of(dossier):
        if index.get(payment["provider_id"], (None,))[0] == dossier.getId():
            del index[payment["provider_id"]]
            _unwatch(payment)


def poll_pause(polls):
    """How long to wait after the n-th question about one payment: 5, 10, 20, 40, 60 min."""
    return min(POLL_AFTER * 2 ** max(polls - 1, 0), POLL_MAX_PAUSE)


def poll_open(now=None, limit=50, budget=20.0, give_up_after=3):
    """Ask Mollie for the state of open payments whose webhook did not come.

    The same path as the webhook (``provider_status`` then ``update``), so a
    payment that turns out paid gets its one receipt however the news
    arrives. Commits per payment; returns counts. One payment that fails in
    any way is logged and asked again later; it never stops the others (nor
    the rest of the job). When Mollie does not answer ``give_up_after`` times
    in a row, or ``budget`` seconds are spent, the rest waits for the next run.
    """
    result = {"checked": 0, "changed": 0, "failed": 0}
    if provider_name() != "mollie":
        return result
    now = now or datetime.now(UTC)
    deadline = time.monotonic() + budget
    transaction.commit()  # start from what is committed
    due = [key for key, (when, _polls) in _watch().items() if when <= now][:limit]
    unanswered = 0
    for provider_id in due:
        if unanswered >= give_up_after or time.monotonic() > deadline:
            break
        entry = _watch().get(provider_id)
        if entry is None:  # settled by a webhook meanwhile
            continue
        polls = entry[1] + 1
        try:
            outcome = _poll_one(provider_id, polls, now)
        except ProviderError:
            transaction.abort()
            outcome = "failed"
            unanswered += 1
        except Exception:
            transaction.abort()
            logger.exception("asking Mollie about payment %s failed", provider_id)
            outcome = "failed"
        else:
            unanswered = 0
        if outcome == "failed":
            result["checked"] += 1
            result["failed"] += 1
            _reschedule(provider_id, polls, now)
        elif outcome is not None:
            result["checked"] += 1
            result["changed"] += outcome == "changed"
    return result


def _poll_one(provider_id, polls, now):
    """None (nothing to ask), "same" or "changed"; committed. Raises on failure."""
    watch = _watch()
    try:
        dossier, payment = find(provider_id)
    except NotFound:
        dossier = payment = None
    if payment is None or payment["state"] not in OPEN:
        watch.pop(provider_id, None)
        transaction.commit()
        return None
    status = provider_status(provider_id)
    changed = update(dossier, payment, status)
    if payment["state"] in OPEN:
        watch[provider_id] = (now + poll_pause(polls), polls)
    try:
        transaction.commit()
    except ConflictError:
        # A webhook for the same payment at the same moment: it wins, and
        # the next run sees what it stored.
        transaction.abort()
        return "same"
    if changed:
        logger.info(
            "payment %s is %s: asked Mollie, no webhook came", provider_id, status
        )
    return "changed" if changed else "same"


def _reschedule(provider_id, polls, now):
    """After a failure: ask again after the usual pause (in its own transaction)."""
    try:
        watch = _watch()
        if provider_id in watch:
            watch[provider_id] = (now + poll_pause(polls), polls)
        transaction.commit()
    except ConflictError:
        transaction.abort()


def payment_json(payment):
    return {
        "id": payment["id"],
        "amount": payment["amount"],
        "currency": "EUR",
        "description": payment["description"],
        "state": payment["state"],
        "pay_url": payment["checkout_url"] if payment["state"] in OPEN else None,
        "test": payment["provider"] == "test",
        "sent_by": payment.get("sent_by"),  # mail, sms, page (neither)
    }
