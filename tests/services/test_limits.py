"""Limits against abuse of the booking (issue 15), over HTTP against a running site.

The test layer switches the limits off (many tests book several times with one
e-mail address); each test here switches them on with the settings it needs
(the ``limits_on`` fixture in tests/conftest.py).
"""

from collective.digitalebalie import limits
from collective.digitalebalie import secrets
from collective.digitalebalie.integrations import outbox
from helpers import JSON
from helpers import at
from helpers import book
from helpers import person
from helpers import tomorrow
from helpers import use_smtp
from plone import api
from zope.annotation.interfaces import IAnnotations
import altcha
import logging
import pytest
import transaction


@pytest.fixture
def product(make_product):
    return make_product()


def slot_free(browser, product, start):
    day = start[:10]
    response = browser.get(
        f"{product}/@slots", params={"start": day, "end": day}, headers=JSON
    )
    assert response.status_code == 200, response.text
    return any(s["start"] == start and s["available"] for s in response.json()["items"])


def solve(challenge):
    """As a REST client does: solve the challenge with the altcha package."""
    solution = altcha.solve_challenge(altcha.Challenge.from_dict(challenge))
    assert solution is not None
    return altcha.Payload(altcha.Challenge.from_dict(challenge), solution).to_base64()


def other(number):
    """Another citizen (own e-mail address and phone): only the client address is shared."""
    return {"email": f"inwoner{number}@example.nl", "phone": f"06 1234{number:04d}"}


class TestOpenAppointmentsPerPerson:
    def test_third_booking_is_refused_and_nothing_stored(
        self, browser, limits_on, product, caplog
    ):
        limits_on()  # the default: 2
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        third = at(tomorrow(), "11:00")
        with caplog.at_level(logging.WARNING):
            response = book(browser, product, third, language="en")
        assert response.status_code == 429, response.text
        error = response.json()["error"]
        assert error["type"] == "TooManyBookings"
        assert "Verzet of zeg een afspraak af" in error["message"]
        assert "token" not in response.json()
        assert slot_free(browser, product, third)
        # Refusals are logged without personal data.
        log = caplog.text
        assert "booking refused" in log
        assert "fatima" not in log.lower() and "127.0.0.1" not in log

    def test_message_says_what_to_do(self, browser, limits_on, product):
        limits_on(max_open_bookings_per_person=1)
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        response = browser.post(
            f"{product}/@book",
            json=person(start=at(tomorrow(), "10:00")),
            headers={**JSON, "Accept-Language": "en"},
        )
        assert response.status_code == 429
        message = response.json()["error"]["message"]
        assert "move or cancel it with the link" in message
        assert "call the municipality" in message

    def test_same_address_in_other_letters_and_same_phone_count(
        self, browser, limits_on, product
    ):
        limits_on()
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        # Another e-mail address, the same phone number written differently.
        response = book(
            browser,
            product,
            at(tomorrow(), "10:00"),
            email="ander@example.nl",
            phone="+31 6 1234 5678",
        )
        assert response.status_code == 201, response.text
        shouting = book(
            browser, product, at(tomorrow(), "11:00"), email="FATIMA@Example.NL"
        )
        assert shouting.status_code == 429, shouting.text
        by_phone = book(
            browser,
            product,
            at(tomorrow(), "12:00"),
            email="nog-een@example.nl",
            phone="0031612345678",
        )
        assert by_phone.status_code == 429, by_phone.text
        assert slot_free(browser, product, at(tomorrow(), "12:00"))

    def test_another_product_is_fine(self, browser, limits_on, make_product):
        limits_on()
        first, second = make_product(), make_product()
        assert book(browser, first, at(tomorrow(), "09:00")).status_code == 201
        assert book(browser, first, at(tomorrow(), "10:00")).status_code == 201
        assert book(browser, second, at(tomorrow(), "09:00")).status_code == 201

    def test_cancelling_frees_the_quota(self, browser, limits_on, product):
        limits_on()
        token = book(browser, product, at(tomorrow(), "09:00")).json()["token"]
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        assert book(browser, product, at(tomorrow(), "11:00")).status_code == 429
        cancelled = browser.post(f"@appointment/{token}/cancel", headers=JSON)
        assert cancelled.status_code == 200, cancelled.text
        assert book(browser, product, at(tomorrow(), "11:00")).status_code == 201

    def test_moving_keeps_the_count(self, browser, limits_on, product):
        limits_on()
        token = book(browser, product, at(tomorrow(), "09:00")).json()["token"]
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        moved = browser.post(
            f"@appointment/{token}/reschedule",
            json={"start": at(tomorrow(), "14:00")},
            headers=JSON,
        )
        assert moved.status_code == 200, moved.text
        assert book(browser, product, at(tomorrow(), "11:00")).status_code == 429

    def test_deleting_frees_the_quota(self, browser, browser_as, limits_on, product):
        limits_on()
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        assert book(browser, product, at(tomorrow(), "10:00")).status_code == 201
        manager = browser_as("Manager")
        items = manager.get(
            f"{product}/@appointments",
            params={"start": tomorrow().isoformat(), "end": tomorrow().isoformat()},
            headers=JSON,
        ).json()["items"]
        assert manager.delete(items[0]["@id"], headers=JSON).status_code == 204
        assert book(browser, product, at(tomorrow(), "11:00")).status_code == 201

    def test_staff_are_exempt(self, browser, limits_on, make_team, make_product):
        limits_on(max_open_bookings_per_person=1, bookings_per_address_per_hour=1)
        employee = make_team("balie", "anna")["anna"]
        product = make_product(teams=["balie"])
        for hhmm in ("09:00", "10:00", "11:00"):
            response = employee.post(
                f"{product}/@book",
                json=person(start=at(tomorrow(), hhmm)),
                headers=JSON,
            )
            assert response.status_code == 201, response.text
        # The citizen online: over the limit now (staff bookings count).
        response = book(browser, product, at(tomorrow(), "12:00"))
        assert response.status_code == 429
        assert response.json()["error"]["type"] == "TooManyBookings"

    def test_the_switch_turns_the_limits_off(self, browser, limits_on, product):
        limits_on(booking_limits_enabled=False, max_open_bookings_per_person=1)
        for hhmm in ("09:00", "10:00", "11:00"):
            assert book(browser, product, at(tomorrow(), hhmm)).status_code == 201

    def test_index_holds_no_personal_data(self, browser, limits_on, product):
        limits_on()
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        transaction.begin()  # see what the server committed
        with api.env.adopt_roles(["Manager"]):
            context = api.content.get(path="/" + product.split("/plone/", 1)[1])
        index = IAnnotations(context)[limits.BOOKERS_KEY]
        assert len(index) == 2  # e-mail and phone
        stored = repr([(key, record.entries) for key, record in index.items()])
        assert "fatima" not in stored.lower()
        assert "612345678" not in stored


