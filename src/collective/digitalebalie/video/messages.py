"""What the room server does with each message of a participant (see server.py).

A handler gets the server, the room's id and participants, the sender and the
message (a JSON object); it answers through the server's ``_send``,
``_broadcast``, ``presence`` and ``_bad``. Watchers and device tests reach
``ping`` only (server.py sees to that).
"""

from collective.digitalebalie.video.connections import CLOSE_BYE
from collective.digitalebalie.video.connections import RECONNECTING
import re
import time


MAX_CHAT = 2000
DOCUMENT_KINDS = ("pdf", "image")
MAX_PARTS = 10
PART_NAME = re.compile(r"^[a-z_]{1,32}$")


def valid_parts(parts):
    """The parts named in an update notice: 1 to 10 short lowercase names."""
    return (
        isinstance(parts, list)
        and 0 < len(parts) <= MAX_PARTS
        and all(isinstance(p, str) and PART_NAME.fullmatch(p) for p in parts)
    )


def _valid_document(document):
    """A document shown in the call: an opaque id, a title and what kind it is."""
    return (
        isinstance(document, dict)
        and set(document) == {"id", "title", "kind"}
        and isinstance(document["id"], str)
        and 0 < len(document["id"]) <= 64
        and document["id"].isalnum()
        and isinstance(document["title"], str)
        and 0 < len(document["title"]) <= 200
        and document["kind"] in DOCUMENT_KINDS
    )


async def ping(server, room_id, room, sender, data):
    await server._send(sender, {"type": "pong", "id": data.get("id")})


async def signal(server, room_id, room, sender, data):
    to = data.get("to")
    target = room.get(to) if isinstance(to, str) else None
    if target is None or "data" not in data:
        await server._bad(sender, "Signal for nobody in this room.")
    elif not (sender.admitted and target.admitted):
        await server._bad(sender, "Not admitted to the room yet.")
    elif target.state == RECONNECTING:
        pass  # it will come back with a new connection, and be offered anew
    else:
        server.relayed += 1
        await server._send(
            target, {"type": "signal", "from": sender.id, "data": data["data"]}
        )


async def chat(server, room_id, room, sender, data):
    text = data.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHAT:
        await server._bad(sender, f"Chat text must be 1 to {MAX_CHAT} characters.")
    elif not sender.admitted:
        await server._bad(sender, "Not admitted to the room yet.")
    else:
        server.relayed += 1
        await server._broadcast(
            room_id,
            {
                "type": "chat",
                "from": sender.id,
                "name": sender.name,
                "role": sender.role,
                "text": text,
                "ts": time.time(),
            },
            admitted_only=True,
        )


async def show(server, room_id, room, sender, data):
    document = data.get("document")
    if sender.role != "employee":
        await server._bad(sender, "Only the employee can show documents.")
    elif document is not None and not _valid_document(document):
        await server._bad(sender, "A document needs an id, a title and a kind.")
    else:
        server.relayed += 1
        await server._broadcast(
            room_id,
            {"type": "show", "from": sender.id, "document": document},
            admitted_only=True,
        )


async def admit(server, room_id, room, sender, data):
    who = data.get("participant")
    target = room.get(who) if isinstance(who, str) else None
    if sender.role != "employee":
        await server._bad(sender, "Only the employee can let people in.")
    elif target is None:
        await server._bad(sender, "Nobody with that name is waiting.")
    elif not target.admitted:
        target.admitted = True
        await server._send(target, {"type": "admitted"})
        await server.presence(room_id, "admitted", target, exclude=target)


async def bye(server, room_id, room, sender, data):
    """Leaving on purpose: the others see it at once, not after the reconnect grace."""
    sender.bye = True
    await server._leave(room_id, sender)
    await sender.ws.close(code=CLOSE_BYE, message=b"bye")


HANDLERS = {
    "ping": ping,
    "signal": signal,
    "chat": chat,
    "show": show,
    "admit": admit,
    "bye": bye,
}
