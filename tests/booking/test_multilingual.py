"""The demo in Dutch and English (plone.app.multilingual): all translations of a
product are one service, over HTTP against a live site."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timedelta
from helpers import AMS
from helpers import JSON
from helpers import day_slots
import requests
import threading


DUTCH = "/balie/uittreksel-brp"
ENGLISH = "/en/balie/uittreksel-brp"


def slots(url, day):
    return {slot["start"]: slot for slot in day_slots(url, day)}


def book(url, start, fullname, **extra):
    return requests.post(
        f"{url}/@book",
        json={"start": start, "fullname": fullname, "email": "ml@example.nl", **extra},
        headers=JSON,
        timeout=30,
    )


def free_day(url):
    """A day some weeks ahead with a slot nobody booked yet (the demo opens on weekdays)."""
    day = datetime.now(AMS).date() + timedelta(days=20)
    while True:
        found = slots(url, day)
        free = [s for s in found.values() if s["available"] == s.get("counters", 2)]
        if free:
            return day, free[-1]["start"]
        day += timedelta(days=1)


def test_the_english_page_is_a_translation_in_english(live_site):
    page = requests.get(f"{live_site.site}{ENGLISH}", timeout=30)
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    assert "Extract from the Personal Records Database" in page.text
    assert "Your passport or identity card" in page.text
    # The booking form's language follows the page's.
    assert 'value="en" selected="selected"' in page.text
    dutch = requests.get(f"{live_site.site}{DUTCH}", timeout=30).text
    assert 'value="nl" selected="selected"' in dutch


def test_bookings_through_both_translations_share_one_ledger(live_site):
    site, admin = live_site.site, live_site.admin
    dutch, english = f"{site}{DUTCH}", f"{site}{ENGLISH}"
    day, start = free_day(dutch)
    assert (
        slots(english, day)[start]["available"] == slots(dutch, day)[start]["available"]
    )
    before = slots(dutch, day)[start]["available"]

    first = book(english, start, "Emily English")
    assert first.status_code == 201, first.text
    after = before - 1
    assert slots(dutch, day)[start]["available"] == after
    assert slots(english, day)[start]["available"] == after

    # The demo has two counters: fill the other through the Dutch page ...
    for number in range(after):
        response = book(dutch, start, f"Nederlandse Nina {number}")
        assert response.status_code == 201, response.text
    # ... and the time is taken on both pages.
    for url in (english, dutch):
        refused = book(url, start, "Te Laat")
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["type"] == "SlotUnavailable"

    # The team's agenda lists each appointment once.
    agenda = requests.get(
        f"{site}/@agenda",
        params={"scope": "all", "start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
        auth=admin,
        timeout=30,
    )
    assert agenda.status_code == 200, agenda.text
    names = [item["fullname"] for item in agenda.json()["items"]]
    assert names.count("Emily English") == 1
    # The demo employee's team serves both translations: once in their agenda too.
    team = requests.get(
        f"{site}/@agenda",
        params={"scope": "team", "start": day.isoformat(), "end": day.isoformat()},
        headers=JSON,
        auth=("medewerker", "balie-demo-2026"),
        timeout=30,
    )
    assert team.status_code == 200, team.text
    team_names = [item["fullname"] for item in team.json()["items"]]
    assert team_names.count("Emily English") == 1

    # The language follows the page: no language was sent.
    languages = {i["fullname"]: i["language"] for i in agenda.json()["items"]}
    assert languages["Emily English"] == "en"
    assert languages["Nederlandse Nina 0"] == "nl"

    # The English confirmation, on the demo's outbox page.
    outbox = requests.get(f"{site}/@@digitalebalie-outbox", auth=admin, timeout=30)
    assert outbox.status_code == 200
    when = datetime.fromisoformat(start).astimezone(AMS)
    assert (
        f"Your appointment on {when:%A} {when.day} {when:%B %Y, %H:%M}" in outbox.text
    )


def test_a_language_independent_field_follows_on_the_other_translation(live_site):
    site, admin = live_site.site, live_site.admin
    headers = {**JSON, "Content-Type": "application/json"}
    english = f"{site}/en/balie/huwelijk-bespreken"
    dutch = f"{site}/balie/huwelijk-bespreken"
    old = requests.get(dutch, headers=JSON, auth=admin, timeout=30).json()
    try:
        response = requests.patch(
            english,
            json={"min_notice_hours": 48, "title": "Talk about your wedding"},
            headers=headers,
            auth=admin,
            timeout=30,
        )
        assert response.status_code == 204, response.text
        now = requests.get(dutch, headers=JSON, auth=admin, timeout=30).json()
        assert now["min_notice_hours"] == 48
        # What a citizen reads stays in its own language.
        assert now["title"] == old["title"]
    finally:
        requests.patch(
            english,
            json={"min_notice_hours": old["min_notice_hours"]},
            headers=headers,
            auth=admin,
            timeout=30,
        )


def test_simultaneous_bookings_through_both_translations(live_site):
    """Twenty citizens book one time at the same moment, half of them through
    the English page: the demo's two counters are handed out once."""
    dutch, english = f"{live_site.site}{DUTCH}", f"{live_site.site}{ENGLISH}"
    day, start = free_day(dutch)
    citizens = 20
    barrier = threading.Barrier(citizens)

    def one(number):
        url = english if number % 2 else dutch
        with requests.Session() as session:
            barrier.wait()
            response = session.post(
                f"{url}/@book",
                json={
                    "start": start,
                    "fullname": f"Inwoner {number}",
                    "email": f"tegelijk{number}@example.nl",
                },
                headers=JSON,
                timeout=120,
            )
        return response.status_code

    with ThreadPoolExecutor(max_workers=citizens) as pool:
        statuses = sorted(pool.map(one, range(citizens)))
    assert statuses == [201] * 2 + [409] * (citizens - 2)
    for url in (english, dutch):
        # A full time is offered with no free counter, or not at all.
        assert slots(url, day).get(start, {"available": 0})["available"] == 0


def test_cancelling_or_moving_an_english_booking_frees_the_time_on_both_pages(
    live_site,
):
    site = live_site.site
    dutch, english = f"{site}{DUTCH}", f"{site}{ENGLISH}"
    day, start = free_day(dutch)
    before = slots(dutch, day)[start]["available"]
    token = book(english, start, "Moving Mike").json()["token"]
    assert slots(dutch, day)[start]["available"] == before - 1

    # Moved (through the site, the link's service) to another free time of that day.
    other = next(
        s["start"]
        for s in slots(english, day).values()
        if s["start"] != start and s["available"] == before
    )
    moved = requests.post(
        f"{site}/@appointment/{token}/reschedule",
        json={"start": other},
        headers=JSON,
        timeout=30,
    )
    assert moved.status_code == 200, moved.text
    assert slots(dutch, day)[start]["available"] == before
    assert slots(dutch, day)[other]["available"] == before - 1

    cancelled = requests.post(
        f"{site}/@appointment/{token}/cancel", headers=JSON, timeout=30
    )
    assert cancelled.status_code == 200, cancelled.text
    assert slots(dutch, day)[other]["available"] == before
    assert slots(english, day)[other]["available"] == before
