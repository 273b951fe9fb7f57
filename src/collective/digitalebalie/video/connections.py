"""Who is connected to a room on the room server (see server.py for the protocol).

A participant is in the call (or waits to be let in, or is reconnecting); a
watcher only watches the room, from an agenda or an appointment page.
"""

import secrets
import time


RATE_WINDOW = 1.0
RATE_LIMIT = 100  # messages per connection per second

# Close codes (4000-4999 are for applications).
CLOSE_BYE = 1000
CLOSE_SLOW = 1008
CLOSE_REPLACED = 4000
CLOSE_REFUSED = 4401
CLOSE_REVOKED = 4403
CLOSE_FULL = 4409

REVOKED_MESSAGE = {
    "type": "error",
    "code": "revoked",
    "message": "This appointment is cancelled. The video room is closed.",
}

CONNECTED = "connected"
RECONNECTING = "reconnecting"  # its socket dropped; its place is kept a while


class Connection:
    __slots__ = ("id", "name", "role", "sent", "window", "ws")

    def __init__(self, ws, claims):
        self.ws = ws
        self.id = claims["sub"]
        self.role = claims["role"]
        self.name = claims.get("name") or ""
        self.window = 0.0
        self.sent = 0

    def over_limit(self):
        now = time.monotonic()
        if now - self.window > RATE_WINDOW:
            self.window, self.sent = now, 0
        self.sent += 1
        return self.sent > RATE_LIMIT


class Participant(Connection):
    __slots__ = ("admitted", "bye", "expiry", "resume", "state")

    def __init__(self, ws, claims):
        super().__init__(ws, claims)
        # The employee opens the room; citizens and guests wait to be let in.
        self.admitted = self.role == "employee"
        # Shown only to this connection: proves a reconnect is the same person.
        self.resume = secrets.token_urlsafe(16)
        self.state = CONNECTED
        self.bye = False  # said goodbye: leaves at once, no wait for a return
        self.expiry = None  # while reconnecting: the task that ends the wait

    def cancel_expiry(self):
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None

    def public(self):
        return {
            "participant": self.id,
            "role": self.role,
            "name": self.name,
            "admitted": self.admitted,
            "state": self.state,
        }


class Watcher(Connection):
    """Watches a room without being in it: never in ``peers`` or presence."""

    __slots__ = ()

    @property
    def sees_presence(self):
        # Staff see who waits before they join; others learn nothing of the people.
        return self.role == "employee"


# The path a walk-in queue is watched on: queue-{product UID} (notices.py), by
# everybody waiting in it and the agenda of its teams.
QUEUE_PREFIX = "queue-"
QUEUE_WATCHERS = 1000