class TestBookingsPerClientAddress:
    def test_challenge_then_solution_then_replay(self, browser, limits_on, product):
        limits_on(bookings_per_address_per_hour=2)
        for number in range(2):
            response = book(
                browser, product, at(tomorrow(), f"0{8 + number}:00"), **other(number)
            )
            assert response.status_code == 201, response.text
        start = at(tomorrow(), "10:00")
        refused = book(browser, product, start, **other(2))
        assert refused.status_code == 429, refused.text
        error = refused.json()["error"]
        assert error["type"] == "ChallengeRequired"
        assert error["message"]
        challenge = error["challenge"]
        assert challenge["parameters"]["algorithm"] == "PBKDF2/SHA-256"
        assert challenge["signature"]
        assert slot_free(browser, product, start)

        payload = solve(challenge)
        solved = book(browser, product, start, altcha=payload, **other(2))
        assert solved.status_code == 201, solved.text

        replayed = book(
            browser, product, at(tomorrow(), "11:00"), altcha=payload, **other(3)
        )
        assert replayed.status_code == 429, replayed.text
        assert replayed.json()["error"]["type"] == "ChallengeRequired"
        # A fresh challenge each time.
        assert (
            replayed.json()["error"]["challenge"]["signature"]
            != (challenge["signature"])
        )
        assert slot_free(browser, product, at(tomorrow(), "11:00"))

    def test_a_solution_for_a_failed_booking_can_be_used_again(
        self, browser, limits_on, product
    ):
        limits_on(bookings_per_address_per_hour=1)
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        challenge = book(browser, product, at(tomorrow(), "10:00"), **other(1)).json()
        payload = solve(challenge["error"]["challenge"])
        # The time is taken: nothing was booked, so nothing was used up.
        taken = book(
            browser, product, at(tomorrow(), "09:00"), altcha=payload, **other(1)
        )
        assert taken.status_code == 409, taken.text
        again = book(
            browser, product, at(tomorrow(), "10:00"), altcha=payload, **other(1)
        )
        assert again.status_code == 201, again.text

    @pytest.mark.parametrize(
        "solution",
        ["", "bm90IGpzb24=", "x" * 5000, 42, {"challenge": {}, "solution": {}}],
    )
    def test_bad_solutions_get_a_challenge(self, browser, limits_on, product, solution):
        limits_on(bookings_per_address_per_hour=1)
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        response = book(
            browser, product, at(tomorrow(), "10:00"), altcha=solution, **other(1)
        )
        assert response.status_code == 429, response.text
        assert response.json()["error"]["type"] == "ChallengeRequired"

    def test_a_forged_challenge_is_refused(self, browser, limits_on, product):
        limits_on(bookings_per_address_per_hour=1)
        assert book(browser, product, at(tomorrow(), "09:00")).status_code == 201
        forged = altcha.create_challenge(
            algorithm="SHA-256", cost=1, hmac_secret="guessed"
        )
        solution = altcha.solve_challenge(forged)
        payload = altcha.Payload(forged, solution).to_base64()
        response = book(
            browser, product, at(tomorrow(), "10:00"), altcha=payload, **other(1)
        )
        assert response.status_code == 429, response.text

    def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
        self, browser, limits_on, product
    ):
        limits_on(bookings_per_address_per_hour=1)

        def from_(address, hhmm, number):
            return browser.post(
                f"{product}/@book",
                json={**person(start=at(tomorrow(), hhmm)), **other(number)},
                headers={**JSON, "X-Forwarded-For": address},
            )

        assert from_("203.0.113.5", "09:00", 1).status_code == 201
        # 127.0.0.1 is not a trusted proxy: the header is the client's word.
        assert from_("203.0.113.6", "10:00", 2).status_code == 429

        limits_on(bookings_per_address_per_hour=1, trusted_proxies=["127.0.0.0/8"])
        assert from_("203.0.113.5", "10:00", 2).status_code == 201
        assert from_("203.0.113.5", "11:00", 3).status_code == 429
        # What the client itself wrote before the proxy's entry does not count.
        assert from_("198.51.100.1, 203.0.113.5", "11:00", 3).status_code == 429
        assert from_("203.0.113.7", "11:00", 3).status_code == 201

    def test_staff_are_not_counted(self, browser, limits_on, make_team, make_product):
        limits_on(bookings_per_address_per_hour=1)
        employee = make_team("balie", "anna")["anna"]
        product = make_product(teams=["balie"])
        for number, hhmm in enumerate(("09:00", "10:00", "11:00")):
            response = employee.post(
                f"{product}/@book",
                json={**person(start=at(tomorrow(), hhmm)), **other(number)},
                headers=JSON,
            )
            assert response.status_code == 201, response.text
        assert book(browser, product, at(tomorrow(), "12:00")).status_code == 201


