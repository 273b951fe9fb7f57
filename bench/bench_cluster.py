"""The way up: booking throughput on RelStorage with one and with two instances,
and @slots latency on RelStorage compared with FileStorage.

Starts `digitalebalie-cluster` (PostgreSQL, two Zope instances of 4 threads,
nginx) and, for comparison, one FileStorage instance (`digitalebalie-start`).
20 clients book at the same time, each its own slots, spread over 10 products
and 5 days (bookings of one product and day share a ledger record, so they
conflict and are retried, as on a busy morning). Prints figures.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo
import base64
import collections
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


BIN = Path(sys.executable).parent
AMS = ZoneInfo("Europe/Amsterdam")
CLIENTS = 20
BOOKINGS = 400
PRODUCTS = 10
DAYS = 5
ADMIN = ("admin", "bench-Admin-pw")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(method, url, body=None, auth=False, timeout=120):
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if auth:
        token = base64.b64encode(":".join(ADMIN).encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers=headers,
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
            return response.status, json.loads(data) if data else None
    except urllib.error.HTTPError as error:
        return error.code, None


class Service:
    """A command that prints a line when it is ready; stopped with SIGTERM."""

    def __init__(self, command, ready, env):
        self.ready = threading.Event()
        self.output = []
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.marker = ready
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            if self.marker in line:
                self.ready.set()

    def wait(self, timeout=600):
        if not self.ready.wait(timeout):
            self.stop()
            sys.exit("Did not start:\n" + "".join(self.output))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)


def weekdays(count):
    day = datetime.now(AMS).date() + timedelta(days=2)
    found = []
    while len(found) < count:
        if day.weekday() < 5:
            found.append(day)
        day += timedelta(days=1)
    return found


def limits_off(site):
    """A load test books far more from one address than the limits against
    abuse allow (issue 15): switch them off, as the setting is meant for."""
    status, _ = call(
        "PATCH",
        f"{site}/@controlpanels/digitalebalie",
        {"booking_limits_enabled": False},
        auth=True,
    )
    assert status == 204, status


def make_products(site, prefix):
    """Products open Mon-Fri 09:00-17:00, 15-minute slots, 3 counters."""
    urls = []
    for number in range(PRODUCTS):
        status, product = call(
            "POST",
            f"{site}/balie",
            {
                "@type": "CounterProduct",
                "title": f"{prefix} {number}",
                "duration": 15,
                "min_notice_hours": 0,
                "opening_hours": [
                    {"weekday": d, "start": "09:00", "end": "17:00", "counters": 3}
                    for d in range(5)
                ],
            },
            auth=True,
        )
        assert status == 201, status
        status, _ = call("POST", f"{product['@id']}/@workflow/publish", auth=True)
        assert status == 200, status
        urls.append(product["@id"])
    return urls


def slot_starts(days):
    starts = []
    for day in days:
        moment = datetime(day.year, day.month, day.day, 9, 0, tzinfo=AMS)
        while moment.hour < 17:
            starts.append(moment.isoformat())
            moment += timedelta(minutes=15)
    return starts


def throughput(bases, products, days):
    """BOOKINGS bookings by CLIENTS clients at once; (bookings/s, statuses, p50 ms)."""
    site_of = {product: product.split("/balie/")[0] for product in products}
    jobs = [
        (product, start, counter)
        for product in products
        for start in slot_starts(days)
        for counter in range(3)
    ]
    random.Random(9).shuffle(jobs)
    jobs = jobs[:BOOKINGS]
    timings = []
    statuses = collections.Counter()
    lock = threading.Lock()

    def one(number):
        product, start, _counter = jobs[number]
        # Spread the clients over the addresses given (instances or the balancer).
        base = bases[number % len(bases)]
        url = product.replace(site_of[product], base, 1)
        t0 = time.perf_counter()
        status, _ = call(
            "POST",
            f"{url}/@book",
            {
                "start": start,
                "fullname": f"Bench {number}",
                "email": f"b{number}@example.nl",
            },
        )
        with lock:
            timings.append((time.perf_counter() - t0) * 1000)
            statuses[status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one, range(len(jobs))))
    seconds = time.perf_counter() - started
    timings.sort()
    return {
        "per_second": len(jobs) / seconds,
        "statuses": dict(statuses),
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95)],
        "max": timings[-1],
    }


def conflicts(*logs):
    """How often Zope retried a request after a write conflict (its event logs)."""
    return sum(
        log.read_text(errors="replace").count("ConflictError")
        for log in logs
        if log.exists()
    )


def slots_latency(product, days, n=60):
    url = f"{product}/@slots?start={days[0].isoformat()}&end={(days[0] + timedelta(days=30)).isoformat()}"
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, _ = call("GET", url)
        assert status == 200
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings[10:])


def fill(product, days, count):
    """``count`` appointments on ``product`` (one client), for the @slots figure."""
    starts = [s for s in slot_starts(days) for _ in range(3)][:count]
    for number, start in enumerate(starts):
        status, _ = call(
            "POST",
            f"{product}/@book",
            {
                "start": start,
                "fullname": f"Vul {number}",
                "email": f"v{number}@example.nl",
            },
        )
        assert status == 201, status


def main():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_")}
    env.update(ADMIN_PASSWORD=ADMIN[1])
    folder = Path(tempfile.mkdtemp(prefix="digitalebalie-bench-"))
    folder.chmod(0o755)
    days = weekdays(DAYS)
    many_days = weekdays(22)
    results = {}
    try:
        port = free_port()
        instance_ports = [free_port(), free_port()]
        cluster = Service(
            [
                str(BIN / "digitalebalie-cluster"),
                "--dir",
                str(folder / "cluster"),
                "--port",
                str(port),
                "--instance-ports",
                ",".join(map(str, instance_ports)),
                "--rooms-ports",
                f"{free_port()},{free_port()}",
                "--pg-port",
                str(free_port()),
                "--no-jobs",
            ],
            "Digitale Balie cluster is running",
            env,
        )
        cluster.wait()
        balancer = f"http://127.0.0.1:{port}/Plone"
        instances = [f"http://127.0.0.1:{p}/Plone" for p in instance_ports]
        try:
            logs = [
                folder / "cluster" / f"instance{n}" / "var" / "log" / "event.log"
                for n in (1, 2)
            ]
            limits_off(balancer)
            one = make_products(balancer, "Een")
            before = conflicts(*logs)
            results["RelStorage, one instance"] = throughput(instances[:1], one, days)
            results["RelStorage, one instance"]["conflicts"] = conflicts(*logs) - before
            two = make_products(balancer, "Twee")
            before = conflicts(*logs)
            results["RelStorage, two instances (nginx)"] = throughput(
                [balancer], two, days
            )
            results["RelStorage, two instances (nginx)"]["conflicts"] = (
                conflicts(*logs) - before
            )
            [full] = make_products(balancer, "Vol")[:1]
            fill(full, many_days, 1000)
            relstorage_slots = slots_latency(
                full.replace(balancer, instances[0], 1), many_days
            )
        finally:
            cluster.stop()

        single_port = free_port()
        single = Service(
            [
                str(BIN / "digitalebalie-start"),
                "--dir",
                str(folder / "single"),
                "--port",
                str(single_port),
                "--rooms-port",
                str(free_port()),
            ],
            "Digitale Balie is running",
            env,
        )
        single.wait()
        site = f"http://127.0.0.1:{single_port}/Plone"
        try:
            limits_off(site)
            products = make_products(site, "Een")
            log = folder / "single" / "var" / "log" / "event.log"
            before = conflicts(log)
            results["FileStorage, one instance"] = throughput([site], products, days)
            results["FileStorage, one instance"]["conflicts"] = conflicts(log) - before
            [full] = make_products(site, "Vol")[:1]
            fill(full, many_days, 1000)
            filestorage_slots = slots_latency(full, many_days)
        finally:
            single.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(
        f"{BOOKINGS} bookings by {CLIENTS} clients at once over {PRODUCTS} products "
        f"and {DAYS} days (Zope instances of 4 threads each):"
    )
    for label, r in results.items():
        print(
            f"  {label:<36} {r['per_second']:6.1f} bookings/s; p50 {r['p50']:6.0f} ms, "
            f"p95 {r['p95']:6.0f} ms, max {r['max']:6.0f} ms; answers {r['statuses']}; "
            f"conflict retries {r['conflicts']}"
        )
    print("@slots for 31 days, a product holding 1,000 appointments, over HTTP:")
    print(f"  RelStorage (PostgreSQL on loopback)  {relstorage_slots:6.1f} ms median")
    print(f"  FileStorage                          {filestorage_slots:6.1f} ms median")


if __name__ == "__main__":
    main()
