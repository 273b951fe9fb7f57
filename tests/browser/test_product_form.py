"""The editor's add form: invalid opening hours get a clear message, nothing is made."""

from bs4 import BeautifulSoup
import pytest


def add_form_values(browser, rows):
    page = browser.get("++add++CounterProduct")
    assert page.status_code == 200
    values = browser.form_values(page, "form")
    # Drop the empty template rows of the data grid; send our own rows.
    values = {k: v for k, v in values.items() if ".AA." not in k and ".TT." not in k}
    prefix = "form.widgets.opening_hours"
    for index, (weekday, start, end, counters) in enumerate(rows):
        values[f"{prefix}.{index}.widgets.weekday:list"] = str(weekday)
        values[f"{prefix}.{index}.widgets.start"] = start
        values[f"{prefix}.{index}.widgets.end"] = end
        values[f"{prefix}.{index}.widgets.counters"] = str(counters)
        values[f"{prefix}.{index}.widgets.weekday-empty-marker"] = "1"
        values[f"{prefix}.{index}-empty-marker"] = "1"
    values[f"{prefix}.count"] = str(len(rows))
    values["form.widgets.closures.count"] = "0"
    values.update(
        {
            "form.widgets.IBasic.title": "Rijbewijs verlengen",
            "form.widgets.duration": "15",
            "form.widgets.channels:list": "video",
            "form.widgets.min_notice_hours": "2",
            "form.widgets.max_days_ahead": "60",
            "form.buttons.save": "Save",
        }
    )
    return values


@pytest.mark.parametrize(
    "rows,message",
    [
        (
            [(0, "09:00", "12:00", 1), (0, "11:00", "13:00", 1)],
            "Row 2: this period overlaps",
        ),
        (
            [(1, "17:00", "09:00", 1)],
            "Row 1: the closing time must be after the opening time",
        ),
        ([(1, "09:00", "17:00", 0)], "Row 1: there must be at least 1 counter"),
        ([(1, "9 uur", "17:00", 1)], "Row 1: write the times as hours:minutes"),
    ],
)
def test_invalid_opening_hours_are_explained(browser_as, rows, message):
    browser = browser_as("Manager", language="en")
    response = browser.post(
        "++add++CounterProduct", data=add_form_values(browser, rows)
    )
    assert response.status_code == 200
    text = BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)
    assert message in text
    assert browser.get("rijbewijs-verlengen").status_code == 404


def test_valid_product_is_created(browser_as):
    browser = browser_as("Manager", language="en")
    rows = [(0, "09:00", "12:00", 2), (0, "13:00", "17:00", 1)]
    response = browser.post(
        "++add++CounterProduct", data=add_form_values(browser, rows)
    )
    assert response.status_code == 200
    product = browser.get("rijbewijs-verlengen", headers={"Accept": "application/json"})
    assert product.status_code == 200, response.url
    assert [row["counters"] for row in product.json()["opening_hours"]] == [2, 1]
