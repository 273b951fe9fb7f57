"""A walk-in queue's path on the room server (issue 19): everybody waiting in
the queue and the agenda of its teams watch it, far more than a room's 8
watchers, and each change of the queue reaches all of them (no personal data)."""

from test_room_server import next_of
from test_room_server import post_notice
from test_room_server import run
from test_room_watchers import watch


QUEUE = "queue-0123456789abcdef0123456789abcdef"


def test_a_queue_path_takes_many_watchers_and_tells_them_all():
    async def scenario(session, base, server):
        citizens = [
            (await watch(session, base, f"queue-{n}", "citizen", room=QUEUE))
            for n in range(30)
        ]
        staff = [
            (await watch(session, base, f"emp{n}", "employee", room=QUEUE))
            for n in range(2)
        ]
        assert all(answer["type"] == "watching" for _ws, answer in citizens + staff)
        # A citizen learns nothing of the others from the server.
        assert all(answer["participants"] == [] for _ws, answer in citizens)
        status, answer = await post_notice(
            session, base, room=QUEUE, kind="update", parts=["queue"]
        )
        assert (status, answer) == (200, {"done": True, "sent": 32})
        for ws, _answer in citizens + staff:
            assert await next_of(ws, "update") == {"type": "update", "parts": ["queue"]}

    run(scenario)
