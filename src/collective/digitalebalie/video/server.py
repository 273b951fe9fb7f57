"""The room server: relays signalling, chat and presence between the people in a room.

    digitalebalie-rooms [--host 127.0.0.1] [--port 8081] [--secret-file FILE]

Browsers send media to each other directly (peer to peer, or through TURN);
this server only passes small JSON messages, so one process holds thousands
of rooms. It admits holders of a room token minted by Plone (see tokens.py).

Protocol (JSON text frames on ``/rooms/{room}``):

- client → ``{"type": "join", "token": "...", "resume"?: "..."}`` first, within
  10 seconds; server → ``{"type": "welcome", "you", "role", "admitted",
  "resume", "peers": [...]}`` or ``{"type": "error", "code", "message"}`` and
  the socket is closed. A peer (in ``peers`` and in presence messages) is
  ``{"participant", "role", "name", "admitted", "state"}``, ``state`` being
  ``"connected"`` or ``"reconnecting"``.
- citizens and guests wait until an employee sends ``{"type": "admit", "participant"}``;
  the waiting one gets ``{"type": "admitted"}``; the others get
  ``{"type": "presence", "event", ...peer}`` with ``event`` one of ``join``,
  ``admitted``, ``reconnecting``, ``leave``.
- ``{"type": "signal", "to", "data"}`` is passed on as ``{"type": "signal", "from", "data"}``
  between admitted participants (SDP offers and answers, ICE candidates);
  signals to a participant who is reconnecting are dropped without a word.
- ``{"type": "chat", "text"}`` goes to every admitted participant, with sender and time.
- ``{"type": "show", "document": {"id", "title", "kind"} or null}`` from the employee
  goes to every admitted participant: a document to look at together (or none).
- ``{"type": "ping", "id"}`` is answered with ``{"type": "pong", "id"}``.
- ``{"type": "bye"}``: leaving on purpose (the *Leave* button). The others get
  presence ``leave`` at once and the server closes the socket (code 1000).
- a socket that closes without ``bye`` (a network drop, a reload) leaves its
  participant *reconnecting* for ``RECONNECT_GRACE`` (30) seconds: the others
  get presence ``reconnecting``, and the participant keeps its place in the
  room. A ``join`` of the same participant within that time is the same
  person again (below): the others get presence ``join``. Otherwise, after
  the grace, presence ``leave``. An employee may take the place of another
  employee who is reconnecting, when the room is full.
- the same participant joining again (a second tab, a reconnect) replaces the
  old socket (``error`` ``replaced``, close code 4000). With the ``resume``
  secret of the old socket's ``welcome`` it keeps being ``admitted``; without
  it (a forwarded link) it waits to be let in again.
- a device test (role ``test``, tokens.TEST_ROLE) joins a test room of its own
  (``devicetest-…``) to time pings; it may send nothing else. Test tokens are
  refused in real rooms and real tokens in test rooms (tokens.verify).

Watching a room (an agenda, an appointment page before its person joins):

- client → ``{"type": "watch", "token": "..."}`` first, with a watch token
  (tokens.mint(watch=True)); server → ``{"type": "watching", "role",
  "participants": [...peer]}``. ``participants`` is given to employees only;
  citizens and guests get ``[]``. A join with a watch token, or a watch with
  a join token, is refused with ``wrong_token`` (close code 4401).
- watchers are not participants: never in ``peers`` or presence, not counted
  for the room's size; at most ``MAX_WATCHERS`` (8) per room (``room_full``,
  close code 4409); the same person watching from two tabs is two watchers.
  An employee watcher gets every ``presence`` message of the room; other
  watchers get none. Every watcher gets the room's ``update`` messages
  (below). A watcher may only ``ping``; anything else is answered with
  ``bad_message`` and dropped.

Malformed messages are dropped, logged and answered with an ``error``
``bad_message``; the connection and the room stay up. Close codes: 1000 after
``bye``; 1008 a socket that stops reading; 4000 replaced; 4401 refused (bad,
expired, wrong token; no token in time); 4403 revoked; 4409 room full.

Plone tells the server about a room with a signed notice (tokens.notice):
``POST /rooms/{room}`` with the JSON body and its ``X-Room-Signature``. It is the
websocket's own path, so a balancer that routes rooms by path (nginx's
consistent hash of the URI) brings the notice to the process that holds the
room. Each notice is acted on once (a replay answers ``{"done": false}``);
a bad signature is answered 403, a bad notice 400, with
``{"error": {"type", "message"}}``. Notices:

- ``update`` with ``parts`` (1 to 10 names matching ``[a-z_]{1,32}``): the
  appointment's pages changed (notices.py). Every participant and watcher of
  the room gets ``{"type": "update", "parts": [...]}``; the answer is
  ``{"done": true, "sent": N}``.
- ``revoke``: the appointment is cancelled. Everybody connected first gets
  ``{"type": "update", "parts": ["state"]}``. Tokens (watch tokens too)
  minted before the notice's time are refused from now on (close code 4403), and the sockets of
  the citizen, the guests and non-employee watchers are closed with that code
  (an ``error`` ``revoked`` first); the answer is ``{"done": true, "closed": N}``.
  The employee's socket stays: the employee who cancelled sees the others
  leave; an employee cannot join again, as Plone mints no tokens for a
  cancelled appointment.

``GET /health`` counts rooms, connections, reconnecting participants, watchers
and relayed messages.
"""

