"""The employee ends the conversation: what happens next, and completing.

POST {appointment}/@complete      {"note": "..."} (optional: keep the saved note)
POST {appointment}/@outcome-note  {"note": "..."}

Both answer {"state", "outcome_note"}. A second @complete with the same note
(a double click) changes nothing and answers the same 200; with another note,
409: the note is changed with @outcome-note.
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.aftercall import outcome
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import json_object
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


def _body(request):
    data = json_object(request)
    if data is None:
        raise errors.InvalidInput(_("Send a JSON object."))
    return data


class _OutcomeService(Service):
    def reply(self):
        # Cross-site writes are refused before this (services/guard.py).
        alsoProvides(self.request, IDisableCSRFProtection)
        self.request.response.setHeader("Cache-Control", "private, no-store")
        self.act(_body(self.request))
        return {
            "state": api.content.get_state(self.context),
            "outcome_note": outcome.note_of(self.context),
        }


class CompletePost(_OutcomeService):
    def act(self, data):
        outcome.complete(self.context, data.get("note", outcome.KEEP))


class OutcomeNotePost(_OutcomeService):
    def act(self, data):
        if "note" not in data:
            raise errors.InvalidInput(
                _("Send the note as text."), {"note": _("Send the note as text.")}
            )
        outcome.save_note(self.context, data["note"])
