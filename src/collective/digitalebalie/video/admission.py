"""How the room server lets people in, and how they leave (see server.py).

A mixin of the RoomServer: it uses the server's rooms, watchers, settings
and its ``_send`` and ``presence``.
"""

from aiohttp import WSMsgType
from collective.digitalebalie.video import tokens
from collective.digitalebalie.video.connections import CLOSE_FULL
from collective.digitalebalie.video.connections import CLOSE_REFUSED
from collective.digitalebalie.video.connections import CLOSE_REPLACED
from collective.digitalebalie.video.connections import CLOSE_REVOKED
from collective.digitalebalie.video.connections import QUEUE_PREFIX
from collective.digitalebalie.video.connections import QUEUE_WATCHERS
from collective.digitalebalie.video.connections import RECONNECTING
from collective.digitalebalie.video.connections import REVOKED_MESSAGE
from collective.digitalebalie.video.connections import Participant
from collective.digitalebalie.video.connections import Watcher
import asyncio
import json
import logging
import secrets


logger = logging.getLogger("collective.digitalebalie.rooms")

WRONG_TOKEN = {
    "join": "This room token is for watching the room, not for joining it.",
    "watch": "This room token is for joining the room, not for watching it.",
}


class Admission:
    async def _refuse(self, ws, code, message, close_code):
        logger.info("refused: %s", code)
        try:
            await ws.send_json({"type": "error", "code": code, "message": message})
            await ws.close(code=close_code, message=code.encode())
        except ConnectionError:
            pass

    async def _first(self, ws, room_id):
        """(message, claims) of the first message, a join or a watch; None if refused."""
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
            if not isinstance(data, dict) or data.get("type") not in WRONG_TOKEN:
                raise ValueError
            claims = tokens.verify(self.secret, data.get("token"), room=room_id)
            if tokens.is_watch(claims) != (data["type"] == "watch"):
                raise tokens.TokenError("wrong_token", WRONG_TOKEN[data["type"]])
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
        return data, claims

    async def _watch(self, ws, room_id, claims):
        watchers = self.watchers.setdefault(room_id, [])
        # A walk-in queue's path is watched by everybody waiting in it and
        # by the agenda of its teams: more than a room's few pages.
        limit = (
            QUEUE_WATCHERS if room_id.startswith(QUEUE_PREFIX) else self.max_watchers
        )
        if len(watchers) >= limit:
            if not watchers:
                del self.watchers[room_id]
            await self._refuse(ws, "room_full", "This room is full.", CLOSE_FULL)
            return None
        watcher = Watcher(ws, claims)
        watchers.append(watcher)
        room = self.rooms.get(room_id, {})
        people = [p.public() for p in room.values()] if watcher.sees_presence else []
        await self._send(
            watcher, {"type": "watching", "role": watcher.role, "participants": people}
        )
        logger.info("room %s: %s (%s) watches", room_id, watcher.id, watcher.role)
        return watcher

    def _unwatch(self, room_id, watcher):
        watchers = self.watchers.get(room_id, [])
        if watcher in watchers:
            watchers.remove(watcher)
        if not watchers:
            self.watchers.pop(room_id, None)

    def _full(self, room, role):
        others = [p for p in room.values() if p.role != "employee"]
        # One place is kept for an employee, so that whoever waits can be let in.
        return len(room) >= self.max_participants or (
            role != "employee" and len(others) >= self.max_participants - 1
        )

    async def _join(self, ws, room_id, data, claims):
        room = self.rooms.setdefault(room_id, {})
        previous = room.get(claims["sub"])
        if previous is None and self._full(room, claims["role"]):
            # An employee may take the place of a colleague whose connection dropped.
            stale = [
                p
                for p in room.values()
                if claims["role"] == p.role == "employee" and p.state == RECONNECTING
            ]
            if not stale:
                if not room:
                    del self.rooms[room_id]
                await self._refuse(ws, "room_full", "This room is full.", CLOSE_FULL)
                return None
            await self._leave(room_id, stale[0])
            room = self.rooms.setdefault(room_id, room)
        participant = Participant(ws, claims)
        if previous is not None:
            # The same person again (a network drop, a second tab): the new one
            # wins. It skips the waiting room only with the old connection's
            # resume secret: a forwarded link alone must wait to be let in.
            previous.cancel_expiry()
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
        await self.presence(room_id, "join", participant, exclude=participant)
        logger.info(
            "room %s: %s (%s) joined", room_id, participant.id, participant.role
        )
        return participant

    async def _gone(self, room_id, participant):
        """Its socket closed: it leaves after a bye, else it may come back a while."""
        room = self.rooms.get(room_id)
        if not room or room.get(participant.id) is not participant:
            return  # already replaced by a newer connection, or gone
        if (
            participant.bye
            or participant.role == tokens.TEST_ROLE
            or self.reconnect_grace <= 0
            or self.stopping
        ):
            await self._leave(room_id, participant)
            return
        participant.state = RECONNECTING
        participant.expiry = asyncio.ensure_future(self._expire(room_id, participant))
        await self.presence(room_id, "reconnecting", participant)

    async def _expire(self, room_id, participant):
        await asyncio.sleep(self.reconnect_grace)
        participant.expiry = None
        await self._leave(room_id, participant)

    async def _leave(self, room_id, participant):
        room = self.rooms.get(room_id)
        if not room or room.get(participant.id) is not participant:
            return  # already replaced by a newer connection
        participant.cancel_expiry()
        del room[participant.id]
        if not room:
            del self.rooms[room_id]
        await self.presence(room_id, "leave", participant)
        logger.info("room %s: %s left", room_id, participant.id)
