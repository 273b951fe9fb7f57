"""Guests in the video room: an employee invites, the guest joins with the link.

POST {appointment}/@video-guest {"name"}  (counter staff) -> 201 {"url", "name"}
GET  /@video-guest/{token}                (holder of the link) -> join info
"""

from collective.digitalebalie import _
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import TokenService
from collective.digitalebalie.services.base import json_object
from collective.digitalebalie.services.errors import error_body
from collective.digitalebalie.video import rooms
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


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
        data = json_object(self.request)
        if data is None:
            return error_body(
                self.request, 400, "ValidationError", _("Send the guest as JSON.")
            )
        token, guest = rooms.invite_guest(self.context, data.get("name"))
        self.request.response.setStatus(201)
        self.request.response.setHeader("Cache-Control", "no-store")
        portal_url = api.portal.get().absolute_url()
        return {"url": f"{portal_url}/@@video-guest/{token}", "name": guest["name"]}


class GuestGet(TokenService):
    def reply(self):
        appointment, guest = rooms.find_guest(self.token)
        return rooms.join_info(
            appointment, "guest", guest["participant"], guest["name"]
        )
