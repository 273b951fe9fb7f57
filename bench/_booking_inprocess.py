"""Run by bench_booking.py inside Zope (zconsole run): in-process figures.

Creates a product open Monday-Friday 09:00-17:00, 15-minute slots, 3 counters,
books 1,000 appointments, then times @slots for 31 days and single bookings.
"""

from AccessControl.SecurityManagement import newSecurityManager
from collective.digitalebalie import agenda
from collective.digitalebalie import appointments
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.services.slots.get import SlotsGet
from datetime import timedelta
from plone import api
from Testing.makerequest import makerequest
from zope.component.hooks import setSite
from zope.globalrequest import setRequest
import json
import statistics
import sys
import time
import transaction


def main(app, out_path):
    app = makerequest(app)
    site = app["Plone"]
    setSite(site)
    setRequest(app.REQUEST)
    admin = app.acl_users.getUser("admin")
    newSecurityManager(None, admin.__of__(app.acl_users))
    # A team of five employees serves the product, as in a real municipality.
    api.group.create(groupname="bench-team", roles=["CounterEmployee"])
    for number in range(5):
        api.user.create(
            username=f"bench-employee-{number}",
            email=f"e{number}@example.org",
            password="bench-Employee-password-1",
        )
        api.group.add_user(groupname="bench-team", username=f"bench-employee-{number}")
    product = api.content.create(
        container=site,
        type="CounterProduct",
        id="bench-product",
        title="Bench product",
        duration=15,
        min_notice_hours=0,
        max_days_ahead=90,
        teams=["bench-team"],
        opening_hours=[
            {"weekday": d, "start": "09:00", "end": "17:00", "counters": 3}
            for d in range(5)
        ],
    )
    api.content.transition(product, to_state="published")
    # The HTTP timings book from one address: no limits against abuse (issue 15).
    api.portal.set_registry_record(
        "booking_limits_enabled", False, interface=IDigitaleBalieSettings
    )
    transaction.commit()

    rules = appointments.ProductRules(product)
    today = appointments.now_utc().astimezone(rules.tz).date()
    free = rules.free_slots(today + timedelta(days=1), today + timedelta(days=80))
    started = time.perf_counter()
    made = 0
    for slot in free:
        for _ in range(slot.available):
            if made == 1000:
                break
            appointments.book(
                product,
                {
                    "start": slot.start.isoformat(),
                    "fullname": f"Inwoner {made}",
                    "email": f"inwoner{made}@example.nl",
                },
            )
            made += 1
            if made % 100 == 0:
                transaction.commit()
    transaction.commit()
    fill_seconds = time.perf_counter() - started

    request = app.REQUEST
    first = today + timedelta(days=1)
    request.form.update(
        {
            "start": first.isoformat(),
            "end": (first + timedelta(days=30)).isoformat(),
        }
    )
    timings = []
    for _ in range(60):
        t0 = time.perf_counter()
        service = SlotsGet()  # plone.rest services take context/request as attributes
        service.context, service.request = product, request
        # Unwrapped here; the publisher checks the REST permission on the real path.
        service.check_permission = lambda: None
        # As served: the JSON text, from the cache after the first time.
        body = service.render()
        timings.append((time.perf_counter() - t0) * 1000)
    slots_ms = statistics.median(timings[10:])
    items = len(json.loads(body)["items"])

    free = rules.free_slots(today + timedelta(days=40), today + timedelta(days=80))
    book_timings = []
    for number, slot in enumerate(free[:50]):
        t0 = time.perf_counter()
        appointments.book(
            product,
            {
                "start": slot.start.isoformat(),
                "fullname": f"Meting {number}",
                "email": f"meting{number}@example.nl",
            },
        )
        transaction.commit()
        book_timings.append((time.perf_counter() - t0) * 1000)
    book_ms = statistics.median(book_timings)

    # The agenda of one team member: the team's busiest day, and a week.
    employee = site.acl_users.getUser("bench-employee-0")
    newSecurityManager(None, employee.__of__(site.acl_users))
    agenda_ms = {}
    for label, days in (("day", 0), ("week", 6)):
        timings = []
        for _ in range(30):
            t0 = time.perf_counter()
            pairs = agenda.entries("team", first, first + timedelta(days=days))
            json.dumps([agenda.item_json(a, p) for a, p in pairs])
            timings.append((time.perf_counter() - t0) * 1000)
        agenda_ms[label] = (statistics.median(timings[5:]), len(pairs))
    newSecurityManager(None, admin.__of__(app.acl_users))
    assert pairs and all(a.assignee for a, _p in pairs)

    with open(out_path, "w") as out:
        json.dump(
            {
                "appointments": made,
                "fill_seconds": fill_seconds,
                "slots_ms": slots_ms,
                "slots_items": items,
                "book_ms": book_ms,
                "agenda_ms": agenda_ms,
                "product": "/Plone/bench-product",
                "first": first.isoformat(),
                # Free times for the HTTP bookings: each as often as it is free.
                "free_later": [
                    s.start.isoformat()
                    for s in free[50:120]
                    for _ in range(s.available)
                ],
            },
            out,
        )


main(app, sys.argv[-1])  # noqa: F821 - zconsole provides ``app``
