"""GET {product}/@appointments?start=YYYY-MM-DD&end=YYYY-MM-DD, for counter staff."""

from collective.digitalebalie import _
from collective.digitalebalie import appointments
from collective.digitalebalie.booking.rules import MAX_RANGE_DAYS
from collective.digitalebalie.services.errors import booking_error
from collective.digitalebalie.services.errors import error_body
from datetime import timedelta
from plone import api
from plone.restapi.services import Service


class AppointmentsGet(Service):
    def reply(self):
        tz = appointments.site_timezone()
        today = appointments.now_utc().astimezone(tz).date()
        form = self.request.form
        try:
            first = (
                appointments.parse_day(form["start"], "start")
                if form.get("start")
                else today
            )
            last = (
                appointments.parse_day(form["end"], "end")
                if form.get("end")
                else first + timedelta(days=30)
            )
        except appointments.BookingError as error:
            return booking_error(self.request, error)
        if last < first or (last - first).days + 1 > MAX_RANGE_DAYS:
            return error_body(
                self.request,
                400,
                "ValidationError",
                _(
                    "Ask for at most ${days} days at once.",
                    mapping={"days": MAX_RANGE_DAYS},
                ),
                {"end": _("Use a date on or after the start date.")},
            )
        self.request.response.setHeader("Cache-Control", "private, no-store")
        items = [
            {
                "@id": appointment.absolute_url(),
                "id": appointment.getId(),
                "start": appointment.start.astimezone(tz).isoformat(),
                "end": appointment.end.astimezone(tz).isoformat(),
                "state": api.content.get_state(appointment),
                "channel": appointment.channel,
                "fullname": appointment.fullname,
                "language": appointment.language,
            }
            for appointment in appointments.listing(self.context, first, last)
        ]
        return {"items": items, "items_total": len(items)}
