"""Addresses of outside services the add-on calls with a secret (an API key, a JWT).

No Plone imports: the settings schema (interfaces.py) checks its fields with these.
"""

import ipaddress
import re
import urllib.parse


LOOPBACK = ("127.0.0.1", "::1", "localhost")
# host:port of clamd; the host a name or an address, IPv6 in brackets.
_TCP = re.compile(
    r"^tcp://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$"
)


def is_local(host):
    """This machine: localhost or an address in 127.0.0.0/8 or ::1."""
    host = (host or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(url):
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def _checked(url, secure, plain):
    """The URL uses ``secure``, or ``plain`` on this machine; and names a host."""
    if not isinstance(url, str) or any(c.isspace() for c in url):
        return False
    parts = _split(url)
    if parts is None or not parts.hostname:
        return False
    scheme = parts.scheme.lower()
    return scheme == secure or (scheme == plain and is_local(parts.hostname))


def encrypted_or_local(url):
    """True for https://, or http:// on this machine (tests, a local proxy)."""
    return _checked(url, "https", "http")


def secure_socket_or_local(url):
    """True for wss://, or ws:// on this machine."""
    return _checked(url, "wss", "ws")


def clamd_address_ok(value):
    """clamd as unix:///absolute/path or tcp://host:port."""
    if not isinstance(value, str) or any(c.isspace() or ord(c) < 32 for c in value):
        return False
    if value.startswith("unix:///"):
        path = value[len("unix://") :]
        return ".." not in path.split("/") and "?" not in path and "#" not in path
    found = _TCP.match(value)
    return bool(found) and 0 < int(found.group("port")) < 65536


def ice_server_ok(value):
    """A STUN or TURN server as browsers take it: stun:, stuns:, turn: or turns:."""
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    scheme, _sep, rest = value.partition(":")
    return scheme.lower() in ("stun", "stuns", "turn", "turns") and bool(
        rest and not rest.startswith("/")
    )
