"""POST {appointment}/@act {"action", "message"?}: a workflow step from the live desk.

The same rules as the agenda's buttons (agenda.act): "did not come" only once
the appointment has begun, a cancel message of limited length. Answers the
new state; the other side's page learns it from the room server.
"""

from collective.digitalebalie import _
from collective.digitalebalie import agenda
from collective.digitalebalie import errors
from collective.digitalebalie.services.base import Service
from collective.digitalebalie.services.base import json_object
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


class ActPost(Service):
    def reply(self):
        data = json_object(self.request)
        if data is None:
            raise errors.InvalidInput(_("Send the action as JSON."))
        action = data.get("action")
        message = data.get("message") or ""
        if not isinstance(action, str) or not isinstance(message, str):
            raise errors.InvalidInput(
                _("Unknown action."), {"action": _("Unknown action.")}
            )
        # JSON only (services/guard.py): no other site can send this with a cookie.
        alsoProvides(self.request, IDisableCSRFProtection)
        agenda.act(self.context, action, message)
        return {"state": api.content.get_state(self.context)}
