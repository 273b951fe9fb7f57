"""The room server over real websockets: admission, relay, refusals, robustness."""

from aiohttp import WSMsgType
from aiohttp import web
from collective.digitalebalie.video import tokens
from collective.digitalebalie.video.server import RoomServer
import aiohttp
import asyncio
import json
import pytest
import socket
import time


SECRET = "room-secret-" + "x" * 32


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(coro_fn, **server_args):
    """Start a RoomServer on a free port, run the test coroutine, stop it."""

    async def main():
        server = RoomServer(SECRET, **server_args)
        runner = web.AppRunner(server.app)
        await runner.setup()
        port = free_port()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        try:
            async with aiohttp.ClientSession() as session:
                await asyncio.wait_for(
                    coro_fn(session, f"ws://127.0.0.1:{port}", server), 30
                )
        finally:
            await runner.cleanup()

    asyncio.run(main())


def token(participant, role="citizen", room="room1", **kw):
    return tokens.mint(
        SECRET,
        room=room,
        participant=participant,
        role=role,
        name=participant.title(),
        **kw,
    )


async def join(
    session, base, participant, role="citizen", room="room1", tok=None, resume=None
):
    ws = await session.ws_connect(f"{base}/rooms/{room}")
    message = {"type": "join", "token": tok or token(participant, role, room)}
    if resume:
        message["resume"] = resume
    await ws.send_json(message)
    return ws, await ws.receive_json()


async def next_of(ws, kind):
    while True:
        message = await ws.receive_json(timeout=5)
        if message["type"] == kind:
            return message


def test_waiting_room_admit_signal_chat():
    async def scenario(session, base, server):
        employee, welcome = await join(session, base, "emp", "employee")
        assert welcome["type"] == "welcome" and welcome["admitted"] is True
        citizen, welcome = await join(session, base, "cit")
        assert welcome["admitted"] is False
        assert [p["participant"] for p in welcome["peers"]] == ["emp"]
        joined = await next_of(employee, "presence")
        assert joined["event"] == "join" and joined["participant"] == "cit"
        assert joined["admitted"] is False

        # Waiting citizens cannot signal or chat yet.
        await citizen.send_json({"type": "signal", "to": "emp", "data": {"sdp": "x"}})
        assert (await next_of(citizen, "error"))["code"] == "bad_message"

        await employee.send_json({"type": "admit", "participant": "cit"})
        assert (await next_of(citizen, "admitted"))["type"] == "admitted"

        offer = {"type": "offer", "sdp": "v=0..."}
        await employee.send_json({"type": "signal", "to": "cit", "data": offer})
        relayed = await next_of(citizen, "signal")
        assert relayed == {"type": "signal", "from": "emp", "data": offer}
        await citizen.send_json(
            {"type": "signal", "to": "emp", "data": {"candidate": "c"}}
        )
        assert (await next_of(employee, "signal"))["from"] == "cit"

        await citizen.send_json({"type": "chat", "text": "Goedemorgen"})
        for ws in (employee, citizen):
            chat = await next_of(ws, "chat")
            assert chat["text"] == "Goedemorgen" and chat["name"] == "Cit"

        # Leaving on purpose (bye): the others see it at once.
        await citizen.send_json({"type": "bye"})
        left = await next_of(employee, "presence")
        assert left["event"] == "leave" and left["participant"] == "cit"
        assert await closed_within(citizen, 5) == 1000

    run(scenario)


def test_only_the_employee_admits():
    async def scenario(session, base, server):
        guest, _ = await join(session, base, "gst", "guest")
        citizen, _ = await join(session, base, "cit")
        await citizen.send_json({"type": "admit", "participant": "gst"})
        assert guest.closed is False
        assert (await next_of(citizen, "error"))["message"].startswith(
            "Only the employee"
        )

    run(scenario)


@pytest.mark.parametrize(
    "make_token,code",
    [
        (lambda: token("cit")[:-3] + "abc", "bad_signature"),
        (
            lambda: tokens.mint(
                "another-secret" * 3, room="room1", participant="c", role="citizen"
            ),
            "bad_signature",
        ),
        (lambda: token("cit", ttl=-1), "expired"),
        (lambda: token("cit", room="room2"), "wrong_room"),
        (lambda: "garbage", "bad_token"),
    ],
)
def test_refusals(make_token, code):
    async def scenario(session, base, server):
        ws, answer = await join(session, base, "cit", tok=make_token())
        assert answer["type"] == "error" and answer["code"] == code
        assert answer["message"]
        closing = await ws.receive()
        assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
        assert ws.close_code == 4401
        assert server.rooms == {}

    run(scenario)


def test_fourth_participant_is_refused():
    async def scenario(session, base, server):
        inside = [
            await join(session, base, name, role)
            for name, role in (
                ("emp", "employee"),
                ("cit", "citizen"),
                ("tolk", "guest"),
            )
        ]
        ws, answer = await join(session, base, "extra", "guest")
        assert answer["code"] == "room_full"
        await ws.receive()
        assert ws.close_code == 4409
        assert len(server.rooms["room1"]) == len(inside) == 3

    run(scenario)


