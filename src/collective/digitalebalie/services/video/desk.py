"""GET {appointment}/@desk: how the employee's appointment page follows changes."""

from collective.digitalebalie.services.base import Service
from collective.digitalebalie.video import rooms
from plone import api


class DeskGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "no-store")
        user = api.user.get_current()
        return rooms.desk_info(
            self.context, "employee", rooms.employee_participant(user.getId())
        )
