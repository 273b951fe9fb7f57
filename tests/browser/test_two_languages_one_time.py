"""Two citizens on phones (390 × 844) in Chromium, one on the Dutch product page
and one on its English translation, choose the same last free time and book:
one gets it, the other is told in their own language (issue 20)."""

from browser_helpers import day_ahead
from browser_helpers import phone_page
from browser_helpers import run_axe
from browser_helpers import times_of
from browser_helpers import wait_for
from helpers import day_slots
from live import create_translated_product
from live import every_day
import json
import pytest


@pytest.fixture(scope="module")
def product(live_site):
    """One counter: every time is the last free one."""
    dutch, english = create_translated_product(
        live_site,
        "Rijbewijs verlengen",
        "Renew a driving licence",
        duration=15,
        min_notice_hours=2,
        channels=["video", "counter"],
        opening_hours=every_day("09:00", "17:00", 1),
    )
    return {"nl": dutch, "en": english}


CITIZENS = {
    "nl": {
        "locale": "nl-NL",
        "name": "Noor de Vries",
        "email": "noor@example.nl",
        "notes": "Mijn oude rijbewijs is verlopen.",
        "taken": "Deze tijd is al bezet. Kies een andere tijd.",
    },
    "en": {
        "locale": "en-GB",
        "name": "Emma Brown",
        "email": "emma@example.org",
        "notes": "My old licence has expired.",
        "taken": "This time is already taken. Please choose another time.",
    },
}


def fill_in(page, language, url, day, start):
    citizen = CITIZENS[language]
    page.goto(times_of(url, day))
    assert page.get_attribute("html", "lang") == language
    page.check(f"input[name=start][value='{start}']")
    page.fill("#field-fullname", citizen["name"])
    page.fill("#field-email", citizen["email"])
    page.check("#channel-counter")
    page.fill("#field-notes", citizen["notes"])


def free(url, day):
    return [s["start"] for s in day_slots(url, day) if s["available"]]


@pytest.mark.parametrize(
    "order",
    [("nl", "en"), ("en", "nl"), "at once"],
    ids=["Dutch first", "English first", "at the same moment"],
)
def test_one_time_two_languages_one_booking(live_site, chromium, product, order):
    day = day_ahead({"at once": 8}.get(order, 9 if order[0] == "nl" else 10))
    start = free(product["nl"], day)[3]
    assert start in free(product["en"], day)
    pages = {}
    contexts = []
    try:
        for language in ("nl", "en"):
            context, page = phone_page(chromium, CITIZENS[language]["locale"])
            contexts.append(context)
            fill_in(page, language, product[language], day, start)
            pages[language] = page
        if order == "at once":
            # Both press "Book" before either answer has come.
            for page in pages.values():
                page.evaluate("document.querySelector('button[name=book]').click()")
            for page in pages.values():
                page.wait_for_url(lambda url: "#times" not in url)
                page.wait_for_load_state()
        else:
            for language in order:
                with pages[language].expect_navigation():
                    pages[language].click("button[name=book]")
        won = [lang for lang, page in pages.items() if "/@@my-appointment/" in page.url]
        assert len(won) == 1, {lang: page.url for lang, page in pages.items()}
        if order != "at once":
            assert won == [order[0]]
        [lost] = set(pages) - set(won)
        page, citizen = pages[lost], CITIZENS[lost]

        # The other is told in their own language, next to the times ...
        assert page.get_attribute("html", "lang") == lost
        wait_for(page, "document.activeElement.id === 'error-summary'")
        assert citizen["taken"] in page.inner_text("#error-summary")
        # ... keeps what they typed and chose ...
        assert page.input_value("#field-fullname") == citizen["name"]
        assert page.input_value("#field-email") == citizen["email"]
        assert page.input_value("#field-notes") == citizen["notes"]
        assert page.is_checked("#channel-counter")
        # ... and gets the other free times of that day, without the taken one.
        offered = [
            radio.get_attribute("value")
            for radio in page.locator("input[name=start]").all()
        ]
        assert start not in offered
        assert len(offered) >= 20 and offered[0][:10] == day.isoformat()
        assert page.locator("input[name=start]:checked").count() == 0
        violations = run_axe(page)
        assert violations == [], json.dumps(violations, indent=1)

        # One appointment at that time, whichever page it was booked through.
        for url in product.values():
            assert start not in free(url, day)
    finally:
        for context in contexts:
            context.close()
