"""Limits against abuse of the anonymous booking (issue 15), without locking out
honest citizens who share one address (a mobile carrier's NAT, a library).

Three limits, all switched off together by ``booking_limits_enabled`` (load tests):

- **Open appointments per person and product.** An index on the product maps
  a keyed hash of the e-mail address (lower-case) and of the telephone number
  (E.164) to the person's appointments there. No address or number is stored
  in clear. Each person has one ``PersonBookings`` record, written by every
  booking, move, cancellation and deletion of theirs; it has no conflict
  resolution, so two concurrent bookings by the same person conflict in ZODB
  and Zope retries the second, which then counts the first. Bookings by
  different people do not meet there: they still merge as before (a record
  per product, written by every booking, would serialise all of them).

- **Bookings an hour per client address.** Counted in memory, per process: no
  ZODB write per request. Above the limit a booking needs a solved ALTCHA
  proof-of-work challenge. Each Zope process counts on its own, so behind a
  load balancer an address reaches the check after at most limit × instances
  bookings (nginx ``hash $remote_addr`` keeps one address on one instance).
  A used solution is recorded in the ZODB with the booking it allowed (a
  booking writes anyway), so it is refused on every instance.

- **Confirmation mails a day per address**, counted in the ZODB with the
  booking that queues them (exact across instances).
"""

from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from collections import deque
from collective.digitalebalie import _
from collective.digitalebalie import logger
from collective.digitalebalie import multilingual
from collective.digitalebalie.errors import UserError
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from persistent import Persistent
from plone import api
from zope.annotation.interfaces import IAnnotations
import altcha
import binascii
import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
import time
import transaction


KEY_KEY = "collective.digitalebalie.limits-key"  # site: the keyed hash's key
BOOKERS_KEY = "collective.digitalebalie.bookers"  # product: hash -> PersonBookings
USED_KEY = "collective.digitalebalie.used-challenges"  # site: signature -> expiry
MAILS_KEY = "collective.digitalebalie.confirmations"  # site: day -> hash -> count

WINDOW = 3600  # seconds: "bookings an hour"
MAX_ADDRESSES = 50_000  # in-memory counters kept at most (oldest go first)
# ALTCHA, PoW v2, deterministic: the browser tries counters until it finds the
# one the server chose, between COUNTER and 2 × COUNTER, each a PBKDF2 with
# COST iterations: about a second in a phone's browser, no puzzle.
ALGORITHM = "PBKDF2/SHA-256"
COST = 1000
COUNTER = 500
CHALLENGE_MINUTES = 30  # time to fill in the form after the page came
IPV6_PREFIX = 64  # one household or phone has a /64


class ChallengeRequired(UserError):
    """Many bookings came from this address: first solve ``challenge`` (ALTCHA)."""

    type = "ChallengeRequired"
    status = 429

    def __init__(self, challenge, refused=False):
        super().__init__(
            _(
                "This check was already used or is too old. Your browser does a "
                "new check; then send the form again."
            )
            if refused
            else _(
                "One moment: many appointments were made from your internet "
                "address. Your browser first does a short check; then send the "
                "form again."
            )
        )
        self.challenge = challenge


def enabled():
    return bool(setting("booking_limits_enabled", True))


# --- keyed hashes ----------------------------------------------------------------


def _key():
    """The site's key for the hashes (made once, kept out of the registry)."""
    annotations = IAnnotations(api.portal.get())
    key = annotations.get(KEY_KEY)
    if key is None:
        key = annotations[KEY_KEY] = secrets.token_hex(32)
    return key


def ensure_key(portal):
    annotations = IAnnotations(portal)
    if KEY_KEY not in annotations:
        annotations[KEY_KEY] = secrets.token_hex(32)


