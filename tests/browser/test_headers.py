"""The citizen pages' security headers over HTTP, for each video engine."""

from collective.digitalebalie.browser.headers import origin
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from helpers import at
from helpers import book
from helpers import tomorrow
from plone import api
import pytest
import transaction


ENGINES = {
    "builtin": {"room_server_url": "wss://rooms.example.nl/rooms"},
    "jitsi": {"jitsi_url": "https://meet.example.nl"},
    "livekit": {
        "livekit_url": "wss://livekit.example.nl",
        "livekit_meet_url": "https://meet.livekit.example.nl/custom",
    },
}


def policy(response):
    text = response.headers["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in text.split(";") if part.strip()
    }


@pytest.fixture
def pages(browser, make_product):
    product = make_product()
    booked = book(browser, product, at(tomorrow(), "10:00")).json()
    return {"product": product, "appointment": booked["url"]}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_citizen_pages_allow_the_site_and_the_engine_only(
    functional, browser, pages, engine
):
    with api.env.adopt_roles(["Manager"]):
        for name, value in {"video_provider": engine, **ENGINES[engine]}.items():
            api.portal.set_registry_record(
                name, value, interface=IDigitaleBalieSettings
            )
        room_server = origin(
            api.portal.get_registry_record(
                "room_server_url", interface=IDigitaleBalieSettings
            ),
            schemes=("ws", "wss"),
        )
    transaction.commit()
    try:
        for url in pages.values():
            response = browser.get(url)
            assert response.status_code == 200
            csp = policy(response)
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert csp["default-src"] == ["'self'"]
            assert csp["object-src"] == ["'none'"]
            # No inline script or eval, whatever the engine.
            for directive in ("script-src", "style-src"):
                assert "'unsafe-inline'" not in csp[directive]
                assert "'unsafe-eval'" not in csp[directive]
            permissions = response.headers["Permissions-Policy"]
            if engine == "builtin":
                assert csp["script-src"] == ["'self'"]
                assert csp["connect-src"] == ["'self'", "wss://rooms.example.nl"]
                assert csp["frame-src"] == ["'self'"]
                assert permissions == (
                    "camera=(self), microphone=(self), display-capture=(self)"
                )
            elif engine == "jitsi":
                assert csp["script-src"] == ["'self'", "https://meet.example.nl"]
                assert csp["frame-src"] == ["'self'", "https://meet.example.nl"]
                # Jitsi runs the call; the live desk still watches its room on
                # the room server (updates, who waits).
                assert csp["connect-src"] == ["'self'", room_server]
                assert 'camera=(self "https://meet.example.nl")' in permissions
            else:
                assert csp["script-src"] == ["'self'"]
                assert csp["frame-src"] == ["'self'", "https://meet.livekit.example.nl"]
                assert csp["connect-src"] == ["'self'", room_server]
                assert 'microphone=(self "https://meet.livekit.example.nl")' in (
                    permissions
                )
    finally:
        with api.env.adopt_roles(["Manager"]):
            api.portal.set_registry_record(
                "video_provider", "builtin", interface=IDigitaleBalieSettings
            )
        transaction.commit()


@pytest.mark.parametrize(
    "url,expected",
    [
        ("wss://rooms.example.nl:8443/rooms", "wss://rooms.example.nl:8443"),
        ("https://user:pw@meet.example.nl/x", "https://meet.example.nl"),
        ("wss://rooms.example.nl;script-src*", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_only_plain_origins_reach_the_policy(url, expected):
    assert origin(url, schemes=("https", "wss")) == expected
