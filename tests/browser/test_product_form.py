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


def grid_rows(soup, field):
    """The rows of a grid in the page (without the grid's own template rows)."""
    table = soup.find("table", id=f"form-widgets-{field}")
    return [
        tr
        for tr in table.select("tbody tr")
        if tr.get("data-index") not in ("AA", "TT")
    ]


def test_empty_rows_are_ignored_and_times_and_price_are_read_kindly(browser_as):
    browser = browser_as("Manager", language="en")
    rows = [
        (0, "9.00", "12:00", 2),
        (1, "", "", 1),  # a row the grid added and nobody filled in
        (2, "9:00", "17.30", 1),
        (3, "", "", 1),
    ]
    values = add_form_values(browser, rows)
    values["form.widgets.price"] = "€ 75,50"
    # An empty closure row too (the grid adds one).
    values["form.widgets.closures.0.widgets.start"] = ""
    values["form.widgets.closures.0.widgets.end"] = ""
    values["form.widgets.closures.0.widgets.reason"] = ""
    values["form.widgets.closures.0-empty-marker"] = "1"
    values["form.widgets.closures.count"] = "1"
    response = browser.post("++add++CounterProduct", data=values)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert not soup.select(".invalid-feedback"), soup.select(".invalid-feedback")
    # Saved private: the page says how to publish it, in words.
    private = soup.find(id="product-private")
    assert "To publish it" in private.text and "Publish" in private.text
    product = browser.get("rijbewijs-verlengen", headers={"Accept": "application/json"})
    assert product.status_code == 200, response.url
    data = product.json()
    assert [(r["start"], r["end"]) for r in data["opening_hours"]] == [
        ("09:00", "12:00"),
        ("09:00", "17:30"),
    ]
    assert data["closures"] in ([], None)
    assert data["price"] == "75.50"


@pytest.mark.parametrize("price", ["75,50", "€ 75,50", "75.50", "€75,5"])
def test_price_in_dutch_notation(browser_as, price):
    browser = browser_as("Manager", language="en")
    values = add_form_values(browser, [(0, "09:00", "12:00", 1)])
    values["form.widgets.price"] = price
    browser.post("++add++CounterProduct", data=values)
    product = browser.get("rijbewijs-verlengen", headers={"Accept": "application/json"})
    assert product.status_code == 200
    assert product.json()["price"] == "75.50"


def test_a_wrong_price_is_explained(browser_as):
    browser = browser_as("Manager", language="en")
    values = add_form_values(browser, [(0, "09:00", "12:00", 1)])
    values["form.widgets.price"] = "vijftig"
    response = browser.post("++add++CounterProduct", data=values)
    assert "for example 24.50" in response.text
    assert browser.get("rijbewijs-verlengen").status_code == 404


def test_every_error_next_to_its_row_at_once(browser_as):
    browser = browser_as("Manager", language="en")
    rows = [
        (0, "17:00", "09:00", 1),  # closes before it opens
        (1, "", "", 1),  # empty: no error
        (2, "09:00", "12:00", 1),
        (2, "11:00", "13:00", 1),  # overlaps the row before
        (3, "09:00", "12:00", 0),  # no counter
    ]
    response = browser.post(
        "++add++CounterProduct", data=add_form_values(browser, rows)
    )
    soup = BeautifulSoup(response.text, "html.parser")
    shown = grid_rows(soup, "opening_hours")
    assert len(shown) == 4  # the empty row is gone
    errors = [" ".join(e.text for e in tr.select(".dbalie-row-error")) for tr in shown]
    assert "the closing time must be after the opening time" in errors[0]
    assert errors[1] == ""
    assert "overlaps another period" in errors[2]
    assert "there must be at least 1 counter" in errors[3]
    assert "Required input is missing" not in response.text
    assert browser.get("rijbewijs-verlengen").status_code == 404


def test_grid_buttons_have_visible_translated_labels(browser_as):
    browser = browser_as("Manager", language="nl")
    soup = BeautifulSoup(browser.get("++add++CounterProduct").text, "html.parser")
    add = soup.select_one("#form-widgets-opening_hours .dgf--row-add")
    remove = soup.select_one("#form-widgets-opening_hours .dgf--row-delete")
    assert add.find("span").text.strip() == "Rij toevoegen"
    assert remove.find("span").text.strip() == "Deze rij weghalen"
    assert "visually-hidden" not in (add.find("span").get("class") or [])


