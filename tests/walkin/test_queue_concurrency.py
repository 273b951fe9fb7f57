"""Many citizens walk in at once and several employees take them at once (issue 19).

Real concurrent HTTP requests against a real instance (waitress, 4 threads,
FileStorage): every join and every take writes the product's queue record, so
they conflict in ZODB and Zope retries them. Every citizen must be taken
exactly once, first come first served, and nothing may answer 5xx.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from helpers import JSON
from live import create_product
from live import create_team
import pytest
import requests
import threading
import time


CITIZENS = 30
EMPLOYEES = 3
PASSWORD = "walk-In-test-pw-1"
ALL_DAY = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)]


@pytest.fixture(scope="module")
def walk_in(live_site):
    """A walk-in product served by three available employees; (url, sessions)."""
    stamp = time.monotonic_ns() % 10**8
    team_id = f"inloop{stamp}"
    employees = [f"inloop{stamp}-{number}" for number in range(EMPLOYEES)]
    create_team(live_site, team_id, employees, PASSWORD)
    url, _uid = create_product(
        live_site,
        title="Inloop Burgerzaken",
        channels=["video"],
        teams=[team_id],
        walk_in=True,
        walk_in_hours=ALL_DAY,
        walk_in_max_queue=CITIZENS,
    )
    sessions = []
    for user_id in employees:
        session = requests.Session()
        session.auth = (user_id, PASSWORD)
        response = session.post(
            f"{live_site.site}/@availability",
            json={"available": True},
            headers=JSON,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        sessions.append(session)
    yield url, sessions
    for session in sessions:
        session.close()


def join_all_at_once(url):
    barrier = threading.Barrier(CITIZENS)

    def one(number):
        with requests.Session() as session:
            barrier.wait()
            response = session.post(
                f"{url}/@queue",
                json={"fullname": f"Inwoner {number}", "language": "nl"},
                headers=JSON,
                timeout=120,
            )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=CITIZENS) as pool:
        return list(pool.map(one, range(CITIZENS)))


def take_until_empty(site, sessions):
    barrier = threading.Barrier(len(sessions))

    def employee(session):
        taken, statuses = [], []
        barrier.wait()
        while True:
            response = session.post(
                f"{site}/@queue/next", json={}, headers=JSON, timeout=120
            )
            statuses.append(response.status_code)
            if response.status_code != 201:
                assert response.json()["error"]["type"] == "QueueEmpty", response.text
                return taken, statuses
            taken.append(response.json())

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        return list(pool.map(employee, sessions))


def number(item):
    """The ticket's number in its queue: the order of joining."""
    return int(item["ticket"]["id"].rsplit("-", 1)[1])


def test_every_citizen_is_taken_once_in_order(live_site, walk_in):
    url, sessions = walk_in
    joins = join_all_at_once(url)
    assert sorted(status for status, _body in joins) == [201] * CITIZENS, joins
    # Each join saw the ones committed before it: places 1 to 30, once each.
    assert sorted(body["position"] for _s, body in joins) == list(
        range(1, CITIZENS + 1)
    )

    results = take_until_empty(live_site.site, sessions)

    statuses = [status for _taken, got in results for status in got]
    assert all(status < 500 for status in statuses), statuses
    taken = [item for got, _statuses in results for item in got]
    # Exactly once: 30 tickets, 30 different appointments, nobody skipped.
    assert sorted(number(item) for item in taken) == list(range(1, CITIZENS + 1))
    assert len({item["appointment"] for item in taken}) == CITIZENS
    # In order of joining: by the moment of taking, and for each employee.
    by_time = sorted(
        taken, key=lambda item: datetime.fromisoformat(item["ticket"]["taken"])
    )
    assert [number(item) for item in by_time] == list(range(1, CITIZENS + 1))
    for got, _statuses in results:
        assert [number(item) for item in got] == sorted(number(i) for i in got)
    # Each citizen's link now leads into their call.
    for _status, body in joins:
        ticket = requests.get(
            f"{live_site.site}/@queue-ticket/{body['token']}", headers=JSON, timeout=30
        ).json()
        assert ticket["state"] == "in_call", ticket
