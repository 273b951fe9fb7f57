"""Watching a room, and update notices, over real websockets against the real room server.

A watcher (an employee's agenda, an appointment page before its person joins)
holds a watch token: it sees who waits only when it is an employee, it is never
one of the people in the call, and it hears when the appointment's pages change.
"""

from collective.digitalebalie.video import tokens
from test_room_server import SECRET
from test_room_server import closed_within
from test_room_server import join
from test_room_server import next_of
from test_room_server import post_notice
from test_room_server import run
from test_room_server import token
import asyncio
import pytest
import time


async def watch(session, base, participant, role="employee", room="room1", tok=None):
    ws = await session.ws_connect(f"{base}/rooms/{room}")
    await ws.send_json(
        {"type": "watch", "token": tok or token(participant, role, room, watch=True)}
    )
    return ws, await ws.receive_json(timeout=5)


async def only_pong(ws, n=1):
    """Nothing reached ``ws`` before the answer to this ping (ping/pong keep order)."""
    await ws.send_json({"type": "ping", "id": n})
    message = await ws.receive_json(timeout=5)
    assert message == {"type": "pong", "id": n}


async def health(session, base):
    async with session.get(base.replace("ws://", "http://") + "/health") as response:
        return await response.json()


def test_an_employee_watches_a_citizen_wait_be_let_in_drop_and_leave():
    async def scenario(session, base, server):
        citizen, _ = await join(session, base, "cit")
        watcher, answer = await watch(session, base, "emp")
        assert answer == {
            "type": "watching",
            "role": "employee",
            "participants": [
                {
                    "participant": "cit",
                    "role": "citizen",
                    "name": "Cit",
                    "admitted": False,
                    "state": "connected",
                }
            ],
        }
        # The watcher is not one of the people in the room.
        employee, welcome = await join(session, base, "emp", "employee")
        assert [p["participant"] for p in welcome["peers"]] == ["cit"]
        assert (await health(session, base))["watchers"] == 1
        joined = await next_of(watcher, "presence")
        assert (joined["event"], joined["participant"]) == ("join", "emp")

        await employee.send_json({"type": "admit", "participant": "cit"})
        admitted = await next_of(watcher, "presence")
        assert (admitted["event"], admitted["participant"]) == ("admitted", "cit")
        assert admitted["admitted"] is True

        await citizen.close()  # a network drop: no bye
        dropped = await next_of(watcher, "presence")
        assert (dropped["event"], dropped["state"]) == ("reconnecting", "reconnecting")
        left = await next_of(watcher, "presence")
        assert (left["event"], left["participant"]) == ("leave", "cit")
        # The employee in the room saw the same, and no watcher among them.
        events = [(await next_of(employee, "presence"))["event"] for _ in range(3)]
        assert events == ["admitted", "reconnecting", "leave"]

    run(scenario, reconnect_grace=0.5)


def test_a_citizen_watcher_learns_nothing_of_the_people_and_can_only_ping():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        watcher, answer = await watch(session, base, "cit", "citizen")
        assert answer == {"type": "watching", "role": "citizen", "participants": []}
        guest, _ = await join(session, base, "gst", "guest")
        await employee.send_json({"type": "admit", "participant": "gst"})
        await next_of(guest, "admitted")
        for event in ("join", "admitted"):
            assert (await next_of(employee, "presence"))["event"] == event
        await only_pong(watcher)  # no presence came

        for message in (
            {"type": "chat", "text": "Hallo"},
            {"type": "signal", "to": "emp", "data": {}},
            {"type": "admit", "participant": "gst"},
            {"type": "show", "document": None},
            {"type": "bye"},
            {"type": "join", "token": token("cit")},
        ):
            await watcher.send_json(message)
            assert (await next_of(watcher, "error"))["code"] == "bad_message"
        await only_pong(employee, 2)  # none of it reached the room
        assert set(server.rooms["room1"]) == {"emp", "gst"}
        assert not watcher.closed

    run(scenario)


def test_an_employee_watcher_cannot_let_anyone_in():
    async def scenario(session, base, server):
        citizen, _ = await join(session, base, "cit")
        watcher, _ = await watch(session, base, "emp")
        await watcher.send_json({"type": "admit", "participant": "cit"})
        assert (await next_of(watcher, "error"))["code"] == "bad_message"
        assert server.rooms["room1"]["cit"].admitted is False
        await only_pong(citizen)

    run(scenario)


@pytest.mark.parametrize("first", ["join", "watch"])
def test_the_wrong_kind_of_token_is_refused(first):
    async def scenario(session, base, server):
        ws = await session.ws_connect(f"{base}/rooms/room1")
        # A watch token to join, a join token to watch.
        tok = token("cit", watch=first == "join")
        await ws.send_json({"type": first, "token": tok})
        answer = await ws.receive_json(timeout=5)
        assert answer["type"] == "error" and answer["code"] == "wrong_token"
        assert answer["message"]
        assert await closed_within(ws, 5) == 4401
        assert server.rooms == {} and server.watchers == {}

    run(scenario)


