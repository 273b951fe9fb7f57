"""Other video engines: Jitsi Meet or LiveKit in place of the built-in rooms.

Plone keeps deciding who may join and when (the room window, identification,
the employee's team); the engine only gets a short-lived token that names the
room and the person, signed with the secret the engine was configured with:

- Jitsi Meet with token authentication (prosody ``token`` auth, the
  ``jitsi-meet-tokens`` package; its checks in ``token/util.lib.lua``): HS256
  with the app secret; ``iss`` is the app id, ``aud`` an accepted audience,
  ``sub`` the XMPP domain (checked only with ``enable_domain_verification``),
  ``room`` the room; ``context.user`` holds id, name, whether the person
  moderates (``token_affiliation``) and whether they skip the lobby
  (``token_lobby_bypass``, with ``lobby_autostart`` every room has one).
- LiveKit: HS256 with the API secret; ``iss`` is the API key, ``sub`` the
  participant's identity, ``video`` the grant for one room.

No Plone imports: these functions are plain and tested on their own.
"""

import jwt
import time
import urllib.parse


PROVIDERS = ("builtin", "jitsi", "livekit")


def _times(ttl, now):
    now = int(now if now is not None else time.time())
    # A little slack for clocks that differ between Plone and the engine.
    return {"nbf": now - 30, "iat": now, "exp": now + int(ttl)}


def jitsi_domain(url):
    """``meet.example.nl`` (with a port, if any) from ``https://meet.example.nl``:
    what the IFrame API is given."""
    return urllib.parse.urlsplit(url).netloc


def jitsi_host(url):
    """``meet.example.nl`` without a port: the token's default ``sub``."""
    return urllib.parse.urlsplit(url).hostname or ""


def jitsi_subject(url, configured=""):
    """The token's ``sub``: the XMPP domain prosody serves.

    With ``enable_domain_verification`` prosody admits a token only to rooms
    at ``conference.<sub>`` (or any domain for ``*``). That is the public host
    name on a Debian install; docker-jitsi-meet serves ``meet.jitsi`` whatever
    the public address, so it can be set.
    """
    return (configured or "").strip().lower() or jitsi_host(url)


def jitsi_room(room):
    """Jitsi treats room names in lower case; the token must name the same."""
    return room.lower()


def jitsi_token(
    *,
    app_id,
    secret,
    domain,
    room,
    participant,
    name,
    moderator,
    ttl,
    audience="jitsi",
    now=None,
):
    if not (app_id and secret and domain):
        raise ValueError("Jitsi needs the app id, the app secret and the address.")
    claims = {
        "iss": app_id,
        "aud": audience,
        "sub": domain,
        "room": jitsi_room(room),
        "context": {
            "user": {
                "id": participant,
                "name": name,
                # The employee moderates: lets people in from the lobby, ends the call.
                "moderator": bool(moderator),
                # With lobby_autostart every room has a lobby; token_affiliation
                # makes the moderator owner only once inside, so without this the
                # employee would wait in the lobby with nobody to let them in.
                # Citizens and guests wait there for the employee.
                "lobby_bypass": bool(moderator),
            },
            "features": {"recording": False, "livestreaming": False},
        },
        **_times(ttl, now),
    }
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})


def livekit_token(
    *, api_key, api_secret, room, participant, name, admin, ttl, now=None
):
    if not (api_key and api_secret):
        raise ValueError("LiveKit needs the API key and the API secret.")
    claims = {
        "iss": api_key,
        "sub": participant,
        "name": name,
        "video": {
            "room": room,
            "roomJoin": True,
            "canPublish": True,
            "canSubscribe": True,
            "canPublishData": True,
            # The employee may remove a participant or end the room.
            "roomAdmin": bool(admin),
        },
        "metadata": "",
        **_times(ttl, now),
    }
    return jwt.encode(claims, api_secret, algorithm="HS256", headers={"typ": "JWT"})


def livekit_meet_url(meet_url, server_url, token):
    """The address of a LiveKit Meet page that joins ``server_url`` with ``token``."""
    query = urllib.parse.urlencode({"liveKitUrl": server_url, "token": token})
    separator = "&" if urllib.parse.urlsplit(meet_url).query else "?"
    return f"{meet_url}{separator}{query}"
