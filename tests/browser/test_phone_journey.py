"""The citizen's journey on a phone (390 × 844), mended where a first try got lost.

Each test measures what the citizen sees in the first screen, in real Chromium
on the demo site, with and without JavaScript.
"""

from browser_helpers import wait_for
from live import book_first_free
import pytest
import requests
import time


PHONE = {"width": 390, "height": 844}
PRODUCT = "/balie/verhuizing-doorgeven"
BOX = """(selector) => {
  const element = document.querySelector(selector);
  if (!element) return null;
  const box = element.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom};
}"""


@pytest.fixture(params=[True, False], ids=["with JavaScript", "without JavaScript"])
def phone(chromium, request):
    context = chromium.new_context(
        viewport=PHONE, locale="nl-NL", java_script_enabled=request.param
    )
    page = context.new_page()
    page.javascript = request.param
    yield page
    context.close()


def settled(page, selector, timeout=10):
    """Wait until the page stops scrolling: while it loads, Chromium scrolls
    to the fragment again as images and styles arrive."""
    last = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = (page.evaluate("scrollY"), page.evaluate(BOX, selector))
        if now == last:
            return
        last = now
        page.wait_for_timeout(250)


def in_first_screen(page, selector):
    settled(page, selector)
    box = page.evaluate(BOX, selector)
    assert box is not None, f"{selector} is not on the page"
    # A fragment scrolls its element to y = 0, give or take a subpixel.
    return box["top"] > -1 and box["bottom"] <= PHONE["height"]


def submit_booking_with_a_typo(page, site):
    page.goto(f"{site}{PRODUCT}")
    page.check("input[name=start] >> nth=0")
    page.fill("#field-fullname", "Telefoon Tessa")
    page.fill("#field-email", "tessa-at-example")
    with page.expect_navigation():
        page.click("button[name=book]")


def test_a_booking_error_and_its_field_are_in_view(live_site, phone):
    submit_booking_with_a_typo(phone, live_site.site)
    if phone.javascript:
        wait_for(phone, "document.activeElement.id === 'error-summary'")
    # Without JavaScript the page opens at the summary (the form's #error-summary).
    assert in_first_screen(phone, "#error-summary")
    assert in_first_screen(phone, "#field-email")
    assert "geldig e-mailadres" in phone.inner_text("#error-summary")
    assert phone.locator("#error-summary").count() == 1


def test_a_time_taken_meanwhile_is_said_next_to_the_times(live_site, phone):
    site = live_site.site
    phone.goto(f"{site}{PRODUCT}")
    first = phone.locator("input[name=start]").first
    start = first.get_attribute("value")
    first.check()
    phone.fill("#field-fullname", "Snel Sanne")
    phone.fill("#field-email", "sanne@example.nl")
    taken = requests.post(
        f"{site}{PRODUCT}/@book",
        json={"start": start, "fullname": "Eerder Erik", "email": "erik@example.nl"},
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        timeout=30,
    )
    assert taken.status_code == 201, taken.text
    # The demo has two counters: the second booking of the same time takes the
    # last place, so the form's attempt finds it gone.
    requests.post(
        f"{site}{PRODUCT}/@book",
        json={"start": start, "fullname": "Eerder Els", "email": "els@example.nl"},
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        timeout=30,
    )
    with phone.expect_navigation():
        phone.click("button[name=book]")
    assert in_first_screen(phone, "#error-summary")
    assert in_first_screen(phone, "#times legend")
    # The summary stands just before the times.
    assert phone.evaluate(
        "document.getElementById('error-summary').nextElementSibling.id"
    ) == ("times")


def test_after_choosing_a_day_the_times_are_in_view(live_site, phone):
    phone.goto(f"{live_site.site}{PRODUCT}")
    with phone.expect_navigation():
        phone.locator(".dbalie-day-list a").nth(1).click()
    assert in_first_screen(phone, "#times legend")
    # "(2 free)" is never split over two lines.
    lines = phone.evaluate(
        "[...document.querySelectorAll('.dbalie-places, .dbalie-time')].map(e =>"
        " new Set([...e.getClientRects()].map(r => Math.round(r.top))).size)"
    )
    assert lines and set(lines) == {1}


def test_what_to_bring_has_no_space_before_the_colon(live_site):
    page = requests.get(f"{live_site.site}{PRODUCT}", timeout=30).text
    assert "Huurcontract of koopakte</strong>: Of een brief" in page


@pytest.fixture
def booking(live_site):
    return book_first_free(
        f"{live_site.site}{PRODUCT}", "Mobiel Mila", "mila@example.nl", days_ahead=3
    )


