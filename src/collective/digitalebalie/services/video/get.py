"""GET {appointment}/@video: the counter employee's way into the room."""

from collective.digitalebalie.services.base import Service
from collective.digitalebalie.video import rooms
from plone import api


class VideoGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "no-store")
        user = api.user.get_current()
        name = user.getProperty("fullname", "") or user.getUserName()
        return rooms.join_info(
            self.context, "employee", rooms.employee_participant(user.getId()), name
        )
