"""A device test's token admits to a test room only, and nothing else does.

Over real websockets against the real room server: a test token (role
``test``) is refused in a real appointment's room, a real token in a test room,
even when they are signed with the right secret (the room server checks, it
does not trust how Plone minted them). Inside its test room, a test can only
time pings.
"""

from collective.digitalebalie.video import tokens
from test_room_server import SECRET
from test_room_server import join
from test_room_server import run
import json
import pytest
import time


TEST_ROOM = "devicetest-abcDEF123_-"


def signed(claims):
    """A token signed with the right secret, whatever its claims (mint refuses some)."""
    payload = tokens._b64(json.dumps(claims).encode())
    return f"{payload}.{tokens._sign(SECRET, payload)}"


def claims(room, role):
    now = int(time.time())
    return {
        "room": room,
        "sub": "p1",
        "role": role,
        "name": "",
        "iat": now,
        "exp": now + 600,
    }


@pytest.mark.parametrize(
    "room,role",
    [("0123456789abcdef", "test"), (TEST_ROOM, "citizen"), (TEST_ROOM, "employee")],
)
def test_mint_refuses_a_test_token_for_a_real_room_and_the_other_way(room, role):
    with pytest.raises(ValueError):
        tokens.mint(SECRET, room=room, participant="p1", role=role)
    with pytest.raises(tokens.TokenError) as refused:
        tokens.verify(SECRET, signed(claims(room, role)), room=room)
    assert refused.value.code == "wrong_room"


def test_test_token_is_refused_in_a_real_room():
    async def scenario(session, base, server):
        # An appointment's room, with its employee in it.
        employee, welcome = await join(session, base, "emp", "employee", room="room1")
        assert welcome["type"] == "welcome"
        for tok in (
            signed(claims("room1", "test")),
            # Nor with a test token of a test room, presented at a real one.
            tokens.mint(SECRET, room=TEST_ROOM, participant="p1", role="test"),
        ):
            ws, answer = await join(session, base, "p1", room="room1", tok=tok)
            assert answer["type"] == "error"
            assert answer["code"] == "wrong_room"
            closed = await ws.receive()
            assert ws.close_code == 4401, closed
        assert set(server.rooms["room1"]) == {"emp"}
        await employee.close()

    run(scenario)


@pytest.mark.parametrize("role", ["citizen", "employee", "guest"])
def test_real_token_is_refused_in_a_test_room(role):
    async def scenario(session, base, server):
        ws, answer = await join(
            session, base, "p1", room=TEST_ROOM, tok=signed(claims(TEST_ROOM, role))
        )
        assert answer == {
            "type": "error",
            "code": "wrong_room",
            "message": "This room token is for another room.",
        }
        await ws.receive()
        assert ws.close_code == 4401
        assert TEST_ROOM not in server.rooms

    run(scenario)


def test_a_test_only_pings():
    async def scenario(session, base, server):
        tok = tokens.mint(SECRET, room=TEST_ROOM, participant="t1", role="test")
        ws, welcome = await join(session, base, "t1", room=TEST_ROOM, tok=tok)
        assert welcome["type"] == "welcome" and welcome["role"] == "test"
        await ws.send_json({"type": "ping", "id": "a"})
        assert await ws.receive_json(timeout=5) == {"type": "pong", "id": "a"}
        for message in (
            {"type": "chat", "text": "hallo"},
            {"type": "signal", "to": "t1", "data": {}},
            {"type": "admit", "participant": "t1"},
            {"type": "show", "document": None},
        ):
            await ws.send_json(message)
            answer = await ws.receive_json(timeout=5)
            assert answer["type"] == "error" and answer["code"] == "bad_message"
            assert "only ping" in answer["message"]
        assert server.relayed == 0
        await ws.close()

    run(scenario)
