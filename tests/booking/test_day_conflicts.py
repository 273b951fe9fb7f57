"""Two bookings of one product and day committed at the same moment (real ZODB,
two connections): they merge when their times do not overlap, and stay a
conflict (retried by Zope, counted again) when they do."""

from collective.digitalebalie.appointments import DayBookings
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError
import pytest
import transaction
import ZODB


@pytest.fixture
def two_clerks(tmp_path):
    """A database holding one day record, and two independent connections."""
    db = ZODB.DB(FileStorage(str(tmp_path / "Data.fs")))
    with db.transaction() as connection:
        record = connection.root()["day"] = DayBookings()
        record.add(9 * 3600, 9 * 3600 + 900, "early")
    managers = [transaction.TransactionManager() for _ in range(2)]
    connections = [db.open(transaction_manager=tm) for tm in managers]
    yield [(c.root()["day"], tm) for c, tm in zip(connections, managers, strict=True)]
    for connection in connections:
        connection.close()
    db.close()


def entries(db_record):
    db_record._p_jar.sync()
    return sorted(e[2] for e in db_record.entries)


def test_bookings_at_different_times_both_succeed(two_clerks):
    (first, tm1), (second, tm2) = two_clerks
    first.add(10 * 3600, 10 * 3600 + 900, "ten")
    second.add(11 * 3600, 11 * 3600 + 900, "eleven")
    tm1.commit()
    tm2.commit()  # resolved, not refused
    assert entries(first) == ["early", "eleven", "ten"]


def test_bookings_of_overlapping_times_conflict(two_clerks):
    (first, tm1), (second, tm2) = two_clerks
    first.add(10 * 3600, 10 * 3600 + 900, "a")
    second.add(10 * 3600 + 600, 10 * 3600 + 1500, "b")
    tm1.commit()
    with pytest.raises(ConflictError):
        tm2.commit()
    tm2.abort()
    assert entries(first) == ["a", "early"]


def test_a_cancellation_and_a_booking_merge(two_clerks):
    (first, tm1), (second, tm2) = two_clerks
    first.remove("early")
    second.add(9 * 3600, 9 * 3600 + 900, "later-the-same-time")
    tm1.commit()
    tm2.commit()
    assert entries(second) == ["later-the-same-time"]


def test_a_move_merges_with_a_booking_elsewhere(two_clerks):
    (first, tm1), (second, tm2) = two_clerks
    first.remove("early")
    first.add(14 * 3600, 14 * 3600 + 900, "early")
    second.add(9 * 3600, 9 * 3600 + 900, "nine")
    tm1.commit()
    tm2.commit()
    second._p_jar.sync()
    assert sorted(second.entries) == [
        (9 * 3600, 9 * 3600 + 900, "nine"),
        (14 * 3600, 14 * 3600 + 900, "early"),
    ]
