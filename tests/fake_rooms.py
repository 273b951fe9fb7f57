"""A stand-in for the room server's notice address: it keeps what Plone posts.

Plone signs each notice with the room secret (video/notices.py); the recorder
checks the signature as the room server does, so a test sees only notices the
real server would take. Use the ``room_server`` fixture: it points the site's
``room_server_url`` at the recorder.
"""

from collective.digitalebalie import secrets
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.video import tokens
from fake_http import JsonHandler
from fake_http import LocalServer
from plone import api
import pytest
import threading
import transaction


class NoticeRecorder(LocalServer):
    def __init__(self):
        self.received = []  # (room, notice)
        self.lock = threading.Lock()
        self.secret = None
        recorder = self

        class Handler(JsonHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                room = self.path.rsplit("/", 1)[-1]
                notice = tokens.read_notice(
                    recorder.secret,
                    body,
                    self.headers[tokens.NOTICE_HEADER],
                    room=room,
                )
                with recorder.lock:
                    recorder.received.append((room, notice))
                self.answer(200, {})

        self.serve(Handler)

    def clear(self):
        with self.lock:
            self.received.clear()

    def kinds(self, room):
        """The kinds of notice (update, revoke) ``room`` got, in order."""
        with self.lock:
            return [notice["type"] for name, notice in self.received if name == room]

    def parts(self, room):
        """The parts named by the update notices ``room`` got, in order."""
        with self.lock:
            return [
                part
                for name, notice in self.received
                if name == room and notice["type"] == "update"
                for part in notice["parts"]
            ]


@pytest.fixture
def room_server(functional):
    recorder = NoticeRecorder().start()
    with api.env.adopt_roles(["Manager"]):
        api.portal.set_registry_record(
            "room_server_url",
            f"ws://127.0.0.1:{recorder.server.server_port}/rooms",
            interface=IDigitaleBalieSettings,
        )
    transaction.commit()
    recorder.secret = secrets.get_secret("room_token_secret")
    yield recorder
    recorder.stop()
