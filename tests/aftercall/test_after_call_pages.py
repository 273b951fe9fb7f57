"""The after-call macros: what the citizen and the employee see, and their forms
without JavaScript (labels, fieldset and legend, errors next to the controls)."""

from bs4 import BeautifulSoup
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie.aftercall import outcome
from collective.digitalebalie.aftercall import satisfaction
from collective.digitalebalie.booking import actions
from collective.digitalebalie.booking.links import citizen_url
from collective.digitalebalie.browser import after_call
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate
import pytest


DUTCH_LABELS = [
    "1 – heel ontevreden",
    "2 – ontevreden",
    "3 – neutraal",
    "4 – tevreden",
    "5 – heel tevreden",
]
NOTE = "U krijgt de vergunning binnen 2 weken.\nBel ons als u vragen hebt."


class Page(BrowserView):
    """A page that shows one of the macros, as the lead's pages will."""

    index = ViewPageTemplateFile("after_call_page.pt")
    after_call_macros = after_call.MACROS

    def __init__(self, context, request, side, appointment, token=None, errors=None):
        super().__init__(context, request)
        self.side = side
        self.appointment = appointment
        self.token = token
        self.errors = errors

    @property
    def after_call(self):
        return after_call.AfterCall(
            self.appointment, self.request, token=self.token, errors=self.errors
        )

    def __call__(self):
        return BeautifulSoup(self.index(), "html.parser")


@pytest.fixture
def booked(portal, request):
    with api.env.adopt_roles(["Manager"]):
        product = api.content.create(
            container=portal,
            type="CounterProduct",
            title="Paspoort",
            duration=30,
            opening_hours=[
                {"weekday": d, "start": "08:00", "end": "18:00", "counters": 1}
                for d in range(7)
            ],
        )
        api.content.transition(product, to_state="published")
    day = datetime.now(AMS).date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS)
    appointment, token = actions.book(
        product,
        {"start": start.isoformat(), "fullname": "Fatima", "email": "f@example.nl"},
    )
    return appointment, token


def citizen(portal, http_request, appointment, token, errors=None):
    return Page(portal, http_request, "citizen", appointment, token, errors)()


def employee(appointment, http_request):
    return Page(appointment, http_request, "employee", appointment)()


def complete(appointment, note=""):
    with api.env.adopt_roles(["Manager"]):
        outcome.complete(appointment, note)


def test_the_citizen_sees_nothing_before_the_conversation(portal, booked):
    appointment, token = booked
    page = citizen(portal, portal.REQUEST, appointment, token)
    # There, empty and hidden: the live desk puts the news in place later.
    section = page.find(id="after-call")
    assert section.has_attr("hidden")
    assert section["data-desk-part"] == "state"
    assert section.get_text(strip=True) == ""


def test_the_citizen_reads_what_happens_next_and_is_asked_once(portal, booked):
    appointment, token = booked
    complete(appointment, NOTE)
    page = citizen(portal, portal.REQUEST, appointment, token)
    section = page.find(id="after-call")
    assert not section.has_attr("hidden")
    assert section["data-desk-summary"] == NOTE
    # The site speaks Dutch (the citizen's page follows the site's language).
    assert section.find("h2").get_text(strip=True) == "Hoe het verder gaat"
    note = section.find(class_="dbalie-outcome-note")
    assert [line.strip() for line in note.stripped_strings] == NOTE.split("\n")
    assert len(note.find_all("br")) == 1

    form = page.find("form", id="satisfaction-form")
    # Without JavaScript to the citizen's page; with it, to the REST service.
    assert form["method"] == "post"
    assert form["action"] == citizen_url(token)
    assert form["data-desk-action"] == (
        f"{portal.absolute_url()}/@appointment/{token}/satisfaction"
    )
    assert form["data-desk-parts"] == "state"  # what the page fetches after it
    assert form.find("input", attrs={"name": "_authenticator"})["value"]
    fieldset = form.find("fieldset")
    assert fieldset.find("legend").get_text(strip=True) == (
        "Hoe tevreden bent u over deze afspraak?"
    )
    radios = fieldset.find_all("input", attrs={"type": "radio"})
    assert [r["name"] for r in radios] == ["score"] * 5
    assert [r["value"] for r in radios] == ["1", "2", "3", "4", "5"]
    labels = [form.find("label", attrs={"for": r["id"]}).get_text() for r in radios]
    assert labels == DUTCH_LABELS
    comment = form.find("textarea", attrs={"name": "comment"})
    assert form.find("label", attrs={"for": comment["id"]}).get_text(strip=True) == (
        "Opmerking (dit mag u leeg laten)"
    )
    assert comment["aria-describedby"] == "comment-help"
    assert comment["maxlength"] == "1000"
    button = form.find("button", attrs={"type": "submit"})
    assert button["name"] == "satisfaction"

    satisfaction.answer(appointment, 5)
    page = citizen(portal, portal.REQUEST, appointment, token)
    assert page.find("form", id="satisfaction-form") is None
    thanks = page.find(id="satisfaction-thanks")
    assert thanks["role"] == "status"
    assert thanks.get_text(strip=True) == "Dank u wel voor uw antwoord."


