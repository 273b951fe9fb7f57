"""Counter products through the REST API: all fields, and invalid data refused with 400."""

from helpers import JSON
import pytest


VALID = {
    "@type": "CounterProduct",
    "title": "Paspoort aanvragen",
    "description": "Een nieuw paspoort.",
    "duration": 20,
    "price": "84.50",
    "channels": ["video", "counter"],
    "opening_hours": [
        {"weekday": 0, "start": "09:00", "end": "12:00", "counters": 2},
        {"weekday": 0, "start": "13:00", "end": "17:00", "counters": 1},
    ],
    "closures": [{"start": "2026-12-24", "end": "2026-12-26", "reason": "Kerst"}],
    "min_notice_hours": 4,
    "max_days_ahead": 30,
    "required_documents": [
        {"document": "Pasfoto", "explanation": "Niet ouder dan 6 maanden"}
    ],
    "faq": [{"question": "Hoe lang duurt het?", "answer": "Vijf werkdagen."}],
    "requires_identification": True,
    "case_type": "paspoort",
}


def test_create_and_read_every_field(browser_as):
    manager = browser_as("Manager", language="en")
    response = manager.post("", json=VALID, headers=JSON)
    assert response.status_code == 201, response.text
    product = manager.get(response.json()["@id"], headers=JSON).json()
    for name in (
        "duration",
        "price",
        "min_notice_hours",
        "max_days_ahead",
        "case_type",
        "requires_identification",
    ):
        assert product[name] == VALID[name], name
    assert sorted(c["token"] for c in product["channels"]) == ["counter", "video"]
    assert [row["start"] for row in product["opening_hours"]] == ["09:00", "13:00"]
    assert product["opening_hours"][0]["counters"] == 2
    assert product["closures"][0]["start"] == "2026-12-24"
    assert product["faq"][0]["answer"] == "Vijf werkdagen."


@pytest.mark.parametrize(
    "change,words",
    [
        (
            {
                "opening_hours": [
                    {"weekday": 0, "start": "12:00", "end": "09:00", "counters": 1}
                ]
            },
            "after the opening time",
        ),
        (
            {
                "opening_hours": [
                    {"weekday": 0, "start": "09:00", "end": "12:00", "counters": 1},
                    {"weekday": 0, "start": "11:00", "end": "13:00", "counters": 1},
                ]
            },
            "overlaps",
        ),
        (
            {
                "opening_hours": [
                    {"weekday": 0, "start": "09:00", "end": "12:00", "counters": 0}
                ]
            },
            "at least 1 counter",
        ),
        (
            {"closures": [{"start": "2026-12-26", "end": "2026-12-24"}]},
            "before the first day",
        ),
        ({"duration": 2}, "duration"),
        ({"price": "tien euro"}, "24.50"),
    ],
)
def test_invalid_product_is_refused(browser_as, change, words):
    manager = browser_as("Manager", language="en")
    data = dict(VALID, id="fout", **change)
    response = manager.post("", json=data, headers=JSON)
    assert response.status_code == 400, response.text
    assert words in response.text
    assert manager.get("fout", headers=JSON).status_code == 404


def test_anonymous_cannot_add(browser):
    response = browser.post("", json=VALID, headers=JSON)
    assert response.status_code == 401
