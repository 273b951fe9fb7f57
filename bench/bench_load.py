"""Many citizens at once: 20 concurrent anonymous clients for 30 s against one
instance (waitress, 4 threads), on the bench product with 1,000 appointments.

Each client asks, in turn, the product page and @slots for 31 days, over its
own keep-alive connection, as a browser on the product page would. Prints the
throughput and p50/p95 per URL, the errors and the load average. Bounded: the
clients stop after the given seconds; only loopback is asked.

    python bench/bench_load.py [--clients 20] [--seconds 30]
    python bench/bench_load.py --site http://127.0.0.1:8080/Plone/bench-product --first 2025-06-02

``--bookings N`` adds a citizen who books N appointments a second (POST @book,
the earliest free times first) while the others look, and the clients then
ask the product page from the day of the first free time (the 14 days where
the bookings land): every booking changes what the page and @slots show, so
both are made again after it.

With ``--site`` it measures an instance that runs already (e.g. the same data
served in turn by two versions of the code); ``--first`` is the first day asked.
"""

from bench_booking import month_after
from bench_booking import post_booking
from bench_booking import served_instance
from urllib.parse import urlsplit
import argparse
import http.client
import json
import os
import statistics
import threading
import time


def client(host, port, paths, stop_at, results, errors):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    number = 0
    while time.monotonic() < stop_at:
        label, path, headers = paths[number % len(paths)]
        number += 1
        t0 = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            status = "connection"
        elapsed = (time.perf_counter() - t0) * 1000
        if status == 200:
            results[label].append(elapsed)
        else:
            errors.append((label, status))
    connection.close()


def free_starts(base, first):
    """The free times of 31 days from ``first``, each as often as it is free."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request(
        "GET",
        f"{url.path}/@slots?start={first}&end={month_after(first)}",
        headers={"Accept": "application/json"},
    )
    slots = json.loads(connection.getresponse().read())["items"]
    connection.close()
    return [slot["start"] for slot in slots for _ in range(slot["available"])]


def booker(base, starts, rate, stop_at, results, errors):
    """Books ``rate`` appointments a second, the earliest free times first."""
    starts = iter(starts)
    number = 0
    next_at = time.monotonic()
    while time.monotonic() < stop_at:
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += 1 / rate
        start = next(starts, None)
        if start is None:
            errors.append(("booking", "no free time left"))
            return
        number += 1
        try:
            results["POST @book"].append(
                post_booking(f"{base}/@book", 900000 + number, start)
            )
        except OSError as error:
            errors.append(("booking", str(error)[:60]))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(base, first, clients, seconds, bookings=0):
    url = urlsplit(base)
    end = month_after(first)
    page = url.path
    if bookings:
        starts = free_starts(base, first)
        # The page of 14 days from the first free time: where the bookings land.
        page = f"{url.path}?from={starts[0][:10]}"
    paths = [
        ("product page", page, {"Accept": "text/html"}),
        (
            "@slots, 31 days",
            f"{url.path}/@slots?start={first}&end={end}",
            {"Accept": "application/json"},
        ),
    ]
    results = {label: [] for label, _path, _headers in paths}
    if bookings:
        results["POST @book"] = []
    errors = []
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(url.hostname, url.port, paths, stop_at, results, errors),
        )
        for _ in range(clients)
    ]
    if bookings:
        threads.append(
            threading.Thread(
                target=booker,
                args=(base, starts, bookings, stop_at, results, errors),
            )
        )
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    booking = f", {bookings} bookings a second" if bookings else ""
    print(
        f"{clients} clients for {seconds} s{booking}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    for label, timings in results.items():
        if not timings:
            print(f"{label}: no answer")
            continue
        print(
            f"{label:16} {len(timings):6d} answers {len(timings) / took:6.1f}/s  "
            f"p50 {statistics.median(timings):6.0f} ms  "
            f"p95 {percentile(timings, 0.95):6.0f} ms"
        )
    print(f"errors: {len(errors)} {sorted(set(errors))[:5]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--bookings", type=float, default=0, help="bookings a second meanwhile"
    )
    parser.add_argument("--site", help="the product URL of a running instance")
    parser.add_argument("--first", help="with --site: the first day (YYYY-MM-DD)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    if args.site:
        for _ in range(args.runs):
            run(args.site, args.first, args.clients, args.seconds, args.bookings)
        return
    with served_instance() as (servers, figures):
        _label, _pid, base = servers[0]
        for _ in range(args.runs):
            run(base, figures["first"], args.clients, args.seconds, args.bookings)


if __name__ == "__main__":
    main()
