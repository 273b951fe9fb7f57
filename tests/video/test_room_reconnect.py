"""A dropped connection is "reconnecting", not "has left", for a while (real websockets).

A reload or a network drop keeps the participant's place; the others see
``reconnecting`` and, when the same person is back, ``join``. Leaving on
purpose (``bye``) is seen at once; a participant who does not come back
within the grace has left. The tests use a short grace, never the real 30 s.
"""

from test_room_server import closed_within
from test_room_server import join
from test_room_server import next_of
from test_room_server import run
import asyncio
import time


async def admitted_pair(session, base):
    employee, _ = await join(session, base, "emp", "employee")
    citizen, welcome = await join(session, base, "cit")
    await next_of(employee, "presence")  # the citizen's join
    await employee.send_json({"type": "admit", "participant": "cit"})
    await next_of(citizen, "admitted")
    assert (await next_of(employee, "presence"))["event"] == "admitted"
    return employee, citizen, welcome["resume"]


async def collect(ws, seconds):
    """Every message ``ws`` gets in the next ``seconds``."""
    got = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            got.append(await ws.receive_json(timeout=left))
        except TimeoutError:
            break
    return got


def test_a_reconnect_within_the_grace_keeps_the_citizen_admitted():
    grace = 1.5

    async def scenario(session, base, server):
        employee, citizen, resume = await admitted_pair(session, base)
        await citizen.close()  # a reload: no bye
        dropped = await next_of(employee, "presence")
        assert dropped["event"] == "reconnecting" and dropped["participant"] == "cit"
        assert dropped["state"] == "reconnecting" and dropped["admitted"] is True
        # Signals to someone reconnecting vanish without an error.
        await employee.send_json({"type": "signal", "to": "cit", "data": {"x": 1}})
        await employee.send_json({"type": "ping", "id": 1})
        assert await employee.receive_json(timeout=5) == {"type": "pong", "id": 1}

        again, welcome = await join(session, base, "cit", resume=resume)
        assert welcome["type"] == "welcome" and welcome["admitted"] is True
        back = await next_of(employee, "presence")
        assert (back["event"], back["state"]) == ("join", "connected")
        assert back["admitted"] is True
        # The old connection's wait ends without a "leave".
        later = await collect(employee, grace + 0.5)
        assert [m for m in later if m.get("event") == "leave"] == []
        assert set(server.rooms["room1"]) == {"emp", "cit"}
        await employee.send_json({"type": "signal", "to": "cit", "data": {"x": 2}})
        assert (await next_of(again, "signal"))["data"] == {"x": 2}

    run(scenario, reconnect_grace=grace)


def test_back_without_the_resume_secret_waits_again():
    async def scenario(session, base, server):
        employee, citizen, _resume = await admitted_pair(session, base)
        await citizen.close()
        await next_of(employee, "presence")
        _again, welcome = await join(session, base, "cit")
        assert welcome["admitted"] is False
        back = await next_of(employee, "presence")
        assert (back["event"], back["admitted"]) == ("join", False)

    run(scenario, reconnect_grace=5)


def test_a_reconnecting_participant_keeps_its_place():
    async def scenario(session, base, server):
        employee, citizen, _resume = await admitted_pair(session, base)
        _guest, _ = await join(session, base, "tolk", "guest")
        await citizen.close()
        await next_of(employee, "presence")
        async with session.get(
            base.replace("ws://", "http://") + "/health"
        ) as response:
            counts = await response.json()
        assert (counts["connections"], counts["reconnecting"]) == (2, 1)
        _extra, answer = await join(session, base, "tolk2", "guest")
        assert answer["code"] == "room_full"

    run(scenario, reconnect_grace=5)


def test_bye_is_an_immediate_leave():
    async def scenario(session, base, server):
        employee, citizen, _resume = await admitted_pair(session, base)
        await citizen.send_json({"type": "bye"})
        left = await next_of(employee, "presence")  # well within the 30 s grace
        assert left["event"] == "leave" and left["participant"] == "cit"
        assert await closed_within(citizen, 5) == 1000
        assert set(server.rooms["room1"]) == {"emp"}

    run(scenario)  # the real grace: a bye does not wait for it


def test_after_the_grace_the_participant_has_left():
    async def scenario(session, base, server):
        employee, citizen, _resume = await admitted_pair(session, base)
        await citizen.close()
        assert (await next_of(employee, "presence"))["event"] == "reconnecting"
        left = await next_of(employee, "presence")
        assert left["event"] == "leave" and left["participant"] == "cit"
        assert set(server.rooms["room1"]) == {"emp"}
        # The last one gone after the grace: the room is gone.
        await employee.close()
        for _ in range(100):
            if not server.rooms:
                break
            await asyncio.sleep(0.05)
        assert server.rooms == {}

    run(scenario, reconnect_grace=0.5)


def test_an_employee_takes_the_place_of_a_colleague_who_dropped():
    async def scenario(session, base, server):
        employee, citizen, _resume = await admitted_pair(session, base)
        _guest, _ = await join(session, base, "tolk", "guest")
        assert (await next_of(citizen, "presence"))["participant"] == "tolk"
        await employee.close()
        assert (await next_of(citizen, "presence"))["event"] == "reconnecting"
        _colleague, welcome = await join(session, base, "emp2", "employee")
        assert welcome["type"] == "welcome"
        assert {p["participant"] for p in welcome["peers"]} == {"cit", "tolk"}
        seen = [
            ((m := await next_of(citizen, "presence"))["event"], m["participant"])
            for _ in range(2)
        ]
        assert seen == [("leave", "emp"), ("join", "emp2")]

    run(scenario, reconnect_grace=30)
