"""Room server capacity and speed; time to the first video frame.

- 2,000 concurrent websocket connections in 1,000 rooms (an employee and a
  citizen each, the citizen admitted): the server's memory per connection.
- 1,000 relayed messages per second for 10 seconds: latency p50/p95/max.
- Two aiortc peers on loopback: time to the first remote video frame.

The room server runs as its own process (`digitalebalie-rooms`), as in
production; the clients run here. Prints figures; it does not pass or fail.
"""

from collective.digitalebalie.video import peer
from collective.digitalebalie.video import tokens
from pathlib import Path
import aiohttp
import asyncio
import os
import psutil
import socket
import statistics
import subprocess
import sys
import time


BIN = Path(sys.executable).parent
SECRET = "bench-secret-" + "b" * 32
ROOMS = 1000
RATE = 1000
SECONDS = 10


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def info(base, room, participant, role):
    return {
        "signal_url": f"{base}/{room}",
        "token": tokens.mint(SECRET, room=room, participant=participant, role=role),
        "participant": participant,
        "ice_servers": [],
    }


async def open_rooms(session, base):
    async def one_room(number):
        room = f"room{number}"
        employee = await session.ws_connect(f"{base}/{room}")
        await employee.send_json(
            {"type": "join", "token": info(base, room, "e", "employee")["token"]}
        )
        await employee.receive_json()
        citizen = await session.ws_connect(f"{base}/{room}")
        await citizen.send_json(
            {"type": "join", "token": info(base, room, "c", "citizen")["token"]}
        )
        await citizen.receive_json()
        await employee.receive_json()  # presence: the citizen waits
        await employee.send_json({"type": "admit", "participant": "c"})
        await citizen.receive_json()  # admitted
        return employee, citizen

    rooms = []
    for start in range(0, ROOMS, 100):  # in batches, as a morning fills up
        rooms += await asyncio.gather(*(one_room(n) for n in range(start, start + 100)))
    return rooms


async def relay(rooms):
    latencies = []
    done = asyncio.Event()
    expected = RATE * SECONDS

    async def listen(citizen):
        async for message in citizen:
            data = message.json()
            if data.get("type") == "signal":
                latencies.append(time.perf_counter() - data["data"]["t"])
                if len(latencies) >= expected:
                    done.set()

    listeners = [asyncio.ensure_future(listen(c)) for _e, c in rooms]
    interval = 1 / RATE
    started = time.perf_counter()
    for n in range(expected):
        employee, _citizen = rooms[n % len(rooms)]
        await employee.send_json(
            {
                "type": "signal",
                "to": "c",
                "data": {"candidate": "x" * 200, "t": time.perf_counter()},
            }
        )
        delay = started + (n + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    sent_seconds = time.perf_counter() - started
    await asyncio.wait_for(done.wait(), 30)
    for listener in listeners:
        listener.cancel()
    return latencies, sent_seconds


async def main():
    port = free_port()
    base = f"ws://127.0.0.1:{port}/rooms"
    server = subprocess.Popen(
        [str(BIN / "digitalebalie-rooms"), "--port", str(port)],
        env=dict(os.environ, DIGITALEBALIE_ROOM_SECRET=SECRET),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        process = psutil.Process(server.pid)
        idle = process.memory_info().rss
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            t0 = time.perf_counter()
            rooms = await open_rooms(session, base)
            opened = time.perf_counter() - t0
            full = process.memory_info().rss
            latencies, sent_seconds = await relay(rooms)
            for employee, citizen in rooms:
                await employee.close()
                await citizen.close()
        frame = await peer.call(
            info(base, "framecheck", "e", "employee"),
            info(base, "framecheck", "c", "citizen"),
        )
    finally:
        server.terminate()
        server.wait(timeout=10)

    latencies.sort()
    ms = [value * 1000 for value in latencies]
    connections = 2 * ROOMS
    print(
        f"connections held: {connections} in {ROOMS} rooms (opened and admitted in {opened:.1f} s)"
    )
    print(
        f"room server memory: {idle / 2**20:.0f} MiB idle, {full / 2**20:.0f} MiB with them: "
        f"{(full - idle) / connections / 1024:.1f} KiB per connection"
    )
    print(
        f"relay: {len(ms)} messages at {len(ms) / sent_seconds:.0f}/s; latency p50 "
        f"{statistics.median(ms):.2f} ms, p95 {ms[int(len(ms) * 0.95)]:.2f} ms, max {ms[-1]:.2f} ms"
    )
    print(
        f"two aiortc peers on loopback: first remote video frame after "
        f"{frame['first_frame_seconds'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
