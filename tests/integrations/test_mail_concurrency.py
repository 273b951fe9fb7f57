"""Two delivery runs at the same time send each message exactly once (real instance)."""

from aiosmtpd.controller import Controller
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from live import free_port
from zoneinfo import ZoneInfo
import collections
import requests
import threading


AMS = ZoneInfo("Europe/Amsterdam")
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


class Inbox:
    def __init__(self):
        self.ids = []
        self.reminders = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        with self.lock:
            self.ids.append(message["Message-ID"])
            self.reminders.append(
                (
                    message["To"],
                    message["Subject"].startswith(("Reminder", "Herinnering")),
                )
            )
        return "250 OK"


def test_parallel_runs_send_each_message_once(live_site):
    site, admin = live_site.site, live_site.admin
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        assert (
            requests.patch(
                f"{site}/@controlpanels/mail",
                json={
                    "smtp_host": "127.0.0.1",
                    "smtp_port": controller.port,
                    "email_from_address": "balie@example.org",
                    "email_from_name": "Gemeente",
                },
                headers=JSON,
                auth=admin,
                timeout=30,
            ).status_code
            == 204
        )
        assert (
            requests.patch(
                f"{site}/@controlpanels/digitalebalie",
                json={"mail_capture_only": False, "reminder_hours": 24 * 9},
                headers=JSON,
                auth=admin,
                timeout=30,
            ).status_code
            == 204
        )
        product = f"{site}/balie/verhuizing-doorgeven"
        day = datetime.now(AMS).date() + timedelta(days=1)
        slots = requests.get(
            f"{product}/@slots",
            params={
                "start": day.isoformat(),
                "end": (day + timedelta(days=6)).isoformat(),
            },
            headers=JSON,
            timeout=30,
        ).json()["items"]
        for number, slot in enumerate(slots[:12]):
            response = requests.post(
                f"{product}/@book",
                json={
                    "start": slot["start"],
                    "fullname": f"Inwoner {number}",
                    "email": f"i{number}@example.nl",
                },
                headers=JSON,
                timeout=30,
            )
            assert response.status_code == 201, response.text
        key = (live_site.directory / "var" / "job-key").read_text().strip()
        barrier = threading.Barrier(4)

        def run(_):
            barrier.wait()
            return requests.post(
                f"{site}/@@digitalebalie-deliver",
                headers={"X-Digitalebalie-Job-Key": key},
                timeout=120,
            ).json()

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(run, range(4)))
        sent = sum(result["sent"] for result in results)
        counts = collections.Counter(inbox.ids)
        assert max(counts.values()) == 1, counts
        # 12 confirmations and, as all start within 9 days, 12 reminders: each once.
        assert sum(result["reminders"] for result in results) >= 12
        for number in range(12):
            mine = [r for to, r in inbox.reminders if f"i{number}@example.nl" in to]
            assert sorted(mine) == [False, True], (number, mine)
        assert sent == len(counts) >= 24
    finally:
        controller.stop()
