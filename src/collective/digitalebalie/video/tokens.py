"""Room tokens and TURN credentials: minted by Plone, checked by the room server.

A room token is ``<payload>.<signature>``: the payload is URL-safe base64 of
compact JSON ``{"room", "sub", "role", "name", "exp"}``; the signature is
HMAC-SHA256 of the payload text with the shared room token secret. No Plone
imports: the room server uses this module on its own.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time


ROLES = ("citizen", "employee", "guest")


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


def mint(secret, *, room, participant, role, name="", ttl=3600, now=None):
    """A signed token admitting ``participant`` to ``room`` until now + ttl."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not secret:
        raise ValueError("no room token secret configured")
    claims = {
        "room": room,
        "sub": participant,
        "role": role,
        "name": name,
        "exp": int((now if now is not None else time.time()) + ttl),
    }
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
    return claims


def turn_credentials(secret, participant, ttl=3600, now=None):
    """TURN REST API credentials (coturn use-auth-secret): (username, password)."""
    expiry = int((now if now is not None else time.time()) + ttl)
    username = f"{expiry}:{participant}"
    password = base64.b64encode(
        hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    ).decode("ascii")
    return username, password
