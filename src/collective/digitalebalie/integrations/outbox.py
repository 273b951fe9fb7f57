"""A transactional outbox: mail and text messages are stored with the change
that causes them, and sent later.

A booking commits its confirmation into the outbox in the same transaction,
so no message is lost when the SMTP server is down: the delivery job (run
every minute) sends what is due, and retries with growing pauses. Two runs at
the same time do not send a message twice: each run first claims a message
in its own transaction, and ZODB lets only one of two claims commit.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import logger
from collective.digitalebalie.integrations import sms
from collective.digitalebalie.integrations.retries import CLAIM
from collective.digitalebalie.integrations.retries import pause_after
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from persistent import Persistent
from plone import api
from ZODB.POSException import ConflictError
import secrets
import transaction


OUTBOX_KEY = "collective.digitalebalie.outbox"


class OutboxMessage(Persistent):
    captured = False  # kept in the outbox by the demo setting, not sent
    channel = "mail"  # or "sms": then ``message`` is the text, ``mto`` the number
    gave_up = False  # the gateway refused it for good (a wrong number, ...)
    # Not sent on purpose: the address had this many confirmations today (limits.py).
    withheld = 0

    def __init__(self, mto, mfrom, subject, message, kind):
        now = datetime.now(UTC)
        self.id = now.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(6)
        self.mto = mto
        self.mfrom = mfrom
        self.subject = subject
        self.message = message  # the whole MIME message, as text
        self.kind = kind
        self.created = now
        self.attempts = 0
        self.next_try = now
        self.claimed_until = None
        self.sent = None
        self.error = ""
        self.captured = False

    @property
    def state(self):
        if self.withheld:
            return "not sent"
        if self.gave_up:
            return "failed"
        if self.sent is not None:
            return "kept (demo)" if self.captured else "sent"
        return "retrying" if self.attempts else "waiting"


def outbox():
    return annotation(api.portal.get(), OUTBOX_KEY, OOBTree)


def queue(message, kind, to=None):
    """Put an email.message.EmailMessage into the outbox (this transaction).

    ``to``: the stored address the mail goes to, the envelope's only
    recipient; never the To header's text, whose display name is a
    person's input (without ``to``: the addresses of the To header).
    """
    if to is None:
        to = ", ".join(address.addr_spec for address in message["To"].addresses)
    item = OutboxMessage(
        to, message["From"], message["Subject"], message.as_string(), kind
    )
    outbox()[item.id] = item
    return item


def withhold(mto, mfrom, kind, limit):
    """Note in the outbox that a message to ``mto`` was not queued, and why.

    Holds no message (no link): only who, what kind, and the daily limit.
    """
    item = OutboxMessage(mto, mfrom, "—", "", kind)
    item.withheld = limit
    item.gave_up = True  # never due for delivery
    outbox()[item.id] = item
    return item


def queue_sms(to, sender, text, kind):
    """Put a text message to ``to`` (E.164) into the outbox (this transaction)."""
    item = OutboxMessage(to, sender, text[:80], text, kind)
    item.channel = "sms"
    outbox()[item.id] = item
    return item


def capture_only():
    return bool(setting("mail_capture_only", False))


def _due(now, force=False):
    return [
        item.id
        for item in outbox().values()
        if item.sent is None
        and not item.gave_up
        and (force or item.next_try <= now)
        and (item.claimed_until is None or item.claimed_until <= now)
    ]


def deliver(now=None, limit=100, force=False):
    """Send what is due (with ``force``: all unsent); return counts.

    Returns {"sent": n, "failed": n, "skipped": n}.

    Commits as it goes: a claim, then the result of each message.
    """
    now = now or datetime.now(UTC)
    result = {"sent": 0, "failed": 0, "skipped": 0}
    mailhost = api.portal.get_tool("MailHost")
    capture = capture_only()
    transaction.commit()  # start from what is committed
    for message_id in _due(now, force)[:limit]:
        item = outbox().get(message_id)
        try:
            # Look again: another run may have claimed or sent it meanwhile.
            if (
                item is None
                or item.sent is not None
                or (item.claimed_until is not None and item.claimed_until > now)
            ):
                raise ConflictError
            item.claimed_until = now + CLAIM
            transaction.commit()
        except ConflictError:
            transaction.abort()
            result["skipped"] += 1
            continue
        try:
            if capture:
                pass
            elif item.channel == "sms":
                sms.send(item.mto, item.message, item.id)
            else:
                mailhost.send(
                    item.message, mto=item.mto, mfrom=item.mfrom, immediate=True
                )
        except sms.SmsError as error:
            item.attempts += 1
            item.error = str(error)[:500]
            item.claimed_until = None
            result["failed"] += 1
            if error.permanent:
                item.gave_up = True
                logger.error("text message %s refused: %s", item.id, item.error)
            else:
                pause = pause_after(item.attempts)
                item.next_try = now + timedelta(seconds=pause)
                logger.warning(
                    "text message %s not sent (%s); next try in %s s",
                    item.id,
                    item.error,
                    pause,
                )
        except Exception as error:  # noqa: BLE001 - any failure means: try later
            pause = pause_after(item.attempts + 1)
            item.attempts += 1
            server = "{}:{}".format(
                api.portal.get_registry_record("plone.smtp_host", default="?"),
                api.portal.get_registry_record("plone.smtp_port", default="?"),
            )
            item.error = f"{type(error).__name__} ({server}): {error}"[:500]
            item.next_try = now + timedelta(seconds=pause)
            item.claimed_until = None
            result["failed"] += 1
            logger.warning(
                "mail %s not sent (%s); next try in %s s", item.id, item.error, pause
            )
        else:
            item.sent = datetime.now(UTC)
            item.captured = capture
            item.claimed_until = None
            result["sent"] += 1
        try:
            transaction.commit()
        except ConflictError:
            # Only this run writes a claimed message; should it still
            # conflict, the claim runs out and the message is tried again.
            transaction.abort()
            logger.warning("mail %s: result not stored", message_id)
    return result
