"""The way up (issue 9), all real: `digitalebalie-cluster` starts PostgreSQL,
two Zope instances on one RelStorage database, two room servers and nginx.

Bookings race across both instances; the jobs run on both at once; citizens
and employees meet in the video room whichever instance and room-server
process they reach.
"""

from aiosmtpd.controller import Controller
from collective.digitalebalie.video import peer
from collective.digitalebalie.video import tokens
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from email import message_from_bytes
from helpers import AMS
from helpers import JSON
from helpers import Browser
from live import ClusterLauncher
from live import assert_taken_once_in_order
from live import clean_env
from live import create_product
from live import every_day
from live import first_slot_soon
from live import free_port
from live import join_all_at_once
from live import take_until_empty
from live import walk_in_product
from pathlib import Path
import aiohttp
import asyncio
import collections
import json
import pytest
import requests
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time


REQUESTS = 50
ADMIN = ("admin", "cluster-Admin-pw")


@pytest.fixture(scope="module")
def cluster():
    # Not below pytest's own temporary folder: that is closed to the
    # postgres user who runs the database server when the tests run as root.
    folder = Path(tempfile.mkdtemp(prefix="digitalebalie-cluster-"))
    folder.chmod(0o755)
    launcher = ClusterLauncher(folder / "cluster", clean_env(ADMIN_PASSWORD=ADMIN[1]))
    try:
        launcher.wait_ready(timeout=400)
        launcher.admin = ADMIN
        # The races book far more from one address than the limits against
        # abuse allow (their own tests are in tests/services/test_limits.py).
        response = requests.patch(
            f"{launcher.site}/@controlpanels/digitalebalie",
            json={"booking_limits_enabled": False},
            headers=JSON,
            auth=ADMIN,
            timeout=60,
        )
        assert response.status_code == 204, response.text
        yield launcher
    finally:
        code = launcher.stop()
        # Ctrl+C (SIGTERM here) stops everything, PostgreSQL too.
        with socket.socket() as probe:
            still_there = probe.connect_ex(("127.0.0.1", launcher.pg_port)) == 0
        shutil.rmtree(folder, ignore_errors=True)
        assert code == 0 and not still_there, (code, launcher.text[-2000:])


def job_key(cluster):
    return (cluster.directory / "var" / "job-key").read_text().strip()