def test_second_connection_replaces_the_first():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        first, welcome = await join(session, base, "cit")
        await employee.send_json({"type": "admit", "participant": "cit"})
        await next_of(first, "admitted")
        resume = welcome["resume"]
        second, welcome = await join(session, base, "cit", resume=resume)
        assert welcome["admitted"] is True  # no second wait after a network drop
        assert (await next_of(first, "error"))["code"] == "replaced"
        await first.receive()
        assert first.close_code == 4000
        assert len(server.rooms["room1"]) == 2
        await employee.send_json({"type": "signal", "to": "cit", "data": {"x": 1}})
        assert (await next_of(second, "signal"))["data"] == {"x": 1}

    run(scenario)


def test_malformed_messages_do_not_harm_the_room():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        for bad in (
            "{not json",
            "[1, 2]",
            json.dumps({"type": "nonsense"}),
            json.dumps({"type": "chat", "text": ""}),
            json.dumps({"type": "chat", "text": "x" * 2001}),
            json.dumps({"type": "signal", "to": "nobody", "data": {}}),
        ):
            await employee.send_str(bad)
            assert (await next_of(employee, "error"))["code"] == "bad_message"
        await employee.send_bytes(b"\x00\x01")
        assert (await next_of(employee, "error"))["code"] == "bad_message"
        await employee.send_json({"type": "ping", "id": 7})
        assert (await next_of(employee, "pong"))["id"] == 7

    run(scenario)


def test_silent_client_is_dropped():
    async def scenario(session, base, server):
        ws = await session.ws_connect(f"{base}/rooms/room1")
        answer = await ws.receive_json(timeout=5)
        assert answer["code"] == "join_timeout"

    run(scenario, join_timeout=0.3)


def test_health():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        async with session.get(
            base.replace("ws://", "http://") + "/health"
        ) as response:
            assert await response.json() == {
                "rooms": 1,
                "connections": 1,
                "reconnecting": 0,
                "watchers": 0,
                "relayed": 0,
            }
        await employee.close()

    run(scenario)


def test_a_forwarded_link_must_wait_to_be_let_in():
    """Someone else with the citizen's link does not take over an admitted seat."""

    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        citizen, _ = await join(session, base, "cit")
        await employee.send_json({"type": "admit", "participant": "cit"})
        await next_of(citizen, "admitted")
        intruder, welcome = await join(session, base, "cit", resume="guessed")
        assert welcome["admitted"] is False
        await intruder.send_json({"type": "signal", "to": "emp", "data": {}})
        assert (await next_of(intruder, "error"))["code"] == "bad_message"

    run(scenario)


def test_employee_can_always_come_back():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        citizen, _ = await join(session, base, "cit")
        guest, _ = await join(session, base, "tolk", "guest")
        _extra, answer = await join(session, base, "tolk2", "guest")
        assert answer["code"] == "room_full"
        await employee.close()
        await next_of(citizen, "presence")
        _again, welcome = await join(session, base, "emp2", "employee")
        assert welcome["type"] == "welcome"
        assert {p["participant"] for p in welcome["peers"]} == {"cit", "tolk"}
        assert guest.closed is False

    run(scenario)


def test_odd_values_and_floods_do_not_break_the_connection():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        for bad in (
            {"type": "signal", "to": [], "data": {}},
            {"type": "admit", "participant": {"a": 1}},
        ):
            await employee.send_json(bad)
            assert (await next_of(employee, "error"))["code"] == "bad_message"
        await employee.send_str("[" * 30000 + "]" * 30000)
        assert (await next_of(employee, "error"))["code"] == "bad_message"
        for n in range(150):
            await employee.send_json({"type": "ping", "id": n})
        kinds = []
        while True:
            message = await employee.receive_json(timeout=5)
            kinds.append(message["type"])
            if message["type"] == "error":
                break
        assert "Too many" in message["message"]
        assert kinds.count("pong") <= 100
        await asyncio.sleep(1.1)
        await employee.send_json({"type": "ping", "id": "later"})
        assert (await next_of(employee, "pong"))["id"] == "later"

    run(scenario)


def test_non_ascii_signature_is_refused_cleanly():
    async def scenario(session, base, server):
        bad = token("cit")[:-1] + "é"
        _ws, answer = await join(session, base, "cit", tok=bad)
        assert answer["code"] == "bad_signature"

    run(scenario)


