"""Many citizens walk in at once and several employees take them at once (issue 19).

Real concurrent HTTP requests against a real instance (waitress, 4 threads,
FileStorage): every join and every take writes the product's queue record, so
they conflict in ZODB and Zope retries them. Every citizen must be taken
exactly once, first come first served, and nothing may answer 5xx. (The same
on the two-instance cluster: tests/cluster/test_cluster.py.)
"""

from helpers import JSON
from live import assert_taken_once_in_order
from live import join_all_at_once
from live import take_until_empty
from live import walk_in_product
import requests


CITIZENS = 30
EMPLOYEES = 3


def test_every_citizen_is_taken_once_in_order(live_site):
    url, sessions = walk_in_product(live_site, EMPLOYEES, CITIZENS)
    joins = join_all_at_once([url], CITIZENS)
    results = take_until_empty([live_site.site], sessions)
    assert_taken_once_in_order(joins, results)
    # Each citizen's link now leads into their call.
    for _status, body in joins:
        ticket = requests.get(
            f"{live_site.site}/@queue-ticket/{body['token']}", headers=JSON, timeout=30
        ).json()
        assert ticket["state"] == "in_call", ticket
    for session in sessions:
        session.close()