def at_once(calls):
    """Run the calls at the same moment, each in its own thread; their results."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def appointments_on(cluster, product, day):
    response = requests.get(
        f"{product}/@appointments",
        params={"start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
        auth=cluster.admin,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def on_instance(cluster, url, number):
    """The same address, asked of instance ``number`` directly (not through nginx)."""
    return url.replace(cluster.site, cluster.instances[number], 1)


@pytest.mark.parametrize("counters", [1, 3])
def test_one_slot_booked_from_both_instances_at_once(cluster, counters):
    product, _uid = create_product(
        cluster,
        title=f"Drukte cluster {counters}",
        duration=15,
        min_notice_hours=2,
        opening_hours=every_day("09:00", "17:00", counters),
    )
    day = datetime.now(AMS).date() + timedelta(days=2)
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS).isoformat()

    def booking(number):
        def call():
            # Half of the citizens reach one instance, half the other.
            url = on_instance(cluster, product, number % 2)
            response = requests.post(
                f"{url}/@book",
                json={
                    "start": start,
                    "fullname": f"Inwoner {number}",
                    "email": f"inwoner{number}@example.nl",
                },
                headers=JSON,
                timeout=180,
            )
            return number % 2, response.status_code, response.json()

        return call

    results = at_once([booking(number) for number in range(REQUESTS)])

    statuses = collections.Counter(status for _i, status, _body in results)
    assert statuses == {201: counters, 409: REQUESTS - counters}, statuses
    assert all(
        body["error"]["type"] == "SlotUnavailable"
        for _i, status, body in results
        if status == 409
    )
    kept = appointments_on(cluster, product, day)
    assert [item["start"] for item in kept] == [start] * counters
    # Each booked citizen can open the appointment on the other instance.
    for instance, status, body in results:
        if status == 201:
            other = cluster.instances[1 - instance]
            mine = requests.get(
                f"{other}/@appointment/{body['token']}", headers=JSON, timeout=30
            )
            assert mine.status_code == 200 and mine.json()["start"] == start


def test_instances_share_content_files_and_logins(cluster):
    first, second = cluster.instances
    # A file (a blob, stored in PostgreSQL) added on one instance...
    content = b"%PDF-1.4\n" + b"gedeeld bestand " * 5000
    response = requests.post(
        first,
        json={
            "@type": "File",
            "id": "gedeeld",
            "title": "Gedeeld",
            "file": {
                "data": content.decode("latin-1"),
                "encoding": "latin-1",
                "filename": "gedeeld.pdf",
                "content-type": "application/pdf",
            },
        },
        headers=JSON,
        auth=cluster.admin,
        timeout=60,
    )
    assert response.status_code == 201, response.text
    # ...is served by the other one, byte for byte.
    download = requests.get(
        f"{second}/gedeeld/@@download/file", auth=cluster.admin, timeout=60
    )
    assert download.status_code == 200 and download.content == content
    # Logging in on one instance is logging in on all (the keys are in the database).
    assert (
        requests.get(
            f"{second}/@@agenda", allow_redirects=False, timeout=30
        ).status_code
        != 200
    )
    browser = Browser(first, "en")
    values = browser.form_values(browser.get("login"), "LoginForm")
    values.update(
        {
            "__ac_name": "medewerker",
            "__ac_password": "balie-demo-2026",
            "buttons.login": "Log in",
        }
    )
    assert browser.post("login", data=values).status_code == 200
    agenda = browser.get(f"{second}/@@agenda", allow_redirects=False)
    assert agenda.status_code == 200, agenda.status_code


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(
                (message["Message-ID"], message["To"], message["Subject"])
            )
        return "250 OK"


def test_jobs_on_both_instances_at_once_send_and_destroy_once(cluster):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for panel, values in (
            (
                "mail",
                {
                    "smtp_host": "127.0.0.1",
                    "smtp_port": controller.port,
                    "email_from_address": "balie@example.org",
                    "email_from_name": "Gemeente",
                },
            ),
            ("digitalebalie", {"mail_capture_only": False, "reminder_hours": 24 * 9}),
        ):
            response = requests.patch(
                f"{cluster.instances[0]}/@controlpanels/{panel}",
                json=values,
                headers=JSON,
                auth=cluster.admin,
                timeout=30,
            )
            assert response.status_code == 204, response.text
        product, _uid = create_product(
            cluster,
            title="Jobs cluster",
            duration=15,
            min_notice_hours=0,
            opening_hours=every_day("08:00", "18:00", 1),
        )
        day = datetime.now(AMS).date() + timedelta(days=1)
        people = [f"cluster{number}@example.nl" for number in range(8)]
        for number, email in enumerate(people):
            start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=AMS)
            response = requests.post(
                f"{on_instance(cluster, product, number % 2)}/@book",
                json={
                    "start": (start + timedelta(minutes=15 * number)).isoformat(),
                    "fullname": "Bewaartermijn Verstreken",
                    "email": email,
                },
                headers=JSON,
                timeout=60,
            )
            assert response.status_code == 201, response.text

        def job(task, number):
            view = {
                "deliver": "digitalebalie-deliver",
                "retention": "digitalebalie-retention",
            }

            def call():
                response = requests.post(
                    f"{cluster.instances[number]}/@@{view[task]}",
                    headers={"X-Digitalebalie-Job-Key": job_key(cluster)},
                    timeout=300,
                )
                assert response.status_code == 200, response.text
                return response.json()

            return call

        def received(email):
            return [subject for _id, to, subject in inbox.messages if email in to]

        # Two runs on each instance at the same moment, until all mail is out.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(
            len(received(email)) < 2 for email in people
        ):
            at_once([job("deliver", number % 2) for number in range(4)])
        ids = collections.Counter(message_id for message_id, *_ in inbox.messages)
        assert max(ids.values()) == 1, ids
        for email in people:
            # A confirmation and a reminder (the visit is within 9 days), once each.
            subjects = received(email)
            assert len(subjects) == 2, (email, subjects)
            assert sum(s.startswith(("Herinnering", "Reminder")) for s in subjects) == 1

        # Years later: a manager approved destroying these dossiers. A third
        # process on the same database (zconsole) makes it so.
        prepared = subprocess.run(
            [
                str(Path(sys.executable).with_name("zconsole")),
                "run",
                str(cluster.directory / "instance1" / "etc" / "zope.conf"),
                str(Path(__file__).with_name("prepare_retention.py")),
                "Bewaartermijn Verstreken",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert prepared.returncode == 0, prepared.stderr
        paths = json.loads(prepared.stdout.strip().splitlines()[-1])
        assert len(paths) == len(people)
        results = at_once([job("retention", number % 2) for number in range(4)])
        assert sum(result["destroyed"] for result in results) == len(people), results
        for path in paths:
            for instance in cluster.instances:
                gone = requests.get(
                    f"{instance.rsplit('/', 1)[0]}/{path}",
                    auth=cluster.admin,
                    allow_redirects=False,
                    timeout=30,
                )
                assert gone.status_code == 404, path
    finally:
        controller.stop()


def test_people_in_one_room_meet_through_the_balancer(cluster):
    """Each connection goes through nginx; rooms spread over both processes,
    and the two people of every room still find each other."""
    secret = (cluster.directory / "var" / "room-secret").read_text().strip()
    rooms = [f"kamer{number}" for number in range(24)]

    def token(room, who, role):
        return tokens.mint(secret, room=room, participant=who, role=role, name=who)

    async def scenario():
        async with aiohttp.ClientSession() as session:
            connections = []
            for room in rooms:
                employee = await session.ws_connect(f"{cluster.rooms_url}/{room}")
                await employee.send_json(
                    {"type": "join", "token": token(room, "medewerker", "employee")}
                )
                assert (await employee.receive_json(timeout=10))["admitted"] is True
                citizen = await session.ws_connect(f"{cluster.rooms_url}/{room}")
                await citizen.send_json(
                    {"type": "join", "token": token(room, "inwoner", "citizen")}
                )
                welcome = await citizen.receive_json(timeout=10)
                # The citizen sees the employee: they reached the same process.
                assert [p["participant"] for p in welcome["peers"]] == ["medewerker"]
                await employee.send_json({"type": "admit", "participant": "inwoner"})
                while (await citizen.receive_json(timeout=10))["type"] != "admitted":
                    pass
                await citizen.send_json({"type": "chat", "text": f"Hallo in {room}"})
                while True:
                    message = await employee.receive_json(timeout=10)
                    if message["type"] == "chat":
                        assert message["text"] == f"Hallo in {room}"
                        break
                connections += [employee, citizen]
            health = []
            for port in cluster.rooms_ports:
                async with session.get(f"http://127.0.0.1:{port}/health") as answer:
                    health.append(await answer.json())
            for connection in connections:
                await connection.close()
            return health

    health = asyncio.run(scenario())
    assert sum(item["rooms"] for item in health) == len(rooms)
    assert all(item["connections"] == 2 * item["rooms"] for item in health)
    # Both processes carry rooms (24 rooms all on one: chance 2 in 16 million).
    assert all(item["rooms"] > 0 for item in health), health


def test_citizen_and_employee_meet_via_different_instances(cluster):
    """Video with aiortc peers: the citizen's page talks to one instance, the
    employee's to the other; both reach the room through nginx."""
    product, _uid = create_product(cluster, title="Video cluster")
    slot = first_slot_soon(product)
    booked = requests.post(
        f"{on_instance(cluster, product, 0)}/@book",
        json={"start": slot, "fullname": "Fatima el Amrani", "email": "f@example.nl"},
        headers=JSON,
        timeout=60,
    )
    assert booked.status_code == 201, booked.text
    citizen = requests.get(
        f"{cluster.instances[1]}/@appointment/{booked.json()['token']}/video",
        headers=JSON,
        timeout=30,
    )
    assert citizen.status_code == 200, citizen.text
    citizen = citizen.json()
    assert citizen["signal_url"] == f"{cluster.rooms_url}/{citizen['room']}"
    day = datetime.fromisoformat(slot).date()
    mine = next(
        item["@id"]
        for item in appointments_on(cluster, product, day)
        if item["start"] == slot
    )
    employee = requests.get(
        f"{on_instance(cluster, mine, 0)}/@video",
        headers=JSON,
        auth=cluster.admin,
        timeout=30,
    )
    assert employee.status_code == 200, employee.text
    result = asyncio.run(peer.call(employee.json(), citizen))
    assert result["chat"] == "Kunt u mij zien?"
    assert result["frame_size"] == (640, 480)


