"""After the call on the pages: the facts the macros of after_call.pt show, and
the employee's form without JavaScript (@@complete-appointment).

A page that shows the macros gives its view two attributes::

    after_call_macros = after_call.MACROS
    after_call = property(lambda self: after_call.AfterCall(...))

The citizen's page: ``AfterCall(self.appointment, self.request, token=self.token,
errors=self.errors)``; the employee's page: ``AfterCall(self.context, self.request)``.
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import validation
from collective.digitalebalie.aftercall import outcome
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.booking.links import citizen_url
from collective.digitalebalie.integrations import texts
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate
import transaction


MACROS = ViewPageTemplateFile("templates/after_call.pt")
# The errors of the employee's form, for the page rendered again with them.
ERRORS = "collective.digitalebalie.after-call-errors"


class AfterCall:
    """What the after-call macros show of one appointment, on one side."""

    def __init__(self, appointment, request, token=None, errors=None):
        self.appointment = appointment
        self.request = request
        self.token = token  # the citizen's side: their secret link
        self.errors = (
            errors if errors is not None else IAnnotations(request).get(ERRORS)
        )

    # --- facts ---------------------------------------------------------------

    @property
    def state(self):
        return api.content.get_state(self.appointment)

    @property
    def completed(self):
        return self.state == "completed"

    @property
    def note(self):
        return outcome.note_of(self.appointment)

    @property
    def note_lines(self):
        return self.note.split("\n")

    @property
    def answered(self):
        return satisfaction.given(self.appointment)

    @property
    def may_answer(self):
        return satisfaction.may_answer(self.appointment)

    @property
    def may_edit_note(self):
        return outcome.may_edit_note(self.appointment)

    @property
    def may_complete(self):
        return self.may_edit_note and self.state in outcome.COMPLETABLE

    @property
    def mailed(self):
        return bool(getattr(self.appointment, "outcome_mailed", False))

    @property
    def reaches(self):
        """How the note reaches the citizen: "mail", "sms" or "" (their page only)."""
        return reaches(self.appointment)

    # --- where the forms go: without JavaScript, and with it (REST) -----------

    @property
    def form_url(self):
        if self.token:
            return citizen_url(self.token)
        return f"{self.appointment.absolute_url()}/@@complete-appointment"

    @property
    def satisfaction_url(self):
        portal = api.portal.get().absolute_url()
        return f"{portal}/@appointment/{self.token}/satisfaction"

    @property
    def complete_url(self):
        return f"{self.appointment.absolute_url()}/@complete"

    @property
    def note_url(self):
        return f"{self.appointment.absolute_url()}/@outcome-note"

    # --- form values and errors ----------------------------------------------

    def error(self, name):
        return (self.errors or {}).get(name)

    def value(self, name, default=""):
        value = self.request.form.get(name, default)
        return value if isinstance(value, str) else default

    @property
    def note_value(self):
        """The textarea: what was sent when it was refused, else the saved note."""
        if self.error("note") is not None:
            return self.value("note")
        return self.note

    def scores(self):
        chosen = self.value("score").strip()
        return [
            {
                "value": str(score),
                # The first radio button is where the error summary leads.
                "id": "field-score" if score == 1 else f"field-score-{score}",
                "label": translate(label, context=self.request),
                "checked": chosen == str(score),
            }
            for score, label in satisfaction.LABELS.items()
        ]

    def described_by(self, *ids):
        """aria-describedby: the help, and the error when there is one."""
        return " ".join(
            i for i in ids if not i.endswith("-error") or self.error(i[:-6])
        )


def reaches(appointment):
    if getattr(appointment, "email", ""):
        return "mail"
    # A citizen without e-mail gets a text message that the note is on their page.
    if texts.by_text_only(appointment) and texts.sms_enabled():
        return "sms"
    return ""


COMPLETED = {
    "mail": _("The appointment is completed. The citizen gets the note by e-mail."),
    "sms": _(
        "The appointment is completed. The citizen gets a text message that the "
        "note is on their appointment page."
    ),
    "": _(
        "The appointment is completed. The citizen can read the note on their "
        "appointment page."
    ),
}


class CompleteAppointmentView(BrowserView):
    """POST {appointment}/@@complete-appointment: the note, with "complete" or "save"."""

    def __call__(self):
        back = f"{self.context.absolute_url()}#after-call"
        if self.request.method != "POST":
            self.request.response.redirect(back)
            return ""
        CheckAuthenticator(self.request)
        form = self.request.form
        try:
            message = self.act(form)
        except errors.UserError as error:
            # Nothing is kept; the page again, the typed note and the error with it.
            transaction.doom()
            self.request.response.setStatus(error.status)
            IAnnotations(self.request)[ERRORS] = {
                name: translate(text, context=self.request)
                for name, text in (error.fields or {"note": error.message}).items()
            }
            api.portal.show_message(error.message, request=self.request, type="error")
            return self.context.restrictedTraverse("@@view")()
        api.portal.show_message(message, request=self.request)
        self.request.response.redirect(back)
        return ""

    def act(self, form):
        try:
            note = validation.one_value(form, "note")
        except validation.Refused as error:
            raise errors.InvalidInput(error.message, {"note": error.message}) from None
        if "complete" in form:
            changed = outcome.complete(self.context, note)
            if not changed:
                return _("The appointment was already completed.")
            if outcome.note_of(self.context):
                return COMPLETED[reaches(self.context)]
            return _("The appointment is completed.")
        if "save" in form:
            outcome.save_note(self.context, note)
            return _("The note is saved.")
        raise errors.InvalidInput(
            _("Choose Complete the appointment or Save the note.")
        )
