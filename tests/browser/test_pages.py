"""The citizen's pages over HTTP: product page, booking form, appointment page."""

from bs4 import BeautifulSoup
from datetime import datetime
from datetime import timedelta
from helpers import AMS
import pytest


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def product(make_product):
    return make_product(
        title="Paspoort aanvragen",
        price="84.50",
        required_documents=[
            {"document": "Pasfoto", "explanation": "Niet ouder dan 6 maanden"}
        ],
        faq=[{"question": "Hoe lang duurt het?", "answer": "Vijf werkdagen."}],
        closures=[
            {
                "start": datetime.now(AMS).date() + timedelta(days=3),
                "end": datetime.now(AMS).date() + timedelta(days=3),
                "reason": "Studiedag",
            }
        ],
    )


def booking_form(browser, product):
    page = browser.get(product)
    assert page.status_code == 200
    form = soup(page).find("form", attrs={"method": "post"})
    values = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("type") not in ("radio",)
    }
    first_time = form.find("input", attrs={"name": "start"})
    values.update(
        {
            "start": first_time["value"],
            "fullname": "Fatima el Amrani",
            "email": "fatima@example.nl",
            "language": "nl",
            "channel": "video",
            "book": "1",
        }
    )
    return page, values


class TestProductPage:
    def test_shows_facts_in_plain_language(self, browser, product):
        page = soup(browser.get(product))
        text = page.get_text(" ", strip=True).replace("\xa0", " ")
        assert "€ 84,50" in text
        assert "30 minuten" in text
        assert "Pasfoto" in text
        assert "Studiedag" in text
        assert (
            page.find("details").summary.get_text(strip=True) == "Hoe lang duurt het?"
        )
        hours = page.find("table", class_="dbalie-hours")
        assert hours.find("th").get_text(strip=True) == "maandag"
        assert "08:00 – 18:00" in hours.get_text()

    def test_slot_picker_is_labelled_and_keyboard_ready(self, browser, product):
        page = soup(browser.get(product))
        days = page.find("nav", id="days")
        assert days["aria-labelledby"] == "days-heading"
        current = days.find("a", attrs={"aria-current": "date"})
        assert current is not None
        times = page.find("fieldset", id="times")
        assert times.legend.get_text(" ", strip=True).startswith("2. Kies een tijd op")
        radios = times.find_all("input", attrs={"type": "radio", "name": "start"})
        assert radios
        for radio in radios:
            label = page.find("label", attrs={"for": radio["id"]})
            assert label is not None and "–" in label.get_text()
        for name in ("fullname", "email", "phone", "notes"):
            field = page.find(attrs={"name": name})
            assert page.find("label", attrs={"for": field["id"]}) is not None

    def test_choosing_another_day(self, browser, product):
        page = soup(browser.get(product))
        links = page.find("nav", id="days").find_all("a")
        second = soup(browser.get(links[1]["href"]))
        chosen = second.find("nav", id="days").find("a", attrs={"aria-current": "date"})
        assert chosen["href"] == links[1]["href"]

    def test_english(self, browser, product):
        browser.headers["Accept-Language"] = "en"
        text = soup(browser.get(product)).get_text(" ", strip=True)
        assert "Make an appointment" in text
        assert "30 minutes" in text
        assert "Monday" in text


class TestBookingForm:
    def test_book_and_land_on_the_appointment_page(self, browser, product):
        _page, values = booking_form(browser, product)
        response = browser.post(product, data=values, allow_redirects=False)
        assert response.status_code == 303
        location = response.headers["Location"]
        assert "/@@my-appointment/" in location and location.endswith("?booked=1")
        page = browser.get(location)
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        text = soup(page).get_text(" ", strip=True)
        assert "Uw afspraak is gemaakt" in text
        assert "Fatima el Amrani" in text
        start = datetime.fromisoformat(values["start"])
        assert start.strftime("%H:%M") in text

    def test_errors_next_to_the_fields_and_values_kept(
        self, browser, browser_as, product
    ):
        _page, values = booking_form(browser, product)
        values["email"] = "fatima-at-example"
        response = browser.post(product, data=values)
        assert response.status_code == 400
        page = soup(response)
        summary = page.find(id="error-summary")
        assert summary["role"] == "alert"
        assert summary.find("a", href="#field-email") is not None
        email = page.find("input", attrs={"name": "email"})
        assert email["aria-invalid"] == "true"
        assert "email-error" in email["aria-describedby"]
        assert "geldig e-mailadres" in page.find(id="email-error").get_text()
        assert (
            page.find("input", attrs={"name": "fullname"})["value"]
            == "Fatima el Amrani"
        )
        checked = page.find("input", attrs={"name": "start", "checked": True})
        assert checked["value"] == values["start"]

    def test_taken_slot_gives_a_friendly_message(self, browser, product):
        _page, values = booking_form(browser, product)
        assert (
            browser.post(product, data=values, allow_redirects=False).status_code == 303
        )
        response = browser.post(product, data=values)
        assert response.status_code == 409
        assert "al bezet" in soup(response).find(id="error-summary").get_text()

    def test_without_the_form_token_nothing_is_booked(self, browser, product):
        _page, values = booking_form(browser, product)
        values.pop("_authenticator")
        response = browser.post(product, data=values)
        assert response.status_code == 400
        start = values["start"]
        again = soup(browser.get(product)).find("input", attrs={"value": start})
        assert again is not None  # still free


class TestAppointmentPage:
    def _book(self, browser, product):
        _page, values = booking_form(browser, product)
        response = browser.post(product, data=values, allow_redirects=False)
        return response.headers["Location"].split("?")[0], values["start"]

    def test_cancel(self, browser, product):
        url, start = self._book(browser, product)
        confirm = browser.get(f"{url}/cancel")
        form = soup(confirm).find("form", attrs={"method": "post"})
        data = {i["name"]: i.get("value", "") for i in form.find_all("input")}
        data["cancel"] = "1"
        response = browser.post(f"{url}/cancel", data=data)
        assert response.status_code == 200
        text = soup(response).get_text(" ", strip=True)
        assert "Uw afspraak is afgezegd" in text
        assert "Afgezegd" in text
        assert (
            soup(browser.get(product)).find("input", attrs={"value": start}) is not None
        )

    def test_move(self, browser, product):
        url, start = self._book(browser, product)
        page = soup(browser.get(f"{url}/move"))
        form = page.find("form", action=lambda action: action and "/move" in action)
        choices = [i["value"] for i in form.find_all("input", attrs={"name": "start"})]
        new = choices[-1]
        assert new != start
        data = {
            i["name"]: i.get("value", "")
            for i in form.find_all("input")
            if i.get("type") != "radio"
        }
        data.update({"start": new, "move": "1"})
        response = browser.post(f"{url}/move", data=data)
        assert response.status_code == 200
        text = soup(response).get_text(" ", strip=True)
        assert "verzet naar de nieuwe tijd" in text
        assert datetime.fromisoformat(new).strftime("%H:%M") in text

    def test_unknown_link(self, browser, product):
        response = browser.get("@@my-appointment/doesnotexist")
        assert response.status_code == 404
        assert "We kunnen deze afspraak niet vinden" in response.text
