"""Booking speed with 1,000 appointments: @slots for 31 days and one booking.

In-process (inside Zope, with the real service class and a real commit) and over
HTTP (waitress on loopback). Prints figures; it does not pass or fail.
"""

from collective.digitalebalie.cli.instance import write_instance
from pathlib import Path
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


BIN = Path(sys.executable).parent
HERE = Path(__file__).parent
CREATE_SITE = HERE.parent / "src/collective/digitalebalie/cli/create_site.py"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_get(url, n=60):
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request) as response:
            response.read()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings[10:])


def timed_posts(url, starts):
    timings = []
    for number, start in enumerate(starts):
        body = json.dumps(
            {
                "start": start,
                "fullname": f"Http {number}",
                "email": f"http{number}@example.nl",
            }
        ).encode()
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Accept": "application/json", "Content-Type": "application/json"},
        )
        t0 = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


@contextlib.contextmanager
def served_instance():
    """An instance with the bench product and its 1,000 appointments, served
    by waitress (4 threads) on loopback: yields (product URL, figures)."""
    env = dict(os.environ, ADMIN_PASSWORD="bench", DEMO="0")
    with tempfile.TemporaryDirectory() as directory:
        port = free_port()
        instance = write_instance(directory, port=port)
        conf = str(instance / "etc" / "zope.conf")
        zconsole = str(BIN / "zconsole")
        subprocess.run(
            [zconsole, "run", conf, str(CREATE_SITE)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        out = Path(directory) / "figures.json"
        subprocess.run(
            [zconsole, "run", conf, str(HERE / "_booking_inprocess.py"), str(out)],
            env=env,
            check=True,
        )
        figures = json.loads(out.read_text())
        server = subprocess.Popen(
            [str(BIN / "runwsgi"), str(instance / "etc" / "zope.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}{figures['product']}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base, timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            yield base, figures
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


def month_after(first):
    """The last day of 31 days from ``first`` (YYYY-MM-DD)."""
    return time.strftime(
        "%Y-%m-%d",
        time.gmtime(time.mktime(time.strptime(first, "%Y-%m-%d")) + 30 * 86400),
    )


def main():
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with served_instance() as (base, figures):
        first = figures["first"]
        end = month_after(first)
        http_slots = timed_get(f"{base}/@slots?start={first}&end={end}")
        http_book = timed_posts(f"{base}/@book", figures["free_later"][:30])

    print(
        f"product: Mon-Fri 09:00-17:00, 15-minute slots, 3 counters, "
        f"{figures['appointments']} appointments booked "
        f"({figures['fill_seconds']:.1f} s to book them, commits every 100)"
    )
    print(
        f"@slots, 31 days ({figures['slots_items']} free slots), in-process: "
        f"{figures['slots_ms']:6.1f} ms median"
    )
    print(
        f"@slots, 31 days, over HTTP:                      {http_slots:6.1f} ms median"
    )
    print(
        f"one booking incl. commit, in-process:             {figures['book_ms']:6.1f} ms median"
    )
    print(
        f"one booking, POST @book over HTTP:                {http_book:6.1f} ms median"
    )
    for label, (ms, count) in figures["agenda_ms"].items():
        print(
            f"agenda of a team member, one {label} ({count} appointments), in-process: "
            f"{ms:6.1f} ms median"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
