"""Other video engines: Jitsi Meet or LiveKit in place of the built-in rooms.

Plone keeps deciding who may join and when (the room window, identification,
the employee's team); the engine only gets a short-lived token that names the
room and the person, signed with the secret the engine was configured with:

- Jitsi Meet with token authentication (prosody ``token`` auth, the
  ``jitsi-meet-tokens`` package): HS256 with the app secret; ``iss`` is the app
  id, ``aud`` an accepted audience, ``sub`` the Jitsi domain, ``room`` the room;
  ``context.user`` holds id, name and whether the person moderates.
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
    """``meet.example.nl`` without a port: the token's ``sub`` (the XMPP domain)."""
    return urllib.parse.urlsplit(url).hostname or ""


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
