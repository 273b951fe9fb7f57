"""Data stored before the booking package (1.0) still loads.

``data/before-1.0.fs`` was written with the code of that time (main before
issue 16): a product ledger with a ``DayBookings`` record, pickled as
``collective.digitalebalie.appointments.DayBookings``, and a ``SecretStore``,
pickled as ``collective.digitalebalie.secrets.SecretStore``.
"""

from collective.digitalebalie import appointments
from collective.digitalebalie import credentials
from collective.digitalebalie import secrets as old_secrets
from collective.digitalebalie.booking.store import DayBookings
from collective.digitalebalie.dossiers import payments as old_payments
from collective.digitalebalie.integrations import payments
from pathlib import Path
import shutil
import transaction
import ZODB
import ZODB.FileStorage


OLD = Path(__file__).parent / "data" / "before-1.0.fs"


def test_the_file_names_the_old_paths():
    raw = OLD.read_bytes()
    assert b"collective.digitalebalie.appointments" in raw
    assert b"collective.digitalebalie.secrets" in raw


def test_an_old_database_opens_and_works(tmp_path):
    path = tmp_path / "Data.fs"
    shutil.copy(OLD, path)
    db = ZODB.DB(ZODB.FileStorage.FileStorage(str(path)))
    try:
        root = db.open().root()
        day = root["ledger"][739999]
        assert type(day) is DayBookings
        assert day.overlapping(1500, 2500) == 2
        store = root["secrets"]
        assert type(store) is credentials.SecretStore
        assert store["room_token_secret"] == "x" * 43
        # The old records are written again, and read back.
        day.add(3000, 3900, "a3")
        transaction.commit()
    finally:
        transaction.abort()
        db.close()
    db = ZODB.DB(ZODB.FileStorage.FileStorage(str(path)))
    try:
        assert db.open().root()["ledger"][739999].overlapping(0, 4000) == 3
    finally:
        db.close()


def test_the_old_module_paths_stay():
    assert appointments.DayBookings is DayBookings
    assert old_secrets is credentials
    assert old_payments is payments
