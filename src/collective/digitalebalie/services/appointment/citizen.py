"""The citizen's own appointment, reached with the secret token from their link.

GET  /@appointment/{token}
POST /@appointment/{token}/cancel
POST /@appointment/{token}/reschedule   {"start": "..."}
GET  /@appointment/{token}/documents     the citizen's own documents
POST /@appointment/{token}/documents     multipart, file field "file"
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.booking import actions
from collective.digitalebalie.booking import links
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.citizen import citizen_documents
from collective.digitalebalie.dossiers.citizen import upload_for_citizen
from collective.digitalebalie.dossiers.documents import document_json
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.services.base import TokenService
from collective.digitalebalie.services.base import json_object
from collective.digitalebalie.services.errors import booking_error
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


class AppointmentGet(_TokenService):
    """GET /@appointment/{token} and GET /@appointment/{token}/video."""

    def reply(self):
        video = self.params[1:] == ["video"]
        if self.params[1:] == ["payments"]:
            try:
                _token, appointment = self._open_appointment()
                with api.env.adopt_roles(["Manager"]):
                    dossier = dossiers.of(appointment)
                    items = (
                        payments.of_appointment(dossier, appointment.getId())
                        if dossier is not None
                        else []
                    )
                return {"items": [payments.payment_json(p) for p in items]}
            except errors.UserError as error:
                return booking_error(self.request, error)
        if self.params[1:] == ["documents"]:
            try:
                _token, appointment = self._open_appointment()
                return {"items": citizen_documents(appointment)}
            except errors.UserError as error:
                return booking_error(self.request, error)
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
        except errors.UserError as error:
            return booking_error(self.request, error)
        return appointment_json(appointment, token)


class AppointmentPost(_TokenService):
    # POST .../documents takes multipart/form-data, also with a login cookie
    # (an employee trying a citizen's link): see services/guard.py.
    accepts_uploads = True

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        action = self.params[1] if len(self.params) == 2 else None
        if action == "documents":
            return self.upload()
        if action not in ("cancel", "reschedule"):
            return error_body(
                self.request, 404, "NotFound", _("No appointment with this link.")
            )
        try:
            token, appointment = self._appointment()
            if action == "cancel":
                actions.cancel(appointment)
            else:
                data = json_object(self.request)
                if data is None:
                    return error_body(
                        self.request,
                        400,
                        "ValidationError",
                        _("Send the new time as JSON."),
                    )
                actions.reschedule(appointment, data.get("start"))
        except errors.UserError as error:
            return booking_error(self.request, error)
        return appointment_json(appointment, token)

    def upload(self):
        upload = self.request.form.get("file")
        try:
            _token, appointment = self._open_appointment()
            if not hasattr(upload, "read"):
                raise errors.InvalidInput(
                    _("Send the document as multipart/form-data in the field 'file'."),
                    {"file": _("Choose a file.")},
                )
            document = upload_for_citizen(appointment, upload)
        except errors.UserError as error:
            return booking_error(self.request, error)
        self.request.response.setStatus(201)
        return document_json(document)
