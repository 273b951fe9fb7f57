"""The citizen's own appointment, reached with the secret token from their link.

GET  /@appointment/{token}
POST /@appointment/{token}/cancel
POST /@appointment/{token}/reschedule   {"start": "..."}
"""

from collective.digitalebalie import _
from collective.digitalebalie import appointments
from collective.digitalebalie.booking.rules import RuleError
from collective.digitalebalie.services.errors import booking_error
from collective.digitalebalie.services.errors import error_body
from collective.digitalebalie.services.serialize import appointment_json
from collective.digitalebalie.video import rooms
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from plone.restapi.exceptions import DeserializationError
from plone.restapi.services import Service
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


@implementer(IPublishTraverse)
class _TokenService(Service):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self

    def _appointment(self):
        token = self.params[0] if self.params else ""
        return token, appointments.find_by_token(token)

    def render(self):
        # Links carry a secret: never cache, never leak it to other sites.
        self.request.response.setHeader("Cache-Control", "no-store")
        self.request.response.setHeader("Referrer-Policy", "no-referrer")
        return super().render()


class AppointmentGet(_TokenService):
    """GET /@appointment/{token} and GET /@appointment/{token}/video."""

    def reply(self):
        video = self.params[1:] == ["video"]
        if len(self.params) != 1 and not video:
            return error_body(
                self.request, 404, "NotFound", _("No appointment with this link.")
            )
        try:
            token, appointment = self._appointment()
            if video:
                return rooms.join_info(
                    appointment,
                    "citizen",
                    f"citizen-{appointment.getId()}",
                    appointment.fullname,
                )
        except appointments.BookingError as error:
            return booking_error(self.request, error)
        return appointment_json(appointment, token)


class AppointmentPost(_TokenService):
    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        action = self.params[1] if len(self.params) == 2 else None
        if action not in ("cancel", "reschedule"):
            return error_body(
                self.request, 404, "NotFound", _("No appointment with this link.")
            )
        try:
            token, appointment = self._appointment()
            if action == "cancel":
                appointments.cancel(appointment)
            else:
                try:
                    data = json_body(self.request)
                except DeserializationError:
                    data = None
                if not isinstance(data, dict):
                    return error_body(
                        self.request,
                        400,
                        "ValidationError",
                        _("Send the new time as JSON."),
                    )
                appointments.reschedule(appointment, data.get("start"))
        except appointments.BookingError as error:
            return booking_error(self.request, error)
        except RuleError:
            return error_body(
                self.request,
                409,
                "NotBookable",
                _("This service cannot be booked online at the moment."),
            )
        return appointment_json(appointment, token)
