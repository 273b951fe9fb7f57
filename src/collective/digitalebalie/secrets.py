"""Secrets of the add-on: generated at install, stored in the registry, never shown."""

from collective.digitalebalie.interfaces import IDigitaleBalieSecrets
from plone.registry.interfaces import IRegistry
from zope.component import getUtility
import hashlib
import secrets


SECRET_NAMES = tuple(IDigitaleBalieSecrets.names())
# Made by the add-on; the others (API keys) come from a provider.
GENERATED = ("room_token_secret", "turn_secret", "job_key", "identity_key")
MIN_LENGTH_PROVIDED = 8

# 32 random bytes, URL-safe base64: 43 characters, 256 bits.
_NBYTES = 32
MIN_LENGTH = 32


def _record(name):
    if name not in SECRET_NAMES:
        raise KeyError(name)
    return f"{IDigitaleBalieSecrets.__identifier__}.{name}"


def get_secret(name):
    """The current value of a secret ("" when it was never set)."""
    return getUtility(IRegistry).get(_record(name)) or ""


def set_secret(name, value):
    minimum = MIN_LENGTH if name in GENERATED else MIN_LENGTH_PROVIDED
    if len(value) < minimum or not value.isascii() or not value.isprintable():
        raise ValueError(
            f"A secret must be at least {minimum} printable ASCII characters."
        )
    getUtility(IRegistry)[_record(name)] = value


def generate_secret():
    return secrets.token_urlsafe(_NBYTES)


def ensure_secrets():
    """Give every secret that is still empty a fresh random value.

    Secrets that already have a value are kept, so reinstalling the add-on
    does not break links and rooms that exist.
    """
    created = []
    for name in GENERATED:
        if not get_secret(name):
            set_secret(name, generate_secret())
            created.append(name)
    return created


def fingerprint(value):
    """A short, non-reversible label for a secret, to compare configurations."""
    if not value:
        return ""
    return hashlib.sha256(value.encode("ascii")).hexdigest()[:8]
