"""POST {appointment}/@workflow/{transition}: plone.restapi's own service, with
one difference for appointments.

A step that is not possible (any more: a colleague started the appointment a
moment ago) is a 409 in words, and changes nothing: plone.restapi's answers
400 with the workflow's technical message, and commits the effective date it
sets before it tries. What a step does besides (the time freed, the room
closed, the pages told) follows from the workflow's event (events.py). And
"did not come" waits for the appointment's time, as on the agenda.
"""

from collective.digitalebalie import _
from collective.digitalebalie import agenda
from collective.digitalebalie import errors
from collective.digitalebalie.services.base import Service
from plone.restapi.services.workflow.transition import WorkflowTransition
import transaction


class AppointmentTransition(WorkflowTransition, Service):
    def reply(self):
        if self.transition == "no_show" and "no_show" in {
            t["id"] for t in self.wftool.getTransitionsFor(self.context)
        }:
            agenda.refuse_early_no_show(self.context)
        result = super().reply()
        if self.request.response.getStatus() < 400:
            return result
        transaction.doom()
        if result.get("error", {}).get("type") == "WorkflowException":
            raise errors.WrongState(
                _("This cannot be done with this appointment (any more).")
            )
        return result