@pytest.mark.parametrize(
    "link", ["Afspraak afzeggen", "Verzetten naar een andere tijd"]
)
def test_cancel_and_move_open_with_the_question(live_site, phone, booking, link):
    phone.goto(booking["url"])
    with phone.expect_navigation():
        phone.click(f"text={link}")
    heading = "Afspraak afzeggen?" if link == "Afspraak afzeggen" else "Verzetten naar"
    first_h2 = phone.locator("main h2:visible").first
    assert heading in first_h2.inner_text()
    box = first_h2.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_after_booking_the_whole_link_and_a_copy_button(live_site, chromium):
    context = chromium.new_context(viewport=PHONE, locale="nl-NL")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(f"{live_site.site}{PRODUCT}")
        page.check("input[name=start] >> nth=0")
        page.fill("#field-fullname", "Kopie Koen")
        page.fill("#field-email", "koen@example.nl")
        with page.expect_navigation():
            page.click("button[name=book]")
        link = page.url.split("?")[0]
        box = page.locator("#my-link")
        assert box.inner_text().strip() == link
        # All of it is visible: wrapped, nothing cut off or scrolled.
        assert page.evaluate(
            "(() => { const e = document.getElementById('my-link');"
            " return e.scrollWidth <= e.clientWidth; })()"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert "per e-mail naar koen@example.nl" in page.inner_text("#confirmation")
        page.click("text=Link kopiëren")
        page.locator(".dbalie-copy-status", has_text="gekopieerd").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == link
    finally:
        context.close()


def test_sent_documents_are_listed_not_denied(
    live_site, phone, booking, clamd, tmp_path
):
    requests.patch(
        f"{live_site.site}/@controlpanels/digitalebalie",
        json={"clamd_address": clamd},
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        auth=live_site.admin,
        timeout=30,
    ).raise_for_status()
    document = tmp_path / "huurcontract.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    phone.goto(booking["url"])
    assert "nog geen documenten" in phone.inner_text("#desk-documents")
    phone.set_input_files("#field-file", str(document))
    if phone.javascript:
        phone.click("form.dbalie-upload button[type=submit]")
        phone.locator(".dbalie-upload-status", has_text="huurcontract.pdf").wait_for()
        # As soon as it says so, the list has it (not only after a refetch).
    else:
        with phone.expect_navigation():
            phone.click("form.dbalie-upload button[type=submit]")
    text = phone.inner_text("#desk-documents")
    assert "huurcontract.pdf" in text
    assert "nog geen documenten" not in text


def test_home_page_and_counter_folder_lead_to_the_products(live_site, phone):
    # The session's live site has the demo's products and those other tests
    # made: the portlet shows the first ones by title, and "All services"
    # when there are more.
    for path in ("", "/balie"):
        phone.goto(f"{live_site.site}{path}")
        portlet = phone.locator(".dbalie-book-portlet").first
        assert "Afspraak maken" in portlet.inner_text()
        links = portlet.locator("li a")
        assert 1 <= links.count() <= 8
        assert links.first.is_visible()  # no menu to open first
        if path == "":
            assert in_first_screen(phone, ".dbalie-book-portlet h2")
    link = links.first
    href = link.get_attribute("href")
    assert href.startswith(f"{live_site.site}/balie/") and href.endswith("#book")
    with phone.expect_navigation():
        link.click()
    assert phone.url == href
    assert phone.locator("#book").count() == 1


def test_the_english_counter_folder_leads_to_the_english_products(live_site, phone):
    # Each translated service once, in the page's language. (Products other
    # tests made have no translation: they are listed as they are.)
    site = live_site.site
    phone.goto(f"{site}/en/balie")
    portlet = phone.locator(".dbalie-book-portlet").first
    hrefs = [link.get_attribute("href") for link in portlet.locator("li a").all()]
    assert any(href.startswith(f"{site}/en/balie/") for href in hrefs)
    assert len(set(hrefs)) == len(hrefs)
    for service in ("uittreksel-brp", "verhuizing-doorgeven", "huwelijk-bespreken"):
        assert f"{site}/balie/{service}#book" not in hrefs  # the Dutch translation


def test_a_cancelled_appointment_offers_no_digid_and_no_upload(live_site):
    booking = book_first_free(
        f"{live_site.site}/balie/uittreksel-brp", "Afgezegd Ahmed", days_ahead=3
    )
    before = requests.get(booking["url"], timeout=30).text
    assert "Inloggen met DigiD" in before and "field-file" in before
    session = requests.Session()
    page = session.get(f"{booking['url']}/cancel", timeout=30).text
    token = page.split('name="_authenticator" value="')[1].split('"')[0]
    answer = session.post(
        f"{booking['url']}/cancel",
        data={"_authenticator": token, "cancel": "1"},
        timeout=30,
    )
    assert answer.status_code == 200
    assert "afgezegd" in answer.text.lower()
    assert "Inloggen met DigiD" not in answer.text
    assert "field-file" not in answer.text
    assert "nog geen documenten" not in answer.text
