"""The walk-in queue for counter staff (issue 19).

GET  /@queue                            the waiting citizens of the user's teams
GET  /@queue/watch/{product uid}        how the agenda follows that queue
POST /@queue/next                       take the one who waited longest
POST /@queue/callbacks/{id}/done        a callback request was handled
GET  /@availability, POST /@availability {"available": bool}
GET  {product}/@queue-statistics        joined, taken, left and waits per day
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.booking.input import check_range
from collective.digitalebalie.booking.input import parse_day
from collective.digitalebalie.services.base import PathService
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import StaffWrite
from collective.digitalebalie.video import rooms
from collective.digitalebalie.walkin import availability
from collective.digitalebalie.walkin import staff
from datetime import timedelta
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


class QueueStatisticsGet(Service):
    """GET {product}/@queue-statistics?start=&end=: the walk-in queue per day
    (default: the last 30 days), for the product's teams and managers."""

    def reply(self):
        product = self.context
        serves = teams.user_teams() & set(teams.product_teams(product))
        if not serves and not api.user.has_permission(teams.VIEW_ALL, obj=product):
            raise errors.Forbidden(
                _("Only the teams of this service and managers see its statistics.")
            )
        self.request.response.setHeader("Cache-Control", "private, no-store")
        today = settings.now_utc().astimezone(settings.site_timezone()).date()
        form = self.request.form
        end = parse_day(form["end"], "end") if form.get("end") else today
        start = (
            parse_day(form["start"], "start")
            if form.get("start")
            else end - timedelta(days=30)
        )
        check_range(start, end)
        items = staff.statistics_of(product, start, end)
        return {"items": items, "items_total": len(items)}