def test_completed_without_a_note(portal, booked):
    appointment, token = booked
    complete(appointment)
    section = citizen(portal, portal.REQUEST, appointment, token).find(id="after-call")
    assert section.find(class_="dbalie-outcome-note") is None
    assert "Uw afspraak is voorbij." in section.get_text()
    assert section.find("form", id="satisfaction-form") is not None


def test_errors_are_next_to_the_controls_and_the_choice_is_kept(portal, booked):
    appointment, token = booked
    complete(appointment, NOTE)
    http_request = portal.REQUEST
    http_request.form.update({"score": "4", "comment": "x" * 1001, "satisfaction": "1"})
    with pytest.raises(errors.InvalidInput) as refused:
        satisfaction.handle_satisfaction_form(appointment, http_request.form)
    # As the page's BookingFormMixin.fail() keeps them: translated, by field.
    messages = {
        name: translate(text, context=http_request)
        for name, text in refused.value.fields.items()
    }
    page = citizen(portal, http_request, appointment, token, messages)
    comment = page.find("textarea", attrs={"name": "comment"})
    error = page.find(id="comment-error")
    assert error.get_text(strip=True) == "Gebruik niet meer dan 1000 tekens."
    assert comment["aria-describedby"] == "comment-help comment-error"
    assert comment["aria-invalid"] == "true"
    assert comment.get_text() == "x" * 1001  # what was typed is kept
    checked = page.find("input", attrs={"name": "score", "checked": True})
    assert checked["value"] == "4"
    assert page.find(id="score-error") is None

    messages = {"score": "Kies een van de antwoorden, van 1 tot en met 5."}
    http_request.form.clear()
    page = citizen(portal, http_request, appointment, token, messages)
    fieldset = page.find("fieldset")
    assert fieldset["aria-describedby"] == "score-error"
    assert fieldset.find(id="score-error").get_text(strip=True) == messages["score"]
    # The error summary's link (#field-score) leads to the first choice.
    assert fieldset.find("input", id="field-score")["value"] == "1"


def test_the_employee_types_what_happens_next(portal, booked):
    appointment, _token = booked
    with api.env.adopt_roles(["Manager"]):
        outcome.save_note(appointment, NOTE)
        page = employee(appointment, portal.REQUEST)
    form = page.find("form", id="complete-form")
    url = appointment.absolute_url()
    assert form["action"] == f"{url}/@@complete-appointment"
    assert form["data-desk-action"] == f"{url}/@complete"
    assert form["data-desk-parts"] == "state"
    assert page.find(id="after-call")["data-desk-part"] == "state"
    note = form.find("textarea", attrs={"name": "note"})
    assert note.get_text() == NOTE
    assert form.find("label", attrs={"for": note["id"]}).get_text(strip=True) == (
        "Hoe het verder gaat (de inwoner ziet dit en krijgt het per e-mail)"
    )
    assert note["maxlength"] == "2000"
    buttons = {
        b.get_text(strip=True): (b["name"], b["data-desk-action"])
        for b in form.find_all("button")
    }
    # "Afspraak afronden": translated in the catalog with the live desk's pages.
    finish = translate(_("Complete the appointment"), context=portal.REQUEST)
    assert buttons == {
        finish: ("complete", f"{url}/@complete"),
        "Notitie opslaan": ("save", f"{url}/@outcome-note"),
    }


def test_after_completing_only_the_note_can_change(portal, booked):
    appointment, _token = booked
    complete(appointment, NOTE)
    with api.env.adopt_roles(["Manager"]):
        page = employee(appointment, portal.REQUEST)
    form = page.find("form", id="complete-form")
    assert form["data-desk-action"].endswith("/@outcome-note")
    assert [b["name"] for b in form.find_all("button")] == ["save"]
    assert "heeft de notitie al per e-mail gekregen" in form.get_text()


def test_the_team_reads_the_note_of_a_completed_appointment(portal, booked):
    appointment, _token = booked
    complete(appointment, NOTE)
    # Counter staff without "Manage appointments" on it (appointment_workflow).
    with api.env.adopt_roles(["Member"]):
        page = employee(appointment, portal.REQUEST)
    assert page.find("form") is None
    note = page.find(class_="dbalie-outcome-note")
    assert [line.strip() for line in note.stripped_strings] == NOTE.split("\n")


def test_the_employee_form_shows_a_refused_note_with_its_error(portal, booked):
    appointment, _token = booked
    http_request = portal.REQUEST
    http_request.form.update({"note": "x" * 2001})
    IAnnotations(http_request)[after_call.ERRORS] = {
        "note": "Gebruik niet meer dan 2000 tekens."
    }
    with api.env.adopt_roles(["Manager"]):
        page = employee(appointment, http_request)
    note = page.find("textarea", attrs={"name": "note"})
    assert note.get_text() == "x" * 2001
    assert note["aria-describedby"] == "note-help note-error"
    assert page.find(id="note-error").get_text(strip=True) == (
        "Gebruik niet meer dan 2000 tekens."
    )


def test_the_answers_in_words_in_english_too():
    assert [
        translate(label, target_language="en") for label in satisfaction.LABELS.values()
    ] == [
        "1 – very dissatisfied",
        "2 – dissatisfied",
        "3 – neutral",
        "4 – satisfied",
        "5 – very satisfied",
    ]