from aiohttp import WSMsgType
from aiohttp import web
from collective.digitalebalie.video import messages
from collective.digitalebalie.video import tokens
from collective.digitalebalie.video.admission import Admission
from collective.digitalebalie.video.connections import CLOSE_REFUSED
from collective.digitalebalie.video.connections import CLOSE_REVOKED
from collective.digitalebalie.video.connections import CLOSE_SLOW
from collective.digitalebalie.video.connections import RATE_LIMIT
from collective.digitalebalie.video.connections import RECONNECTING
from collective.digitalebalie.video.connections import REVOKED_MESSAGE
from collective.digitalebalie.video.connections import Watcher
import argparse
import asyncio
import json
import logging
import os
import re
import time


logger = logging.getLogger("collective.digitalebalie.rooms")

MAX_PARTICIPANTS = 3
MAX_WATCHERS = 8
RECONNECT_GRACE = 30  # seconds a dropped participant keeps its place
SEND_TIMEOUT = 5  # a participant who stops reading is dropped, not waited for
JOIN_TIMEOUT = 10
MAX_MESSAGE = 64 * 1024
ROOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# How long a revoked room's "not before" time is kept: far longer than any token lives.
REVOKED_KEEP = 24 * 3600


def _error(status, code, message):
    return web.json_response(
        {"error": {"type": code, "message": message}}, status=status
    )


