"""Through a real coturn on loopback, relay only: peers still meet; bad credentials fail."""

from aiohttp import web
from collective.digitalebalie.video import peer
from collective.digitalebalie.video import tokens
from collective.digitalebalie.video.server import RoomServer
from coturn import coturn as start_coturn
from live import free_port
import asyncio
import pytest


ROOM_SECRET = "room-secret-" + "r" * 32
TURN_SECRET = "turn-secret-" + "t" * 32


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    with start_coturn(tmp_path_factory.mktemp("coturn"), TURN_SECRET) as turn:
        yield turn


def infos(room_port, turn_url, turn_secret, ttl=600):
    result = []
    for role in ("employee", "citizen"):
        participant = f"{role}-1"
        username, credential = tokens.turn_credentials(turn_secret, participant, ttl)
        result.append(
            {
                "signal_url": f"ws://127.0.0.1:{room_port}/rooms/turnroom",
                "token": tokens.mint(
                    ROOM_SECRET, room="turnroom", participant=participant, role=role
                ),
                "participant": participant,
                "ice_servers": [
                    {"urls": [turn_url], "username": username, "credential": credential}
                ],
            }
        )
    return result


def meet(turn_url, turn_secret, ttl=600, timeout=15):
    async def main():
        server = RoomServer(ROOM_SECRET)
        runner = web.AppRunner(server.app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            employee, citizen = infos(port, turn_url, turn_secret, ttl)
            return await peer.call(employee, citizen, relay_only=True, timeout=timeout)
        finally:
            await runner.cleanup()

    return asyncio.run(main())


def test_relay_only_call_through_coturn(coturn):
    turn_url, log = coturn
    result = meet(turn_url, TURN_SECRET)
    assert result["chat"] == "Kunt u mij zien?"
    print(f"relayed: first frame after {result['first_frame_seconds'] * 1000:.0f} ms")
    # coturn really carried it: it allocated relays for our users.
    assert "employee-1" in log.read_text() or "citizen-1" in log.read_text()


@pytest.mark.parametrize(
    "secret,ttl", [("a-wrong-turn-secret-" + "w" * 20, 600), (TURN_SECRET, -60)]
)
def test_wrong_or_expired_credential_fails(coturn, secret, ttl):
    turn_url, _log = coturn
    with pytest.raises((TimeoutError, asyncio.TimeoutError, peer.RoomError)):
        meet(turn_url, secret, ttl=ttl, timeout=6)
