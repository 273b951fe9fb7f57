"""Guests in the video room: an employee invites, the guest joins with the link.

POST {appointment}/@video-guest {"name"}  (counter staff) -> 201 {"url", "name"}
GET  /@video-guest/{token}                (holder of the link) -> join info
"""

from collective.digitalebalie import _
from collective.digitalebalie import appointments
from collective.digitalebalie.services.errors import booking_error
from collective.digitalebalie.services.errors import error_body
from collective.digitalebalie.video import rooms
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from plone.restapi.exceptions import DeserializationError
from plone.restapi.services import Service
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


class GuestPost(Service):
    def reply(self):
        # JSON only: a cross-site form cannot send this content type without
        # CORS consent, which this site never gives.
        content_type = self.request.getHeader("Content-Type") or ""
        if not content_type.startswith("application/json"):
            return error_body(
                self.request, 415, "UnsupportedMediaType", _("Send the guest as JSON.")
            )
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            data = json_body(self.request)
        except DeserializationError:
            data = None
        if not isinstance(data, dict):
            return error_body(
                self.request, 400, "ValidationError", _("Send the guest as JSON.")
            )
        try:
            token, guest = rooms.invite_guest(self.context, data.get("name"))
        except appointments.BookingError as error:
            return booking_error(self.request, error)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Cache-Control", "no-store")
        portal_url = api.portal.get().absolute_url()
        return {"url": f"{portal_url}/@@video-guest/{token}", "name": guest["name"]}


@implementer(IPublishTraverse)
class GuestGet(Service):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self

    def reply(self):
        self.request.response.setHeader("Cache-Control", "no-store")
        self.request.response.setHeader("Referrer-Policy", "no-referrer")
        try:
            appointment, guest = rooms.find_guest(self.params[0] if self.params else "")
            return rooms.join_info(
                appointment, "guest", guest["participant"], guest["name"]
            )
        except appointments.BookingError as error:
            return booking_error(self.request, error)
