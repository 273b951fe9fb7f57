"""Headless test peers (aiortc) that meet in a room: for tests and the self-check.

Media goes peer to peer between the two aiortc peers; the room server only
passes the offer, the answer and the chat. aiortc re-encodes video, so this is
for checking a deployment, never for relaying real calls.
"""

from aiortc import RTCConfiguration
from aiortc import RTCIceServer
from aiortc import RTCPeerConnection
from aiortc import RTCSessionDescription
from aiortc.mediastreams import VideoStreamTrack
from aiortc.rtcconfiguration import RTCIceTransportPolicy
import aiohttp
import asyncio
import time


class RoomError(RuntimeError):
    pass


def _configuration(ice_servers, relay_only):
    servers = [
        RTCIceServer(
            urls=server["urls"],
            username=server.get("username"),
            credential=server.get("credential"),
        )
        for server in ice_servers or []
    ]
    policy = RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL
    return RTCConfiguration(iceServers=servers, iceTransportPolicy=policy)


async def _receive(ws, kind, timeout):
    deadline = time.monotonic() + timeout
    while True:
        message = await ws.receive_json(timeout=max(0.1, deadline - time.monotonic()))
        if message.get("type") == "error":
            raise RoomError(f"{message.get('code')}: {message.get('message')}")
        if message.get("type") == kind:
            return message


class Peer:
    """One participant: a websocket to the room and an aiortc peer connection."""

    def __init__(self, session, info, relay_only=False):
        self.session = session
        self.info = info
        self.pc = RTCPeerConnection(_configuration(info.get("ice_servers"), relay_only))
        self.pc.addTrack(VideoStreamTrack())
        self.first_frame = asyncio.get_event_loop().create_future()
        self.pc.on("track", self._on_track)
        self.ws = None

    def _on_track(self, track):
        async def read():
            frame = await track.recv()
            if not self.first_frame.done():
                self.first_frame.set_result((time.monotonic(), frame))

        if track.kind == "video":
            # Held on the peer: the loop keeps only a weak reference to a task.
            self.reader = asyncio.ensure_future(read())

    async def join(self, timeout=10):
        self.ws = await self.session.ws_connect(self.info["signal_url"])
        await self.ws.send_json({"type": "join", "token": self.info["token"]})
        return await _receive(self.ws, "welcome", timeout)

    async def close(self):
        await self.pc.close()
        if self.ws is not None:
            await self.ws.close()


async def call(employee_info, citizen_info, relay_only=False, timeout=20):
    """Employee and citizen meet: admit, offer/answer, video both ways, chat.

    Returns {"first_frame_seconds", "chat"}; raises RoomError or TimeoutError.
    """
    async with aiohttp.ClientSession() as session:
        employee = Peer(session, employee_info, relay_only)
        citizen = Peer(session, citizen_info, relay_only)
        try:
            await employee.join()
            welcome = await citizen.join()
            if not welcome["admitted"]:
                joined = await _receive(employee.ws, "presence", timeout)
                await employee.ws.send_json(
                    {"type": "admit", "participant": joined["participant"]}
                )
                await _receive(citizen.ws, "admitted", timeout)
            started = time.monotonic()
            offer = await employee.pc.createOffer()
            await employee.pc.setLocalDescription(offer)
            await employee.ws.send_json(
                {
                    "type": "signal",
                    "to": citizen_info["participant"],
                    "data": {
                        "type": "offer",
                        "sdp": employee.pc.localDescription.sdp,
                    },
                }
            )
            message = await _receive(citizen.ws, "signal", timeout)
            await citizen.pc.setRemoteDescription(
                RTCSessionDescription(**message["data"])
            )
            answer = await citizen.pc.createAnswer()
            await citizen.pc.setLocalDescription(answer)
            await citizen.ws.send_json(
                {
                    "type": "signal",
                    "to": employee_info["participant"],
                    "data": {"type": "answer", "sdp": citizen.pc.localDescription.sdp},
                }
            )
            message = await _receive(employee.ws, "signal", timeout)
            await employee.pc.setRemoteDescription(
                RTCSessionDescription(**message["data"])
            )
            frames = await asyncio.wait_for(
                asyncio.gather(employee.first_frame, citizen.first_frame), timeout
            )
            first = max(moment for moment, _frame in frames) - started
            await citizen.ws.send_json({"type": "chat", "text": "Kunt u mij zien?"})
            chat = await _receive(employee.ws, "chat", timeout)
            return {
                "first_frame_seconds": first,
                "frame_size": (frames[0][1].width, frames[0][1].height),
                "chat": chat["text"],
            }
        finally:
            await employee.close()
            await citizen.close()
