"""Run by bench_statistics.py inside Zope (zconsole run): in-process figures.

Ten products served by four teams; 100,000 appointments over a year, written
as the statistics rows their bookings, steps and payments write (booking them
one by one would take an hour), and satisfaction answers. Then times
``figures.compute`` for the whole year: with a cold ZODB cache (as after a
restart) and warm.
"""

from AccessControl.SecurityManagement import newSecurityManager
from collective.digitalebalie import figures
from collective.digitalebalie import statistics
from datetime import date
from datetime import timedelta
from plone import api
from Testing.makerequest import makerequest
from zope.component.hooks import setSite
from zope.globalrequest import setRequest
import json
import os
import random
import sys
import time
import transaction


APPOINTMENTS = 100_000
FIRST = date(2025, 1, 1)
DAYS = 365


def main(app, out_path):
    app = makerequest(app)
    site = app["Plone"]
    setSite(site)
    setRequest(app.REQUEST)
    admin = app.acl_users.getUser("admin")
    newSecurityManager(None, admin.__of__(app.acl_users))
    team_ids = [f"team-{n}" for n in range(4)]
    for team_id in team_ids:
        api.group.create(groupname=team_id, roles=["CounterEmployee"])
    uids = []
    for n in range(10):
        product = api.content.create(
            container=site,
            type="CounterProduct",
            id=f"product-{n}",
            title=f"Product {n}",
            duration=15,
            teams=[team_ids[n % 4]],
        )
        uids.append((product.UID(), (team_ids[n % 4],)))
    transaction.commit()
    found = statistics.get_store()
    rng = random.Random(21)
    states = ["completed"] * 80 + ["cancelled"] * 10 + ["no_show"] * 5 + ["booked"] * 5
    t0 = time.perf_counter()
    for number in range(APPOINTMENTS):
        day = FIRST + timedelta(days=rng.randrange(DAYS))
        uid, teams = uids[rng.randrange(len(uids))]
        state = rng.choice(states)
        walk_in = rng.random() < 0.1
        asked = 1 if rng.random() < 0.3 else 0
        row = (
            uid,
            teams,
            day.weekday(),
            rng.randrange(8, 18),
            state,
            rng.choice(("citizen", "staff")) if state == "cancelled" else "",
            rng.random() < 0.2,
            rng.choice(statistics.CHANNELS),
            walk_in,
            rng.randrange(30, 3600) if walk_in else None,
            "digid" if rng.random() < 0.4 else "",
            asked,
            asked * 2450,
            asked if rng.random() < 0.9 else 0,
            asked * 2450,
        )
        found.rows[(day.toordinal(), f"{number:016x}")] = row
        statistics.add_to_day(found.days, day.toordinal(), row, +1)
        if number % 3 == 0 and state == "completed":
            change = [0] * statistics.WIDTH
            change[statistics.COUNT[f"score_{rng.randrange(1, 6)}"]] = 1
            statistics.add_to_day(found.days, day.toordinal(), (uid, teams), +1, change)
        if number % 10_000 == 9_999:
            transaction.commit()
    transaction.commit()
    fill = time.perf_counter() - t0
    last = FIRST + timedelta(days=DAYS - 1)
    jar = site._p_jar
    cold = []
    for _ in range(3):
        jar.db().cacheMinimize()
        jar.cacheMinimize()
        t0 = time.perf_counter()
        result = figures.compute(site, FIRST, last)
        cold.append(time.perf_counter() - t0)
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        result = figures.compute(site, FIRST, last)
        warm.append(time.perf_counter() - t0)
    if os.environ.get("PROFILE"):
        import cProfile

        cProfile.runctx(
            "figures.compute(site, FIRST, last)",
            globals(),
            {"site": site, "last": last, "figures": figures, "FIRST": FIRST},
            sort="cumulative",
        )
    with open(out_path, "w") as out:
        json.dump(
            {
                "appointments": result["total"]["booked"],
                "fill_seconds": fill,
                "cold_ms": sorted(cold)[1] * 1000,
                "warm_ms": sorted(warm)[2] * 1000,
            },
            out,
        )


main(app, sys.argv[-1])  # noqa: F821 - zconsole run gives ``app``
