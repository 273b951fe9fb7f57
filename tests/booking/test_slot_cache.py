"""Free slots are cached per product and day (booking.store.cached_day); every
change to the day shows at once, on the product page and in @slots."""

from helpers import JSON
from helpers import book
from helpers import tomorrow
from plone import api
import pytest
import transaction


MORNING = [
    {"weekday": d, "start": "09:00", "end": "11:00", "counters": 2} for d in range(7)
]


@pytest.fixture
def product(make_product):
    return make_product(opening_hours=MORNING)


def available(browser, product, day):
    response = browser.get(
        f"{product}/@slots",
        params={"start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    return {item["start"]: item["available"] for item in response.json()["items"]}


def on_page(browser, product, day, start):
    page = browser.get(
        product, params={"from": day.isoformat(), "day": day.isoformat()}
    )
    assert page.status_code == 200
    return f'value="{start}"' in page.text


def test_booking_and_cancelling_show_at_once(browser, product):
    day = tomorrow()
    before = available(browser, product, day)
    start = min(before)
    assert before[start] == 2 and on_page(browser, product, day, start)

    first = book(browser, product, start, email="een@example.nl")
    assert first.status_code == 201, first.text
    after = available(browser, product, day)
    assert after[start] == 1
    assert {k: v for k, v in after.items() if k != start} == {
        k: v for k, v in before.items() if k != start
    }
    second = book(browser, product, start, email="twee@example.nl", phone="")
    assert second.status_code == 201, second.text
    assert start not in available(browser, product, day)
    assert not on_page(browser, product, day, start)

    token = first.json()["token"]
    cancelled = browser.post(f"@appointment/{token}/cancel", headers=JSON)
    assert cancelled.status_code == 200, cancelled.text
    assert available(browser, product, day)[start] == 1
    assert on_page(browser, product, day, start)


def test_changed_opening_hours_show_at_once(browser, product, functional):
    """An edit in another ZODB connection (here the test's own) is seen by the
    server's connections: the key is the product's serial, not a timer."""
    day = tomorrow()
    assert len(available(browser, product, day)) == 4  # 09:00-11:00, 30 minutes
    portal = functional["portal"]
    transaction.begin()
    obj = portal[product.rsplit("/", 1)[-1]]
    with api.env.adopt_roles(["Manager"]):
        obj.opening_hours = [{**row, "end": "10:00"} for row in MORNING]
    transaction.commit()
    assert len(available(browser, product, day)) == 2
