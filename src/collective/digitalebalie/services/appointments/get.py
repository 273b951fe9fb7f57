"""GET {product}/@appointments?start=YYYY-MM-DD&end=YYYY-MM-DD, for counter staff."""

from collective.digitalebalie import agenda
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.input import parse_range
from collective.digitalebalie.services.base import Service
from plone import api


class AppointmentsGet(Service):
    def reply(self):
        first, last = parse_range(self.request.form, default_days=30)
        self.request.response.setHeader("Cache-Control", "private, no-store")
        items = [
            agenda.item_json(appointment, self.context)
            for appointment in store.listing(self.context, first, last)
            # Only the product's teams and managers see its appointments.
            if api.user.has_permission("View", obj=appointment)
        ]
        return {"items": items, "items_total": len(items)}
