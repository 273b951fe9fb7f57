"""Secret links to an appointment: the citizen's, a reminder's, a guest's.

A link carries a long random token; only its SHA-256 hash is stored, in one
index on the appointments folder (hash -> appointment id; guests' hashes with
the prefix ``guest:``). A reminder mints a fresh citizen link, because the
first one cannot be repeated; removing personal data revokes them all. The
confirmation, composed by the delivery job after the booking, gets the first
token sealed (encrypted and authenticated with a key of the site) until then.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import credentials
from collective.digitalebalie.booking.store import appointments_folder
from collective.digitalebalie.errors import NotFound
from collective.digitalebalie.settings import link_days
from collective.digitalebalie.settings import now_utc
from collective.digitalebalie.storage import annotation
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from datetime import timedelta
from persistent.mapping import PersistentMapping
from plone import api
from zope.annotation.interfaces import IAnnotations
import base64
import hashlib
import secrets


TOKENS_KEY = "collective.digitalebalie.tokens"
GUESTS_KEY = "collective.digitalebalie.guests"
TOKEN_BYTES = 24  # 192 bits
MAX_TOKEN = 200  # longer is no token of ours: refused before hashing
SEAL_PURPOSE = "sealed-link"


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_index(folder=None):
    """Hashes of secret links (citizens' and guests') to appointment ids."""
    return annotation(folder or appointments_folder(), TOKENS_KEY, OOBTree)


def portal_url():
    """The site's address as the current request sees it (the public one in a
    citizen's request; a job may reach the site at an internal address)."""
    return api.portal.get().absolute_url()


def citizen_url(token, base=None):
    """The citizen's page of the appointment (the link in every message);
    ``base``: the site's address to use instead of this request's."""
    return f"{base or portal_url()}/@@my-appointment/{token}"


def device_test_url(token, base=None):
    """The citizen's page to test camera, microphone and network before the call."""
    return f"{citizen_url(token, base)}/device-test"


def earlier_url(token):
    """The page that moves an appointment to an offered earlier time."""
    return f"{api.portal.get().absolute_url()}/@@earlier-time/{token}"


def _fernet():
    key = credentials.derived_key(SEAL_PURPOSE)
    return Fernet(base64.urlsafe_b64encode(key)) if key else None


def seal(token):
    """The token encrypted for the delivery job, or None while the site has
    no identity key (then the caller must not keep the token for later)."""
    fernet = _fernet()
    return fernet.encrypt(token.encode("ascii")).decode("ascii") if fernet else None


def unseal(sealed):
    """The token of ``seal``; None when it cannot be opened (a new identity key)."""
    fernet = _fernet()
    try:
        return (
            fernet.decrypt(sealed.encode("ascii")).decode("ascii") if fernet else None
        )
    except (InvalidToken, ValueError):
        return None


def index_citizen(appointment):
    """Make the appointment's first link (``token_hash``) find it."""
    token_index()[appointment.token_hash] = appointment.getId()


def fresh_link(appointment):
    """Another citizen link to the appointment (for a reminder); return the token."""
    token = new_token()
    token_hash = hash_token(token)
    token_index()[token_hash] = appointment.getId()
    # Remembered so that removing the personal data also ends this link.
    appointment.extra_token_hashes = (
        *getattr(appointment, "extra_token_hashes", ()),
        token_hash,
    )
    return token


def find_by_token(token):
    """The appointment a citizen's token belongs to, or raise NotFound."""
    if not token or len(token) > MAX_TOKEN:
        raise NotFound(_("No appointment with this link."))
    folder = appointments_folder()
    appointment_id = token_index(folder).get(hash_token(token))
    appointment = folder._getOb(appointment_id, None) if appointment_id else None
    if appointment is None or not links_work(appointment):
        raise NotFound(_("No appointment with this link."))
    return appointment


def links_work(appointment):
    """Whether the appointment's links still work: they stop some time after
    the appointment (privacy)."""
    return appointment.end >= now_utc() - timedelta(days=link_days())


def revoke_citizen_links(appointment):
    """The citizen's links (the first and the reminders') stop working."""
    index = token_index()
    for token_hash in (
        appointment.token_hash,
        *getattr(appointment, "extra_token_hashes", ()),
    ):
        if index.get(token_hash) == appointment.getId():
            del index[token_hash]


def add_guest(appointment, name):
    """A guest link for one person: (token, guest), guest = {participant, name}."""
    guests = IAnnotations(appointment).setdefault(GUESTS_KEY, PersistentMapping())
    token = new_token()
    guest = {"participant": f"guest-{len(guests) + 1}", "name": name}
    digest = hash_token(token)
    guests[digest] = guest
    token_index()[f"guest:{digest}"] = appointment.getId()
    return token, guest


def find_guest(token):
    """(appointment, guest) for a guest token; raise NotFound."""
    if not token or len(token) > MAX_TOKEN:
        raise NotFound(_("No appointment with this link."))
    digest = hash_token(token)
    folder = appointments_folder()
    appointment_id = token_index(folder).get(f"guest:{digest}")
    appointment = folder._getOb(appointment_id, None) if appointment_id else None
    guests = IAnnotations(appointment).get(GUESTS_KEY) if appointment else None
    if not guests or digest not in guests:
        raise NotFound(_("No appointment with this link."))
    return appointment, dict(guests[digest])
