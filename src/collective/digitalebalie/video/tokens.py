"""Room tokens and TURN credentials: minted by Plone, checked by the room server.

A room token is ``<payload>.<signature>``: the payload is URL-safe base64 of
compact JSON ``{"room", "sub", "role", "name", "iat", "exp"}``; the
signature is HMAC-SHA256 of the payload text with the shared room token secret.
``iat`` (when it was minted) lets the room server refuse the tokens of a room
revoked after they were minted; tokens minted before it existed have none and
stay valid until they expire (ten minutes), except in a revoked room.

A watch token (``"watch": true`` in the payload) admits only to *watch* a
room: to hear that somebody waits or reconnects, and that the appointment's
pages changed, without joining the call. It never admits to the call, and an
ordinary token never admits to watch (the room server refuses both with
``wrong_token``). Device tests never watch.

A device test (a citizen checking camera, microphone and network before the
appointment) gets a token of role ``test`` for a room of its own, named
``devicetest-<random>``: a test token admits to test rooms only, and no other
token admits to a test room, so a test can never enter a real conversation.

A notice is how Plone tells the room server something about a room (a
cancelled appointment: revoke its room): a JSON body signed with the same
secret, under its own prefix so that a notice's signature can never pass for a
token's. No Plone imports: the room server uses this module on its own.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import time


ROLES = ("citizen", "employee", "guest", "test")
TEST_ROLE = "test"
TEST_ROOM_PREFIX = "devicetest-"


def is_test_room(room):
    return isinstance(room, str) and room.startswith(TEST_ROOM_PREFIX)


class TokenError(ValueError):
    """A token that does not admit; ``code`` says why (for clear refusals)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret, payload):
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def mint(secret, *, room, participant, role, name="", ttl=3600, now=None, watch=False):
    """A signed token admitting ``participant`` to ``room`` until now + ttl.

    With ``watch``, it admits to watch the room only (see the module's docstring).
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not secret:
        raise ValueError("no room token secret configured")
    if (role == TEST_ROLE) != is_test_room(room):
        raise ValueError("test tokens are for test rooms only, and only they")
    if watch and role == TEST_ROLE:
        raise ValueError("a device test does not watch a room")
    now = now if now is not None else time.time()
    claims = {
        "room": room,
        "sub": participant,
        "role": role,
        "name": name,
        "iat": int(now),
        "exp": int(now + ttl),
    }
    if watch:
        claims["watch"] = True
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def verify(secret, token, *, room=None, now=None):
    """The claims of a valid token; raise TokenError otherwise."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        raise TokenError("bad_token", "This is not a room token.")
    payload, signature = token.split(".")
    if not token.isascii() or not hmac.compare_digest(
        _sign(secret, payload), signature
    ):
        raise TokenError("bad_signature", "This room token is not valid.")
    try:
        claims = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        raise TokenError("bad_token", "This is not a room token.") from None
    if not isinstance(claims, dict) or claims.get("role") not in ROLES:
        raise TokenError("bad_token", "This is not a room token.")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < (
        now if now is not None else time.time()
    ):
        raise TokenError("expired", "This room token has expired. Reload the page.")
    if room is not None and claims.get("room") != room:
        raise TokenError("wrong_room", "This room token is for another room.")
    if (claims["role"] == TEST_ROLE) != is_test_room(claims.get("room")):
        # Signed, but never minted so: refuse rather than trust the signer.
        raise TokenError("wrong_room", "This room token is for another room.")
    if "watch" in claims and (
        claims["watch"] is not True or claims["role"] == TEST_ROLE
    ):
        raise TokenError("bad_token", "This is not a room token.")
    return claims


def is_watch(claims):
    """Whether verified ``claims`` admit to watch the room (and not to join it)."""
    return claims.get("watch") is True


def minted_before(claims, moment):
    """Whether a token was minted before ``moment`` (a token without ``iat``: yes)."""
    issued = claims.get("iat")
    # iat is whole seconds: a token of the same second as the revocation is
    # older than it, as far as anyone can tell.
    return not isinstance(issued, int) or issued <= moment


# --- notices from Plone to the room server ------------------------------------------

NOTICE_HEADER = "X-Room-Signature"
NOTICE_MAX_AGE = 60  # seconds a notice may take, or differ between clocks
NOTICE_MAX_BYTES = 8 * 1024


def _notice_signature(secret, body):
    return _b64(
        hmac.new(secret.encode(), b"room-notice\n" + body, hashlib.sha256).digest()
    )


def notice(secret, *, room, kind, now=None, **data):
    """(body, signature) of a notice ``kind`` about ``room``, made at ``now``."""
    if not secret:
        raise ValueError("no room token secret configured")
    message = {
        **data,
        "type": kind,
        "room": room,
        "at": now if now is not None else time.time(),
        # Each notice once: the room server remembers the ids it has seen.
        "id": _b64(os.urandom(12)),
    }
    body = json.dumps(message, separators=(",", ":")).encode()
    return body, _notice_signature(secret, body)


def read_notice(secret, body, signature, *, room, now=None):
    """The message of a valid notice about ``room``; raise TokenError otherwise."""
    if (
        not isinstance(signature, str)
        or not signature.isascii()
        or len(body) > NOTICE_MAX_BYTES
        or not hmac.compare_digest(_notice_signature(secret, body), signature)
    ):
        raise TokenError("bad_signature", "This notice is not signed.")
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        raise TokenError("bad_notice", "This is not a notice.") from None
    if (
        not isinstance(message, dict)
        or not isinstance(message.get("type"), str)
        or not isinstance(message.get("id"), str)
        or not isinstance(message.get("at"), (int, float))
    ):
        raise TokenError("bad_notice", "This is not a notice.")
    if message.get("room") != room:
        raise TokenError("wrong_room", "This notice is about another room.")
    now = now if now is not None else time.time()
    if abs(now - message["at"]) > NOTICE_MAX_AGE:
        raise TokenError("expired", "This notice is too old.")
    return message


def turn_credentials(secret, participant, ttl=3600, now=None):
    """TURN REST API credentials (coturn use-auth-secret): (username, password)."""
    expiry = int((now if now is not None else time.time()) + ttl)
    username = f"{expiry}:{participant}"
    password = base64.b64encode(
        hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    ).decode("ascii")
    return username, password
