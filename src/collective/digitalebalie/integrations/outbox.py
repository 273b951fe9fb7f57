"""A transactional outbox: mail and text messages are stored with the change
that causes them, and sent later.

A booking commits its confirmation into the outbox in the same transaction,
so no message is lost when the SMTP server is down: the delivery job (run
every minute) sends what is due, and retries with growing pauses. Two runs at
the same time do not send a message twice: each run first claims a message
in its own transaction, and ZODB lets only one of two claims commit.

A mail that takes long to make (MIME and an iCalendar invitation: a third of
a booking's time) may be queued as an order to compose it (``queue_later``):
the run that claims it has a composer (a named ``IComposer`` utility) make it,
in the claim's transaction, so every attempt after that sends the same message.
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
from zope.component import queryUtility
from zope.interface import Interface
import secrets
import transaction


OUTBOX_KEY = "collective.digitalebalie.outbox"


class IComposer(Interface):
    """Makes the mail of an item queued with ``queue_later`` (a named utility)."""

    def __call__(item, details, preview=False):
        """An EmailMessage for ``item`` (its kind, ``mto``); ``details`` as
        queued. ``preview``: for a person to read, without any secret, nothing
        written. Raise CannotCompose when it can never be made."""


class CannotCompose(Exception):
    """The message can never be made (what it is about is gone)."""


class OutboxMessage(Persistent):
    captured = False  # kept in the outbox by the demo setting, not sent
    # Not made yet: {"composer": name, ...details} for the composer (queue_later).
    compose = None
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


def queue_later(to, mfrom, subject, kind, composer, **details):
    """Queue a mail that the delivery job composes just before it sends it.

    ``details``: what the named ``IComposer`` needs (plain values; no secret
    in clear: this is stored). The subject is shown until then.
    """
    item = OutboxMessage(to, mfrom, subject, "", kind)
    item.compose = {"composer": composer, **details}
    outbox()[item.id] = item
    return item


def composer_of(item):
    """The composer of an item queued with queue_later, and its details."""
    details = dict(item.compose)
    return queryUtility(IComposer, name=details.pop("composer")), details


def _compose(item, now):
    """Make a queued order into its message (in the claim's transaction).

    Returns False when it could not be made: then the item notes why (given
    up when it never can be, else tried again later, as a failed sending).
    """
    if item.compose is None:
        return True
    composer, details = composer_of(item)
    savepoint = transaction.savepoint()
    try:
        if composer is None:
            raise CannotCompose(f"nothing composes {item.kind} messages")
        message = composer(item, details)
    except CannotCompose as reason:
        savepoint.rollback()
        item.gave_up = True
        item.compose = None
        item.error = f"Not made: {reason}"[:500]
        logger.warning("mail %s not made: %s", item.id, reason)
    except ConflictError:
        raise
    except Exception as error:  # noqa: BLE001 - the other messages still go
        savepoint.rollback()
        item.attempts += 1
        item.error = f"Not made: {type(error).__name__}: {error}"[:500]
        item.next_try = now + timedelta(seconds=pause_after(item.attempts))
        # The type only: the text may name the citizen (the page shows it).
        logger.error("mail %s not made: %s", item.id, type(error).__name__)
    else:
        item.message = message.as_string()
        item.mfrom = message["From"]
        item.subject = message["Subject"]
        item.compose = None
        return True
    item.claimed_until = None
    return False


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
            made = _compose(item, now)
            transaction.commit()
        except ConflictError:
            transaction.abort()
            result["skipped"] += 1
            continue
        if not made:
            result["failed"] += 1
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
