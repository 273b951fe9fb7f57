"""Two transactions change one day's sums at once (two bookings of different
times of one product's day, a payment and a step): both commit, nothing is lost."""

from collective.digitalebalie import statistics
from ZODB.FileStorage import FileStorage
import pytest
import transaction
import ZODB


def row(state="completed", walk_in=False, waited=None):
    return ("uid", ("team",), 0, 9, state, "", False, "video", walk_in, waited, "")


def _row(**kw):
    return (*row(**kw), 0, 0, 0, 0)


@pytest.fixture
def db(tmp_path):
    database = ZODB.DB(FileStorage(str(tmp_path / "Data.fs")))
    yield database
    database.close()


def test_concurrent_changes_merge(db):
    first_tm, second_tm = (
        transaction.TransactionManager(),
        transaction.TransactionManager(),
    )
    first = db.open(first_tm)
    with first_tm:
        days = first.root()["days"] = statistics.OOBTree()
        statistics.add_to_day(days, 1, _row(), +1)
        statistics.add_to_day(days, 1, _row(walk_in=True, waited=300), +1)
    first_tm.begin()
    second = db.open(second_tm)
    second_tm.begin()
    days_two = second.root()["days"]
    days_one = first.root()["days"]
    # One books a walk-in that waited 60 s; the other cancels a completed one.
    statistics.add_to_day(days_one, 1, _row(walk_in=True, waited=60), +1)
    statistics.add_to_day(days_two, 1, _row(), -1)
    statistics.add_to_day(days_two, 1, _row(state="cancelled"), +1)
    first_tm.commit()
    second_tm.commit()  # merged by DaySums._p_resolveConflict, not refused
    third = db.open()
    record = third.root()["days"][(1, "uid", ("team",))]
    counts = dict(zip(statistics.COUNTS, record.counts, strict=False))
    assert counts["booked"] == 3
    assert counts["completed"] == 2 and counts["cancelled"] == 1
    assert counts["walk_ins"] == 2
    assert record.waits == (60, 300)


def test_an_unknown_state_is_still_a_conflict():
    with pytest.raises(statistics.ConflictError):
        statistics.DaySums()._p_resolveConflict({"x": 1}, {"x": 2}, {"x": 3})
