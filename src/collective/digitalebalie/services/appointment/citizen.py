"""The citizen's own appointment, reached with the secret token from their link.

GET  /@appointment/{token}
GET  /@appointment/{token}/desk          how the page follows changes (live desk)
POST /@appointment/{token}/cancel
POST /@appointment/{token}/reschedule   {"start": "..."}
GET  /@appointment/{token}/documents     the citizen's own documents
GET  /@appointment/{token}/payments      with the receipt's address once paid
POST /@appointment/{token}/documents     multipart, file field "file"
POST /@appointment/{token}/satisfaction  {"score": 1-5, "comment": "..."}
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.booking import actions
from collective.digitalebalie.booking import links
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.citizen import citizen_documents
from collective.digitalebalie.dossiers.citizen import receipt_url
from collective.digitalebalie.dossiers.citizen import upload_for_citizen
from collective.digitalebalie.dossiers.documents import document_json
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.services.base import TokenService
from collective.digitalebalie.services.base import json_object
from collective.digitalebalie.services.errors import error_body
from collective.digitalebalie.services.serialize import appointment_json
from collective.digitalebalie.video import rooms
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


class _TokenService(TokenService):
    def _appointment(self):
        return self.token, links.find_by_token(self.token)

    def _open_appointment(self):
        """The appointment, unless it is cancelled: then its documents and
        payments are no longer shown with the link."""
        token, appointment = self._appointment()
        if api.content.get_state(appointment) == "cancelled":
            raise errors.WrongState(_("This appointment is cancelled."))
        return token, appointment


def _not_found(request):
    return error_body(request, 404, "NotFound", _("No appointment with this link."))


class AppointmentGet(_TokenService):
    """GET /@appointment/{token}[/video|/payments|/documents]."""

    def reply(self):
        handler = self.HANDLERS.get(tuple(self.params[1:])) if self.params else None
        return handler(self) if handler else _not_found(self.request)

    def appointment(self):
        token, appointment = self._appointment()
        return appointment_json(appointment, token)

    def video(self):
        _token, appointment = self._appointment()
        return rooms.join_info(
            appointment,
            "citizen",
            f"citizen-{appointment.getId()}",
            appointment.fullname,
        )

    def desk(self):
        """How the citizen's page follows changes (see rooms.desk_info)."""
        _token, appointment = self._open_appointment()
        return rooms.desk_info(appointment, "citizen", f"citizen-{appointment.getId()}")

    def payments(self):
        token, appointment = self._open_appointment()
        url = links.citizen_url(token)
        with api.env.adopt_roles(["Manager"]):
            dossier = dossiers.of(appointment)
            if dossier is None:
                return {"items": []}
            return {
                "items": [
                    {
                        **payments.payment_json(p),
                        "receipt_url": receipt_url(dossier, p, url),
                    }
                    for p in payments.of_appointment(dossier, appointment.getId())
                ]
            }

    def documents(self):
        _token, appointment = self._open_appointment()
        return {"items": citizen_documents(appointment)}

    # The path after the token names the handler.
    HANDLERS = {  # noqa: RUF012 - a fixed table, not state
        (): appointment,
        ("video",): video,
        ("desk",): desk,
        ("payments",): payments,
        ("documents",): documents,
    }


class AppointmentPost(_TokenService):
    """POST /@appointment/{token}/cancel|reschedule|documents|satisfaction."""

    # POST .../documents takes multipart/form-data, also with a login cookie
    # (an employee trying a citizen's link): see services/guard.py.
    accepts_uploads = True

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        action = self.params[1] if len(self.params) == 2 else None
        handler = self.HANDLERS.get(action)
        return handler(self) if handler else _not_found(self.request)

    def cancel(self):
        token, appointment = self._appointment()
        actions.cancel(appointment)
        return appointment_json(appointment, token)

    def reschedule(self):
        token, appointment = self._appointment()
        data = json_object(self.request)
        if data is None:
            return error_body(
                self.request, 400, "ValidationError", _("Send the new time as JSON.")
            )
        actions.reschedule(appointment, data.get("start"))
        return appointment_json(appointment, token)

    def upload(self):
        upload = self.request.form.get("file")
        _token, appointment = self._open_appointment()
        if not hasattr(upload, "read"):
            raise errors.InvalidInput(
                _("Send the document as multipart/form-data in the field 'file'."),
                {"file": _("Choose a file.")},
            )
        document = upload_for_citizen(appointment, upload)
        self.request.response.setStatus(201)
        return document_json(document)

    def satisfaction(self):
        token, appointment = self._appointment()
        data = json_object(self.request)
        if data is None:
            return error_body(
                self.request, 400, "ValidationError", _("Send your answer as JSON.")
            )
        satisfaction.answer(appointment, data.get("score"), data.get("comment"))
        return appointment_json(appointment, token)

    HANDLERS = {  # noqa: RUF012 - a fixed table, not state
        "cancel": cancel,
        "reschedule": reschedule,
        "documents": upload,
        "satisfaction": satisfaction,
    }
