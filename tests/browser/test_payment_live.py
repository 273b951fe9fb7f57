"""A payment's state changes on the open pages of citizen and employee, without reloading."""

from browser_helpers import wait_for
from bs4 import BeautifulSoup
from live import book_first_free
import base64
import requests


def test_paid_shows_up_on_both_open_pages(live_site, chromium):
    site = live_site.site
    booking = book_first_free(
        f"{site}/balie/uittreksel-brp", "Betalende Bep", days_ahead=5
    )
    admin = requests.Session()
    admin.auth = live_site.admin
    appointment = admin.get(
        f"{site}/@agenda",
        params={"scope": "all", "q": "Betalende", "start": booking["start"][:10]},
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()["items"][0]["@id"]
    page = BeautifulSoup(admin.get(appointment, timeout=30).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("@@payment-request"))
    values = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    values.update(amount="12,50", description="Uittreksel")
    assert admin.post(form["action"], data=values, timeout=30).status_code == 200

    login = base64.b64encode(":".join(live_site.admin).encode()).decode()
    citizen_context = chromium.new_context(locale="nl-NL")
    employee_context = chromium.new_context(
        locale="nl-NL", extra_http_headers={"Authorization": f"Basic {login}"}
    )
    try:
        citizen = citizen_context.new_page()
        employee = employee_context.new_page()
        citizen.goto(booking["url"])
        employee.goto(appointment)
        pay_url = citizen.get_attribute("a.dbalie-pay", "href")
        assert "Nog niet betaald" in citizen.inner_text(".dbalie-payments")
        # The citizen pays at the (test) provider, in another tab.
        provider = requests.get(pay_url, timeout=30)
        token = BeautifulSoup(provider.text, "html.parser").find(
            "input", attrs={"name": "_authenticator"}
        )["value"]
        requests.post(
            pay_url, data={"_authenticator": token, "outcome": "paid"}, timeout=30
        )
        for page in (citizen, employee):
            wait_for(
                page,
                "document.querySelector('.dbalie-payment-state').textContent.includes('Betaald')",
                timeout=30000,
            )
            assert page.locator(".dbalie-pay").count() == 0
    finally:
        citizen_context.close()
        employee_context.close()