def test_new_product_preselects_the_editors_team(make_team, make_user, portal_url):
    from helpers import PASSWORD
    from helpers import Browser

    make_team("burgerzaken")
    make_team("vergunningen")
    make_user("redacteur", ["Editor", "Contributor"])
    from plone import api
    import transaction

    with api.env.adopt_roles(["Manager"]):
        api.group.add_user(groupname="burgerzaken", username="redacteur")
    transaction.commit()
    editor = Browser(portal_url, "en")
    editor.auth = ("redacteur", PASSWORD)
    soup = BeautifulSoup(editor.get("++add++CounterProduct").text, "html.parser")
    checked = [
        box["value"]
        for box in soup.select("input[name='form.widgets.teams:list']")
        if box.has_attr("checked")
    ]
    assert checked == ["burgerzaken"]


def test_no_team_and_private_are_said_to_the_editor(browser_as, make_product, browser):
    product = make_product(title="Zonder team")
    manager = browser_as("Manager", language="en")
    for url in (product, f"{product}/edit"):
        soup = BeautifulSoup(manager.get(url).text, "html.parser")
        warning = soup.find(id="product-no-team")
        assert warning is not None, url
        assert (
            "No team serves this product: no employee will see its appointments."
            in warning.text
        )
    # Citizens do not read the editors' notes.
    assert "No team serves" not in browser.get(product).text


def test_navigation_shows_a_calendar_for_a_product(browser_as, make_product):
    """Not Plone's file icon, which next to a name looks like an unticked box."""
    product = make_product(title="Paspoort aanvragen")
    manager = browser_as("Manager", language="en")
    icon = manager.get("@@iconresolver/contenttype/counterproduct")
    assert icon.status_code == 200
    calendar = manager.get("++plone++bootstrap-icons/calendar-check.svg")
    assert icon.content == calendar.content
    file_icon = manager.get("++plone++bootstrap-icons/file-earmark.svg")
    assert icon.content != file_icon.content
    assert product


def test_an_editor_saves_a_product_at_the_first_try_in_chromium(live_site, chromium):
    """In a real browser the grid adds rows of its own; they are no input."""
    from browser_helpers import logged_in_page

    login, password = live_site.admin
    context, page = logged_in_page(chromium, live_site.site, login, password)
    try:
        page.goto(f"{live_site.site}/++add++CounterProduct")
        page.fill("#form-widgets-IBasic-title", "Verhuizing doorgeven")
        page.locator(".autotoc-nav a", has_text="Openingstijden en afspraken").click()
        grid = page.locator("#form-widgets-opening_hours")
        # The labelled buttons, visible and in Dutch.
        assert grid.get_by_role("button", name="Rij toevoegen").first.is_visible()
        row = grid.locator("tbody tr:visible").first
        row.locator("select").select_option(value="0")
        row.locator("input[id$='-widgets-start']").fill("9.00")
        row.locator("input[id$='-widgets-end']").fill("12:00")
        # The grid appends an empty row after the one typed in; one more click
        # on "Rij toevoegen" adds another, left empty.
        row.get_by_role("button", name="Rij toevoegen").click()
        with page.expect_navigation():
            page.click("#form-buttons-save")
        errors = page.locator(".invalid-feedback").all_inner_texts()
        assert errors == []
        assert "verhuizing-doorgeven" in page.url
        # Private, without a team: the editor reads both, in words.
        text = page.inner_text("body")
        assert "Geen team behandelt dit product" in text
        assert "Publiceren" in text
    finally:
        context.close()


@pytest.mark.parametrize("count", ["1000000000", "-3", "veel"])
def test_a_strange_row_count_is_no_crash(browser_as, count):
    browser = browser_as("Manager", language="en")
    values = add_form_values(browser, [(0, "09:00", "12:00", 1)])
    values["form.widgets.opening_hours.count"] = count
    response = browser.post("++add++CounterProduct", data=values, timeout=60)
    assert response.status_code in (200, 400)
