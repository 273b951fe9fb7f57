"""The device test page over HTTP: there for a booked video appointment days ahead
(long before its room opens), gone for unknown and cancelled links, with the
citizen pages' headers and no personal data; its token is for a test room only."""

from bs4 import BeautifulSoup
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.video import tokens
from datetime import timedelta
from helpers import JSON
from helpers import at
from helpers import book
from helpers import tomorrow
import pytest
import transaction


PERSON = ["Fatima", "Amrani", "fatima@example.nl", "12345678"]
TURN = "turn:turn.example.nl:3478?transport=udp"


@pytest.fixture
def turn_on(functional):
    from plone import api  # the portal is there only inside the layer

    with api.env.adopt_roles(["Manager"]):
        api.portal.set_registry_record(
            "turn_urls", [TURN], interface=IDigitaleBalieSettings
        )
    transaction.commit()
    yield
    api.portal.set_registry_record("turn_urls", [], interface=IDigitaleBalieSettings)
    transaction.commit()


@pytest.fixture
def booked(browser, make_product):
    """A video appointment two days ahead: its room is not open yet."""
    product = make_product(title="Paspoort aanvragen", channels=["video"])
    response = book(browser, product, at(tomorrow() + timedelta(days=1), "11:00"))
    assert response.status_code == 201, response.text
    return response.json()


def test_page_is_there_days_before_the_room_opens(browser, booked):
    appointment_page = browser.get(booked["url"])
    link = BeautifulSoup(appointment_page.text, "html.parser").find(
        "a", href=f"{booked['url']}/device-test"
    )
    assert link is not None, "the appointment page links to the device test"

    response = browser.get(f"{booked['url']}/device-test")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "ws://127.0.0.1:8081" in response.headers["Content-Security-Policy"]
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = BeautifulSoup(response.text, "html.parser")
    main = page.find(id="content")
    text = main.get_text(" ", strip=True)
    assert "Paspoort aanvragen" in text
    # The date in words, no ISO date.
    assert str((tomorrow() + timedelta(days=1)).day) in text
    assert (tomorrow() + timedelta(days=1)).isoformat() not in response.text
    for secret in PERSON:
        assert secret not in response.text
    # Labelled controls, announced results, the script from the site.
    buttons = {b["data-action"]: b.get_text(strip=True) for b in main("button")}
    assert set(buttons) == {"start", "play", "heard-yes", "heard-no"}
    assert all(buttons.values())
    assert len(main.find_all(attrs={"role": "status"})) == 6
    meter = main.find("meter")
    assert main.find("label", attrs={"for": meter["id"]}).get_text(strip=True)
    scripts = [
        s.get("src", "") for s in page("script") if s.get("type") != "application/json"
    ]
    assert any(src.endswith("/device-test.js") for src in scripts)
    assert not [
        s
        for s in page("script")
        if not s.get("src") and s.get("type") != "application/json"
    ]


def test_token_is_for_a_test_room_only(browser, booked, turn_on):
    first = browser.get(f"{booked['url']}/device-test/token", headers=JSON)
    assert first.status_code == 200, first.text
    assert first.headers["Cache-Control"] == "no-store"
    info = first.json()
    assert set(info) == {"provider", "signal_url", "token", "ice_servers"}
    room = info["signal_url"].rsplit("/", 1)[1]
    assert room.startswith("devicetest-")
    assert info["signal_url"] == f"ws://127.0.0.1:8081/rooms/{room}"
    claims = tokens.verify(_room_secret(), info["token"], room=room)
    assert claims["role"] == "test"
    assert claims["exp"] - claims["iat"] <= 600
    assert claims["name"] == ""
    [turn] = info["ice_servers"]
    assert turn["urls"] == [TURN]
    expiry, participant = turn["username"].split(":")
    assert participant == claims["sub"]
    assert int(expiry) - claims["iat"] <= 600 + 5
    # Each run its own room.
    second = browser.get(f"{booked['url']}/device-test/token", headers=JSON).json()
    assert second["signal_url"] != info["signal_url"]


def _room_secret():
    from collective.digitalebalie import secrets  # reads the site's store

    return secrets.get_secret("room_token_secret")


def test_unknown_link(browser):
    for path in (
        "@@my-appointment/not-a-link/device-test",
        "@@video-guest/nope/device-test",
    ):
        response = browser.get(path)
        assert response.status_code == 404
        assert "Content-Security-Policy" in response.headers
    token = browser.get("@@my-appointment/not-a-link/device-test/token")
    assert token.status_code == 404


def test_cancelled_link(browser, booked):
    response = browser.post(f"@appointment/{booked['token']}/cancel", headers=JSON)
    assert response.status_code == 200, response.text
    page = browser.get(f"{booked['url']}/device-test")
    assert page.status_code == 404
    assert "cancelled" in page.text.lower() or "afgezegd" in page.text.lower()
    assert page.headers["Cache-Control"] == "no-store"
    for secret in PERSON:
        assert secret not in page.text
    assert "device-test.js" not in page.text
    token = browser.get(f"{booked['url']}/device-test/token", headers=JSON)
    assert token.status_code == 404
    assert token.json()["error"]["type"] == "NotFound"
    assert "token" not in token.json()


def test_other_parts_are_not_found(browser, booked):
    assert browser.get(f"{booked['url']}/device-test/other").status_code == 404


def test_guest_link(browser, booked, functional):
    from collective.digitalebalie import appointments  # inside the layer's site
    from collective.digitalebalie.video import rooms
    from plone import api

    transaction.begin()  # see what the site's requests committed
    with api.env.adopt_roles(["Manager"]):
        appointment = appointments.find_by_token(booked["token"])
        guest_token, _guest = rooms.invite_guest(appointment, "Tolk Ahmed")
    transaction.commit()
    guest_page = browser.get(f"@@video-guest/{guest_token}")
    assert f"@@video-guest/{guest_token}/device-test" in guest_page.text
    response = browser.get(f"@@video-guest/{guest_token}/device-test")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    for secret in PERSON:
        assert secret not in response.text
    token = browser.get(f"@@video-guest/{guest_token}/device-test/token", headers=JSON)
    assert token.status_code == 200
    assert "/rooms/devicetest-" in token.json()["signal_url"]
