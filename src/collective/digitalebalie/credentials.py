"""Secrets of the add-on: generated at install, kept out of the registry, never shown.

They live in an annotation on the site, not in Plone's registry: the registry
can be read back by its own edit form (@@configuration_registry), by
``GET @registry`` and in the ZMI (portal_registry). The annotation is reached
by no view, no service and no ZMI page, and the mapping that holds the values
is private to restricted code (templates, Python scripts): only this module's
``get_secret`` reads it.
"""

from collective.digitalebalie.interfaces import IDigitaleBalieSecrets
from collective.digitalebalie.storage import annotation
from persistent.mapping import PersistentMapping
from plone import api
from plone.registry.interfaces import IRegistry
from zope.annotation.interfaces import IAnnotations
from zope.component import getUtility
import hashlib
import hmac
import secrets


SECRET_NAMES = tuple(IDigitaleBalieSecrets.names())
# Made by the add-on; the others (API keys) come from a provider.
GENERATED = ("room_token_secret", "turn_secret", "job_key", "identity_key")
MIN_LENGTH_PROVIDED = 8
STORE_KEY = "collective.digitalebalie.secrets"

# 32 random bytes, URL-safe base64: 43 characters, 256 bits.
_NBYTES = 32
MIN_LENGTH = 32


class SecretStore(PersistentMapping):
    """name -> value. Private: restricted code may not open it, nor any item."""

    __roles__ = ()
    __allow_access_to_unprotected_subobjects__ = 0


def _check_name(name):
    if name not in SECRET_NAMES:
        raise KeyError(name)
    return name


def _store(site=None):
    return annotation(site or api.portal.get(), STORE_KEY, SecretStore)


def get_secret(name):
    """The current value of a secret ("" when it was never set)."""
    return _store().get(_check_name(name)) or ""


def derived_key(purpose):
    """A key for one purpose (b"" while the site has no identity key).

    Made from the identity key, which never leaves Plone, with HMAC-SHA256 of
    the purpose: one purpose's key tells nothing of the identity key, nor of
    another purpose's key. Replacing the identity key replaces these too.
    """
    secret = get_secret("identity_key")
    if not secret:
        return b""
    label = f"collective.digitalebalie:{purpose}".encode()
    return hmac.new(secret.encode(), label, hashlib.sha256).digest()


def set_secret(name, value):
    _check_name(name)
    minimum = MIN_LENGTH if name in GENERATED else MIN_LENGTH_PROVIDED
    if len(value) < minimum or not value.isascii() or not value.isprintable():
        raise ValueError(
            f"A secret must be at least {minimum} printable ASCII characters."
        )
    _store()[name] = value


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


def _records():
    return [f"{IDigitaleBalieSecrets.__identifier__}.{name}" for name in SECRET_NAMES]


def forget_secrets(site=None):
    """Uninstall: the secrets leave with the add-on (and any registry records
    of a site that never ran the upgrade to 1006)."""
    IAnnotations(site or api.portal.get()).pop(STORE_KEY, None)
    registry = getUtility(IRegistry)
    for record in _records():
        if record in registry.records:
            del registry.records[record]


def move_from_registry():
    """Sites before 1006 kept the secrets in the registry: move them here.

    A value in the registry wins over one made here before the move (an older
    upgrade step may have generated one); the registry records are deleted.
    Returns the names that were moved.
    """
    registry = getUtility(IRegistry)
    store = _store()
    moved = []
    for name, record in zip(SECRET_NAMES, _records(), strict=True):
        if record not in registry.records:
            continue
        value = registry.records[record].value or ""
        if value:
            store[name] = value
            moved.append(name)
        del registry.records[record]
    return moved


def fingerprint(value):
    """A short, non-reversible label for a secret, to compare configurations."""
    if not value:
        return ""
    return hashlib.sha256(value.encode("ascii")).hexdigest()[:8]
