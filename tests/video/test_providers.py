"""Jitsi Meet or LiveKit as the video engine: the tokens Plone hands out carry
the claims those servers check (Jitsi: jitsi-meet-tokens and the community
prosody plugins; LiveKit: access tokens with a video grant), and only when the
room may be entered."""

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


# --- what prosody checks -------------------------------------------------------


class Refused(Exception):
    """Prosody refuses the token (or the room) with this reason."""


def prosody_admits(
    token,
    room_address,
    *,
    secret=JITSI_SECRET,
    app_id="digitalebalie",
    audiences=("jitsi",),
    domain_verification=False,
    now=None,
):
    """The session prosody would bind for ``token`` joining ``room_address``
    (``room@conference.domain``), or raise Refused.

    Follows jitsi-meet's ``token/util.lib.lua`` (``verify_token`` and
    ``verify_room``, one domain, ``muc_mapper_domain_prefix`` "conference"):
    the HS256 signature with the app secret and ``exp``/``nbf`` (luajwtjitsi);
    ``iss`` one of the accepted issuers (the app id); ``room`` present; ``aud``
    one of ``asap_accepted_audiences`` (or that list has ``*``); then the room:
    its name equals the token's ``room`` in lower case, or the token's room is
    ``*``; with ``enable_domain_verification`` also the MUC domain must be
    ``conference.<sub>`` (any, for ``sub`` ``*``).
    """
    claims = verify_token(token, secret, app_id, audiences, now)
    verify_room(claims, room_address, domain_verification)
    return {
        "jitsi_meet_room": claims["room"],
        "jitsi_meet_domain": claims.get("sub"),
        "jitsi_meet_context_user": (claims.get("context") or {}).get("user"),
    }


def verify_token(token, secret, app_id, audiences, now):
    """util.lib.lua's verify_token: the claims, or raise Refused."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False},
        )
    except jwt.PyJWTError as error:
        raise Refused(f"signature: {error}") from None
    verify_lifetime(claims, int(time.time()) if now is None else now)
    if header.get("alg") in (None, "", "none"):
        raise Refused("'alg' claim must not be empty")
    if claims.get("iss") is None:
        raise Refused("'iss' claim is missing")
    if claims["iss"] != app_id:
        raise Refused("Invalid issuer ('iss' claim)")
    if claims.get("room") is None:
        raise Refused("'room' claim is missing")
    if claims.get("aud") is None:
        raise Refused("'aud' claim is missing")
    if "*" not in audiences and claims["aud"] not in audiences:
        raise Refused("Invalid audience ('aud' claim)")
    return claims


def verify_lifetime(claims, now):
    """luajwtjitsi, asked to verify: exp and nbf are numbers, now in between."""
    for claim in ("exp", "nbf"):
        if claim in claims and not isinstance(claims[claim], int | float):
            raise Refused(f"'{claim}' must be a number")
    if "exp" in claims and now >= claims["exp"]:
        raise Refused("Not acceptable by exp")
    if "nbf" in claims and now < claims["nbf"]:
        raise Refused("Not acceptable by nbf")


def verify_room(claims, room_address, domain_verification):
    """util.lib.lua's verify_room for one domain (no multidomain)."""
    node, _, muc_domain = room_address.partition("@")
    token_room = claims["room"]
    if token_room != "*" and node != token_room.lower():
        raise Refused("room")
    if domain_verification:
        sub = claims.get("sub")
        if sub is None:
            raise Refused("'sub' claim is missing")
        if sub != "*" and muc_domain != f"conference.{sub}".lower():
            raise Refused("domain ('sub' claim)")


def lobby_bypass(session):
    """token_lobby_bypass: the occupant skips the lobby only for a boolean true."""
    return (session["jitsi_meet_context_user"] or {}).get("lobby_bypass") is True


def owner(session):
    """token_affiliation: owner (moderator) for moderator true/"true" or an
    owner-like affiliation, otherwise member."""
    user = session["jitsi_meet_context_user"] or {}
    return user.get("moderator") in (True, "true") or user.get("affiliation") in (
        "owner",
        "moderator",
        "teacher",
    )


# --- the tokens on their own ---------------------------------------------------


def jitsi(moderator, now, **overrides):
    return providers.jitsi_token(
        **{
            "app_id": "digitalebalie",
            "secret": JITSI_SECRET,
            "audience": "jitsi",
            "domain": "meet.example.nl",
            "room": "Afspraak-AB12",
            "participant": "employee-1f2e" if moderator else "citizen",
            "name": "Anna de Vries" if moderator else "Jan Burger",
            "moderator": moderator,
            "ttl": 600,
            "now": now,
            **overrides,
        }
    )


ROOM = "afspraak-ab12@conference.meet.example.nl"


