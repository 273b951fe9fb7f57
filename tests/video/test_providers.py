"""Jitsi Meet or LiveKit as the video engine: the tokens Plone hands out carry
the claims those servers check (Jitsi: jitsi-meet-tokens; LiveKit: access
tokens with a video grant), and only when the room may be entered."""

from collective.digitalebalie import secrets
from collective.digitalebalie.video import providers
from datetime import date
from helpers import JSON
from helpers import book_soon
from helpers import team_agenda
import jwt
import pytest
import time
import transaction


JITSI_SECRET = "jitsi-app-secret-0123456789abcdefghij"
LIVEKIT_SECRET = "livekit-api-secret-0123456789abcdef"
OPEN = [
    {"weekday": day, "start": "00:00", "end": "23:59", "counters": 3}
    for day in range(7)
]


# --- the tokens on their own ---------------------------------------------------


def test_jitsi_token_has_the_claims_jitsi_meet_tokens_checks():
    now = int(time.time())
    token = providers.jitsi_token(
        app_id="digitalebalie",
        secret=JITSI_SECRET,
        audience="jitsi",
        domain="meet.example.nl",
        room="Afspraak-AB12",
        participant="employee-1f2e",
        name="Anna de Vries",
        moderator=True,
        ttl=600,
        now=now,
    )
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(
        token,
        JITSI_SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        issuer="digitalebalie",
        options={"require": ["exp", "nbf", "iss", "aud", "sub", "room"]},
    )
    assert claims["sub"] == "meet.example.nl"
    assert claims["room"] == "afspraak-ab12"  # Jitsi's room names are lower case
    assert claims["context"]["user"] == {
        "id": "employee-1f2e",
        "name": "Anna de Vries",
        "moderator": True,
    }
    assert claims["exp"] - now == 600 and claims["nbf"] <= now
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            "another-secret-0123456789abcdefghijkl",
            algorithms=["HS256"],
            audience="jitsi",
        )
    with pytest.raises(ValueError):
        providers.jitsi_token(
            app_id="",
            secret=JITSI_SECRET,
            domain="meet.example.nl",
            room="r",
            participant="p",
            name="n",
            moderator=False,
            ttl=60,
        )


def test_livekit_token_has_a_video_grant_for_one_room():
    now = int(time.time())
    token = providers.livekit_token(
        api_key="APIdigitalebalie",
        api_secret=LIVEKIT_SECRET,
        room="afspraak-ab12",
        participant="citizen",
        name="Fatima el Amrani",
        admin=False,
        ttl=600,
        now=now,
    )
    claims = jwt.decode(
        token,
        LIVEKIT_SECRET,
        algorithms=["HS256"],
        issuer="APIdigitalebalie",
        options={"require": ["exp", "nbf", "iss", "sub"]},
    )
    assert claims["sub"] == "citizen" and claims["name"] == "Fatima el Amrani"
    assert claims["video"] == {
        "room": "afspraak-ab12",
        "roomJoin": True,
        "canPublish": True,
        "canSubscribe": True,
        "canPublishData": True,
        "roomAdmin": False,
    }
    assert claims["exp"] - now == 600
    page = providers.livekit_meet_url(
        "https://meet.example.nl/custom", "wss://lk.example.nl", token
    )
    assert page.startswith("https://meet.example.nl/custom?liveKitUrl=wss%3A%2F%2Flk")
    assert page.endswith(f"&token={token}")


# --- what the appointment page receives ------------------------------------------


@pytest.fixture
def case(functional, browser, browser_as, make_product, make_team):
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    product = make_product(
        teams=["burgerzaken"],
        duration=5,
        min_notice_hours=0,
        opening_hours=OPEN,
        channels=["video"],
    )
    token, start = book_soon(browser, product, email="j@example.nl")
    appointment = team_agenda(anna, date.fromisoformat(start[:10]))[0]["@id"]
    return {
        "token": token,
        "anna": anna,
        "manager": manager,
        "appointment": appointment,
    }


def settings(case, **values):
    response = case["manager"].patch(
        "@controlpanels/digitalebalie", json=values, headers=JSON
    )
    return response


