"""GET /@agenda?start=YYYY-MM-DD&end=YYYY-MM-DD&scope=mine|team|all&q=name&cancelled=true"""

from collective.digitalebalie import agenda
from collective.digitalebalie import appointments
from collective.digitalebalie.services.errors import booking_error
from plone.restapi.services import Service


class AgendaGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        form = self.request.form
        scope = form.get("scope") or "mine"
        try:
            first, last = appointments.parse_range(form)
            pairs = agenda.entries(
                scope,
                first,
                last,
                form.get("q") or "",
                cancelled=form.get("cancelled") in ("true", "1"),
            )
        except appointments.BookingError as error:
            return booking_error(self.request, error)
        items = [agenda.item_json(a, p) for a, p in pairs]
        return {
            "start": first.isoformat(),
            "end": last.isoformat(),
            "scope": scope,
            "items": items,
            "items_total": len(items),
        }