def _digest(kind, value):
    return hmac.new(
        _key().encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def person_keys(email, phone):
    """The index keys of a person: e-mail (lower-case) and phone (E.164, if any)."""
    keys = []
    if email:
        keys.append(_digest("email", email.strip().lower())[:32])
    if phone:
        keys.append(_digest("phone", phone.strip())[:32])
    return tuple(keys)


def label(kind, value):
    """A short keyed hash for the log: the same person or address is
    recognisable, but the log holds no personal data."""
    return _digest(kind, value or "")[:10]


# --- open appointments per person and product --------------------------------------


class PersonBookings(Persistent):
    """One person's appointments on one product: ((start UTC seconds, id), ...).

    Deliberately without conflict resolution: concurrent bookings by the same
    person must conflict, so that the retry counts again.
    """

    def __init__(self):
        self.entries = ()

    def put(self, start, appointment_id, now):
        kept = tuple(
            entry
            for entry in self.entries
            if entry[1] != appointment_id and entry[0] > now
        )
        self.entries = (*kept, (start, appointment_id))

    def remove(self, appointment_id):
        self.entries = tuple(e for e in self.entries if e[1] != appointment_id)

    def open(self, now):
        return sum(1 for start, _id in self.entries if start > now)


def _seconds(moment):
    return int(moment.timestamp())


def _index(product):
    # One index for all translations of a product (see multilingual.py).
    return annotation(multilingual.canonical(product), BOOKERS_KEY, OOBTree)


def max_open():
    return setting("max_open_bookings_per_person", 2)


def open_bookings(product, email, phone, now):
    """The most open (not yet started) appointments of this e-mail address or
    telephone number on the product."""
    index = IAnnotations(multilingual.canonical(product)).get(BOOKERS_KEY)
    if not index:
        return 0
    moment = _seconds(now)
    counts = [
        index[key].open(moment) for key in person_keys(email, phone) if key in index
    ]
    return max(counts, default=0)


def remember(product, appointment, now):
    """Index (or re-index after a move or an edit) the appointment under its person."""
    index = _index(product)
    keys = person_keys(appointment.email, getattr(appointment, "phone", None))
    forget(product, appointment, keep=keys)
    for key in keys:
        record = index.get(key)
        if record is None:
            record = index[key] = PersonBookings()
        record.put(_seconds(appointment.start), appointment.getId(), _seconds(now))
    appointment.limit_keys = keys


def forget(product, appointment, keep=()):
    """Take the appointment out of the index (cancelled, deleted); idempotent."""
    canonical = multilingual.canonical(product) if product is not None else None
    index = IAnnotations(canonical).get(BOOKERS_KEY) if canonical is not None else None
    for key in getattr(appointment, "limit_keys", ()):
        if key in keep or index is None:
            continue
        record = index.get(key)
        if record is not None:
            record.remove(appointment.getId())
            if not record.entries:
                del index[key]
    appointment.limit_keys = tuple(keep)


def forget_index(product):
    """A copied product starts without the original's bookings."""
    IAnnotations(product).pop(BOOKERS_KEY, None)


# --- the client's address ------------------------------------------------------------


def _networks():
    networks = []
    for value in setting("trusted_proxies", None) or ():
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _ip(value):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_address(request):
    """The visitor's address: the peer, or, when the peer is a trusted proxy,
    the last address in X-Forwarded-For that is not one of the trusted proxies.

    Addresses further left in X-Forwarded-For are whatever the client wrote.
    """
    peer = _ip(request.environ.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return "unknown"
    trusted = _networks()
    address = peer
    if any(peer in network for network in trusted):
        forwarded = request.getHeader("X-Forwarded-For") or ""
        for part in reversed([p for p in forwarded.split(",") if p.strip()]):
            hop = _ip(part)
            if hop is None:
                break
            address = hop
            if not any(hop in network for network in trusted):
                break
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.version == 6:
        # Who has one IPv6 address has the whole /64: count the network.
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


# --- bookings an hour per client address (in memory, per process) ----------------------

_lock = threading.Lock()
_recent = {}  # hashed address -> deque of time.monotonic() of its bookings


def _prune(times, now):
    while times and times[0] <= now - WINDOW:
        times.popleft()


def recent_bookings(key, now=None):
    now = time.monotonic() if now is None else now
    with _lock:
        times = _recent.get(key)
        if not times:
            return 0
        _prune(times, now)
        return len(times)


def count_booking(key, now=None):
    now = time.monotonic() if now is None else now
    with _lock:
        times = _recent.get(key)
        if times is None:
            if len(_recent) >= MAX_ADDRESSES:
                for old in [
                    k for k, v in _recent.items() if not v or v[-1] <= now - WINDOW
                ]:
                    del _recent[old]
                while len(_recent) >= MAX_ADDRESSES:
                    del _recent[next(iter(_recent))]
            times = _recent[key] = deque()
        _prune(times, now)
        times.append(now)


def reset_counters():
    """Forget every client's bookings of this process (tests, a restart)."""
    with _lock:
        _recent.clear()


# --- ALTCHA ----------------------------------------------------------------------------


def _altcha_secret():
    return _digest("altcha", "challenge")


def new_challenge():
    """A fresh, signed challenge as JSON-able dict, for the widget or a REST client."""
    challenge = altcha.create_challenge(
        algorithm=ALGORITHM,
        cost=COST,
        counter=COUNTER + secrets.randbelow(COUNTER),
        expires_at=datetime.now(UTC) + timedelta(minutes=CHALLENGE_MINUTES),
        hmac_secret=_altcha_secret(),
        hmac_key_secret=_digest("altcha", "key"),
    )
    return challenge.to_dict()


def _payload(value):
    """An ALTCHA payload, base64 (the widget's form field) or already an object."""
    if isinstance(value, dict):
        return altcha.Payload.from_dict(value)
    if not isinstance(value, str) or not value or len(value) > 4000:
        return None
    try:
        return altcha.Payload.from_base64(value)
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        return None


def check_solution(value, now=None):
    """Accept a solved challenge once: True when it is valid, unexpired and new.

    The solution is recorded in this transaction, so it is used up only with
    the booking it allowed (a refused booking's transaction is aborted).
    """
    try:
        payload = _payload(value)
    except (ValueError, KeyError, TypeError, AttributeError):
        payload = None
    if payload is None or not payload.challenge.parameters.expires_at:
        return False
    try:
        result = altcha.verify_solution(
            payload, _altcha_secret(), hmac_key_secret=_digest("altcha", "key")
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    if not result.verified:
        return False
    used = annotation(api.portal.get(), USED_KEY, OOBTree)
    signature = payload.challenge.signature
    if signature in used:
        return False
    moment = int(time.time() if now is None else now)
    for old in [sig for sig, expiry in used.items() if expiry < moment]:
        del used[old]
    used[signature] = int(payload.challenge.parameters.expires_at)
    return True


class ClientGate:
    """The per-address check of one booking request.

    ``check(solution)`` is None when the booking may go on, else a fresh
    challenge to answer with; ``booked()`` counts a booking that was made.
    Staff are exempt.
    """

    def __init__(self, request, exempt=False):
        self.active = enabled() and not exempt
        self.address = client_address(request) if self.active else ""
        self.key = label("client", self.address) if self.active else ""
        self.refused_solution = False

    def needed(self):
        if not self.active:
            return False
        limit = setting("bookings_per_address_per_hour", 30)
        return recent_bookings(self.key) >= limit

    def check(self, solution):
        if not self.needed():
            return None
        if solution and check_solution(solution):
            return None
        self.refused_solution = bool(solution)
        logger.warning(
            "booking needs a solved challenge: client %s (%s)",
            self.key,
            "solution refused" if solution else "no solution",
        )
        return new_challenge()

    def booked(self):
        """Count the booking once it is committed (not an attempt Zope retries)."""
        if self.active:
            key = self.key
            transaction.get().addAfterCommitHook(
                lambda committed: committed and count_booking(key)
            )


# --- confirmation mails a day per address ----------------------------------------------


def confirmations_per_day():
    return setting("confirmation_mails_per_day", 5)


def confirmation_allowed(email, day):
    """Count one confirmation to ``email`` (or a mobile number) on ``day``; False past the limit."""
    if not enabled():
        return True
    days = annotation(api.portal.get(), MAILS_KEY, LOBTree)
    today = day.toordinal()
    for old in list(days.keys(max=today - 1)):
        del days[old]
    counts = days.get(today)
    if counts is None:
        counts = days[today] = OOBTree()
    key = person_keys(email, None)[0]
    sent = counts.get(key, 0)
    if sent >= confirmations_per_day():
        logger.warning(
            "confirmation not queued: address %s had %s today", key[:10], sent
        )
        return False
    counts[key] = sent + 1
    return True
