"""Two delivery runs at the same time send each message exactly once (real instance)."""

from aiosmtpd.controller import Controller
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from fake_sms import FakeGateway
from helpers import AMS
from helpers import JSON
from live import free_port
from live import set_secret
import collections
import requests
import threading
import time


class Inbox:
    def __init__(self):
        self.ids = []
        self.reminders = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
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
    gateway = FakeGateway("live-sms-product-token").start()
    try:
        set_secret(site, admin, "sms_api_key", "live-sms-product-token")
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
                json={
                    "mail_capture_only": False,
                    "reminder_hours": 24 * 9,
                    "sms_gateway": "cm",
                    "sms_gateway_url": f"{gateway.base}/v1.0/message",
                },
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
                    "phone": f"06 1234 56{number:02d}",
                },
                headers=JSON,
                timeout=30,
            )
            assert response.status_code == 201, response.text
        key = (live_site.directory / "var" / "job-key").read_text().strip()
        barrier = threading.Barrier(4)

        def run(_, together=True):
            if together:
                barrier.wait()
            return requests.post(
                f"{site}/@@digitalebalie-deliver",
                headers={"X-Digitalebalie-Job-Key": key},
                timeout=120,
            ).json()

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(run, range(4)))
        assert sum(result["sent"] for result in results) > 0
        # The instance's own job (every minute) may have claimed a message at
        # the same moment; it is then still sending. Wait for everything.
        # (The live site is shared: other tests' mail may arrive too.)
        ours = {f"00316123456{n:02d}" for n in range(12)}

        def mine(number):
            return sorted(
                r for to, r in inbox.reminders if f"i{number}@example.nl" in to
            )

        def texts():
            return collections.Counter(n for n, *_ in gateway.messages if n in ours)

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            any(len(mine(n)) < 2 for n in range(12)) or len(texts()) < 12
        ):
            time.sleep(1)
            run(0, together=False)
        counts = collections.Counter(inbox.ids)
        assert max(counts.values()) == 1, counts
        # 12 confirmations and, as all start within 9 days, 12 reminders: each once.
        for number in range(12):
            assert mine(number) == [False, True], (number, mine(number))
        # ... and 12 text messages with the reminder, each once.
        assert texts() == dict.fromkeys(ours, 1), texts()
    finally:
        gateway.stop()
        controller.stop()
