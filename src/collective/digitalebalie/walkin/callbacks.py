"""Instead of waiting long: a citizen leaves a telephone number and is called
back. The request stays in the queue's record, for the team (with the number),
until an employee marks it done or the citizen cancels it."""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.booking.input import e164
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.walkin.availability import long_wait_minutes
from collective.digitalebalie.walkin.queue import LEFT
from collective.digitalebalie.walkin.queue import WAITING
from collective.digitalebalie.walkin.queue import estimate
from collective.digitalebalie.walkin.queue import find
from collective.digitalebalie.walkin.queue import finish
from collective.digitalebalie.walkin.queue import waiting
from datetime import UTC
from datetime import datetime


def request_callback(token, phone, now=None):
    """Instead of waiting long: leave a number and be called back."""
    now = now or now_utc()
    product, queue, ticket = find(token)
    if ticket["state"] != WAITING:
        raise errors.WrongState(_("You are no longer in the queue."))
    number = e164(phone) if isinstance(phone, str) else None
    if number is None:
        raise errors.InvalidInput(
            _("Fill in a valid telephone number, like 06 12345678."),
            {"phone": _("Fill in a valid telephone number, like 06 12345678.")},
        )
    ids = [t["id"] for t in waiting(product, now)]
    position = ids.index(ticket["id"]) + 1 if ticket["id"] in ids else 1
    wait = estimate(product, position, now) or 0
    if wait < long_wait_minutes():
        raise errors.WrongState(
            _("The wait is short. Please stay in the queue; it is your turn soon.")
        )
    callback = {"phone": number, "fullname": ticket["fullname"], "at": now.timestamp()}
    finish(product, queue, ticket, LEFT, now, callback=callback)


def cancel_callback(token):
    product, queue, ticket = find(token)
    if not ticket.get("callback"):
        raise errors.WrongState(_("You did not ask to be called back."))
    settle_callback(product, queue, ticket)


def settle_callback(product, queue, ticket):
    """A callback request is handled or cancelled: it leaves the team's list."""
    finish(
        product,
        queue,
        ticket,
        LEFT,
        datetime.fromtimestamp(ticket[LEFT], UTC),
        count=False,
        callback=None,
    )
