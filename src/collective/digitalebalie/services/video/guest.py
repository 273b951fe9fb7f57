"""Guests in the video room: an employee invites, the guest joins with the link.

POST {appointment}/@video-guest {"name"}  (counter staff) -> 201 {"url", "name"}
GET  /@video-guest/{token}                (holder of the link) -> join info
"""

from collective.digitalebalie.services.base import StaffWrite
from collective.digitalebalie.services.base import TokenService
from collective.digitalebalie.video import rooms
from plone import api


class GuestPost(StaffWrite):
    def reply(self):
        token, guest = rooms.invite_guest(self.context, self.body().get("name"))
        self.request.response.setStatus(201)
        portal_url = api.portal.get().absolute_url()
        return {"url": f"{portal_url}/@@video-guest/{token}", "name": guest["name"]}


class GuestGet(TokenService):
    def reply(self):
        appointment, guest = rooms.find_guest(self.token)
        return rooms.join_info(
            appointment, "guest", guest["participant"], guest["name"]
        )
