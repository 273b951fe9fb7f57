"""The walk-in queue under load (issue 19): 200 citizens join, 10 employees take.

    python bench/bench_queue.py

Starts `digitalebalie-start` (FileStorage, waitress with 4 threads, the room
server) in a temporary folder. 200 citizens join one product's queue from 20
clients at once; then 10 employees take the next citizen at once, again and
again, until the queue is empty. Twenty of the citizens (every tenth) follow
their ticket as the queue page does: a watch socket on the queue's path of the
room server, and on every ``update`` a GET of their ticket. Reported: joins/s,
takes/s, the delay from a take (its answer to the employee) to that citizen's
page seeing "your turn" (p50, p95, max), and the write conflicts Zope retried
(counted in the instance's event log).
"""

from bench_cluster import ADMIN
from bench_cluster import BIN
from bench_cluster import Service
from bench_cluster import call
from bench_cluster import conflicts
from bench_cluster import free_port
from bench_cluster import limits_off
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import aiohttp
import asyncio
import base64
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request


CITIZENS = 200
EMPLOYEES = 10
CLIENTS = 20
WATCHED = range(0, CITIZENS, 10)
PASSWORD = "bench-Employee-pw-1"
ALL_DAY = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)]


def as_user(method, url, user, body=None):
    token = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=json.dumps(body if body is not None else {}).encode(),
        headers={
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Basic {token}",
        },
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def setup(site):
    limits_off(site)
    status, _ = call(
        "POST",
        f"{site}/@groups",
        {"groupname": "inloop", "title": "Inloop", "roles": ["CounterEmployee"]},
        auth=True,
    )
    assert status == 201, status
    employees = [f"medewerker{n}" for n in range(EMPLOYEES)]
    for user in employees:
        status, _ = call(
            "POST",
            f"{site}/@users",
            {"username": user, "email": f"{user}@example.org", "password": PASSWORD},
            auth=True,
        )
        assert status == 201, status
    status, _ = call(
        "PATCH",
        f"{site}/@groups/inloop",
        {"users": dict.fromkeys(employees, True)},
        auth=True,
    )
    assert status == 204, status
    status, product = call(
        "POST",
        f"{site}/balie",
        {
            "@type": "CounterProduct",
            "title": "Inloop",
            "duration": 10,
            "channels": ["video"],
            "teams": ["inloop"],
            "walk_in": True,
            "walk_in_hours": ALL_DAY,
            "walk_in_max_queue": CITIZENS,
        },
        auth=True,
    )
    assert status == 201, status
    url = product["@id"]
    status, _ = call("POST", f"{url}/@workflow/publish", auth=True)
    assert status == 200, status
    for user in employees:
        status, _ = as_user("POST", f"{site}/@availability", user, {"available": True})
        assert status == 200, status
    return url, employees


def join_all(product):
    def one(number):
        status, body = call(
            "POST",
            f"{product}/@queue",
            {"fullname": f"Inwoner {number}", "language": "nl"},
        )
        assert status == 201, (status, body)
        return f"Inwoner {number}", body["token"]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        tickets = list(pool.map(one, range(CITIZENS)))
    return tickets, CITIZENS / (time.monotonic() - started)


class Watchers:
    """The sampled citizens' queue pages: a watch socket each, a GET on each update."""

    def __init__(self, site, tickets):
        self.site = site
        self.tickets = tickets
        self.turn = {}  # name -> monotonic time their page saw "your turn"
        self.ready = threading.Event()
        self.done = threading.Event()
        self.connected = 0
        threading.Thread(target=lambda: asyncio.run(self.main()), daemon=True).start()

    async def main(self):
        async with aiohttp.ClientSession() as session:
            tasks = [
                asyncio.create_task(self.follow(session, *t)) for t in self.tickets
            ]
            while not self.done.is_set():
                await asyncio.sleep(0.1)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def ticket(self, session, token):
        url = f"{self.site}/@queue-ticket/{token}"
        async with session.get(url, headers={"Accept": "application/json"}) as response:
            return await response.json()

    async def follow(self, session, name, token):
        url = f"{self.site}/@queue-ticket/{token}/watch"
        async with session.get(url, headers={"Accept": "application/json"}) as response:
            info = await response.json()
        async with session.ws_connect(info["watch"]["url"]) as socket:
            await socket.send_json({"type": "watch", "token": info["watch"]["token"]})
            async for message in socket:
                data = json.loads(message.data)
                if data["type"] == "watching":
                    self.connected += 1
                    if self.connected == len(self.tickets):
                        self.ready.set()
                if data["type"] != "update":
                    continue
                ticket = await self.ticket(session, token)
                if ticket["state"] in ("called", "in_call"):
                    self.turn[name] = time.monotonic()
                    return


def take_all(site, employees):
    taken = {}  # name -> monotonic time of the take's answer
    statuses = []
    lock = threading.Lock()

    def employee(user):
        while True:
            status, body = as_user("POST", f"{site}/@queue/next", user)
            with lock:
                statuses.append(status)
            if status != 201:
                assert body["error"]["type"] == "QueueEmpty", body
                return
            with lock:
                taken[body["ticket"]["fullname"]] = time.monotonic()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=EMPLOYEES) as pool:
        list(pool.map(employee, employees))
    return taken, statuses, len(taken) / (time.monotonic() - started)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_")}
    env.update(ADMIN_PASSWORD=ADMIN[1])
    folder = Path(tempfile.mkdtemp(prefix="digitalebalie-bench-queue-"))
    folder.chmod(0o755)
    port = free_port()
    try:
        instance = Service(
            [
                str(BIN / "digitalebalie-start"),
                "--dir",
                str(folder),
                "--port",
                str(port),
                "--rooms-port",
                str(free_port()),
            ],
            "Digitale Balie is running",
            env,
        )
        instance.wait()
        site = f"http://127.0.0.1:{port}/Plone"
        log = folder / "var" / "log" / "event.log"
        try:
            product, employees = setup(site)
            before = conflicts(log)
            tickets, joins_per_second = join_all(product)
            join_conflicts = conflicts(log) - before
            watchers = Watchers(site, [tickets[n] for n in WATCHED])
            if not watchers.ready.wait(60):
                raise SystemExit("the watch sockets did not open")
            before = conflicts(log)
            taken, statuses, takes_per_second = take_all(site, employees)
            take_conflicts = conflicts(log) - before
            deadline = time.monotonic() + 30
            while len(watchers.turn) < len(WATCHED) and time.monotonic() < deadline:
                time.sleep(0.1)
            watchers.done.set()
        finally:
            instance.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    delays = [(watchers.turn[name] - taken[name]) * 1000 for name in watchers.turn]
    print(f"joins: {CITIZENS} from {CLIENTS} clients, {joins_per_second:.1f}/s")
    print(
        f"takes: {len(taken)} by {EMPLOYEES} employees, {takes_per_second:.1f}/s; "
        f"answers {sorted(set(statuses))}, each citizen once: "
        f"{len(taken) == CITIZENS}"
    )
    print(
        f"take → 'your turn' ({len(delays)} of {len(WATCHED)} watched pages): "
        f"p50 {statistics.median(delays):.0f} ms, p95 {percentile(delays, 0.95):.0f} ms, "
        f"max {max(delays):.0f} ms"
    )
    print(
        f"conflicts retried: {join_conflicts} while joining, {take_conflicts} while taking"
    )


if __name__ == "__main__":
    main()
