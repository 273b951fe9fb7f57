"""GET {product}/@appointments?start=YYYY-MM-DD&end=YYYY-MM-DD, for counter staff."""

from collective.digitalebalie import agenda
from collective.digitalebalie import appointments
from collective.digitalebalie.services.errors import booking_error
from plone import api
from plone.restapi.services import Service


class AppointmentsGet(Service):
    def reply(self):
        try:
            first, last = appointments.parse_range(self.request.form, default_days=30)
        except appointments.BookingError as error:
            return booking_error(self.request, error)
        self.request.response.setHeader("Cache-Control", "private, no-store")
        items = [
            agenda.item_json(appointment, self.context)
            for appointment in appointments.listing(self.context, first, last)
            # Only the product's teams and managers see its appointments.
            if api.user.has_permission("View", obj=appointment)
        ]
        return {"items": items, "items_total": len(items)}
