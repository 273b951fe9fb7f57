"""The walk-in queue for citizens (issue 19).

POST {product}/@queue                 {"fullname", "language", "phone"?, "email"?}
GET  /@queue-ticket/{token}           the place, the wait, the state
GET  /@queue-ticket/{token}/watch     how the page follows the queue (live desk's Watch)
POST /@queue-ticket/{token}/leave
POST /@queue-ticket/{token}/callback  {"phone"}
POST /@queue-ticket/{token}/callback/cancel
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import limits
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import TokenService
from collective.digitalebalie.services.base import json_object
from collective.digitalebalie.video import rooms
from collective.digitalebalie.walkin import callbacks
from collective.digitalebalie.walkin import queue
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


class QueuePost(Service):
    """POST {product}/@queue: join the product's walk-in queue."""

    def reply(self):
        # As @book: a citizen has no session to ride on; the join is the write.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        if data is None:
            raise errors.InvalidInput(_("Send a JSON object."))
        # The same limit per client address as booking (limits.py).
        gate = limits.ClientGate(self.request)
        challenge = gate.check(data.get("altcha"))
        if challenge is not None:
            raise limits.ChallengeRequired(challenge, gate.refused_solution)
        _ticket, token, position = queue.join(self.context, data)
        gate.booked()
        self.request.response.setStatus(201)
        self.request.response.setHeader("Cache-Control", "no-store")
        return {
            "token": token,
            "url": queue.ticket_url(token),
            "position": position,
            "estimated_wait_minutes": queue.estimate(self.context, position),
        }


class TicketGet(TokenService):
    """GET /@queue-ticket/{token}."""

    def reply(self):
        if self.params[1:] == ["watch"]:
            # How the page follows the queue (a watch token; see rooms.py).
            product, _queue, ticket = queue.find(self.token)
            return rooms.queue_watch_info(product, "citizen", f"queue-{ticket['id']}")
        if len(self.params) != 1:
            raise errors.NotFound(_("No place in a queue with this link."))
        return queue.ticket_status(self.token)


class TicketPost(TokenService):
    """POST /@queue-ticket/{token}/leave, /callback, /callback/cancel."""

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        action = tuple(self.params[1:])
        if action == ("leave",):
            queue.leave(self.token)
            return {"state": queue.LEFT}
        if action == ("callback",):
            data = json_object(self.request)
            if data is None:
                raise errors.InvalidInput(_("Send a JSON object."))
            callbacks.request_callback(self.token, data.get("phone"))
            self.request.response.setStatus(201)
            return queue.ticket_status(self.token)
        if action == ("callback", "cancel"):
            callbacks.cancel_callback(self.token)
            return queue.ticket_status(self.token)
        raise errors.NotFound(_("No place in a queue with this link."))
