"""The payment return page finds the way back to the appointment the citizen paid from."""

from bs4 import BeautifulSoup
from live import book_first_free
import re
import requests


def paid_test_payment(live_site):
    """Book, let the employee ask a payment, pay it at the test provider.

    Returns (booking, payment JSON, the test provider's link to the return page).
    """
    site = live_site.site
    booking = book_first_free(
        f"{site}/balie/uittreksel-brp", "Terugkerende Toos", days_ahead=6
    )
    admin = requests.Session()
    admin.auth = live_site.admin
    appointment = admin.get(
        f"{site}/@agenda",
        params={"scope": "all", "q": "Terugkerende", "start": booking["start"][:10]},
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()["items"][0]["@id"]
    page = BeautifulSoup(admin.get(appointment, timeout=30).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("@@payment-request"))
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    values.update(amount="7,50", description="Uittreksel")
    assert admin.post(form["action"], data=values, timeout=30).status_code == 200
    payments = requests.get(
        f"{site}/@appointment/{booking['token']}/payments",
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()["items"]
    [payment] = [p for p in payments if p["state"] == "open"]
    provider = requests.Session()
    token = BeautifulSoup(
        provider.get(payment["pay_url"], timeout=30).text, "html.parser"
    ).find("input", attrs={"name": "_authenticator"})["value"]
    paid = provider.post(
        payment["pay_url"],
        data={"_authenticator": token, "outcome": "paid"},
        timeout=30,
    )
    back = BeautifulSoup(paid.text, "html.parser").find(
        "a", href=re.compile(r"/@@payment-return\?")
    )
    return booking, payment, back["href"]


def test_back_to_the_appointment_from_the_stored_address(live_site, chromium):
    booking, payment, return_url = paid_test_payment(live_site)
    key = f"dbalie-return-{payment['id']}"
    context = chromium.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(return_url)
        assert "Bedankt voor uw betaling" in page.inner_text("h1")
        # Nothing stored: the link in the e-mail, or close this tab.
        assert page.locator(".dbalie-return-back").is_hidden()
        assert page.locator(".dbalie-return-mail").is_visible()
        # Another site's address is never used, and is not kept.
        page.evaluate(
            "([key, url]) => localStorage.setItem(key, url)",
            [key, "https://elsewhere.example/@@my-appointment/x"],
        )
        page.reload()
        assert page.locator(".dbalie-return-back").is_hidden()
        assert page.evaluate("(key) => localStorage.getItem(key)", key) is None
        # What the appointment page stores when *Pay* is pressed.
        page.evaluate(
            "([key, url]) => localStorage.setItem(key, url)", [key, booking["url"]]
        )
        page.reload()
        link = page.locator(".dbalie-return-back a")
        assert link.is_visible() and link.get_attribute("href") == booking["url"]
        assert page.locator(".dbalie-return-mail").is_hidden()
        # The secret address leaves localStorage; this tab still knows it on reload.
        assert page.evaluate("(key) => localStorage.getItem(key)", key) is None
        page.reload()
        assert (
            page.locator(".dbalie-return-back a").get_attribute("href")
            == (booking["url"])
        )
        link.click()
        page.wait_for_url(booking["url"])
        assert "Terugkerende Toos" in page.content()
    finally:
        context.close()
