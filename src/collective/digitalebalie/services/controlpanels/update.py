"""PATCH @controlpanels/digitalebalie: plone.restapi's, with the add-on's error answer.

plone.restapi answers a refused value with its own shape
(``{"type": "BadRequest", "message": "[{...}]"}``); a client of this add-on
gets ``{"error": {"type", "message", "fields"}}`` as from every other service,
with the field's own message. Other control panels are left to plone.restapi.
"""

from collective.digitalebalie import _
from collective.digitalebalie.services.errors import error_body
from plone.restapi.services.controlpanels.update import ControlpanelsUpdate
from zExceptions import BadRequest


PANEL = "digitalebalie"


class DigitaleBalieControlpanelsUpdate(ControlpanelsUpdate):
    def reply(self):
        if self.params[:1] != [PANEL]:
            return super().reply()
        try:
            return super().reply()
        except BadRequest as error:
            return self._refused(error)

    def _refused(self, error):
        details = error.args[0] if error.args else None
        fields = {}
        messages = []
        if isinstance(details, list):
            for item in details:
                if not isinstance(item, dict):
                    continue
                message = str(item.get("message") or "")
                if item.get("field"):
                    fields[str(item["field"])] = message
                messages.append(message)
        message = (
            " ".join(m for m in messages if m)
            if messages
            else _("The settings could not be saved: check what you sent.")
        )
        return error_body(self.request, 400, "ValidationError", message, fields)
