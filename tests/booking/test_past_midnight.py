"""An appointment that runs past midnight holds its time on both days.

The ledger keeps one record per product and day. A late appointment (a
household's, or one an employee put at any time) that runs into the next day
is written into the record of every day its time covers, so a booking early
the next day meets it there: in one database (it is counted), and when both
commit at the same moment in two ZODB connections (they conflict, and Zope's
retry counts again).
"""

from collective.digitalebalie.booking import rules
from collective.digitalebalie.booking import store
from collective.digitalebalie.errors import SlotUnavailable
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import tomorrow
from ZODB.POSException import ConflictError
import pytest
import transaction


def local(day, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


LATE = ("23:30", timedelta(minutes=60))  # to 00:30 the next day
EARLY = ("00:00", timedelta(minutes=15))  # the next day


@pytest.fixture
def product(functional, make_product):
    """A product with one counter; the records of both days exist already."""
    url = make_product()
    portal = functional["portal"]
    transaction.begin()
    obj = portal[url.rsplit("/", 1)[-1]]
    for offset in (0, 1):
        start = local(tomorrow() + timedelta(days=offset), "10:00")
        claim(obj, start, start + timedelta(minutes=15), f"morning-{offset}")
    transaction.commit()
    return obj


def claim(product, start, end, appointment_id, counters=1):
    records = store.claim(product, start, end, counters)
    records.add(rules.slot_key(start), rules.slot_key(end), appointment_id)
    return records


def late_and_early():
    day = tomorrow()
    late = local(day, LATE[0])
    early = local(day + timedelta(days=1), EARLY[0])
    return (late, late + LATE[1]), (early, early + EARLY[1])


@pytest.fixture
def two_connections(functional, product):
    """The product as two concurrent requests see it: own connection, own transaction."""
    db = functional["portal"]._p_jar.db()
    path = product.getPhysicalPath()
    opened = []
    for _ in range(2):
        manager = transaction.TransactionManager()
        connection = db.open(transaction_manager=manager)
        opened.append((connection, manager))
    yield [
        (connection.root()["Application"].unrestrictedTraverse(path), manager)
        for connection, manager in opened
    ]
    for connection, manager in opened:
        manager.abort()
        connection.close()


@pytest.mark.parametrize("first", ["late", "early"])
def test_concurrent_late_and_early_bookings_conflict(two_connections, first):
    (late_start, late_end), (early_start, early_end) = late_and_early()
    (one, tm_one), (other, tm_other) = two_connections
    claim(one, late_start, late_end, "late")
    claim(other, early_start, early_end, "early")
    managers = (tm_one, tm_other) if first == "late" else (tm_other, tm_one)
    managers[0].commit()
    with pytest.raises(ConflictError):
        managers[1].commit()


def test_bookings_that_do_not_overlap_still_merge(two_connections):
    """A late appointment ending at midnight and the first one after it: no conflict."""
    day = tomorrow()
    (one, tm_one), (other, tm_other) = two_connections
    claim(one, local(day, "23:30"), local(day + timedelta(days=1), "00:00"), "late")
    claim(
        other,
        local(day + timedelta(days=1), "00:00"),
        local(day + timedelta(days=1), "00:15"),
        "early",
    )
    tm_one.commit()
    tm_other.commit()


@pytest.mark.parametrize("first", ["late", "early"])
def test_one_after_the_other_the_second_is_refused(product, first):
    late, early = late_and_early()
    order = (late, early) if first == "late" else (early, late)
    transaction.begin()
    claim(product, *order[0], "first")
    transaction.commit()
    with pytest.raises(SlotUnavailable):
        store.claim(product, *order[1], 1)
    transaction.abort()


def test_the_late_appointment_is_listed_once_on_its_own_day(product):
    (late_start, late_end), _early = late_and_early()
    transaction.begin()
    claim(product, late_start, late_end, "late")
    transaction.commit()
    day = tomorrow()
    ids = [
        e[2]
        for r in store._day_range(store._ledger(product), day, day)
        for e in r.entries
    ]
    assert "late" in ids
    # Counted once where it overlaps, on both days.
    both = store.booked_intervals(product, day, day + timedelta(days=1))
    assert both.overlapping(rules.slot_key(late_start), rules.slot_key(late_end)) == 1
    next_day = store.booked_intervals(
        product, day + timedelta(days=1), day + timedelta(days=1)
    )
    assert (
        next_day.overlapping(rules.slot_key(late_start), rules.slot_key(late_end)) == 1
    )


def test_cancelling_frees_both_days(browser, browser_as, make_product):
    """Over HTTP: an employee books 23:30-00:30 (any time), a citizen cannot
    have 00:00 the next day, and can once the late one is cancelled."""
    overnight = [
        {"weekday": d, "start": "00:00", "end": "23:59", "counters": 1}
        for d in range(7)
    ]
    url = make_product(
        duration=60, min_notice_hours=0, opening_hours=overnight, channels=["video"]
    )
    manager = browser_as("Manager", language="en")
    day = tomorrow()
    late = manager.post(
        f"{url}/@book",
        json={
            "start": local(day, "23:30").isoformat(),
            "fullname": "Laat Gezin",
            "email": "laat@example.nl",
            "any_time": True,
        },
        headers=JSON,
    )
    assert late.status_code == 201, late.text
    next_day = (day + timedelta(days=1)).isoformat()

    def free_at_midnight():
        slots = browser.get(
            f"{url}/@slots", params={"start": next_day, "end": next_day}, headers=JSON
        ).json()["items"]
        return local(day + timedelta(days=1), "00:00").isoformat() in [
            s["start"] for s in slots
        ]

    assert not free_at_midnight()
    cancelled = manager.post(f"{late.json()['@id']}/@workflow/cancel", headers=JSON)
    assert cancelled.status_code == 200, cancelled.text
    assert free_at_midnight()  # the cached day saw the cancellation


def next_short_day():
    """The next day of 23 hours (the spring's clock change) after tomorrow."""
    day = tomorrow() + timedelta(days=1)
    # Timestamps: aware datetimes of one zone subtract by the clock.
    while (
        local(day + timedelta(days=1), "00:00").timestamp()
        - local(day, "00:00").timestamp()
    ) >= 24 * 3600:
        day += timedelta(days=1)
    return day


def test_on_the_short_spring_day_a_late_household_meets_the_next_morning(
    browser, make_product
):
    """Slots fit the opening hours by the clock; across the spring's clock
    change one lasts an hour longer, into the next day. A booking that next
    morning takes it away (also from the cached day), and the other way round."""
    all_day = [
        {"weekday": d, "start": "00:00", "end": "23:59", "counters": 1}
        for d in range(7)
    ]
    url = make_product(
        duration=60,
        max_persons=14,
        extra_minutes_per_person=100,  # 14 people: 60 + 13 x 100 = 22 h 40 min
        min_notice_hours=0,
        max_days_ahead=366,
        opening_hours=all_day,
        channels=["video"],
    )
    day = next_short_day()
    household = local(day, "01:00").isoformat()  # until 00:40 the next day

    def household_offered():
        response = browser.get(
            f"{url}/@slots",
            params={"start": day.isoformat(), "end": day.isoformat(), "persons": 14},
            headers=JSON,
        )
        assert response.status_code == 200, response.text
        items = {s["start"]: s["end"] for s in response.json()["items"]}
        if household in items:
            end = datetime.fromisoformat(items[household])
            assert end == local(day + timedelta(days=1), "00:40"), items[household]
        return household in items

    assert household_offered()  # and cached
    morning = book_one(browser, url, local(day + timedelta(days=1), "00:00"), 1)
    assert morning.status_code == 201, morning.text
    assert not household_offered()
    refused = book_one(browser, url, local(day, "01:00"), 14)
    assert refused.status_code == 409, refused.text

    # Cancelled: the household's time is free again, and can be booked ...
    cancelled = browser.post(
        f"@appointment/{morning.json()['token']}/cancel", headers=JSON
    )
    assert cancelled.status_code == 200, cancelled.text
    assert household_offered()
    late = book_one(browser, url, local(day, "01:00"), 14)
    assert late.status_code == 201, late.text
    # ... after which the next morning is taken.
    again = book_one(browser, url, local(day + timedelta(days=1), "00:00"), 1)
    assert again.status_code == 409, again.text


def book_one(browser, url, start, persons):
    return browser.post(
        f"{url}/@book",
        json={
            "start": start.isoformat(),
            "fullname": "Familie Jansen",
            "email": f"jansen{persons}@example.nl",
            "persons": persons,
            "language": "nl",
        },
        headers=JSON,
    )
