"""Many citizens book the same slot at the same moment: never more than the counters.

Real concurrent HTTP requests against a real instance (waitress, 4 threads,
FileStorage), as they would arrive on a busy morning.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from live import create_product
from live import every_day
import collections
import itertools
import pytest
import requests
import threading


REQUESTS = 50


def book_all_at_once(url, start):
    barrier = threading.Barrier(REQUESTS)

    def one(number):
        body = {
            "start": start,
            "fullname": f"Inwoner {number}",
            "email": f"inwoner{number}@example.nl",
            "language": "nl",
        }
        with requests.Session() as session:
            barrier.wait()
            response = session.post(
                f"{url}/@book", json=body, headers=JSON, timeout=120
            )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        return list(pool.map(one, range(REQUESTS)))


def stored(url, admin, day):
    """The product's appointments on a day, as counter staff see them."""
    response = requests.get(
        f"{url}/@appointments",
        params={"start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
        auth=admin,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize("counters", [1, 3])
def test_concurrent_bookings_of_one_slot(live_site, counters):
    site, admin = live_site.site, live_site.admin
    url, _uid = create_product(
        live_site,
        title=f"Drukte {counters}",
        duration=15,
        min_notice_hours=2,
        opening_hours=every_day("09:00", "17:00", counters),
    )
    day = datetime.now(AMS).date() + timedelta(days=2)
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS).isoformat()

    results = book_all_at_once(url, start)

    statuses = collections.Counter(status for status, _body in results)
    assert statuses == {201: counters, 409: REQUESTS - counters}, statuses
    assert all(
        body["error"]["type"] == "SlotUnavailable"
        for status, body in results
        if status == 409
    )
    kept = stored(url, admin, day)
    assert [item["start"] for item in kept] == [start] * counters
    # Every citizen who was told "booked" can open their appointment.
    for status, body in results:
        if status == 201:
            mine = requests.get(
                f"{site}/@appointment/{body['token']}", headers=JSON, timeout=30
            )
            assert mine.status_code == 200 and mine.json()["start"] == start
    slots = requests.get(
        f"{url}/@slots",
        params={"start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
        timeout=30,
    ).json()["items"]
    assert start not in [slot["start"] for slot in slots]


def test_concurrent_bookings_of_different_slots_on_one_day(live_site):
    """Bookings of one day share a ledger record: they conflict and are retried,
    and every one of them still succeeds."""
    admin = live_site.admin
    url, _uid = create_product(
        live_site,
        title="Drukke dag",
        duration=15,
        min_notice_hours=2,
        opening_hours=every_day("09:00", "17:00", 1),
    )
    day = datetime.now(AMS).date() + timedelta(days=3)
    starts = [
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=AMS)
        + timedelta(minutes=15 * n)
        for n in range(30)
    ]
    barrier = threading.Barrier(len(starts))

    def one(start):
        body = {
            "start": start.isoformat(),
            "fullname": "Inwoner",
            "email": "i@example.nl",
        }
        with requests.Session() as session:
            barrier.wait()
            return session.post(
                f"{url}/@book", json=body, headers=JSON, timeout=120
            ).status_code

    with ThreadPoolExecutor(max_workers=len(starts)) as pool:
        statuses = collections.Counter(pool.map(one, starts))
    assert statuses == {201: len(starts)}, statuses
    assert len(stored(url, admin, day)) == len(starts)


def test_long_and_short_bookings_at_once_never_overlap(live_site):
    """A household's long appointment and short ones for the times it covers,
    all at the same moment: the counter is never given twice for any minute."""
    admin = live_site.admin
    url, _uid = create_product(
        live_site,
        title="Gezinnen",
        duration=15,
        max_persons=4,
        extra_minutes_per_person=15,
        min_notice_hours=2,
        opening_hours=every_day("09:00", "17:00", 1),
    )
    day = datetime.now(AMS).date() + timedelta(days=4)
    ten = datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS)
    # Ten families for 10:00 (until 11:00) and ten citizens each for 10:15,
    # 10:30 and 10:45: every one of them overlaps every family.
    bodies = [{"start": ten.isoformat(), "persons": 4} for _n in range(10)] + [
        {"start": (ten + timedelta(minutes=minutes)).isoformat()}
        for minutes in (15, 30, 45)
        for _n in range(10)
    ]
    barrier = threading.Barrier(len(bodies))

    def one(body):
        body = {**body, "fullname": "Inwoner", "email": "i@example.nl"}
        with requests.Session() as session:
            barrier.wait()
            return session.post(
                f"{url}/@book", json=body, headers=JSON, timeout=120
            ).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = list(pool.map(one, bodies))
    assert set(statuses) <= {201, 409}, statuses
    kept = stored(url, admin, day)
    assert len(kept) == statuses.count(201) >= 1
    times = sorted(
        (datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]))
        for item in kept
    )
    for (_start, end), (next_start, _end) in itertools.pairwise(times):
        assert end <= next_start, times
    # Either one family came first (and nobody else), or the single citizens
    # did (one per time) and no family.
    if statuses[:10].count(201) == 1:
        assert times == [(ten, ten + timedelta(hours=1))]
    else:
        assert statuses[:10].count(201) == 0 and len(kept) == 3, times
