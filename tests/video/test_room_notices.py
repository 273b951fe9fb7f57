"""Plone tells the room server about a room after the commit, never before or on abort."""

from collective.digitalebalie import secrets
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.video import notices
from collective.digitalebalie.video import rooms
from collective.digitalebalie.video import tokens
from fake_rooms import room_server  # noqa: F401 - a fixture
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from plone import api
from typing import ClassVar
import logging
import pytest
import threading
import transaction


class Recorder(BaseHTTPRequestHandler):
    received: ClassVar = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers[tokens.NOTICE_HEADER], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_notice_is_sent_after_the_commit_only(functional, caplog):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.received = []
    try:
        with api.env.adopt_roles(["Manager"]):
            api.portal.set_registry_record(
                "room_server_url",
                f"ws://127.0.0.1:{server.server_port}/rooms",
                interface=IDigitaleBalieSettings,
            )
        transaction.commit()
        secret = secrets.get_secret("room_token_secret")
        assert secret

        assert rooms.notify_room_server("aborted-room", "revoke")
        transaction.abort()
        assert Recorder.received == []

        rooms.notify_room_server("committed-room", "revoke")
        assert Recorder.received == []  # not before the commit
        transaction.commit()
        [(path, signature, body)] = Recorder.received
        # The room's own path: a balancer routing rooms by path brings it home.
        assert path == "/rooms/committed-room"
        message = tokens.read_notice(secret, body, signature, room="committed-room")
        assert message["type"] == "revoke"
    finally:
        server.shutdown()
        server.server_close()

    # A room server that is down: the commit stands, a warning is logged.
    caplog.set_level(logging.WARNING)
    rooms.notify_room_server("later-room", "revoke")
    transaction.commit()
    assert "did not take the revoke notice for room later-room" in caplog.text
    assert secret not in caplog.text


def test_changed_parts_go_in_one_update_notice_per_room(room_server):  # noqa: F811
    """Several changes in one transaction: one notice per room, after the commit."""
    assert notices.changed("room-a", "payments")
    notices.changed("room-a", "documents", "payments")
    notices.changed("room-b", "state")
    transaction.abort()
    assert room_server.received == []  # an aborted change tells nobody

    notices.changed("room-a", "payments")
    notices.changed("room-a", "documents", "payments")
    notices.changed("room-b", "state")
    transaction.commit()
    got = dict(room_server.received)
    assert set(got) == {"room-a", "room-b"}
    assert got["room-a"]["type"] == "update"
    assert got["room-a"]["parts"] == ["payments", "documents"]
    assert got["room-b"]["parts"] == ["state"]
    # Names of parts only: nothing else travels.
    assert set(got["room-a"]) == {"type", "room", "id", "at", "parts"}
    with pytest.raises(ValueError):
        notices.changed("room-a", "fullname")
