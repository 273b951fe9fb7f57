"""Addresses of outside services the add-on calls with a secret (an API key, a JWT)."""

import urllib.parse


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def encrypted_or_local(url):
    """True for https://, or http:// on this machine (tests, a local proxy)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    return url.startswith("https://") or (
        host in LOOPBACK and url.startswith("http://")
    )
