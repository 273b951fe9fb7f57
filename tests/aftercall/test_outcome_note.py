"""The employee ends the conversation with a note: what happens next, on the
citizen's page and in one e-mail (through a real SMTP server)."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from collective.digitalebalie.aftercall import outcome
from collective.digitalebalie.dossiers import retention
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.video import tokens
from helpers import JSON
from helpers import PASSWORD
from helpers import Browser
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from plone import api
from typing import ClassVar
from urllib.parse import urlsplit
import json
import pytest
import threading
import transaction


NOTE = "U krijgt de vergunning binnen 2 weken per post.\nBel ons als u vragen hebt."


def complete(session, url, body=None, **kwargs):
    return session.post(f"{url}/@complete", json=body, headers=JSON, **kwargs)


def save(session, url, body):
    return session.post(f"{url}/@outcome-note", json=body, headers=JSON)


def body(mail):
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def state_of(desk, url):
    return api.content.get_state(desk.appointment(url))


def test_complete_with_a_note_mails_the_citizen_once(desk):
    token, url = desk.book()
    assert desk.deliver() == 1  # the confirmation
    response = complete(desk.anna, url, {"note": NOTE})
    assert response.status_code == 200, response.text
    # From booked: started, then completed.
    assert response.json() == {"state": "completed", "outcome_note": NOTE}
    # A double click: the same answer, nothing done twice.
    again = complete(desk.anna, url, {"note": NOTE})
    assert again.status_code == 200, again.text
    assert again.json() == {"state": "completed", "outcome_note": NOTE}
    history = desk.appointment(url).workflow_history["appointment_workflow"]
    assert [h["action"] for h in history] == [None, "start", "complete"]

    assert desk.deliver() == 1
    [mail] = desk.outcome_mails()
    assert mail["To"] == "fatima@example.nl"
    text = body(mail)
    assert "Beste Fatima el Amrani," in text
    assert "Hoe het verder gaat:\n" + NOTE in text
    assert "Gemeente Voorbeeld" in text
    assert desk.deliver() == 0  # sent once

    mine = desk.mine(token)
    assert mine["state"] == "completed"
    assert mine["outcome_note"] == NOTE
    assert mine["satisfaction_given"] is False


def test_the_mail_is_in_the_language_of_the_booking(desk):
    _token, url = desk.book(language="en")
    assert complete(desk.anna, url, {"note": "We send you the permit."}).ok
    desk.deliver()
    [mail] = desk.outcome_mails()
    assert mail["Subject"] == "What happens next after your appointment"
    text = body(mail)
    assert "Dear Fatima el Amrani," in text
    assert "What happens next:\nWe send you the permit." in text


def test_no_note_no_mail_and_a_note_added_later_is_mailed_once(desk):
    token, url = desk.book()
    desk.deliver()
    response = complete(desk.anna, url, {"note": "  "})
    assert response.json() == {"state": "completed", "outcome_note": ""}
    assert desk.deliver() == 0
    assert desk.outcome_mails() == []
    # Completed: the team no longer manages it (appointment_workflow); a manager
    # corrects it. The first note on a completed appointment is mailed ...
    assert save(desk.anna, url, {"note": NOTE}).status_code == 401
    response = save(desk.manager, url, {"note": NOTE})
    assert response.status_code == 200, response.text
    assert response.json() == {"state": "completed", "outcome_note": NOTE}
    assert desk.deliver() == 1
    # ... a change after that is shown on the page, without a second mail.
    assert save(desk.manager, url, {"note": NOTE + " Tot ziens."}).ok
    assert desk.deliver() == 0
    assert len(desk.outcome_mails()) == 1
    assert desk.mine(token)["outcome_note"] == NOTE + " Tot ziens."


def test_the_note_typed_during_the_call_is_kept_when_completing(desk):
    token, url = desk.book()
    response = save(desk.anna, url, {"note": NOTE})
    assert response.json() == {"state": "booked", "outcome_note": NOTE}
    # The citizen sees it at once (their page is told: see below).
    assert desk.mine(token)["outcome_note"] == NOTE
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(desk.appointment(url), transition="start")
    transaction.commit()
    response = complete(desk.anna, url)  # no note sent: the saved one stays
    assert response.json() == {"state": "completed", "outcome_note": NOTE}
    desk.deliver()
    assert len(desk.outcome_mails()) == 1


def test_completed_in_the_agenda_mails_the_saved_note_too(desk):
    _token, url = desk.book()
    assert save(desk.anna, url, {"note": NOTE}).ok
    appointment = desk.appointment(url)
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(appointment, transition="start")
        api.content.transition(appointment, transition="complete")
    transaction.commit()
    desk.deliver()
    assert len(desk.outcome_mails()) == 1


def test_a_second_complete_with_another_note_is_refused(desk):
    _token, url = desk.book()
    assert complete(desk.manager, url, {"note": NOTE}).ok
    response = complete(desk.manager, url, {"note": "Iets anders."})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["type"] == "WrongState"
    assert "Save the note" in error["message"]
    assert outcome.note_of(desk.appointment(url)) == NOTE


@pytest.mark.parametrize("transition", ["cancel", "no_show"])
def test_no_note_and_no_completing_when_it_did_not_take_place(desk, transition):
    _token, url = desk.book()
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(desk.appointment(url), transition=transition)
    transaction.commit()
    for response in (
        complete(desk.manager, url, {"note": NOTE}),
        save(desk.manager, url, {"note": NOTE}),
    ):
        assert response.status_code == 409, response.text
        assert response.json()["error"]["type"] == "WrongState"
    assert outcome.note_of(desk.appointment(url)) == ""
    assert state_of(desk, url) == ("cancelled" if transition == "cancel" else "no_show")


BAD_NOTES = [
    ({"note": 5}, "Send the note as text."),
    ({"note": None}, "Send the note as text."),
    ({"note": ["a"]}, "Send the note as text."),
    ({"note": "x" * 2001}, "Use at most 2000 characters."),
    ({"note": "een\x00twee"}, "The text holds characters that are not allowed."),
    ({"note": "links\u202eom"}, "The text holds characters that are not allowed."),
]


@pytest.mark.parametrize("service", ["@complete", "@outcome-note"])
@pytest.mark.parametrize(("body", "message"), BAD_NOTES)
def test_bad_notes_change_nothing(desk, service, body, message):
    token, url = desk.book()
    desk.deliver()
    response = desk.anna.post(f"{url}/{service}", json=body, headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error == {
        "type": "ValidationError",
        "message": message,
        "fields": {"note": message},
    }
    assert state_of(desk, url) == "booked"
    assert desk.mine(token)["outcome_note"] == ""
    assert desk.deliver() == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ("[]", 400),  # not an object (services/guard.py)
        ("{", 400),  # not JSON
        ("note=hallo", 415),
    ],
)
def test_bodies_that_are_no_json_object(desk, data, status):
    _token, url = desk.book()
    for service in ("@complete", "@outcome-note"):
        response = desk.anna.post(
            f"{url}/{service}",
            data=data,
            headers={
                **JSON,
                "Content-Type": "text/plain" if status == 415 else "application/json",
            },
        )
        assert response.status_code == status, response.text
        assert "error" in response.json()
    assert state_of(desk, url) == "booked"
    # No note to save is an error too; completing without one is fine.
    response = save(desk.anna, url, {})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"note": "Send the note as text."}


def test_the_longest_note_is_kept_whole(desk):
    _token, url = desk.book()
    note = "a\n" + "b" * 1998  # 2000 characters
    response = complete(desk.anna, url, {"note": note + "\n"})
    assert response.json()["outcome_note"] == note


def test_only_the_team_completes(desk, make_team, browser):
    _token, url = desk.book()
    carla = make_team("vergunningen", "carla")["carla"]
    for session in (carla, browser):
        assert complete(session, url, {"note": NOTE}).status_code == 401
        assert save(session, url, {"note": NOTE}).status_code == 401
    assert state_of(desk, url) == "booked"


def test_an_appointment_from_before_notes_reads_empty(desk):
    token, url = desk.book()
    appointment = desk.appointment(url)
    appointment.__dict__.pop("outcome_note", None)
    appointment._p_changed = True
    transaction.commit()
    assert outcome.note_of(appointment) == ""
    assert desk.mine(token)["outcome_note"] == ""
    assert complete(desk.anna, url, {"note": NOTE}).json()["outcome_note"] == NOTE


def test_removing_personal_data_removes_the_note(desk):
    _token, url = desk.book()
    assert complete(desk.anna, url, {"note": NOTE}).ok
    appointment = desk.appointment(url)
    retention.anonymize(appointment)
    assert outcome.note_of(appointment) == ""
    transaction.abort()


class Recorder(BaseHTTPRequestHandler):
    received: ClassVar = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers[tokens.NOTICE_HEADER], body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_the_pages_are_told_the_state_changed(desk):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.received = []
    try:
        api.portal.set_registry_record(
            "room_server_url",
            f"ws://127.0.0.1:{server.server_port}/rooms",
            interface=IDigitaleBalieSettings,
        )
        transaction.commit()
        _token, url = desk.book()
        room = url.rsplit("/", 1)[-1]
        Recorder.received = []
        assert save(desk.anna, url, {"note": NOTE}).ok
        assert save(desk.anna, url, {"note": NOTE}).ok  # unchanged: nothing to tell
        assert complete(desk.anna, url).ok
        paths = [path for path, _signature, _body in Recorder.received]
        assert paths == [f"/rooms/{room}", f"/rooms/{room}"]
        secret = secrets.get_secret("room_token_secret")
        for _path, signature, body in Recorder.received:
            notice = tokens.read_notice(secret, body, signature, room=room)
            assert notice["type"] == "update"
            assert notice["parts"] == ["state"]
            assert NOTE not in body.decode()  # no personal data in a notice
    finally:
        server.shutdown()
        server.server_close()


# --- the employee's form without JavaScript ----------------------------------------


def authenticator(session, url):
    page = session.get(url)
    return BeautifulSoup(page.text, "html.parser").find(
        "input", attrs={"name": "_authenticator"}
    )["value"]


def test_the_form_completes_and_goes_back_to_the_appointment(desk):
    token, url = desk.book()
    desk.deliver()
    response = desk.anna.post(
        f"{url}/@@complete-appointment",
        data={
            "_authenticator": authenticator(desk.anna, url),
            "note": NOTE.replace("\n", "\r\n"),
            "complete": "1",
        },
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}#after-call"
    assert desk.mine(token)["outcome_note"] == NOTE
    assert desk.mine(token)["state"] == "completed"
    assert desk.deliver() == 1
    page = desk.anna.get(url)
    assert (
        "The appointment is completed. The citizen gets the note by e-mail."
        in page.text
    )
    # The form sent twice: no second completion, no error page.
    response = desk.anna.post(
        f"{url}/@@complete-appointment",
        data={
            "_authenticator": authenticator(desk.anna, url),
            "note": NOTE,
            "complete": "1",
        },
    )
    assert response.status_code == 200
    assert "The appointment was already completed." in response.text
    assert desk.deliver() == 0


def test_the_form_saves_the_note(desk):
    token, url = desk.book()
    response = desk.anna.post(
        f"{url}/@@complete-appointment",
        data={
            "_authenticator": authenticator(desk.anna, url),
            "note": NOTE,
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert "The note is saved." in response.text
    mine = desk.mine(token)
    assert (mine["state"], mine["outcome_note"]) == ("booked", NOTE)


def test_the_form_refuses_a_long_note_and_keeps_the_page(desk):
    token, url = desk.book()
    response = desk.anna.post(
        f"{url}/@@complete-appointment",
        data={
            "_authenticator": authenticator(desk.anna, url),
            "note": "x" * 2001,
            "complete": "1",
        },
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert "Use at most 2000 characters." in response.text
    assert desk.mine(token)["state"] == "booked"


def test_the_form_needs_the_authenticator(desk):
    token, url = desk.book()
    response = desk.anna.post(
        f"{url}/@@complete-appointment", data={"note": NOTE, "complete": "1"}
    )
    assert response.status_code == 403
    assert desk.mine(token)["state"] == "booked"


def test_another_site_cannot_complete_with_the_employees_cookie(desk, portal_url):
    _token, url = desk.book()
    session = Browser(portal_url, "en")
    values = session.form_values(session.get("login"), "LoginForm")
    values.update({"__ac_name": "anna", "__ac_password": PASSWORD})
    values["buttons.login"] = "Log in"
    assert session.post("login", data=values).status_code == 200
    assert "__ac" in session.cookies
    parts = urlsplit(portal_url)
    own = f"{parts.scheme}://{parts.netloc}"
    for service in ("@complete", "@outcome-note"):
        response = session.post(
            f"{url}/{service}",
            data=json.dumps({"note": NOTE}),
            headers={
                "Content-Type": "text/plain",
                "Accept": "application/json",
                "Origin": "https://evil.example",
            },
        )
        assert response.status_code == 403, response.text
        assert response.json()["error"]["type"] == "CSRFRefused"
    assert state_of(desk, url) == "booked"
    response = session.post(
        f"{url}/@complete", json={"note": NOTE}, headers={**JSON, "Origin": own}
    )
    assert response.status_code == 200, response.text
    session.close()