class TestConfirmationMailsPerDay:
    def test_past_the_cap_booking_succeeds_without_mail(
        self, browser, browser_as, limits_on, make_product, smtp
    ):
        controller, inbox = smtp
        manager = browser_as("Manager", language="en")
        use_smtp(manager, controller.port)
        response = manager.patch(
            "@controlpanels/digitalebalie",
            json={"reminder_hours": 0, "mail_capture_only": False},
            headers=JSON,
        )
        assert response.status_code == 204, response.text
        limits_on(confirmation_mails_per_day=2)
        products = [make_product() for _ in range(3)]
        for product in products:
            response = book(browser, product, at(tomorrow(), "09:00"))
            assert response.status_code == 201, response.text
        delivered = browser.post(
            "@@digitalebalie-deliver",
            headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
        )
        assert delivered.status_code == 200, delivered.text
        assert delivered.json()["sent"] == 2
        assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == [
            "fatima@example.nl"
        ] * 2
        page = manager.get("@@digitalebalie-outbox")
        assert page.status_code == 200
        assert "Not sent: this address already got" in " ".join(page.text.split())

    def test_staff_bookings_always_confirm(
        self, limits_on, make_team, make_product, functional
    ):
        limits_on(confirmation_mails_per_day=1)
        employee = make_team("balie", "anna")["anna"]
        products = [make_product(teams=["balie"]) for _ in range(2)]
        for product in products:
            response = employee.post(
                f"{product}/@book",
                json=person(start=at(tomorrow(), "09:00")),
                headers=JSON,
            )
            assert response.status_code == 201, response.text
        transaction.begin()
        with api.env.adopt_roles(["Manager"]):
            kinds = [(item.kind, item.withheld) for item in outbox.outbox().values()]
        assert kinds.count(("confirmation", 0)) == 2
