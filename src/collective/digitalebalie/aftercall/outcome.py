"""The outcome note: what the employee promised, typed before the appointment ends.

The citizen reads it on their appointment page and gets it by e-mail once (a
citizen without e-mail: a text message that it is there): the first time a
completed appointment has a note (completing with a note, or saving a note on
an appointment completed without one). A note changed after that mail is shown
on the page; no second mail goes out.
"""

from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import validation
from collective.digitalebalie.integrations import notifications
from collective.digitalebalie.video import notices
from plone import api


MAX_NOTE = 2000
MANAGE = "collective.digitalebalie: Manage appointments"
# The note can be typed before and during the conversation, and corrected after.
NOTE_STATES = ("booked", "in_progress", "completed")
COMPLETABLE = ("booked", "in_progress")
KEEP = object()  # complete(): no note sent, keep the one saved before


def note_of(appointment):
    """The appointment's note; "" for appointments made before notes existed."""
    return getattr(appointment, "outcome_note", None) or ""


def clean_note(value):
    """The note as it is stored: text, at most MAX_NOTE characters, lines kept."""
    if not isinstance(value, str):
        raise _invalid(_("Send the note as text."))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not validation.is_clean_text(value.replace("\n", "").replace("\t", "")):
        raise _invalid(_("The text holds characters that are not allowed."))
    if len(value) > MAX_NOTE:
        raise _invalid(_("Use at most ${max} characters.", mapping={"max": MAX_NOTE}))
    return value


def _invalid(message):
    return errors.InvalidInput(message, {"note": message})


def may_edit_note(appointment):
    return api.content.get_state(appointment) in NOTE_STATES and (
        api.user.has_permission(MANAGE, obj=appointment)
    )


def _check_manager(appointment):
    # The services and the form are open to whoever sees the appointment, so
    # that a double click after the completion gets an answer (the team no
    # longer manages a completed appointment: appointment_workflow); every
    # write is checked here.
    if not api.user.has_permission(MANAGE, obj=appointment):
        raise errors.Forbidden(
            _("Only the team of this appointment and managers can change it.")
        )


def save_note(appointment, value):
    """Save or change the note (before, during or after the conversation)."""
    note = clean_note(value)
    if api.content.get_state(appointment) not in NOTE_STATES:
        raise errors.WrongState(
            _("This appointment did not take place. It has no note.")
        )
    _check_manager(appointment)
    if note != note_of(appointment):
        appointment.outcome_note = note
        mail_once(appointment)
        notices.changed(appointment, "state")
    return note


def complete(appointment, value=KEEP):
    """Complete the appointment (starting it first when it is still booked).

    The same note again on a completed appointment (a double click) changes
    nothing and is no error; returns whether the appointment changed.
    """
    note = note_of(appointment) if value is KEEP else clean_note(value)
    state = api.content.get_state(appointment)
    if state == "completed":
        if note == note_of(appointment):
            return False
        raise errors.WrongState(
            _(
                "This appointment is already completed. To change what happens "
                "next, use Save the note."
            )
        )
    if state not in COMPLETABLE:
        raise errors.WrongState(
            _("This appointment did not take place. It cannot be completed.")
        )
    _check_manager(appointment)
    appointment.outcome_note = note
    if state == "booked":
        api.content.transition(appointment, transition="start")
    # The mail and the notice to the pages: appointment_transitioned below.
    api.content.transition(appointment, transition="complete")
    return True


def mail_once(appointment):
    """Mail the note to the citizen, once, when the appointment is completed.

    A citizen without e-mail gets a text message that the note is on their
    page; with neither, the note is on the page only (and nothing is marked).
    """
    if (
        api.content.get_state(appointment) != "completed"
        or not note_of(appointment)
        or getattr(appointment, "outcome_mailed", False)
    ):
        return False
    sent = notifications.outcome(appointment, note_of(appointment))
    if sent:
        appointment.outcome_mailed = True
    return bool(sent)


def appointment_transitioned(appointment, event):
    """Completed in any way (REST, the page's form, the agenda, Plone's menu)."""
    if event.new_state is not None and event.new_state.getId() == "completed":
        mail_once(appointment)
        notices.changed(appointment, "state")