def test_ports_that_repeat_are_refused_before_anything_starts(tmp_path):
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("digitalebalie-cluster")),
            "--dir",
            str(tmp_path / "cluster"),
            "--port",
            "18900",
            "--instances",
            "10",  # the tenth room server would get PostgreSQL's default port
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "port of its own" in result.stderr
    assert not (tmp_path / "cluster").exists()


def test_instances_connect_as_the_database_owner_not_the_administrator(cluster):
    import psycopg2
    import re
    import stat

    conf = cluster.directory / "instance1" / "etc" / "zope.conf"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600  # it holds the password
    dsn = re.search(r"^\s*dsn (.+)$", conf.read_text(), re.M).group(1)
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == ("plone", False)
        # ... and it cannot run programs on the server's account.
        with pytest.raises(psycopg2.Error):
            cursor.execute("COPY (SELECT 1) TO PROGRAM 'true'")


def test_a_change_reaches_the_open_pages_whichever_process_holds_the_room(cluster):
    """The live desk behind the balancer: a page watches its room through nginx;
    a payment asked on one instance reaches it through the room server process
    that holds that room (the notice takes the room's own path)."""
    product, _uid = create_product(cluster, title="Live desk cluster")
    slot = first_slot_soon(product)
    people = [f"Burger {n}" for n in range(6)]
    tokens_of = {}
    for number, name in enumerate(people):
        booked = requests.post(
            f"{on_instance(cluster, product, number % 2)}/@book",
            json={"start": slot, "fullname": name, "email": f"b{number}@example.nl"},
            headers=JSON,
            timeout=60,
        )
        if booked.status_code == 409:  # that slot is full: the next one
            slot = first_slot_soon(product)
            booked = requests.post(
                f"{product}/@book",
                json={
                    "start": slot,
                    "fullname": name,
                    "email": f"b{number}@example.nl",
                },
                headers=JSON,
                timeout=60,
            )
        assert booked.status_code == 201, booked.text
        tokens_of[name] = booked.json()["token"]
    day = datetime.fromisoformat(slot).date()
    staff = {
        item["fullname"]: item["@id"]
        for item in appointments_on(cluster, product, day)
        if item["fullname"] in tokens_of
    }

    async def scenario():
        async with aiohttp.ClientSession() as session:
            watchers = {}
            for name, token in tokens_of.items():
                desk = requests.get(
                    f"{cluster.instances[1]}/@appointment/{token}/desk",
                    headers=JSON,
                    timeout=30,
                ).json()
                assert desk["watch"]["url"].startswith(cluster.rooms_url)
                socket_ = await session.ws_connect(desk["watch"]["url"])
                await socket_.send_json(
                    {"type": "watch", "token": desk["watch"]["token"]}
                )
                assert (await socket_.receive_json(timeout=10))["type"] == "watching"
                watchers[name] = socket_
            delays = []
            for name, socket_ in watchers.items():
                asked = time.monotonic()
                response = await asyncio.to_thread(
                    requests.post,
                    f"{on_instance(cluster, staff[name], 0)}/@payments",
                    json={"amount": "12,50", "description": "Uittreksel"},
                    headers=JSON,
                    auth=cluster.admin,
                    timeout=60,
                )
                assert response.status_code == 201, response.text
                while True:
                    message = await socket_.receive_json(timeout=10)
                    if message["type"] == "update":
                        break
                assert message == {"type": "update", "parts": ["payments"]}
                delays.append(time.monotonic() - asked)
            for socket_ in watchers.values():
                await socket_.close()
            return delays

    delays = asyncio.run(scenario())
    # Within 2 s of the employee's click (the request's own time included).
    assert max(delays) < 2, delays


def test_walk_in_citizens_taken_once_across_both_instances(cluster):
    """30 citizens join and 3 employees take at once, half of each on either
    instance: the queue record on RelStorage makes each take happen once."""
    url, sessions = walk_in_product(cluster, employees=3, max_queue=30)
    joins = join_all_at_once([on_instance(cluster, url, n) for n in (0, 1)], 30)
    results = take_until_empty(cluster.instances, sessions)
    assert_taken_once_in_order(joins, results)
    for session in sessions:
        session.close()
