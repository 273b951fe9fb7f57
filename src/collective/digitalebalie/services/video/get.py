"""GET {appointment}/@video: the counter employee's way into the room."""

from collective.digitalebalie import errors
from collective.digitalebalie.services.errors import booking_error
from collective.digitalebalie.video import rooms
from plone import api
from plone.restapi.services import Service


class VideoGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "no-store")
        user = api.user.get_current()
        name = user.getProperty("fullname", "") or user.getUserName()
        try:
            return rooms.join_info(
                self.context, "employee", rooms.employee_participant(user.getId()), name
            )
        except errors.UserError as error:
            return booking_error(self.request, error)