def test_jitsi_embed_configuration(browser, case):
    assert (
        settings(
            case,
            video_provider="jitsi",
            jitsi_url="https://meet.example.nl",
            jitsi_app_id="digitalebalie",
        ).status_code
        == 204
    )
    # Without the app secret the call cannot start: a clear answer, no token.
    video = browser.get(f"@appointment/{case['token']}/video", headers=JSON)
    assert video.status_code == 503
    assert video.json()["error"]["type"] == "VideoUnavailable"
    assert "Bel ons" in video.json()["error"]["message"]
    secrets.set_secret("jitsi_app_secret", JITSI_SECRET)
    transaction.commit()

    citizen = browser.get(f"@appointment/{case['token']}/video", headers=JSON).json()
    assert citizen["provider"] == "jitsi" and "signal_url" not in citizen
    jitsi = citizen["jitsi"]
    assert jitsi["domain"] == "meet.example.nl"
    assert jitsi["script"] == "https://meet.example.nl/external_api.js"
    assert jitsi["room"] == citizen["room"].lower() and jitsi["name"] == "Jan Burger"
    claims = jwt.decode(
        jitsi["jwt"], JITSI_SECRET, algorithms=["HS256"], audience="jitsi"
    )
    assert claims["room"] == jitsi["room"] and claims["sub"] == "meet.example.nl"
    assert claims["context"]["user"]["moderator"] is False
    assert claims["context"]["user"]["name"] == "Jan Burger"

    employee = case["anna"].get(f"{case['appointment']}/@video", headers=JSON).json()
    claims = jwt.decode(
        employee["jitsi"]["jwt"], JITSI_SECRET, algorithms=["HS256"], audience="jitsi"
    )
    assert claims["room"] == jitsi["room"]
    assert claims["context"]["user"]["moderator"] is True
    # Citizens never learn the employee's login name.
    assert "anna" not in claims["context"]["user"]["id"]


def test_livekit_embed_configuration(browser, case):
    assert (
        settings(
            case,
            video_provider="livekit",
            livekit_url="wss://livekit.example.nl",
            livekit_api_key="APIdigitalebalie",
            livekit_meet_url="https://meet.example.nl/custom",
        ).status_code
        == 204
    )
    secrets.set_secret("livekit_api_secret", LIVEKIT_SECRET)
    transaction.commit()
    citizen = browser.get(f"@appointment/{case['token']}/video", headers=JSON).json()
    livekit = citizen["livekit"]
    assert livekit["url"] == "wss://livekit.example.nl"
    claims = jwt.decode(
        livekit["token"],
        LIVEKIT_SECRET,
        algorithms=["HS256"],
        issuer="APIdigitalebalie",
    )
    assert claims["video"]["room"] == citizen["room"]
    assert claims["video"]["roomAdmin"] is False
    assert claims["sub"] == citizen["participant"]
    assert livekit["page"].startswith("https://meet.example.nl/custom?liveKitUrl=")
    employee = case["anna"].get(f"{case['appointment']}/@video", headers=JSON).json()
    claims = jwt.decode(
        employee["livekit"]["token"], LIVEKIT_SECRET, algorithms=["HS256"]
    )
    assert claims["video"]["roomAdmin"] is True


def test_no_token_outside_the_room_window_or_for_strangers(browser, case):
    settings(
        case,
        video_provider="jitsi",
        jitsi_url="https://meet.example.nl",
        jitsi_app_id="digitalebalie",
    )
    secrets.set_secret("jitsi_app_secret", JITSI_SECRET)
    transaction.commit()
    assert (
        browser.get("@appointment/not-a-token/video", headers=JSON).status_code == 404
    )
    anonymous = browser.get(f"{case['appointment']}/@video", headers=JSON)
    assert anonymous.status_code == 401 and "jwt" not in anonymous.text
    browser.post(f"@appointment/{case['token']}/cancel", headers=JSON)
    gone = browser.get(f"@appointment/{case['token']}/video", headers=JSON)
    assert gone.status_code == 404 and "jwt" not in gone.text


@pytest.mark.parametrize(
    "values",
    [
        {"video_provider": "jitsi", "jitsi_url": "http://meet.example.nl"},
        {"livekit_url": "ws://livekit.example.nl"},
        {"livekit_url": "https://livekit.example.nl"},
        {"livekit_meet_url": "http://meet.example.nl/custom"},
        {"video_provider": "zoom"},
    ],
)
def test_unsafe_or_unknown_settings_are_refused(case, values):
    response = settings(case, **values)
    assert response.status_code == 400, response.text
    transaction.begin()
    from plone import api

    assert (
        api.portal.get_registry_record(
            "collective.digitalebalie.interfaces.IDigitaleBalieSettings.video_provider"
        )
        == "builtin"
    )
