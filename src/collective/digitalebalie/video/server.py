"""The room server: relays signalling, chat and presence between the people in a room.

    digitalebalie-rooms [--host 127.0.0.1] [--port 8081] [--secret-file FILE]

Browsers send media to each other directly (peer to peer, or through TURN);
this server only passes small JSON messages, so one process holds thousands
of rooms. It admits holders of a room token minted by Plone (see tokens.py).

Protocol (JSON text frames on ``/rooms/{room}``):

- client → ``{"type": "join", "token": "..."}`` first, within 10 seconds;
  server → ``{"type": "welcome", "you", "role", "admitted", "peers": [...]}``
  or ``{"type": "error", "code", "message"}`` and the socket is closed.
- citizens and guests wait until an employee sends ``{"type": "admit", "participant"}``;
  the waiting one gets ``{"type": "admitted"}``; everybody gets ``presence`` updates.
- ``{"type": "signal", "to", "data"}`` is passed on as ``{"type": "signal", "from", "data"}``
  between admitted participants (SDP offers and answers, ICE candidates).
- ``{"type": "chat", "text"}`` goes to every admitted participant, with sender and time.
- ``{"type": "show", "document": {"id", "title", "kind"} or null}`` from the employee
  goes to every admitted participant: a document to look at together (or none).
- ``{"type": "ping", "id"}`` is answered with ``{"type": "pong", "id"}``.
- a device test (role ``test``, tokens.TEST_ROLE) joins a test room of its own
  (``devicetest-…``) to time pings; it may send nothing else. Test tokens are
  refused in real rooms and real tokens in test rooms (tokens.verify).

Malformed messages are dropped, logged and answered with an ``error``; the
connection and the room stay up.

Plone tells the server about a room with a signed notice (tokens.notice):
``POST /rooms/{room}`` with the JSON body and its ``X-Room-Signature``. It is the
websocket's own path, so a balancer that routes rooms by path (nginx's
consistent hash of the URI) brings the notice to the process that holds the
room. Notices:

- ``revoke``: the appointment is cancelled. Tokens minted before the notice's
  time are refused from now on (close code 4403), and the citizen's and
  guests' sockets are closed with that code. The employee's socket stays: the
  employee who cancelled sees the others leave; an employee cannot join again,
  as Plone mints no tokens for a cancelled appointment.
"""

from aiohttp import WSMsgType
from aiohttp import web
from collective.digitalebalie.video import messages
from collective.digitalebalie.video import tokens
import argparse
import asyncio
import json
import logging
import os
import re
import secrets
import time


logger = logging.getLogger("collective.digitalebalie.rooms")

MAX_PARTICIPANTS = 3
SEND_TIMEOUT = 5  # a participant who stops reading is dropped, not waited for
RATE_WINDOW = 1.0
RATE_LIMIT = 100  # messages per participant per second
JOIN_TIMEOUT = 10
MAX_MESSAGE = 64 * 1024
ROOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Close codes (4000-4999 are for applications).
CLOSE_REPLACED = 4000
CLOSE_REFUSED = 4401
CLOSE_FULL = 4409
CLOSE_REVOKED = 4403

# How long a revoked room's "not before" time is kept: far longer than any token lives.
REVOKED_KEEP = 24 * 3600


REVOKED_MESSAGE = {
    "type": "error",
    "code": "revoked",
    "message": "This appointment is cancelled. The video room is closed.",
}


class Participant:
    __slots__ = ("admitted", "id", "name", "resume", "role", "sent", "window", "ws")

    def __init__(self, ws, claims):
        self.ws = ws
        self.id = claims["sub"]
        self.role = claims["role"]
        self.name = claims.get("name") or ""
        # The employee opens the room; citizens and guests wait to be let in.
        self.admitted = self.role == "employee"
        # Shown only to this connection: proves a reconnect is the same person.
        self.resume = secrets.token_urlsafe(16)
        self.window = 0.0
        self.sent = 0

    def over_limit(self):
        now = time.monotonic()
        if now - self.window > RATE_WINDOW:
            self.window, self.sent = now, 0
        self.sent += 1
        return self.sent > RATE_LIMIT

    def public(self):
        return {
            "participant": self.id,
            "role": self.role,
            "name": self.name,
            "admitted": self.admitted,
        }