def test_watchers_do_not_take_places_and_are_capped():
    async def scenario(session, base, server):
        # The same employee in several tabs: each is kept, up to the cap.
        watchers = [await watch(session, base, "emp") for _ in range(8)]
        assert all(answer["type"] == "watching" for _ws, answer in watchers)
        extra, answer = await watch(session, base, "cit", "citizen")
        assert answer["code"] == "room_full"
        assert await closed_within(extra, 5) == 4409
        # The room's three places are all still free.
        for name, role in (("emp", "employee"), ("cit", "citizen"), ("gst", "guest")):
            _ws, welcome = await join(session, base, name, role)
            assert welcome["type"] == "welcome"
        assert len(server.rooms["room1"]) == 3
        # A watcher that goes makes room for another.
        await watchers[0][0].close()
        for _ in range(50):
            if len(server.watchers["room1"]) < 8:
                break
            await asyncio.sleep(0.05)
        _again, answer = await watch(session, base, "cit", "citizen")
        assert answer["type"] == "watching"

    run(scenario)


def test_test_tokens_never_watch():
    with pytest.raises(ValueError):
        tokens.mint(
            SECRET, room="devicetest-abc", participant="p", role="test", watch=True
        )


# --- update notices ---------------------------------------------------------------


def test_an_update_reaches_everybody_of_that_room_only():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        citizen, _ = await join(session, base, "cit")  # still waiting: told too
        staff_watcher, _ = await watch(session, base, "emp2")
        citizen_watcher, _ = await watch(session, base, "cit", "citizen")
        other_room, _ = await join(session, base, "cit", room="room2")
        other_watcher, _ = await watch(session, base, "emp", room="room2")

        parts = ["payments", "documents"]
        status, answer = await post_notice(session, base, kind="update", parts=parts)
        assert (status, answer) == (200, {"done": True, "sent": 4})
        for ws in (employee, citizen, staff_watcher, citizen_watcher):
            assert await next_of(ws, "update") == {"type": "update", "parts": parts}
        for ws in (other_room, other_watcher):
            await only_pong(ws)

    run(scenario)


def test_a_replayed_update_is_sent_once():
    async def scenario(session, base, server):
        citizen, _ = await join(session, base, "cit")
        body, signature = tokens.notice(
            SECRET, room="room1", kind="update", parts=["state"]
        )
        url = base.replace("ws://", "http://") + "/rooms/room1"
        answers = []
        for _ in range(2):
            async with session.post(
                url, data=body, headers={tokens.NOTICE_HEADER: signature}
            ) as response:
                answers.append((response.status, await response.json()))
        assert answers[0] == (200, {"done": True, "sent": 1})
        assert answers[1][0] == 200 and answers[1][1]["done"] is False
        assert await next_of(citizen, "update") == {
            "type": "update",
            "parts": ["state"],
        }
        await only_pong(citizen)  # not a second time

    run(scenario)


@pytest.mark.parametrize(
    "parts",
    [
        None,
        [],
        "state",
        ["State"],
        ["pay-ments"],
        ["x" * 33],
        [1],
        ["state"] * 11,
        {"state": True},
    ],
)
def test_an_update_with_bad_parts_is_refused(parts):
    async def scenario(session, base, server):
        citizen, _ = await join(session, base, "cit")
        extra = {} if parts is None else {"parts": parts}
        status, answer = await post_notice(session, base, kind="update", **extra)
        assert status == 400
        assert answer["error"]["type"] == "bad_notice" and answer["error"]["message"]
        await only_pong(citizen)

    run(scenario)


def test_an_update_signed_with_another_secret_is_refused():
    async def scenario(session, base, server):
        citizen, _ = await join(session, base, "cit")
        status, answer = await post_notice(
            session, base, kind="update", secret="another-secret" * 3, parts=["state"]
        )
        assert status == 403 and answer["error"]["type"] == "bad_signature"
        await only_pong(citizen)

    run(scenario)


def test_revoke_tells_the_watchers_and_closes_the_citizens():
    async def scenario(session, base, server):
        citizen, _ = await join(session, base, "cit")
        citizen_watcher, _ = await watch(session, base, "cit", "citizen")
        staff_watcher, _ = await watch(session, base, "emp")
        status, answer = await post_notice(session, base)
        assert (status, answer) == (200, {"done": True, "closed": 2})
        for ws in (citizen_watcher, staff_watcher, citizen):
            assert (await next_of(ws, "update"))["parts"] == ["state"]
        assert (await next_of(citizen_watcher, "error"))["code"] == "revoked"
        assert await closed_within(citizen_watcher, 5) == 4403
        assert await closed_within(citizen, 5) == 4403
        # The employee watching sees the citizen leave and keeps watching.
        left = await next_of(staff_watcher, "presence")
        assert (left["event"], left["participant"]) == ("leave", "cit")
        await only_pong(staff_watcher)
        # A watch token minted before the revocation no longer admits.
        again, answer = await watch(
            session,
            base,
            "cit",
            "citizen",
            tok=token("cit", now=time.time() - 5, watch=True),
        )
        assert answer["code"] == "revoked"
        assert await closed_within(again, 5) == 4403

    run(scenario)
