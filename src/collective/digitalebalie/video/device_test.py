"""What Plone gives a device test page: a test room of its own and TURN credentials.

A citizen (or guest) tests camera, microphone and network any time before the
appointment, long before its room opens. The page gets a short-lived token of
role ``test`` for a fresh room ``devicetest-<random>``: the room server admits
it there only (tokens.verify), so the test reaches the room server and TURN as
the call will, but never a real conversation.
"""

from collective.digitalebalie import appointments
from collective.digitalebalie import secrets
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.video import rooms
from collective.digitalebalie.video import tokens
from plone import api
import secrets as random


TOKEN_MINUTES = 10
# TURN credentials of a test: long enough for one run of the page, no more.
TURN_MINUTES = 10
STATES = ("booked", "in_progress")


def _setting(name, default):
    return api.portal.get_registry_record(
        name, interface=IDigitaleBalieSettings, default=default
    )


def available(appointment, now=None):
    """Whether the device test is there for this appointment: a video
    appointment that is booked (or going on) and not yet over."""
    if appointment.channel != "video":
        return False
    if api.content.get_state(appointment) not in STATES:
        return False
    _opens, closes = rooms.window(appointment)
    return (now or appointments.now_utc()) <= closes


def ice_servers(participant):
    """STUN and TURN as the call has them, with TURN credentials of a test."""
    servers = []
    stun = [url for url in (_setting("stun_urls", []) or []) if url]
    if stun:
        servers.append({"urls": stun})
    turn = [url for url in (_setting("turn_urls", []) or []) if url]
    secret = secrets.get_secret("turn_secret")
    if turn and secret:
        username, credential = tokens.turn_credentials(
            secret, participant, ttl=TURN_MINUTES * 60
        )
        servers.append({"urls": turn, "username": username, "credential": credential})
    return servers


def run_info():
    """{"provider", "signal_url", "token", "ice_servers"} for one run of the test.

    ``signal_url`` and ``token`` are empty when the site uses another video
    engine than the built-in room server (Jitsi, LiveKit bring their own).
    """
    participant = f"test-{random.token_hex(6)}"
    room = f"{tokens.TEST_ROOM_PREFIX}{random.token_urlsafe(16)}"
    provider = _setting("video_provider", "builtin") or "builtin"
    info = {
        "provider": provider,
        "signal_url": "",
        "token": "",
        "ice_servers": ice_servers(participant),
    }
    base = (_setting("room_server_url", "") or "").rstrip("/")
    secret = secrets.get_secret("room_token_secret")
    if provider == "builtin" and base and secret:
        info["signal_url"] = f"{base}/{room}"
        info["token"] = tokens.mint(
            secret,
            room=room,
            participant=participant,
            role=tokens.TEST_ROLE,
            ttl=TOKEN_MINUTES * 60,
        )
    return info
