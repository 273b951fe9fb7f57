"""Several people in one appointment, over HTTP: the length, the slots, the conflicts.

A product allows up to ``max_persons`` people; an appointment for n of them
lasts duration + (n - 1) × extra_minutes_per_person, and only starts with a
counter free for that whole time (inside the opening period) are offered.
"""

from collective.digitalebalie import secrets
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import at
from helpers import book
from helpers import tomorrow
from helpers import use_smtp
from icalendar import Calendar
import pytest


def slots(browser, product, day, **params):
    response = browser.get(
        f"{product}/@slots",
        params={"start": day.isoformat(), "end": day.isoformat(), **params},
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    return response.json()


def starts(answer):
    return [item["start"] for item in answer["items"]]


@pytest.fixture
def household(make_product):
    """30 minutes, 15 more for each more person, up to 4; 08:00–18:00, 1 counter."""
    return make_product(max_persons=4, extra_minutes_per_person=15)


class TestSlots:
    def test_slots_for_three_people_last_an_hour_and_end_by_closing(
        self, browser, household
    ):
        day = tomorrow()
        answer = slots(browser, household, day, persons=3)
        assert answer["persons"] == 3 and answer["minutes"] == 60
        for item in answer["items"]:
            length = datetime.fromisoformat(item["end"]) - datetime.fromisoformat(
                item["start"]
            )
            assert length == timedelta(minutes=60)
        # Starts every 30 minutes as for one person, the last with room for an hour.
        assert starts(answer)[0] == at(day, "08:00")
        assert starts(answer)[-1] == at(day, "17:00")
        assert len(answer["items"]) == 19
        one = slots(browser, household, day)
        assert one["minutes"] == 30 and starts(one)[-1] == at(day, "17:30")

    @pytest.mark.parametrize("value", ["5", "0", "drie", "-1", "2.5"])
    def test_slots_refuse_a_number_out_of_range(self, browser, household, value):
        day = tomorrow()
        response = browser.get(
            f"{household}/@slots",
            params={"start": day.isoformat(), "persons": value},
            headers=JSON,
        )
        assert response.status_code == 400, response.text
        assert "persons" in response.json()["error"]["fields"]


class TestBook:
    def test_the_appointment_lasts_for_everyone(self, browser, household):
        day = tomorrow()
        response = book(browser, household, at(day, "10:00"), persons=3)
        assert response.status_code == 201, response.text
        assert response.json()["end"] == at(day, "11:00")
        mine = browser.get(
            response.json()["url"].replace("@@my-appointment", "@appointment"),
            headers=JSON,
        )
        assert mine.json()["persons"] == 3

    @pytest.mark.parametrize("value", [5, 0, -2, "drie", True, 2.0, [2]])
    def test_a_wrong_number_is_a_400_naming_the_field(self, browser, household, value):
        response = book(browser, household, at(tomorrow(), "10:00"), persons=value)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "ValidationError"
        assert "persons" in error["fields"]
        # Nothing was booked: the time is still free.
        assert at(tomorrow(), "10:00") in starts(slots(browser, household, tomorrow()))

    def test_a_product_for_one_person_refuses_two(self, browser, make_product):
        single = make_product()
        response = book(browser, single, at(tomorrow(), "10:00"), persons=2)
        assert response.status_code == 400
        assert "persons" in response.json()["error"]["fields"]
        assert (
            book(browser, single, at(tomorrow(), "10:00"), persons=1).status_code == 201
        )

    def test_a_long_appointment_may_not_run_past_closing(self, browser, household):
        response = book(browser, household, at(tomorrow(), "17:30"), persons=3)
        assert response.status_code == 409
        assert "na sluitingstijd" in response.json()["error"]["message"]


class TestConflicts:
    def test_a_long_booking_blocks_the_short_ones_it_overlaps(self, browser, household):
        day = tomorrow()
        assert book(browser, household, at(day, "10:00"), persons=3).status_code == 201
        # 10:00–11:00 is taken: a short booking at 10:30 (its second half) conflicts.
        late = book(browser, household, at(day, "10:30"))
        assert late.status_code == 409, late.text
        assert late.json()["error"]["type"] == "SlotUnavailable"
        assert book(browser, household, at(day, "11:00")).status_code == 201
        free = starts(slots(browser, household, day))
        assert at(day, "10:00") not in free and at(day, "10:30") not in free
        # For two people (45 minutes) 09:30 would run into 10:00: not offered.
        two = starts(slots(browser, household, day, persons=2))
        assert at(day, "09:00") in two and at(day, "09:30") not in two

    def test_a_short_booking_blocks_the_long_one_that_would_reach_it(
        self, browser, household
    ):
        day = tomorrow()
        assert book(browser, household, at(day, "14:30")).status_code == 201
        long = book(browser, household, at(day, "14:00"), persons=4)  # till 15:15
        assert long.status_code == 409, long.text
        assert at(day, "14:00") not in starts(slots(browser, household, day, persons=4))
        assert at(day, "14:00") in starts(slots(browser, household, day))

    def test_two_counters_are_counted_at_the_busiest_moment(
        self, browser, make_product
    ):
        every_day = [
            {"weekday": d, "start": "08:00", "end": "18:00", "counters": 2}
            for d in range(7)
        ]
        product = make_product(
            max_persons=3, extra_minutes_per_person=30, opening_hours=every_day
        )
        day = tomorrow()
        # One counter is busy 10:00–10:30, then 10:30–11:00: never both at once.
        assert book(browser, product, at(day, "10:00")).status_code == 201
        assert book(browser, product, at(day, "10:30")).status_code == 201
        # So the other counter is free for 10:00–11:00.
        answer = slots(browser, product, day, persons=2)
        (item,) = [i for i in answer["items"] if i["start"] == at(day, "10:00")]
        assert item["available"] == 1
        assert book(browser, product, at(day, "10:00"), persons=2).status_code == 201
        # Now both counters are busy all that hour.
        assert book(browser, product, at(day, "10:30")).status_code == 409
        assert book(browser, product, at(day, "10:00"), persons=2).status_code == 409

    def test_a_move_keeps_the_length(self, browser, household):
        day = tomorrow()
        booked = book(browser, household, at(day, "09:00"), persons=3).json()
        assert book(browser, household, at(day, "12:30")).status_code == 201
        url = f"{booked['url'].replace('@@my-appointment', '@appointment')}/reschedule"
        # 12:00–13:00 would overlap 12:30: refused; 13:00 is fine.
        refused = browser.post(url, json={"start": at(day, "12:00")}, headers=JSON)
        assert refused.status_code == 409, refused.text
        moved = browser.post(url, json={"start": at(day, "13:00")}, headers=JSON)
        assert moved.status_code == 200, moved.text
        assert moved.json()["end"] == at(day, "14:00")


def test_agenda_mail_and_invitation_show_the_number(
    browser, browser_as, household, smtp
):
    controller, inbox = smtp
    manager = browser_as("Manager", language="en")
    use_smtp(manager, controller.port)
    day = tomorrow()
    assert book(browser, household, at(day, "10:00"), persons=3).status_code == 201
    agenda = manager.get(
        "@agenda",
        params={"start": day.isoformat(), "end": day.isoformat(), "scope": "all"},
        headers=JSON,
    ).json()["items"]
    assert [item["persons"] for item in agenda] == [3]
    page = manager.get("@@agenda", params={"day": day.isoformat(), "scope": "all"})
    assert "3 people" in page.text
    delivered = browser.post(
        "@@digitalebalie-deliver",
        headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
    )
    assert delivered.status_code == 200, delivered.text
    # The confirmation (a reminder may go too, when tomorrow 10:00 is within 24 hours).
    (message,) = [
        m for m in inbox.messages if m["Subject"].startswith("Uw afspraak op")
    ]
    text = message.get_body(("plain",)).get_content()
    assert "Aantal personen: 3" in text
    ical = next(
        part.get_payload(decode=True)
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    )
    event = Calendar.from_ical(ical).walk("VEVENT")[0]
    assert str(event["description"]).startswith("Aantal personen: 3")
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(hours=1)
    assert datetime.now(AMS) < event["dtstart"].dt
