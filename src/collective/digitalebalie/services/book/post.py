"""POST {product}/@book: book an appointment without an account."""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import limits
from collective.digitalebalie import settings
from collective.digitalebalie.booking import actions
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import json_object
from collective.digitalebalie.services.errors import error_body
from collective.digitalebalie.services.serialize import citizen_url
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


MAKE_APPOINTMENTS = "collective.digitalebalie: Make appointments for citizens"


class BookPost(Service):
    def reply(self):
        # A JSON body cannot be sent cross-site without CORS consent, and a
        # citizen has no session to ride on; the booking itself is the write.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        if data is None:
            return error_body(
                self.request, 400, "ValidationError", _("Send the booking as JSON.")
            )
        # Counter staff of the product's teams book for a citizen who phoned
        # or wrote in. Their session must not be usable from another site: a
        # cross-site form cannot send application/json without CORS consent.
        staff = api.user.has_permission(MAKE_APPOINTMENTS, obj=self.context)
        if staff and not (self.request.getHeader("Content-Type") or "").startswith(
            "application/json"
        ):
            return error_body(
                self.request,
                415,
                "UnsupportedMediaType",
                _("Send the booking as JSON (Content-Type: application/json)."),
            )
        # Many bookings from one address: first a solved ALTCHA challenge
        # (in "altcha": the widget's base64 payload, or the object itself).
        gate = limits.ClientGate(self.request, exempt=staff)
        challenge = gate.check(data.get("altcha"))
        if challenge is not None:
            raise limits.ChallengeRequired(challenge, gate.refused_solution)
        # Staff may choose the citizen's open dossier ("join", the default)
        # or a new one ("new"), as in the new-appointment form.
        choice = data.get("dossier", "join") if staff else "join"
        if choice not in ("join", "new"):
            raise errors.InvalidInput(
                _("Choose: add to the open dossier, or start a new one."),
                {"dossier": _("Choose: add to the open dossier, or start a new one.")},
            )
        appointment, token = actions.book(
            self.context, data, staff=staff, join_dossier=choice == "join"
        )
        gate.booked()
        self.request.response.setStatus(201)
        self.request.response.setHeader("Cache-Control", "no-store")
        tz = settings.site_timezone()
        if staff:
            # The secret link goes to the citizen only, by e-mail.
            return {
                "@id": appointment.absolute_url(),
                "start": appointment.start.astimezone(tz).isoformat(),
                "end": appointment.end.astimezone(tz).isoformat(),
                "state": api.content.get_state(appointment),
                "assignee": appointment.assignee,
            }
        return {
            "token": token,
            "url": citizen_url(token),
            "start": appointment.start.astimezone(tz).isoformat(),
            "end": appointment.end.astimezone(tz).isoformat(),
            "state": api.content.get_state(appointment),
        }