class RoomServer(Admission):
    def __init__(
        self,
        secret,
        max_participants=MAX_PARTICIPANTS,
        join_timeout=JOIN_TIMEOUT,
        reconnect_grace=RECONNECT_GRACE,
        max_watchers=MAX_WATCHERS,
    ):
        if not secret:
            raise ValueError("The room server needs the room token secret.")
        self.secret = secret
        self.max_participants = max_participants
        self.max_watchers = max_watchers
        self.join_timeout = join_timeout
        self.reconnect_grace = reconnect_grace
        self.rooms = {}  # room -> {participant id: Participant}
        self.watchers = {}  # room -> [Watcher]
        self.relayed = 0
        self.stopping = False  # shutting down: nobody waits for a return
        # Closes of slow sockets run on their own; held here until done.
        self.closing = set()
        # room -> time of the revocation: older tokens are refused
        self.revoked = {}
        # id -> time of the notices seen lately: each is acted on once
        self.notices_seen = {}
        self.app = web.Application()
        self.app.router.add_get("/rooms/{room}", self.handle)
        self.app.router.add_post("/rooms/{room}", self.notice)
        self.app.router.add_get("/health", self.health)
        self.app.on_shutdown.append(self._shutdown)

    async def _shutdown(self, app):
        self.stopping = True
        for room in self.rooms.values():
            for participant in room.values():
                participant.cancel_expiry()

    # --- HTTP ------------------------------------------------------------------

    async def health(self, request):
        participants = [p for room in self.rooms.values() for p in room.values()]
        reconnecting = sum(p.state == RECONNECTING for p in participants)
        return web.json_response(
            {
                "rooms": len(self.rooms.keys() | self.watchers.keys()),
                "connections": len(participants) - reconnecting,
                "reconnecting": reconnecting,
                "watchers": sum(len(w) for w in self.watchers.values()),
                "relayed": self.relayed,
            }
        )

    async def handle(self, request):
        room_id = request.match_info["room"]
        ws = web.WebSocketResponse(heartbeat=20, max_msg_size=MAX_MESSAGE)
        await ws.prepare(request)
        if not ROOM_ID.match(room_id):
            await self._refuse(
                ws, "bad_room", "This room does not exist.", CLOSE_REFUSED
            )
            return ws
        first = await self._first(ws, room_id)
        if first is None:
            return ws
        data, claims = first
        if tokens.is_watch(claims):
            sender = await self._watch(ws, room_id, claims)
        else:
            sender = await self._join(ws, room_id, data, claims)
        if sender is None:
            return ws
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._on_message(room_id, sender, message.data)
                elif message.type == WSMsgType.BINARY:
                    await self._bad(sender, "Binary messages are not accepted.")
        finally:
            if isinstance(sender, Watcher):
                self._unwatch(room_id, sender)
            else:
                await self._gone(room_id, sender)
        return ws

    async def notice(self, request):
        """A signed notice from Plone about one room (see the module's docstring)."""
        room_id = request.match_info["room"]
        if not ROOM_ID.match(room_id):
            return _error(404, "bad_room", "This room does not exist.")
        if (request.content_length or 0) > tokens.NOTICE_MAX_BYTES:
            return _error(413, "too_large", "This notice is too large.")
        body = await request.content.read(tokens.NOTICE_MAX_BYTES + 1)
        try:
            message = tokens.read_notice(
                self.secret,
                body,
                request.headers.get(tokens.NOTICE_HEADER),
                room=room_id,
            )
        except tokens.TokenError as error:
            logger.warning("refused a notice for room %s: %s", room_id, error.code)
            return _error(403, error.code, error.message)
        kind = message["type"]
        if kind not in ("revoke", "update"):
            return _error(400, "unknown_notice", "This kind of notice is unknown.")
        if kind == "update" and not messages.valid_parts(message.get("parts")):
            return _error(400, "bad_notice", "An update names 1 to 10 parts.")
        now = time.time()
        for seen, at in list(self.notices_seen.items()):
            if at < now - 2 * tokens.NOTICE_MAX_AGE:
                del self.notices_seen[seen]
        if message["id"] in self.notices_seen:
            return web.json_response({"done": False, "reason": "seen"})
        self.notices_seen[message["id"]] = now
        if kind == "update":
            sent = await self.update(room_id, message["parts"])
            return web.json_response({"done": True, "sent": sent})
        closed = await self.revoke(room_id, message["at"])
        return web.json_response({"done": True, "closed": closed})

    def _connected(self, room_id):
        """Every open socket of the room: its participants and its watchers."""
        return [
            c
            for c in (
                *self.rooms.get(room_id, {}).values(),
                *self.watchers.get(room_id, ()),
            )
            if not c.ws.closed
        ]

    async def update(self, room_id, parts):
        """Tell everybody connected to the room that these parts of its pages changed."""
        connected = self._connected(room_id)
        message = {"type": "update", "parts": list(parts)}
        await asyncio.gather(*(self._send(c, message) for c in connected))
        return len(connected)

    async def revoke(self, room_id, moment):
        """Refuse the room's tokens minted before ``moment``; close its non-staff sockets."""
        now = time.time()
        for old, at in list(self.revoked.items()):
            if at < now - REVOKED_KEEP:
                del self.revoked[old]
        self.revoked[room_id] = max(moment, self.revoked.get(room_id, 0))
        await self.update(room_id, ["state"])
        leaving = [
            p for p in self.rooms.get(room_id, {}).values() if p.role != "employee"
        ]
        closing = [c for c in self._connected(room_id) if c.role != "employee"]
        for participant in leaving:
            participant.bye = True  # no waiting for a return that cannot come

        async def close(connection):
            await self._send(connection, REVOKED_MESSAGE)
            await connection.ws.close(code=CLOSE_REVOKED, message=b"revoked")

        # Together: one slow client does not keep the others in the room.
        await asyncio.gather(*(close(c) for c in closing), return_exceptions=True)
        for participant in leaving:
            await self._leave(room_id, participant)
        logger.info("room %s revoked: %d closed", room_id, len(closing))
        return len(closing)

    # --- messages ---------------------------------------------------------------------

    async def _send(self, connection, data):
        if connection.ws.closed:
            return
        try:
            # asyncio.timeout, not wait_for: the send stays in this task, in
            # order with a close that follows it.
            async with asyncio.timeout(SEND_TIMEOUT):
                await connection.ws.send_str(json.dumps(data))
        except TimeoutError:
            # It stopped reading: drop it rather than stall the others.
            logger.warning("dropped %s: not reading", connection.id)
            task = asyncio.ensure_future(
                connection.ws.close(code=CLOSE_SLOW, message=b"slow")
            )
            self.closing.add(task)
            task.add_done_callback(self.closing.discard)
        except ConnectionError:
            pass

    async def _broadcast(self, room_id, data, exclude=None, admitted_only=False):
        for other in list(self.rooms.get(room_id, {}).values()):
            if other is exclude or (admitted_only and not other.admitted):
                continue
            await self._send(other, data)

    async def presence(self, room_id, event, participant, exclude=None):
        """Tell the room's participants and its employee watchers about ``participant``."""
        data = {"type": "presence", "event": event, **participant.public()}
        await self._broadcast(room_id, data, exclude=exclude)
        for watcher in list(self.watchers.get(room_id, ())):
            if watcher.sees_presence:
                await self._send(watcher, data)

    async def _bad(self, connection, message):
        logger.warning(
            "dropped a malformed message from %s: %s", connection.id, message
        )
        await self._send(
            connection, {"type": "error", "code": "bad_message", "message": message}
        )

    async def _on_message(self, room_id, sender, text):
        if sender.over_limit():
            if sender.sent == RATE_LIMIT + 1:
                await self._bad(sender, "Too many messages; some were dropped.")
            return
        if getattr(sender, "bye", False):
            return  # said goodbye: what it still sends is for nobody
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            await self._bad(sender, "Messages must be JSON.")
            return
        if not isinstance(data, dict):
            await self._bad(sender, "Messages must be JSON objects.")
            return
        if data.get("type") != "ping":
            if isinstance(sender, Watcher):
                await self._bad(sender, "A watcher can only ping.")
                return
            if sender.role == tokens.TEST_ROLE:
                await self._bad(sender, "A device test can only ping.")
                return
        handler = messages.HANDLERS.get(data.get("type"))
        if handler is None:
            await self._bad(sender, "Unknown message type.")
            return
        await handler(self, room_id, self.rooms.get(room_id, {}), sender, data)


def read_secret(path=None):
    """The room token secret: from a file, or DIGITALEBALIE_ROOM_SECRET."""
    if path:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    return os.environ.get("DIGITALEBALIE_ROOM_SECRET", "").strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Digitale Balie room server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("ROOMS_PORT", 8081))
    )
    parser.add_argument(
        "--secret-file",
        help="file holding the room token secret "
        "(default: the environment variable DIGITALEBALIE_ROOM_SECRET)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s [rooms] %(message)s"
    )
    secret = read_secret(args.secret_file)
    if not secret:
        parser.error(
            "no room token secret: use --secret-file or DIGITALEBALIE_ROOM_SECRET"
        )
    server = RoomServer(secret)
    print(f"Room server on ws://{args.host}:{args.port}/rooms/<room>", flush=True)
    web.run_app(
        server.app,
        host=args.host,
        port=args.port,
        print=None,
        access_log=None,
        handle_signals=True,
    )


if __name__ == "__main__":
    main()
