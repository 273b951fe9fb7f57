"""Small helpers the HTTP tests share: times in Amsterdam and a citizen's booking."""

from bs4 import BeautifulSoup
from datetime import datetime
from datetime import timedelta
from email import message_from_bytes
from email import policy
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo
import requests
import threading
import time


AMS = ZoneInfo("Europe/Amsterdam")
PASSWORD = "a-Long-test-password-1"  # of the users the fixtures make
JSON = {"Accept": "application/json", "Content-Type": "application/json"}
ACCEPT = {"Accept": "application/json"}
# The EICAR anti-virus test file: harmless, found by every virus scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def tomorrow():
    return datetime.now(AMS).date() + timedelta(days=1)


def at(day, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS).isoformat()


def person(**extra):
    data = {
        "fullname": "Fatima el Amrani",
        "email": "fatima@example.nl",
        "phone": "06 12345678",
        "language": "nl",
    }
    data.update(extra)
    return data


def use_smtp(manager, port):
    """Point the site's mail at a local SMTP server, as an administrator would."""
    response = manager.patch(
        "@controlpanels/mail",
        json={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "email_from_address": "balie@example.org",
            "email_from_name": "Gemeente Voorbeeld",
        },
        headers=JSON,
    )
    assert response.status_code == 204, response.text


def book(browser, product, start, **data):
    return browser.post(
        f"{product}/@book", json=person(start=start, **data), headers=JSON
    )


class Browser(requests.Session):
    """A requests session bound to the test site's URL, with form helpers."""

    def __init__(self, portal_url, language=None):
        super().__init__()
        self.portal_url = portal_url
        if language:
            self.headers["Accept-Language"] = language

    def request(self, method, url, *args, **kwargs):
        if not url.startswith("http"):
            url = f"{self.portal_url}/{url.lstrip('/')}"
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, *args, **kwargs)

    def form_values(self, response, form_id):
        """The values a browser would submit for the form with this id."""
        soup = BeautifulSoup(response.text, "html.parser")
        form = soup.find("form", id=form_id)
        assert form is not None, f"form {form_id!r} not on {response.url}"
        values = {}
        for field in form.find_all(["input", "select", "textarea"]):
            name = field.get("name")
            if not name or field.get("type") in ("submit", "button"):
                continue
            if field.get("type") in ("checkbox", "radio") and not field.has_attr(
                "checked"
            ):
                continue
            if field.name == "select":
                # Like a browser: the first option when none is selected.
                selected = field.find("option", selected=True) or field.find("option")
                values[name] = selected.get("value", selected.text) if selected else ""
            elif field.name == "textarea":
                values[name] = field.text
            else:
                values[name] = field.get("value", "")
        return values


def team_agenda(session, day=None):
    """The items of the team's agenda on a day (default tomorrow), as an employee sees them."""
    response = session.get(
        "@agenda",
        params={"start": (day or tomorrow()).isoformat(), "scope": "team"},
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def book_soon(
    browser, product, fullname="Jan Burger", email="jan@example.nl", ahead=None
):
    """Book the first free slot from now on (today or tomorrow): a video room
    opens shortly before it. Returns (token, start as ISO text).

    ``ahead`` (a timedelta): only a slot at least that far from now, so that it
    has not begun by the time the booking arrives (short slots, busy machine)."""
    now = datetime.now(AMS)
    slots = browser.get(
        f"{product}/@slots",
        params={
            "start": now.date().isoformat(),
            "end": (now + timedelta(days=1)).date().isoformat(),
        },
        headers=JSON,
    ).json()["items"]
    slot = next(
        s
        for s in slots
        if s["available"]
        and datetime.fromisoformat(s["start"]) > now + (ahead or timedelta(0))
    )
    response = browser.post(
        f"{product}/@book",
        json={"start": slot["start"], "fullname": fullname, "email": email},
        headers=JSON,
    )
    assert response.status_code == 201, response.text
    return response.json()["token"], slot["start"]


def cookie_login(portal_url, login):
    """A session logged in through the login form, as in a browser: only the
    __ac cookie, no Authorization header."""
    session = Browser(portal_url, "en")
    form = session.get("login")
    values = session.form_values(form, "LoginForm")
    values.update({"__ac_name": login, "__ac_password": PASSWORD})
    values["buttons.login"] = "Log in"
    response = session.post("login", data=values)
    assert response.status_code == 200, response.text[:500]
    assert "__ac" in session.cookies
    assert session.auth is None
    return session


def origin(portal_url):
    """The site's origin, as a browser sends it in ``Origin``."""
    parts = urlsplit(portal_url)
    return f"{parts.scheme}://{parts.netloc}"


class Inbox:
    """What a real SMTP server (aiosmtpd on loopback) received: the handler of
    an aiosmtpd Controller."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                message_from_bytes(envelope.content, policy=policy.default)
            )
        return "250 OK"


def day_slots(product_url, day):
    """The slots of one day as ``@slots`` gives them to anyone (a list of dicts)."""
    response = requests.get(
        f"{product_url}/@slots",
        params={"start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


# Walk-in hours from 00:00 to 23:59 every day: as open as a product can be.
WALK_IN_ALL_DAY = [
    {"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)
]


def walk_in_all_day(margin=timedelta(minutes=3)):
    """WALK_IN_ALL_DAY, for a test that needs walk-in open now. The hours end at
    23:59 at the latest (closed from then to midnight), so a test that starts
    in the last minutes of a day first waits until just past midnight: its
    verdict must not depend on the hour."""
    now = datetime.now(AMS)
    closes = now.replace(hour=23, minute=59, second=0, microsecond=0)
    if now >= closes - margin:
        time.sleep((closes + timedelta(minutes=1, seconds=2) - now).total_seconds())
    return WALK_IN_ALL_DAY