def test_jitsi_token_has_the_claims_jitsi_meet_tokens_checks():
    now = int(time.time())
    token = jitsi(True, now)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    session = prosody_admits(token, ROOM, now=now)
    assert session["jitsi_meet_room"] == "afspraak-ab12"  # Jitsi's names: lower case
    assert session["jitsi_meet_domain"] == "meet.example.nl"
    assert session["jitsi_meet_context_user"] == {
        "id": "employee-1f2e",
        "name": "Anna de Vries",
        "moderator": True,
        "lobby_bypass": True,
    }
    claims = jwt.decode(token, JITSI_SECRET, algorithms=["HS256"], audience="jitsi")
    assert claims["exp"] - now == 600 and claims["nbf"] <= now
    # Valid from a little before now (clocks differ) until ten minutes after.
    prosody_admits(token, ROOM, now=now - 29)
    prosody_admits(token, ROOM, now=now + 599)
    with pytest.raises(Refused, match="exp"):
        prosody_admits(token, ROOM, now=now + 600)
    with pytest.raises(Refused, match="nbf"):
        prosody_admits(token, ROOM, now=now - 31)
    with pytest.raises(Refused, match="signature"):
        prosody_admits(token, ROOM, secret="another-secret-0123456789abcdefghijkl")
    with pytest.raises(Refused, match="issuer"):
        prosody_admits(token, ROOM, app_id="another-app")
    with pytest.raises(Refused, match="audience"):
        prosody_admits(token, ROOM, audiences=("meet",))
    prosody_admits(token, ROOM, audiences=("*",))
    # One room only.
    with pytest.raises(Refused, match="room"):
        prosody_admits(token, "afspraak-cd34@conference.meet.example.nl")
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


def test_with_the_lobby_only_the_employee_walks_in():
    """lobby_autostart gives every room a lobby; token_lobby_bypass lets a
    token with ``context.user.lobby_bypass: true`` skip it; token_affiliation
    makes moderators owner (who lets the others in)."""
    now = int(time.time())
    employee = prosody_admits(jitsi(True, now), ROOM, now=now)
    citizen = prosody_admits(jitsi(False, now), ROOM, now=now)
    assert lobby_bypass(employee) and owner(employee)
    assert not lobby_bypass(citizen) and not owner(citizen)
    assert citizen["jitsi_meet_context_user"]["lobby_bypass"] is False


def test_the_token_names_the_xmpp_domain_prosody_verifies():
    now = int(time.time())
    assert providers.jitsi_subject("https://meet.example.nl:8443") == "meet.example.nl"
    assert providers.jitsi_subject("https://meet.example.nl", " Meet.Jitsi ") == (
        "meet.jitsi"
    )
    assert providers.jitsi_subject("https://meet.example.nl", "*") == "*"
    public = jitsi(True, now, domain=providers.jitsi_subject("https://meet.example.nl"))
    # Without domain verification prosody does not look at sub.
    prosody_admits(public, "afspraak-ab12@conference.meet.jitsi", now=now)
    # docker-jitsi-meet with ENABLE_DOMAIN_VERIFICATION: the XMPP domain is meet.jitsi.
    docker = "afspraak-ab12@conference.meet.jitsi"
    with pytest.raises(Refused, match="domain"):
        prosody_admits(public, docker, domain_verification=True, now=now)
    for sub in ("meet.jitsi", "*"):
        token = jitsi(True, now, domain=providers.jitsi_subject("https://x.nl", sub))
        prosody_admits(token, docker, domain_verification=True, now=now)
    prosody_admits(public, ROOM, domain_verification=True, now=now)


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
    room = f"{jitsi['room']}@conference.meet.example.nl"
    session = prosody_admits(jitsi["jwt"], room)
    assert session["jitsi_meet_domain"] == "meet.example.nl"
    assert session["jitsi_meet_context_user"]["name"] == "Jan Burger"
    # The citizen waits in the lobby until the employee lets them in.
    assert not owner(session) and not lobby_bypass(session)

    employee = case["anna"].get(f"{case['appointment']}/@video", headers=JSON).json()
    session = prosody_admits(employee["jitsi"]["jwt"], room)
    assert owner(session) and lobby_bypass(session)
    # Citizens never learn the employee's login name.
    assert "anna" not in session["jitsi_meet_context_user"]["id"]

    # A guest (an interpreter) waits in the lobby too.
    invite = case["anna"].post(
        f"{case['appointment']}/@video-guest", json={"name": "Tolk"}, headers=JSON
    )
    assert invite.status_code == 201, invite.text
    guest_token = invite.json()["url"].rsplit("/", 1)[1]
    guest = browser.get(f"@video-guest/{guest_token}", headers=JSON).json()
    session = prosody_admits(guest["jitsi"]["jwt"], room)
    assert not owner(session) and not lobby_bypass(session)


def test_jitsi_xmpp_domain_for_docker_jitsi_meet(browser, case):
    """docker-jitsi-meet with domain verification serves the XMPP domain
    meet.jitsi behind any public address: the token's sub must name it."""
    assert (
        settings(
            case,
            video_provider="jitsi",
            jitsi_url="https://meet.example.nl",
            jitsi_app_id="digitalebalie",
            jitsi_subject="meet.jitsi",
        ).status_code
        == 204
    )
    secrets.set_secret("jitsi_app_secret", JITSI_SECRET)
    transaction.commit()
    for info in (
        browser.get(f"@appointment/{case['token']}/video", headers=JSON).json(),
        case["anna"].get(f"{case['appointment']}/@video", headers=JSON).json(),
    ):
        assert info["jitsi"]["domain"] == "meet.example.nl"  # the IFrame API's host
        room = f"{info['jitsi']['room']}@conference.meet.jitsi"
        prosody_admits(info["jitsi"]["jwt"], room, domain_verification=True)
        with pytest.raises(Refused, match="domain"):
            prosody_admits(
                info["jitsi"]["jwt"],
                f"{info['jitsi']['room']}@conference.meet.example.nl",
                domain_verification=True,
            )


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
        {"jitsi_subject": "meet jitsi"},
        {"jitsi_subject": "https://meet.jitsi"},
        {"jitsi_subject": "*.example.nl"},
        {"jitsi_subject": "meet.example.nl:443"},
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
