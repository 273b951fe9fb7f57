"""The walk-in queue for counter staff (issue 19).

GET  /@queue                            the waiting citizens of the user's teams
GET  /@queue/watch/{product uid}        how the agenda follows that queue
POST /@queue/next                       take the one who waited longest
POST /@queue/callbacks/{id}/done        a callback request was handled
GET  /@availability, POST /@availability {"available": bool}
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import teams
from collective.digitalebalie.services.base import PathService
from collective.digitalebalie.services.base import StaffWrite
from collective.digitalebalie.video import rooms
from collective.digitalebalie.walkin import availability
from collective.digitalebalie.walkin import staff
from plone import api


class QueueGet(PathService):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "no-store")
        user = api.user.get_current()
        if len(self.params) == 2 and self.params[0] == "watch":
            # How the agenda follows one product's queue (see rooms.py).
            for product in availability.products_of_teams(teams.user_teams(user)):
                if product.UID() == self.params[1]:
                    participant = rooms.employee_participant(user.getId())
                    return rooms.queue_watch_info(product, "employee", participant)
            raise errors.NotFound(_("Not found."))
        if self.params:
            raise errors.NotFound(_("Not found."))
        items, callbacks = staff.staff_view(user)
        return {
            "items": items,
            "items_total": len(items),
            "callbacks": callbacks,
            "available": availability.is_available(user.getId()),
        }


class QueuePost(StaffWrite, PathService):
    def reply(self):
        self.body()
        user = api.user.get_current()
        if self.params == ["next"]:
            appointment, ticket, product = staff.take_next(user)
            self.request.response.setStatus(201)
            return {
                "appointment": appointment.absolute_url(),
                "ticket": staff.ticket_json(ticket, product, appointment),
            }
        if len(self.params) == 3 and self.params[::2] == ["callbacks", "done"]:
            staff.callback_done(user, self.params[1])
            return {"done": True}
        raise errors.NotFound(_("Not found."))


class AvailabilityGet(PathService):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "no-store")
        return {"available": availability.is_available(api.user.get_current().getId())}


class AvailabilityPost(StaffWrite):
    def reply(self):
        data = self.body()
        available = data.get("available")
        if not isinstance(available, bool):
            raise errors.InvalidInput(
                _("Send true or false."), {"available": _("Send true or false.")}
            )
        user_id = api.user.get_current().getId()
        availability.set_available(user_id, available)
        return {"available": availability.is_available(user_id)}
