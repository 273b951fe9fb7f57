"""Booking speed with 1,000 appointments: @slots for 31 days and one booking.

In-process (inside Zope, with the real service class and a real commit) and over
HTTP (waitress on loopback). Prints figures; it does not pass or fail.

    bench_booking.py [--bookings 100] [--vs OTHER/src]

``--vs``: the same data is also served by the code in another checkout's
``src`` (e.g. main's), in a second instance on a copy of the data, and the
bookings go to the two in turn (A B A B ...), so both meet the same load of a
busy machine; each gets its median and the CPU time its server spent.
"""

from collective.digitalebalie.cli.instance import write_instance
from pathlib import Path
import argparse
import contextlib
import json
import os
import shutil
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


def server_cpu(pid):
    """User and system seconds the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post_booking(url, number, start):
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
    return (time.perf_counter() - t0) * 1000


def timed_posts(servers, starts, warmup=10):
    """POST @book to each server in turn (A B, then B A, ...): per server the
    timings (ms) after ``warmup`` bookings and its CPU ms per booking."""
    timings = {label: [] for label, _pid, _base in servers}
    cpu = {}
    for number, start in enumerate(starts):
        if number == warmup:
            cpu = {label: server_cpu(pid) for label, pid, _base in servers}
        for label, _pid, base in servers if number % 2 == 0 else servers[::-1]:
            ms = post_booking(f"{base}/@book", number, start)
            if number >= warmup:
                timings[label].append(ms)
    count = len(starts) - warmup
    return {
        label: (timings[label], (server_cpu(pid) - cpu[label]) * 1000 / count)
        for label, pid, _base in servers
    }


def wait_until_up(url):
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)


@contextlib.contextmanager
def served_instance(other_src=None):
    """An instance with the bench product and its 1,000 appointments, served
    by waitress (4 threads) on loopback: yields (servers, figures), servers
    being (label, pid, product URL); with ``other_src`` a second one on a copy
    of the data, with that code."""
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
        instances = [("this code", instance, port, env)]
        if other_src:
            other = Path(directory) / "other"
            other_port = free_port()
            write_instance(str(other), port=other_port)
            shutil.rmtree(other / "var" / "filestorage", ignore_errors=True)
            shutil.copytree(
                instance / "var" / "filestorage", other / "var" / "filestorage"
            )
            other_env = dict(env, PYTHONPATH=str(Path(other_src).resolve()))
            instances.append(("--vs code", other, other_port, other_env))
        processes = [
            (
                label,
                subprocess.Popen(
                    [str(BIN / "runwsgi"), str(path / "etc" / "zope.ini")],
                    env=server_env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                ),
                f"http://127.0.0.1:{server_port}{figures['product']}",
            )
            for label, path, server_port, server_env in instances
        ]
        try:
            for _label, _process, base in processes:
                wait_until_up(base)
            yield [(label, p.pid, base) for label, p, base in processes], figures
        finally:
            for _label, process, _base in processes:
                process.send_signal(signal.SIGTERM)
            for _label, process, _base in processes:
                process.wait(timeout=60)


def month_after(first):
    """The last day of 31 days from ``first`` (YYYY-MM-DD)."""
    return time.strftime(
        "%Y-%m-%d",
        time.gmtime(time.mktime(time.strptime(first, "%Y-%m-%d")) + 30 * 86400),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=100)
    parser.add_argument("--vs", help="the src folder of another checkout")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with served_instance(args.vs) as (servers, figures):
        first = figures["first"]
        end = month_after(first)
        base = servers[0][2]
        http_slots = timed_get(f"{base}/@slots?start={first}&end={end}")
        starts = figures["free_later"][: args.bookings + 10]
        load = os.getloadavg()[0]
        booked = timed_posts(servers, starts)
        load = f"load average {load:.2f} to {os.getloadavg()[0]:.2f}"

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
    for label, (timings, cpu_ms) in booked.items():
        tenths = statistics.quantiles(timings, n=10)
        print(
            f"POST @book over HTTP ({label}, {len(timings)} bookings, {load}): "
            f"{statistics.median(timings):6.1f} ms median (p10 {tenths[0]:.1f}, "
            f"p90 {tenths[-1]:.1f}); the server's CPU {cpu_ms:.1f} ms a booking"
        )
    for label, (ms, count) in figures["agenda_ms"].items():
        print(
            f"agenda of a team member, one {label} ({count} appointments), in-process: "
            f"{ms:6.1f} ms median"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
