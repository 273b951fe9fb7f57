"""A citizen who closes the queue page keeps their place for 2 minutes (issue 19).

The domain code on an explicit clock (no waiting two minutes, no verdict that
depends on the time of day): the page asks for its ticket every 30 s; a ticket
not asked for in 2 minutes no longer counts, and at the next change of the
queue it leaves, with a text message only when a telephone number was given.
"""

from collective.digitalebalie.integrations import outbox
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.walkin import availability
from collective.digitalebalie.walkin import queue
from datetime import datetime
from datetime import timedelta
from helpers import WALK_IN_ALL_DAY
from plone import api
from zoneinfo import ZoneInfo
import pytest
import transaction


# A Monday morning, whatever day the suite runs.
T0 = datetime(2030, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def at(seconds):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def product(functional, make_product, make_team):
    make_team("burgerzaken", "anna")
    url = make_product(
        teams=["burgerzaken"], walk_in=True, walk_in_hours=WALK_IN_ALL_DAY
    )
    portal = functional["portal"]
    transaction.begin()
    api.portal.set_registry_record(
        "mail_capture_only", True, interface=IDigitaleBalieSettings
    )
    availability.set_available("anna", True, now=T0)
    yield portal[url.rsplit("/", 1)[1]]
    transaction.abort()  # nothing of this test stays


def texts():
    return [
        item
        for item in outbox.outbox().values()
        if item.channel == "sms" and item.kind == "walk-in-left"
    ]


def join(product, name, seconds, **data):
    _ticket, token, _position = queue.join(
        product, {"fullname": name, "language": "nl", **data}, now=at(seconds)
    )
    return token


def test_place_kept_two_minutes_then_gone_with_a_text_only_with_a_number(product):
    fatima = join(product, "Fatima", 0, phone="06 12345678")
    jan = join(product, "Jan", 0)
    # Fatima's page asks now and then; Jan closed his page at once.
    assert queue.ticket_status(fatima, now=at(90))["position"] == 1
    names = [ticket["fullname"] for ticket in queue.waiting(product, at(110))]
    assert names == ["Fatima", "Jan"]  # still his place
    # 2 minutes after his last sign of life Jan no longer counts ...
    assert queue.ticket_status(jan, now=at(150))["state"] == "left"
    assert queue.ticket_status(fatima, now=at(150))["position"] == 1
    # ... and leaves at the next change, without a text (no number).
    join(product, "Bram", 200)
    assert queue.find(jan)[2]["state"] == queue.LEFT
    assert texts() == []
    # Fatima, last seen at 150 s, is still in place at 200 s; gone at 300 s.
    assert queue.find(fatima)[2]["state"] == queue.WAITING
    join(product, "Carla", 300)
    assert queue.find(fatima)[2]["state"] == queue.LEFT
    (text,) = texts()
    assert text.mto == "+31612345678"
    assert "u staat niet meer in de wachtrij" in text.message
    # Her personal data went with her place.
    assert "fullname" not in queue.find(fatima)[2]
    assert "phone" not in queue.find(fatima)[2]


def test_employee_off_after_15_minutes_without_activity(product):
    assert availability.is_available("anna", now=at(14 * 60))
    availability.touch("anna", now=at(10 * 60))  # worked in the agenda
    assert availability.is_available("anna", now=at(24 * 60))
    assert not availability.is_available("anna", now=at(26 * 60))
    # Nobody available: the queue is closed.
    with pytest.raises(queue.QueueClosed):
        join(product, "Fatima", 26 * 60)


def test_estimate_uses_the_median_of_the_last_20_calls(product):
    record = queue.queue_of(product)
    record.durations = (30 * 60,) * 19
    assert queue.estimate(product, 1, now=at(0)) == 10  # fewer than 20: 10 minutes
    record.durations = (7 * 60,) * 20
    assert queue.estimate(product, 3, now=at(0)) == 25  # 3 × 7 = 21 → 25
