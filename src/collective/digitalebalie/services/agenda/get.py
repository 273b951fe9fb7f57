"""GET /@agenda?start=YYYY-MM-DD&end=YYYY-MM-DD&scope=mine|team|all&q=name&cancelled=true"""

from collective.digitalebalie import _
from collective.digitalebalie import agenda
from collective.digitalebalie import validation
from collective.digitalebalie.booking.input import parse_range
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.errors import error_body


class AgendaGet(Service):
    def reply(self):
        self.request.response.setHeader("Cache-Control", "private, no-store")
        form = self.request.form
        try:
            scope = validation.one_value(form, "scope") or "mine"
            query = validation.one_value(form, "q")
            cancelled = validation.one_value(form, "cancelled") in ("true", "1")
        except validation.Refused as error:
            return error_body(
                self.request,
                400,
                "ValidationError",
                _("Some fields are not filled in correctly."),
                {error.field: error.message},
            )
        first, last = parse_range(form)
        pairs = agenda.entries(scope, first, last, query, cancelled=cancelled)
        items = [agenda.item_json(a, p) for a, p in pairs]
        return {
            "start": first.isoformat(),
            "end": last.isoformat(),
            "scope": scope,
            "items": items,
            "items_total": len(items),
        }
