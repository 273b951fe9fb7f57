"""Plone mints room tokens, the real room server admits them, aiortc peers meet.

Runs against the shared live instance (`make start`'s launcher: Plone and the
room server, sharing the room token secret).
"""

from collective.digitalebalie.video import peer
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from live import create_product
from live import every_day
import aiohttp
import asyncio
import hashlib
import pytest
import requests


@pytest.fixture(scope="module")
def product(live_site):
    # Enough counters for every test of the module in the few times whose room
    # is open at any moment (also just before midnight).
    return create_product(
        live_site, title="Videospreekuur", opening_hours=every_day(counters=30)
    )[0]


def book(product, start=None):
    if start is None:
        today = datetime.now(AMS).date()
        items = requests.get(
            f"{product}/@slots",
            params={
                "start": today.isoformat(),
                "end": (today + timedelta(days=2)).isoformat(),
            },
            headers=JSON,
            timeout=30,
        ).json()["items"]
        # The first free time whose room is open already (it opens 15 minutes
        # before): other tests of the module take times too, also near midnight.
        now = datetime.now(UTC)
        start = next(
            item["start"]
            for item in items
            if item.get("available", True)
            and datetime.fromisoformat(item["start"]) - timedelta(minutes=15) <= now
        )
    response = requests.post(
        f"{product}/@book",
        json={"start": start, "fullname": "Fatima el Amrani", "email": "f@example.nl"},
        headers=JSON,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["token"], start


def employee_url(live_site, product, start, token):
    """The staff address of the appointment of this citizen's token.

    Other tests of the module book the same product, often at the same time
    (three counters): the time alone does not tell which appointment it is.
    """
    day = datetime.fromisoformat(start).date()
    items = requests.get(
        f"{product}/@appointments",
        params={"start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    ).json()["items"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    for item in items:
        if item["start"] != start:
            continue
        stored = requests.get(
            item["@id"], headers=JSON, auth=live_site.admin, timeout=30
        ).json()
        if stored["token_hash"] == digest:
            return item["@id"]
    raise AssertionError(f"no appointment of this token at {start}")


def test_citizen_and_employee_meet(live_site, product):
    token, start = book(product)
    citizen = requests.get(
        f"{live_site.site}/@appointment/{token}/video", headers=JSON, timeout=30
    )
    assert citizen.status_code == 200, citizen.text
    citizen = citizen.json()
    assert citizen["role"] == "citizen"
    assert citizen["signal_url"] == f"{live_site.rooms_url}/{citizen['room']}"
    employee = requests.get(
        f"{employee_url(live_site, product, start, token)}/@video",
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    )
    assert employee.status_code == 200, employee.text
    employee = employee.json()
    assert employee["role"] == "employee" and employee["room"] == citizen["room"]

    result = asyncio.run(peer.call(employee, citizen))
    print(f"first remote frame after {result['first_frame_seconds'] * 1000:.0f} ms")
    assert result["chat"] == "Kunt u mij zien?"
    assert result["frame_size"] == (640, 480)
    assert result["first_frame_seconds"] < 5


def test_room_not_open_yet(live_site, product):
    later = datetime.now(AMS).replace(minute=0, second=0, microsecond=0) + timedelta(
        days=2
    )
    token, _start = book(product, later.isoformat())
    response = requests.get(
        f"{live_site.site}/@appointment/{token}/video", headers=JSON, timeout=30
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["type"] == "RoomClosed"
    opens = (later.astimezone(UTC) - timedelta(minutes=15)).astimezone(AMS)
    assert opens.strftime("%H:%M") in error["message"]
    # The day in words, never an ISO date.
    assert opens.date().isoformat() not in error["message"]
    months = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ]
    assert f"{opens.day} {months[opens.month - 1]}" in error["message"]


def test_cancelled_appointment_has_no_room(live_site, product):
    token, _start = book(product)
    requests.post(
        f"{live_site.site}/@appointment/{token}/cancel", headers=JSON, timeout=30
    )
    response = requests.get(
        f"{live_site.site}/@appointment/{token}/video", headers=JSON, timeout=30
    )
    assert response.status_code == 404


def test_anonymous_cannot_take_the_employee_role(live_site, product):
    token, start = book(product)
    url = employee_url(live_site, product, start, token)
    assert requests.get(f"{url}/@video", headers=JSON, timeout=30).status_code == 401


def test_a_citizen_token_cannot_enter_another_room(live_site, product):
    token_a, _ = book(product)
    token_b, _ = book(product)
    a = requests.get(
        f"{live_site.site}/@appointment/{token_a}/video", headers=JSON, timeout=30
    ).json()
    b = requests.get(
        f"{live_site.site}/@appointment/{token_b}/video", headers=JSON, timeout=30
    ).json()
    intruder = dict(b, signal_url=a["signal_url"])

    async def attempt():
        import aiohttp

        async with aiohttp.ClientSession() as session:
            with pytest.raises(peer.RoomError, match="wrong_room"):
                await peer.Peer(session, intruder).join()

    asyncio.run(attempt())


def test_employee_invites_a_guest(live_site, product):
    token, start = book(product)
    url = employee_url(live_site, product, start, token)
    invite = requests.post(
        f"{url}/@video-guest",
        json={"name": "Tolk Arabisch"},
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    )
    assert invite.status_code == 201, invite.text
    guest_page = invite.json()["url"]
    guest_token = guest_page.rsplit("/", 1)[1]
    assert requests.get(guest_page, timeout=30).status_code == 200
    info = requests.get(
        f"{live_site.site}/@video-guest/{guest_token}", headers=JSON, timeout=30
    )
    assert info.status_code == 200, info.text
    assert info.json()["role"] == "guest"
    assert (
        requests.get(
            f"{live_site.site}/@video-guest/nonsense", headers=JSON, timeout=30
        ).status_code
        == 404
    )
    # Only staff invite; a name is needed.
    assert (
        requests.post(
            f"{url}/@video-guest", json={"name": "X"}, headers=JSON, timeout=30
        ).status_code
        == 401
    )
    empty = requests.post(
        f"{url}/@video-guest",
        json={"name": " "},
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    )
    assert empty.status_code == 400


def test_staff_login_names_stay_hidden(live_site, product):
    token, start = book(product)
    info = requests.get(
        f"{employee_url(live_site, product, start, token)}/@video",
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    ).json()
    assert info["participant"].startswith("employee-")
    assert live_site.admin[0] not in info["participant"]
    assert live_site.admin[0] not in info["token"]


def test_guest_invitation_needs_json(live_site, product):
    token, start = book(product)
    url = employee_url(live_site, product, start, token)
    response = requests.post(
        f"{url}/@video-guest",
        data="name=X",
        auth=live_site.admin,
        timeout=30,
        headers={"Accept": "application/json", "Content-Type": "text/plain"},
    )
    assert response.status_code == 415


def test_phone_appointment_has_no_room(live_site):
    url, _uid = create_product(
        live_site,
        title="Telefonisch spreekuur",
        channels=["phone"],
        opening_hours=every_day(counters=1),
    )
    token, _start = book(url)
    response = requests.get(
        f"{live_site.site}/@appointment/{token}/video", headers=JSON, timeout=30
    )
    assert response.status_code == 404


# --- cancelling revokes the room ----------------------------------------------------


async def _connect(session, info):
    """A websocket in the room with the token Plone gave: (ws, welcome)."""
    ws = await session.ws_connect(info["signal_url"])
    await ws.send_json({"type": "join", "token": info["token"]})
    return ws, await ws.receive_json(timeout=10)


async def _close_code(ws, seconds):
    async with asyncio.timeout(seconds):
        while True:
            message = await ws.receive()
            if message.type == aiohttp.WSMsgType.CLOSE:
                return message.data
            if message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                return ws.close_code


def test_cancelling_closes_the_room_and_refuses_its_old_tokens(live_site, product):
    token, start = book(product)
    url = employee_url(live_site, product, start, token)
    video = f"{live_site.site}/@appointment/{token}/video"
    citizen = requests.get(video, headers=JSON, timeout=30).json()
    spare = requests.get(video, headers=JSON, timeout=30).json()  # for later
    employee = requests.get(
        f"{url}/@video", headers=JSON, auth=live_site.admin, timeout=30
    ).json()
    invite = requests.post(
        f"{url}/@video-guest",
        json={"name": "Tolk"},
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    ).json()
    guest_token = invite["url"].rsplit("/", 1)[1]
    guest = requests.get(
        f"{live_site.site}/@video-guest/{guest_token}", headers=JSON, timeout=30
    ).json()

    async def scenario():
        async with aiohttp.ClientSession() as session:
            sockets = {}
            for who, info in (("e", employee), ("c", citizen), ("g", guest)):
                sockets[who], welcome = await _connect(session, info)
                assert welcome["type"] == "welcome", welcome
            # Staff cancel over HTTP, as the agenda does.
            cancelled = await asyncio.to_thread(
                requests.post,
                f"{url}/@workflow/cancel",
                headers=JSON,
                auth=live_site.admin,
                timeout=30,
            )
            assert cancelled.status_code == 200, cancelled.text
            for who in ("c", "g"):
                assert await _close_code(sockets[who], 5) == 4403
            # The employee stays (and sees the others leave).
            assert not sockets["e"].closed
            # A token minted before the cancel admits nobody any more.
            ws, answer = await _connect(session, spare)
            assert answer["type"] == "error" and answer["code"] == "revoked"
            assert await _close_code(ws, 5) == 4403
            # And Plone mints no new ones.
            again = await asyncio.to_thread(
                requests.get, video, headers=JSON, timeout=30
            )
            assert again.status_code == 404

    try:
        asyncio.run(scenario())
    except BaseException:
        print("The live site said:", live_site.text[-4000:])  # why no revoke
        raise
