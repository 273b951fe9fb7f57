"""@slots, @book and @appointment over HTTP, as a citizen's browser would use them."""

from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import at
from helpers import book
from helpers import person
from helpers import tomorrow
import hashlib
import pytest


@pytest.fixture
def product(make_product):
    return make_product()


def slots(browser, product, first, last=None):
    response = browser.get(
        f"{product}/@slots",
        params={"start": first.isoformat(), "end": (last or first).isoformat()},
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def manager_appointments(browser_as, product):
    """The product's appointments, as counter staff see them."""
    manager = browser_as("Manager")
    today = datetime.now(AMS).date()
    response = manager.get(
        f"{product}/@appointments",
        params={
            "start": today.isoformat(),
            "end": (today + timedelta(days=61)).isoformat(),
        },
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    return manager, response.json()["items"]


class TestSlots:
    def test_anonymous_sees_slots_with_offset(self, browser, product):
        day = tomorrow()
        items = slots(browser, product, day)
        assert items[0]["start"] == at(day, "08:00")
        assert items[0]["end"] == at(day, "08:30")
        assert items[-1]["end"] == at(day, "18:00")
        assert len(items) == 20
        assert all(item["available"] == 1 for item in items)
        offset = datetime.fromisoformat(items[0]["start"]).utcoffset()
        assert offset in (timedelta(hours=1), timedelta(hours=2))

    @pytest.mark.parametrize(
        "params,field",
        [
            ({"start": "2026-13-01", "end": "2026-12-01"}, "start"),
            ({"start": "2026-12-01", "end": "gisteren"}, "end"),
            ({"start": "2026-12-10", "end": "2026-12-01"}, "end"),
            ({"start": "2026-12-01", "end": "2027-02-01"}, "end"),
        ],
    )
    def test_bad_ranges_give_400(self, browser, product, params, field):
        response = browser.get(f"{product}/@slots", params=params, headers=JSON)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["type"] == "ValidationError"
        assert error["message"]
        assert field in error["fields"]

    def test_range_of_62_days_is_fine(self, browser, product):
        first = tomorrow()
        response = browser.get(
            f"{product}/@slots",
            params={
                "start": first.isoformat(),
                "end": (first + timedelta(days=61)).isoformat(),
            },
            headers=JSON,
        )
        assert response.status_code == 200

    def test_private_product_is_not_reachable(self, browser, make_product):
        from plone import api

        url = make_product()
        # Retract it again, as an editor would.
        import transaction

        with api.env.adopt_roles(["Manager"]):
            product = api.content.get(path="/" + url.split("/plone/", 1)[1])
            api.content.transition(product, to_state="private")
        transaction.commit()
        response = browser.get(f"{url}/@slots", headers=JSON)
        assert response.status_code == 401


class TestBook:
    def test_book_and_view(self, browser, product):
        start = at(tomorrow(), "10:00")
        response = book(browser, product, start)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["state"] == "booked"
        assert body["start"] == start
        assert body["end"] == at(tomorrow(), "10:30")
        token = body["token"]
        assert len(token) >= 22  # at least 128 bits in URL-safe base64
        assert body["url"].endswith(f"/@@my-appointment/{token}")
        view = browser.get(f"@appointment/{token}", headers=JSON)
        assert view.status_code == 200
        assert view.headers["Cache-Control"] == "no-store"
        mine = view.json()
        assert mine["fullname"] == "Fatima el Amrani"
        assert mine["state"] == "booked"
        assert mine["start"] == start
        assert mine["product"]["title"] == "Product 1"

    def test_slot_is_taken_after_booking(self, browser, product):
        start = at(tomorrow(), "11:00")
        assert book(browser, product, start).status_code == 201
        again = book(browser, product, start, fullname="Jan de Vries")
        assert again.status_code == 409
        assert again.json()["error"]["type"] == "SlotUnavailable"
        starts = [item["start"] for item in slots(browser, product, tomorrow())]
        assert start not in starts
        assert at(tomorrow(), "11:30") in starts

    def test_two_counters_take_two_bookings(self, browser, make_product):
        rows = [
            {"weekday": d, "start": "08:00", "end": "18:00", "counters": 2}
            for d in range(7)
        ]
        product = make_product(opening_hours=rows)
        start = at(tomorrow(), "09:00")
        assert book(browser, product, start).status_code == 201
        item = next(
            i for i in slots(browser, product, tomorrow()) if i["start"] == start
        )
        assert item["available"] == 1
        assert book(browser, product, start).status_code == 201
        assert book(browser, product, start).status_code == 409

    @pytest.mark.parametrize(
        "data,fields",
        [
            ({"email": "not-an-address"}, {"email"}),
            ({"fullname": "  "}, {"fullname"}),
            ({"phone": "call me"}, {"phone"}),
            ({"language": "de"}, {"language"}),
            ({"channel": "counter"}, {"channel"}),
            ({"notes": "x" * 2001}, {"notes"}),
            ({"email": "", "fullname": ""}, {"email", "fullname"}),
        ],
    )
    def test_invalid_input_gives_400_per_field_and_stores_nothing(
        self, browser, browser_as, product, data, fields
    ):
        response = book(browser, product, at(tomorrow(), "12:00"), **data)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["type"] == "ValidationError"
        assert set(error["fields"]) == fields
        assert manager_appointments(browser_as, product)[1] == []

    @pytest.mark.parametrize("start", ["morgen om tien", "2026-12-01T10:00:00"])
    def test_a_start_that_can_never_be_right_gives_400(
        self, browser, browser_as, product, start
    ):
        response = book(browser, product, start)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "ValidationError"
        assert "start" in error["fields"]
        assert manager_appointments(browser_as, product)[1] == []

    # Every start below is well formed but no free slot: 409 with the reason.
    # Each is chosen relative to the product's own slots, never to the hour
    # the suite runs at.
    @pytest.mark.parametrize(
        "case,fields,reason",
        [
            ("not_a_slot_start", {}, "No appointment starts at this time"),
            ("night", {}, "No appointment starts at this time"),
            ("too_soon", {"min_notice_hours": 72}, "Book at least 72 hours ahead"),
            ("too_far", {}, "at most 60 days ahead"),
            ("in_the_past", {}, "This time has passed"),
            ("closed_weekday", "weekdays", "We are closed on Saturday"),
            ("closure", "closure", "We are closed on"),
        ],
    )
    def test_a_start_that_is_no_free_slot_gives_409_with_the_reason(
        self, browser, browser_as, make_product, case, fields, reason
    ):
        today = datetime.now(AMS).date()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        if fields == "weekdays":
            fields = {
                "opening_hours": [
                    {"weekday": d, "start": "08:00", "end": "18:00", "counters": 1}
                    for d in range(5)
                ]
            }
        elif fields == "closure":
            day = tomorrow() + timedelta(days=1)
            fields = {"closures": [{"start": day, "end": day, "reason": "Feest"}]}
        product = make_product(**fields)
        starts = {
            "not_a_slot_start": at(tomorrow(), "10:10"),
            "night": at(tomorrow(), "03:00"),
            "too_soon": at(tomorrow(), "10:00"),
            "too_far": at(today + timedelta(days=70), "10:00"),
            "in_the_past": at(today - timedelta(days=1), "10:00"),
            "closed_weekday": at(saturday, "10:00"),
            "closure": at(tomorrow() + timedelta(days=1), "10:00"),
        }
        browser.headers["Accept-Language"] = "en"
        response = book(browser, product, starts[case])
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["type"] == "SlotUnavailable"
        assert reason in error["message"]
        assert manager_appointments(browser_as, product)[1] == []

    def test_closed_day_is_named_in_words_in_dutch(self, browser, make_product):
        day = tomorrow() + timedelta(days=1)
        product = make_product(closures=[{"start": day, "end": day}])
        response = book(browser, product, at(day, "10:00"))
        assert response.status_code == 409
        message = response.json()["error"]["message"]
        assert message.startswith("We zijn gesloten op ")
        assert str(day.day) in message
        assert day.isoformat() not in message

    def test_reschedule_to_no_slot_gives_409_and_keeps_the_time(self, browser, product):
        token = book(browser, product, at(tomorrow(), "10:00")).json()["token"]
        for start in (at(tomorrow(), "03:00"), at(tomorrow(), "10:10")):
            moved = browser.post(
                f"@appointment/{token}/reschedule", json={"start": start}, headers=JSON
            )
            assert moved.status_code == 409, moved.text
            assert moved.json()["error"]["type"] == "SlotUnavailable"
        mine = browser.get(f"@appointment/{token}", headers=JSON).json()
        assert mine["start"] == at(tomorrow(), "10:00")

    def test_non_json_body(self, browser, product):
        response = browser.post(
            f"{product}/@book",
            data="fullname=x",
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["error"]["type"] == "ValidationError"

    def test_dutch_and_english_messages(self, browser, product):
        nl = book(browser, product, at(tomorrow(), "10:00"), email="x")
        browser.headers["Accept-Language"] = "en"
        en = book(browser, product, at(tomorrow(), "10:00"), email="x")
        assert en.json()["error"]["fields"]["email"].startswith(
            "Fill in a valid e-mail"
        )
        assert nl.status_code == en.status_code == 400


class TestPrivacy:
    def test_appointments_are_not_found_by_anonymous(
        self, browser, browser_as, product
    ):
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        for params in (
            {"SearchableText": "Fatima"},
            {"portal_type": "Appointment"},
            {"path.query": "/plone/appointments"},
        ):
            response = browser.get("@search", params=params, headers=JSON)
            assert response.json()["items_total"] == 0
        assert browser.get("appointments", headers=JSON).status_code == 401
        assert "Fatima" not in browser.get("sitemap.xml.gz").text
        assert "Fatima" not in browser.get("").text

    def test_appointments_are_not_in_the_catalog_at_all(
        self, browser, browser_as, product
    ):
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        manager, items = manager_appointments(browser_as, product)
        assert len(items) == 1
        for params in (
            {"SearchableText": "Fatima"},
            {"SearchableText": "fatima@example.nl"},
            {"SearchableText": "12345678"},
            {"portal_type": "Appointment"},
        ):
            found = manager.get("@search", params=params, headers=JSON)
            assert found.json()["items_total"] == 0, params
        assert items[0]["fullname"] == "Fatima el Amrani"  # staff do see it

    def test_only_the_hash_of_the_token_is_stored(self, browser, browser_as, product):
        token = book(browser, product, at(tomorrow(), "10:00")).json()["token"]
        manager, items = manager_appointments(browser_as, product)
        stored = manager.get(items[0]["@id"], headers=JSON)
        assert stored.status_code == 200
        assert token not in stored.text
        assert stored.json()["token_hash"] == hashlib.sha256(token.encode()).hexdigest()

    @pytest.mark.parametrize("token", ["x", "A" * 32, "A" * 500])
    def test_unknown_token_gives_404_without_details(self, browser, product, token):
        response = browser.get(f"@appointment/{token}", headers=JSON)
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "NotFound"


class TestCancelAndMove:
    def test_cancel_frees_the_slot(self, browser, product):
        start = at(tomorrow(), "13:00")
        token = book(browser, product, start).json()["token"]
        response = browser.post(f"@appointment/{token}/cancel", headers=JSON)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "cancelled"
        assert start in [item["start"] for item in slots(browser, product, tomorrow())]
        again = browser.post(f"@appointment/{token}/cancel", headers=JSON)
        assert again.status_code == 409
        assert book(browser, product, start).status_code == 201

    def test_reschedule_to_a_free_slot(self, browser, product):
        old, new = at(tomorrow(), "14:00"), at(tomorrow(), "15:00")
        token = book(browser, product, old).json()["token"]
        response = browser.post(
            f"@appointment/{token}/reschedule", json={"start": new}, headers=JSON
        )
        assert response.status_code == 200, response.text
        assert response.json()["start"] == new
        starts = [item["start"] for item in slots(browser, product, tomorrow())]
        assert old in starts and new not in starts

    def test_reschedule_to_a_taken_slot_keeps_the_old_time(self, browser, product):
        mine, taken = at(tomorrow(), "14:00"), at(tomorrow(), "16:00")
        token = book(browser, product, mine).json()["token"]
        assert book(browser, product, taken, fullname="Jan").status_code == 201
        response = browser.post(
            f"@appointment/{token}/reschedule", json={"start": taken}, headers=JSON
        )
        assert response.status_code == 409
        assert (
            browser.get(f"@appointment/{token}", headers=JSON).json()["start"] == mine
        )
        starts = [item["start"] for item in slots(browser, product, tomorrow())]
        assert mine not in starts

    def test_cancelled_cannot_be_moved(self, browser, product):
        token = book(browser, product, at(tomorrow(), "10:00")).json()["token"]
        browser.post(f"@appointment/{token}/cancel", headers=JSON)
        response = browser.post(
            f"@appointment/{token}/reschedule",
            json={"start": at(tomorrow(), "11:00")},
            headers=JSON,
        )
        assert response.status_code == 409


class TestStaffListing:
    def test_anonymous_and_members_may_not_list(self, browser, browser_as, product):
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        assert browser.get(f"{product}/@appointments", headers=JSON).status_code == 401
        member = browser_as("Member")
        assert member.get(f"{product}/@appointments", headers=JSON).status_code in (
            401,
            403,
        )

    def test_counter_employee_lists_in_order(self, browser, make_team, make_product):
        employee = make_team("balie", "anna")["anna"]
        product = make_product(teams=["balie"])
        for hhmm in ("15:00", "09:00", "12:00"):
            assert book(browser, product, at(tomorrow(), hhmm)).status_code == 201
        response = employee.get(
            f"{product}/@appointments",
            params={"start": tomorrow().isoformat(), "end": tomorrow().isoformat()},
            headers=JSON,
        )
        assert response.status_code == 200
        assert [i["start"] for i in response.json()["items"]] == [
            at(tomorrow(), "09:00"),
            at(tomorrow(), "12:00"),
            at(tomorrow(), "15:00"),
        ]
        assert {i["state"] for i in response.json()["items"]} == {"booked"}


class TestLedgerStaysTrue:
    """However an appointment changes, its time is free or taken as it should be."""

    def test_private_product_cannot_be_booked(self, browser, make_product):
        from plone import api
        import transaction

        url = make_product()
        with api.env.adopt_roles(["Manager"]):
            product = api.content.get(path="/" + url.split("/plone/", 1)[1])
            api.content.transition(product, to_state="private")
        transaction.commit()
        response = book(browser, url, at(tomorrow(), "10:00"))
        assert response.status_code in (401, 409)
        assert "token" not in response.text

    def test_staff_cancel_through_the_workflow_frees_the_time(
        self, browser, browser_as, product
    ):
        start = at(tomorrow(), "10:00")
        assert book(browser, product, start).status_code == 201
        manager, items = manager_appointments(browser_as, product)
        response = manager.post(f"{items[0]['@id']}/@workflow/cancel", headers=JSON)
        assert response.status_code == 200, response.text
        assert book(browser, product, start).status_code == 201

    def test_deleting_frees_the_time(self, browser, browser_as, product):
        start = at(tomorrow(), "11:00")
        assert book(browser, product, start).status_code == 201
        manager, items = manager_appointments(browser_as, product)
        assert manager.delete(items[0]["@id"], headers=JSON).status_code == 204
        assert book(browser, product, start).status_code == 201

    def test_staff_cannot_edit_the_time_directly(self, browser, browser_as, product):
        start = at(tomorrow(), "12:00")
        assert book(browser, product, start).status_code == 201
        manager, items = manager_appointments(browser_as, product)
        manager.patch(
            items[0]["@id"], json={"start": at(tomorrow(), "15:00")}, headers=JSON
        )
        assert manager_appointments(browser_as, product)[1][0]["start"] == start

    def test_longer_booking_blocks_after_a_duration_change(
        self, browser, browser_as, product
    ):
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        manager = browser_as("Manager")
        assert (
            manager.patch(product, json={"duration": 15}, headers=JSON).status_code
            == 204
        )
        starts = [item["start"] for item in slots(browser, product, tomorrow())]
        assert at(tomorrow(), "10:00") not in starts
        assert at(tomorrow(), "10:15") not in starts  # still inside 10:00-10:30
        assert at(tomorrow(), "10:30") in starts
        assert book(browser, product, at(tomorrow(), "10:15")).status_code == 409


class TestOddInput:
    @pytest.mark.parametrize(
        "start", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-05:00"]
    )
    def test_far_off_years(self, browser, product, start):
        response = book(browser, product, start)
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["start"]

    def test_far_off_slot_range(self, browser, product):
        response = browser.get(
            f"{product}/@slots", params={"start": "9999-12-31"}, headers=JSON
        )
        assert response.status_code == 400

    def test_reschedule_without_json(self, browser, product):
        token = book(browser, product, at(tomorrow(), "10:00")).json()["token"]
        response = browser.post(
            f"@appointment/{token}/reschedule",
            data="start=morgen",
            headers={"Accept": "application/json", "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["error"]["type"] == "ValidationError"

    def test_missing_time_says_choose_a_time(self, browser, product):
        browser.headers["Accept-Language"] = "en"
        response = browser.post(f"{product}/@book", json=person(), headers=JSON)
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["start"] == "Choose a time."
