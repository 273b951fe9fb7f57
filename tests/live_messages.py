"""What a live site sends, received as a citizen would: mail in a real SMTP
server (aiosmtpd on loopback), text messages in the local CM.com gateway.

The demo keeps its messages in the outbox, where links are masked; here the
site sends them for real, and gets its demo settings back afterwards (the live
site is shared by the tests of a session).
"""

from aiosmtpd.controller import Controller
from fake_sms import FakeGateway
from helpers import JSON
from helpers import Inbox
from live import free_port
from live import set_controlpanel
from live import set_secret
import re
import requests
import time


SMS_TOKEN = "live-browser-sms-token"
LINK = re.compile(r"https?://\S+/@@(?:my-appointment|earlier-time)/[A-Za-z0-9_-]+")


def _current(live_site, panel, names):
    data = requests.get(
        f"{live_site.site}/@controlpanels/{panel}",
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    ).json()["data"]
    values = {name: data.get(name) for name in names}
    return {  # vocabulary fields come back as {"token", "title"}
        name: value["token"] if isinstance(value, dict) else value
        for name, value in values.items()
    }


class LiveMessages:
    """The live site's mail and text messages, while it is used as a context manager."""

    MAIL = ("smtp_host", "smtp_port")
    BALIE = ("mail_capture_only", "sms_gateway", "sms_gateway_url")

    def __init__(self, live_site):
        self.live_site = live_site
        self.inbox = Inbox()
        self.key = (live_site.directory / "var" / "job-key").read_text().strip()

    def __enter__(self):
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=free_port())
        self.smtp.start()
        self.gateway = FakeGateway(SMS_TOKEN).start()
        self.before = (
            _current(self.live_site, "mail", self.MAIL),
            _current(self.live_site, "digitalebalie", self.BALIE),
        )
        site = self.live_site
        set_secret(site.site, site.admin, "sms_api_key", SMS_TOKEN)
        set_controlpanel(
            site, "mail", {"smtp_host": "127.0.0.1", "smtp_port": self.smtp.port}
        )
        set_controlpanel(
            site,
            "digitalebalie",
            {
                "mail_capture_only": False,
                "sms_gateway": "cm",
                "sms_gateway_url": f"{self.gateway.base}/v1.0/message",
            },
        )
        return self

    def __exit__(self, *exc):
        mail, balie = self.before
        set_controlpanel(self.live_site, "mail", mail)
        set_controlpanel(self.live_site, "digitalebalie", balie)
        self.gateway.stop()
        self.smtp.stop()

    def deliver(self):
        """Run the delivery job once (the instance's own runs every minute)."""
        response = requests.post(
            f"{self.live_site.site}/@@digitalebalie-deliver",
            headers={"X-Digitalebalie-Job-Key": self.key},
            timeout=120,
        )
        assert response.status_code == 200, response.text

    def mails_to(self, address):
        with self.inbox.lock:
            return [m for m in self.inbox.messages if address in str(m["To"])]

    def texts_to(self, number):
        """Text messages to a number in E.164 ("+31612345678")."""
        wanted = "00" + number.removeprefix("+")
        with self.gateway.lock:
            return [text for to, _s, text, _r in self.gateway.messages if to == wanted]

    def wait_for(self, found, timeout=60):
        """Deliver until ``found()`` gives something; return it."""
        deadline = time.monotonic() + timeout
        while True:
            self.deliver()
            result = found()
            if result:
                return result
            assert time.monotonic() < deadline, "the message did not arrive"
            time.sleep(0.5)

    def text(self, number, containing):
        """The text message to ``number`` that holds ``containing`` (waits for it)."""
        return self.wait_for(
            lambda: [t for t in self.texts_to(number) if containing in t]
        )[-1]

    def mail(self, address, containing):
        """The plain text of the mail to ``address`` that holds ``containing``."""

        def bodies():
            return [
                body
                for m in self.mails_to(address)
                if containing in (body := m.get_body(("plain",)).get_content())
            ]

        return self.wait_for(bodies)[-1]


def link_in(text):
    match = LINK.search(text)
    assert match, text
    return match.group(0)
