"""A real running Digitale Balie: `digitalebalie-start` in a subprocess on a free port."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import Browser
from helpers import walk_in_all_day
from pathlib import Path
import os
import pytest
import requests
import signal
import socket
import subprocess
import sys
import threading
import time


BIN = Path(sys.executable).parent

# Debian's Chromium, headless, as root, on a machine without internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_")}
    env.pop("ADMIN_PASSWORD", None)
    env.update(extra)
    return env


class Launcher:
    """digitalebalie-start in a subprocess; collects what it prints."""

    def __init__(self, directory, port, env, rooms_port=None):
        self.output = []
        self.ready = threading.Event()
        self.started = time.monotonic()
        self.site = f"http://127.0.0.1:{port}/Plone"
        self.directory = directory
        self.rooms_port = rooms_port or free_port()
        self.rooms_url = f"ws://127.0.0.1:{self.rooms_port}/rooms"
        self._spawn(
            [
                str(BIN / "digitalebalie-start"),
                "--dir",
                str(directory),
                "--port",
                str(port),
                "--rooms-port",
                str(self.rooms_port),
            ],
            env,
        )

    READY = "Digitale Balie is running"

    def _spawn(self, command, env):
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            if self.READY in line:
                self.ready.set()

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.ready.is_set() and self.process.poll() is None:
            if time.monotonic() > deadline:
                break
            self.ready.wait(0.2)
        if not self.ready.is_set() or self.process.poll() is not None:
            self.stop()
            pytest.fail(f"{self.READY!r} did not appear:\n" + self.text)
        return time.monotonic() - self.started

    @property
    def text(self):
        return "".join(self.output)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class ClusterLauncher(Launcher):
    """digitalebalie-cluster in a subprocess: PostgreSQL, Zope instances on
    RelStorage, room servers and nginx in front, each on a free port."""

    READY = "Digitale Balie cluster is running"

    def __init__(self, directory, env, instances=2):
        self.output = []
        self.ready = threading.Event()
        self.started = time.monotonic()
        self.directory = directory
        port = free_port()
        self.instance_ports = [free_port() for _ in range(instances)]
        self.rooms_ports = [free_port() for _ in range(instances)]
        self.pg_port = free_port()
        self.site = f"http://127.0.0.1:{port}/Plone"
        self.instances = [
            f"http://127.0.0.1:{number}/Plone" for number in self.instance_ports
        ]
        self.rooms_url = f"ws://127.0.0.1:{port}/rooms"
        self._spawn(
            [
                str(BIN / "digitalebalie-cluster"),
                "--dir",
                str(directory),
                "--port",
                str(port),
                "--instance-ports",
                ",".join(map(str, self.instance_ports)),
                "--rooms-ports",
                ",".join(map(str, self.rooms_ports)),
                "--pg-port",
                str(self.pg_port),
                "--instances",
                str(instances),
                "--no-jobs",
            ],
            env,
        )


def every_day(start="00:00", end="23:59", counters=3):
    return [
        {"weekday": day, "start": start, "end": end, "counters": counters}
        for day in range(7)
    ]


def set_controlpanel(live_site, panel, values):
    """Change settings of a live site's control panel over REST, as an administrator."""
    response = requests.patch(
        f"{live_site.site}/@controlpanels/{panel}",
        json=values,
        headers=JSON,
        auth=live_site.admin,
        timeout=30,
    )
    assert response.status_code == 204, response.text


def set_secret(site, admin, name, value):
    """Type a secret on the secrets page, as an administrator does."""
    browser = Browser(site, "en")
    browser.auth = admin
    page = browser.get("@@digitalebalie-secrets")
    form = browser.form_values(page, "form")
    form.update({f"form.widgets.{name}": value, "form.buttons.save": "Save"})
    assert "saved" in browser.post("@@digitalebalie-secrets", data=form).text