class RoomServer:
    def __init__(
        self, secret, max_participants=MAX_PARTICIPANTS, join_timeout=JOIN_TIMEOUT
    ):
        if not secret:
            raise ValueError("The room server needs the room token secret.")
        self.secret = secret
        self.max_participants = max_participants
        self.join_timeout = join_timeout
        self.rooms = {}
        self.relayed = 0
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

    # --- HTTP ------------------------------------------------------------------

    async def health(self, request):
        return web.json_response(
            {
                "rooms": len(self.rooms),
                "connections": sum(len(r) for r in self.rooms.values()),
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
        participant = await self._join(ws, room_id)
        if participant is None:
            return ws
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._on_message(room_id, participant, message.data)
                elif message.type == WSMsgType.BINARY:
                    await self._bad(participant, "Binary messages are not accepted.")
        finally:
            await self._leave(room_id, participant)
        return ws

    async def notice(self, request):
        """A signed notice from Plone about one room (see the module's docstring)."""
        room_id = request.match_info["room"]
        if not ROOM_ID.match(room_id):
            return web.json_response({"error": "bad_room"}, status=404)
        if (request.content_length or 0) > tokens.NOTICE_MAX_BYTES:
            return web.json_response({"error": "too_large"}, status=413)
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
            return web.json_response({"error": error.code}, status=403)
        now = time.time()
        for seen, at in list(self.notices_seen.items()):
            if at < now - 2 * tokens.NOTICE_MAX_AGE:
                del self.notices_seen[seen]
        if message["id"] in self.notices_seen:
            return web.json_response({"done": False, "reason": "seen"})
        self.notices_seen[message["id"]] = now
        if message["type"] == "revoke":
            closed = await self.revoke(room_id, message["at"])
            return web.json_response({"done": True, "closed": closed})
        return web.json_response({"error": "unknown_notice"}, status=400)

    async def revoke(self, room_id, moment):
        """Refuse the room's tokens minted before ``moment``; close its non-staff sockets."""
        now = time.time()
        for old, at in list(self.revoked.items()):
            if at < now - REVOKED_KEEP:
                del self.revoked[old]
        self.revoked[room_id] = max(moment, self.revoked.get(room_id, 0))
        leaving = [
            p for p in self.rooms.get(room_id, {}).values() if p.role != "employee"
        ]

        async def close(participant):
            await self._send(participant, REVOKED_MESSAGE)
            await participant.ws.close(code=CLOSE_REVOKED, message=b"revoked")

        # Together: one slow client does not keep the others in the room.
        await asyncio.gather(*(close(p) for p in leaving), return_exceptions=True)
        logger.info("room %s revoked: %d closed", room_id, len(leaving))
        return len(leaving)

    # --- joining and leaving ------------------------------------------------------

    async def _refuse(self, ws, code, message, close_code):
        logger.info("refused: %s", code)
        try:
            await ws.send_json({"type": "error", "code": code, "message": message})
            await ws.close(code=close_code, message=code.encode())
        except ConnectionError:
            pass

    async def _join(self, ws, room_id):
        try:
            first = await asyncio.wait_for(ws.receive(), self.join_timeout)
        except TimeoutError:
            await self._refuse(
                ws, "join_timeout", "Send your room token first.", CLOSE_REFUSED
            )
            return None
        if first.type != WSMsgType.TEXT:
            await ws.close()
            return None
        try:
            data = json.loads(first.data)
            if not isinstance(data, dict) or data.get("type") != "join":
                raise ValueError
            claims = tokens.verify(self.secret, data.get("token"), room=room_id)
        except tokens.TokenError as error:
            await self._refuse(ws, error.code, error.message, CLOSE_REFUSED)
            return None
        except (ValueError, RecursionError):
            await self._refuse(
                ws, "bad_message", "Send your room token first.", CLOSE_REFUSED
            )
            return None
        revoked = self.revoked.get(room_id)
        if revoked is not None and tokens.minted_before(claims, revoked):
            await self._refuse(ws, "revoked", REVOKED_MESSAGE["message"], CLOSE_REVOKED)
            return None
        room = self.rooms.setdefault(room_id, {})
        previous = room.get(claims["sub"])
        others = [p for p in room.values() if p.role != "employee"]
        # One place is kept for an employee, so that whoever waits can be let in.
        full = len(room) >= self.max_participants or (
            claims["role"] != "employee" and len(others) >= self.max_participants - 1
        )
        if previous is None and full:
            if not room:
                del self.rooms[room_id]
            await self._refuse(ws, "room_full", "This room is full.", CLOSE_FULL)
            return None
        participant = Participant(ws, claims)
        if previous is not None:
            # The same person again (a network drop, a second tab): the new one
            # wins. It skips the waiting room only with the old connection's
            # resume secret: a forwarded link alone must wait to be let in.
            resume = data.get("resume")
            if isinstance(resume, str) and secrets.compare_digest(
                resume.encode(), previous.resume.encode()
            ):
                participant.admitted = previous.admitted or participant.admitted
            room[participant.id] = participant
            await self._send(
                previous,
                {
                    "type": "error",
                    "code": "replaced",
                    "message": "You opened this room somewhere else.",
                },
            )
            await previous.ws.close(code=CLOSE_REPLACED, message=b"replaced")
        room[participant.id] = participant
        await self._send(
            participant,
            {
                "type": "welcome",
                "you": participant.id,
                "role": participant.role,
                "admitted": participant.admitted,
                "resume": participant.resume,
                "peers": [p.public() for p in room.values() if p is not participant],
            },
        )
        await self._broadcast(
            room_id,
            {"type": "presence", "event": "join", **participant.public()},
            exclude=participant,
        )
        logger.info(
            "room %s: %s (%s) joined", room_id, participant.id, participant.role
        )
        return participant

    async def _leave(self, room_id, participant):
        room = self.rooms.get(room_id)
        if not room or room.get(participant.id) is not participant:
            return  # already replaced by a newer connection
        del room[participant.id]
        if not room:
            del self.rooms[room_id]
            return
        await self._broadcast(
            room_id, {"type": "presence", "event": "leave", **participant.public()}
        )

    # --- messages ---------------------------------------------------------------------

    async def _send(self, participant, data):
        if participant.ws.closed:
            return
        try:
            # asyncio.timeout, not wait_for: the send stays in this task, in
            # order with a close that follows it.
            async with asyncio.timeout(SEND_TIMEOUT):
                await participant.ws.send_str(json.dumps(data))
        except TimeoutError:
            # It stopped reading: drop it rather than stall the others.
            logger.warning("dropped %s: not reading", participant.id)
            task = asyncio.ensure_future(
                participant.ws.close(code=1008, message=b"slow")
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

    async def _bad(self, participant, message):
        logger.warning(
            "dropped a malformed message from %s: %s", participant.id, message
        )
        await self._send(
            participant, {"type": "error", "code": "bad_message", "message": message}
        )

    async def _on_message(self, room_id, sender, text):
        if sender.over_limit():
            if sender.sent == RATE_LIMIT + 1:
                await self._bad(sender, "Too many messages; some were dropped.")
            return
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            await self._bad(sender, "Messages must be JSON.")
            return
        if not isinstance(data, dict):
            await self._bad(sender, "Messages must be JSON objects.")
            return
        if sender.role == tokens.TEST_ROLE and data.get("type") != "ping":
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