def test_employee_shows_a_document_to_the_admitted_only():
    async def scenario(session, base, server):
        employee, _ = await join(session, base, "emp", "employee")
        citizen, _ = await join(session, base, "cit")
        waiting, _ = await join(session, base, "gst", "guest")
        await employee.send_json({"type": "admit", "participant": "cit"})
        await next_of(citizen, "admitted")
        document = {"id": "a1b2c3", "title": "paspoort.pdf", "kind": "pdf"}
        await employee.send_json({"type": "show", "document": document})
        for ws in (employee, citizen):
            shown = await next_of(ws, "show")
            assert shown["document"] == document and shown["from"] == "emp"
        # The citizen cannot show anything; odd documents are refused.
        await citizen.send_json({"type": "show", "document": document})
        assert (await next_of(citizen, "error"))["message"].startswith(
            "Only the employee"
        )
        for odd in (
            {"id": "../x", "title": "t", "kind": "pdf"},
            {"id": "a1", "title": "t", "kind": "exe"},
            {"id": "a1", "title": "", "kind": "pdf"},
            {"id": "a1", "title": "t", "kind": "pdf", "url": "https://evil.example"},
            "a1",
        ):
            await employee.send_json({"type": "show", "document": odd})
            assert (await next_of(employee, "error"))["code"] == "bad_message"
        await employee.send_json({"type": "show", "document": None})
        assert (await next_of(citizen, "show"))["document"] is None
        # The guest still waiting saw none of it.
        await employee.send_json({"type": "admit", "participant": "gst"})
        seen = []
        while not seen or seen[-1] != "admitted":
            seen.append((await waiting.receive_json(timeout=5))["type"])
        assert "show" not in seen, seen

    run(scenario)


# --- revoking a room (a cancelled appointment) -------------------------------------


async def post_notice(session, base, room="room1", kind="revoke", secret=SECRET, **kw):
    body, signature = tokens.notice(secret, room=room, kind=kind, **kw)
    url = base.replace("ws://", "http://") + f"/rooms/{room}"
    async with session.post(
        url, data=body, headers={tokens.NOTICE_HEADER: signature}
    ) as response:
        return response.status, await response.json()


async def closed_within(ws, seconds):
    """The close code of ``ws`` once the server closes it (messages before are read)."""
    async with asyncio.timeout(seconds):
        while True:
            message = await ws.receive()
            if message.type == WSMsgType.CLOSE:
                # The code the server sent (close_code may say 1006 once the
                # server has dropped the connection after its close frame).
                return message.data
            if message.type in (WSMsgType.CLOSED, WSMsgType.CLOSING):
                return ws.close_code


def test_revoke_closes_citizen_and_guest_and_refuses_older_tokens():
    async def scenario(session, base, server):
        old_citizen = token("cit")
        employee, _ = await join(session, base, "emp", "employee")
        citizen, _ = await join(session, base, "cit")
        guest, _ = await join(session, base, "gst", "guest")
        status, answer = await post_notice(session, base)
        assert status == 200 and answer == {"done": True, "closed": 2}
        assert await closed_within(citizen, 5) == 4403
        assert await closed_within(guest, 5) == 4403
        # The employee stays and sees the others leave.
        left = {(await next_of(employee, "presence"))["participant"] for _ in range(2)}
        assert left == {"cit", "gst"} and not employee.closed
        # A token minted before the revocation no longer admits anyone, staff neither.
        for tok in (old_citizen, token("emp2", "employee", now=time.time() - 5)):
            ws, answer = await join(session, base, "x", tok=tok)
            assert answer["code"] == "revoked" and answer["message"]
            assert await closed_within(ws, 5) == 4403
        # Other rooms are untouched.
        _other, welcome = await join(session, base, "cit", room="room2")
        assert welcome["type"] == "welcome"

    run(scenario)


def test_tokens_of_before_iat_existed_are_refused_in_a_revoked_room_only():
    legacy = {
        "room": "room1",
        "sub": "cit",
        "role": "citizen",
        "name": "",
        "exp": 2**31,
    }
    payload = tokens._b64(json.dumps(legacy).encode())
    old = f"{payload}.{tokens._sign(SECRET, payload)}"

    async def scenario(session, base, server):
        ws, welcome = await join(session, base, "cit", tok=old)
        assert welcome["type"] == "welcome"
        await ws.close()
        await post_notice(session, base)
        ws, answer = await join(session, base, "cit", tok=old)
        assert answer["code"] == "revoked"

    run(scenario)


@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "other_secret", "other_room", "too_old", "replayed", "changed_body"],
)
def test_forged_notices_revoke_nothing(tamper):
    async def scenario(session, base, server):
        citizen, _ = await join(session, base, "cit")
        url = base.replace("ws://", "http://") + "/rooms/room1"
        secret, room, at = SECRET, "room1", time.time()
        if tamper == "other_secret":
            secret = "another-secret" * 3
        if tamper == "other_room":
            room = "room2"
        if tamper == "too_old":
            at -= 120
        body, signature = tokens.notice(secret, room=room, kind="revoke", now=at)
        if tamper == "changed_body":
            body = body.replace(b'"type":"revoke"', b'"type":"revoke" ')
        headers = {} if tamper == "unsigned" else {tokens.NOTICE_HEADER: signature}
        if tamper == "replayed":
            # Taken once (a revoke of another, empty room), then sent again.
            body, signature = tokens.notice(SECRET, room="room1", kind="revoke")
            headers = {tokens.NOTICE_HEADER: signature}
            server.notices_seen[json.loads(body)["id"]] = time.time()
        async with session.post(url, data=body, headers=headers) as response:
            assert response.status in (200, 403)
            if response.status == 200:
                assert (await response.json())["done"] is False
        assert server.revoked == {}
        await citizen.send_json({"type": "ping", "id": 1})
        assert (await next_of(citizen, "pong"))["id"] == 1

    run(scenario)