def create_product(launcher, folder="balie", **fields):
    """A published counter product on a live site; returns (url, uid).

    By default bookable right now: 5 minutes, no notice, open all day.
    ``folder``: where, e.g. "en/balie" for the demo's English counter folder.
    """
    body = {
        "@type": "CounterProduct",
        "title": "Spreekuur",
        "duration": 5,
        "min_notice_hours": 0,
        "opening_hours": every_day(),
        **fields,
    }
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    response = requests.post(
        f"{launcher.site}/{folder}",
        json=body,
        headers=headers,
        auth=launcher.admin,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    url = response.json()["@id"]
    published = requests.post(
        f"{url}/@workflow/publish", headers=headers, auth=launcher.admin, timeout=30
    )
    assert published.status_code == 200, published.text
    return url, response.json()["UID"]


def create_translated_product(launcher, dutch, english, **fields):
    """A product in the demo's Dutch counter folder and its English translation
    (plone.app.multilingual): one service, titled ``dutch`` and ``english``;
    returns (Dutch url, English url)."""
    nl, _uid = create_product(launcher, title=dutch, **fields)
    en, _uid = create_product(launcher, folder="en/balie", title=english, **fields)
    response = requests.post(
        f"{nl}/@translations",
        json={"id": en},
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        auth=launcher.admin,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return nl, en


def create_team(live_site, team_id, user_ids, password):
    """A team (a group with the CounterEmployee role) and its members, over REST."""
    site, admin = live_site.site, live_site.admin
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    response = requests.post(
        f"{site}/@groups",
        json={"groupname": team_id, "title": team_id, "roles": ["CounterEmployee"]},
        headers=headers,
        auth=admin,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    for user_id in user_ids:
        response = requests.post(
            f"{site}/@users",
            json={
                "username": user_id,
                "email": f"{user_id}@example.org",
                "password": password,
                "fullname": user_id.title(),
            },
            headers=headers,
            auth=admin,
            timeout=30,
        )
        assert response.status_code == 201, response.text
    response = requests.patch(
        f"{site}/@groups/{team_id}",
        json={"users": dict.fromkeys(user_ids, True)},
        headers=headers,
        auth=admin,
        timeout=30,
    )
    assert response.status_code == 204, response.text


def book_first_free(
    product, fullname, email="burger@example.nl", days_ahead=2, **extra
):
    """Book the first free slot of a product from some days ahead; returns the booking JSON.

    Tests share one live site: a slot may have gone between the list and the
    booking, so the next one is tried.
    """
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    first = datetime.now(AMS).date() + timedelta(days=days_ahead)
    slots = requests.get(
        f"{product}/@slots",
        params={
            "start": first.isoformat(),
            "end": (first + timedelta(days=7)).isoformat(),
        },
        headers=headers,
        timeout=30,
    ).json()["items"]
    for slot in slots:
        if not slot["available"]:
            continue
        response = requests.post(
            f"{product}/@book",
            json={
                "start": slot["start"],
                "fullname": fullname,
                "email": email,
                **extra,
            },
            headers=headers,
            timeout=30,
        )
        if response.status_code == 201:
            return response.json()
    raise AssertionError(f"no free slot in {product}")


def first_slot_soon(product):
    """The first slot of today or tomorrow (a video room opens shortly before it)."""
    today = datetime.now(AMS).date()
    return requests.get(
        f"{product}/@slots",
        params={
            "start": today.isoformat(),
            "end": (today + timedelta(days=1)).isoformat(),
        },
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()["items"][0]["start"]


# --- the walk-in queue under load (tests/walkin, tests/cluster) ---------------------

WALK_IN_PASSWORD = "walk-In-test-pw-1"


def walk_in_product(launcher, employees=3, max_queue=30):
    """A walk-in product and its team, every member available; (url, sessions)."""
    stamp = time.monotonic_ns() % 10**8
    team_id = f"inloop{stamp}"
    user_ids = [f"inloop{stamp}-{number}" for number in range(employees)]
    create_team(launcher, team_id, user_ids, WALK_IN_PASSWORD)
    url, _uid = create_product(
        launcher,
        title="Inloop Burgerzaken",
        channels=["video"],
        teams=[team_id],
        walk_in=True,
        walk_in_hours=walk_in_all_day(),
        walk_in_max_queue=max_queue,
    )
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    sessions = []
    for user_id in user_ids:
        session = requests.Session()
        session.auth = (user_id, WALK_IN_PASSWORD)
        response = session.post(
            f"{launcher.site}/@availability",
            json={"available": True},
            headers=headers,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        sessions.append(session)
    return url, sessions


def join_all_at_once(urls, citizens):
    """``citizens`` join at the same moment, citizen i at ``urls[i % len(urls)]``."""
    barrier = threading.Barrier(citizens)
    headers = {"Accept": "application/json", "Content-Type": "application/json"}

    def one(number):
        with requests.Session() as session:
            barrier.wait()
            response = session.post(
                f"{urls[number % len(urls)]}/@queue",
                json={"fullname": f"Inwoner {number}", "language": "nl"},
                headers=headers,
                timeout=120,
            )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=citizens) as pool:
        return list(pool.map(one, range(citizens)))


def take_until_empty(sites, sessions):
    """Each employee (employee i at ``sites[i % len(sites)]``) takes the next
    citizen again and again until the queue is empty, all at once; per
    employee (what they took, every status they got)."""
    barrier = threading.Barrier(len(sessions))
    headers = {"Accept": "application/json", "Content-Type": "application/json"}

    def employee(number):
        session = sessions[number]
        taken, statuses = [], []
        barrier.wait()
        while True:
            response = session.post(
                f"{sites[number % len(sites)]}/@queue/next",
                json={},
                headers=headers,
                timeout=120,
            )
            statuses.append(response.status_code)
            if response.status_code != 201:
                assert response.json()["error"]["type"] == "QueueEmpty", response.text
                return taken, statuses
            taken.append(response.json())

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        return list(pool.map(employee, range(len(sessions))))


def assert_taken_once_in_order(joins, results):
    """Every citizen who joined was taken exactly once, first come first, no 5xx."""
    citizens = len(joins)
    assert sorted(status for status, _body in joins) == [201] * citizens, joins
    # Each join saw the ones committed before it: places 1 to n, once each.
    assert sorted(body["position"] for _s, body in joins) == list(
        range(1, citizens + 1)
    )
    statuses = [status for _taken, got in results for status in got]
    assert all(status < 500 for status in statuses), statuses

    def number(item):  # the ticket's number in its queue: the order of joining
        return int(item["ticket"]["id"].rsplit("-", 1)[1])

    taken = [item for got, _statuses in results for item in got]
    assert sorted(number(item) for item in taken) == list(range(1, citizens + 1))
    assert len({item["appointment"] for item in taken}) == citizens
    by_time = sorted(
        taken, key=lambda item: datetime.fromisoformat(item["ticket"]["taken"])
    )
    assert [number(item) for item in by_time] == list(range(1, citizens + 1))
    for got, _statuses in results:
        assert [number(item) for item in got] == sorted(number(i) for i in got)
