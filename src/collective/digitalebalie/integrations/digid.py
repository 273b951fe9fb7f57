"""Identification with DigiD through an OIDC broker, bound to an appointment.

Citizens do not become Plone members. The authorization code flow runs
with state, nonce and PKCE (S256); the pending login is kept server-side for
ten minutes and used once. It is bound to the browser that started it: that
browser gets a random secret in an HttpOnly, SameSite=Lax cookie, the pending
login keeps its hash, and the broker's answer completes the login only with
that cookie (OIDC Core 3.1.2.1, RFC 9700 4.7). Without it nothing changes, so
a leaked or planted answer URL is useless in another browser.

The broker's addresses are https (http only on this machine). The ID token
is checked against the broker's keys (JWKS; a token that names no key after a
rotation fetches them once more), with an algorithm from the broker's
metadata, issuer, audience, expiry, nonce and the level of assurance the
settings ask for. The verified identity (BSN, name, level of assurance) is
stored encrypted on the appointment and its dossier; employees see the BSN
masked and reveal it explicitly (audited).
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import credentials
from collective.digitalebalie import logger
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.events import AppointmentChanged
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.errors import UserError as BookingError
from collective.digitalebalie.errors import WrongState
from collective.digitalebalie.integrations import oidc
from collective.digitalebalie.integrations.levels import DIGID_LEVELS
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from collective.digitalebalie.video import notices
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api
from zope.event import notify
import base64
import hashlib
import hmac
import json
import jwt
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request


PENDING_KEY = "collective.digitalebalie.digid-pending"
PENDING_TTL = timedelta(minutes=10)
COOKIE = "__digitalebalie_digid"  # the browser's half of a pending login
METADATA_TTL = 3600
DEFAULT_LEVEL = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"
# DigiD's own names of its levels, which some brokers answer with.
LEVEL_NAMES = ("basis", "midden", "substantieel", "hoog")
_metadata_cache = {}  # issuer -> (fetched at, metadata)


class IdentificationFailed(BookingError):
    type = "IdentificationFailed"
    status = 400


class OtherBrowser(IdentificationFailed):
    """The answer came to a browser that did not start this login: nothing changes."""

    type = "OtherBrowser"


# The old private name, still read by tests.
_setting = setting


def _fernet():
    key = hashlib.sha256(credentials.get_secret("identity_key").encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(data):
    return _fernet().encrypt(json.dumps(data).encode()).decode("ascii")


def decrypt(token):
    try:
        return json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError):
        return None


def _not_set_up(reason):
    logger.error("DigiD is not set up correctly: %s", reason)
    return IdentificationFailed(_("DigiD is not set up correctly."))


def _get_json(url, data=None, headers=None):
    if not oidc.address_ok(url):
        raise _not_set_up(f"not https: {str(url)[:200]}")
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - http(s) checked
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        logger.error("DigiD broker: %s: %s", url, error)
        raise IdentificationFailed(
            _("DigiD cannot be reached at the moment. Please try again later.")
        ) from None


def metadata():
    """The broker's OpenID configuration, cached for an hour."""
    issuer = (setting("oidc_issuer") or "").rstrip("/")
    if not issuer:
        raise _not_set_up("no issuer")
    if not oidc.address_ok(issuer):
        raise _not_set_up("the issuer is not https")
    cached = _metadata_cache.get(issuer)
    if cached and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    data = _get_json(f"{issuer}/.well-known/openid-configuration")
    if not isinstance(data, dict) or str(data.get("issuer", "")).rstrip("/") != issuer:
        raise _not_set_up("the metadata names another issuer")
    bad = oidc.bad_address(data)
    if bad or not all(
        isinstance(data.get(name), str)
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    ):
        raise _not_set_up(
            f"{bad or 'an endpoint'} in the metadata is missing or not https"
        )
    _metadata_cache[issuer] = (time.monotonic(), data)
    return data


def required_level():
    level = setting("digid_loa") or DEFAULT_LEVEL
    return level if level in DIGID_LEVELS else DEFAULT_LEVEL


def level_rank(value):
    """0 (Basis) to 3 (Hoog); None for a level DigiD does not have."""
    if not isinstance(value, str):
        return None
    if value in DIGID_LEVELS:
        return DIGID_LEVELS.index(value)
    if value.strip().lower() in LEVEL_NAMES:
        return LEVEL_NAMES.index(value.strip().lower())
    return None


def _hash(binding):
    return hashlib.sha256(binding.encode()).hexdigest()


def _cookie_path():
    return "/" + api.portal.get().absolute_url_path().strip("/")


def callback_url():
    return f"{api.portal.get().absolute_url()}/@@digid-callback"


def _pending():
    return annotation(api.portal.get(), PENDING_KEY, OOBTree)


def start(appointment, token, request):
    """The address of the broker's login page for this appointment.

    Gives the browser the cookie that binds the login to it.
    """
    meta = metadata()
    state = secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    binding = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    pending = _pending()
    for key, record in list(pending.items()):  # forget logins never finished
        if record["created"] < now - PENDING_TTL:
            del pending[key]
    pending[state] = {
        "appointment": appointment.getId(),
        "link": encrypt({"token": token}),
        "nonce": nonce,
        "verifier": verifier,
        "binding": _hash(binding),
        "created": now,
    }
    request.response.setCookie(
        COOKIE,
        binding,
        path=_cookie_path(),
        http_only=True,
        # Lax: the broker sends the browser back with a top-level GET.
        same_site="Lax",
        secure=api.portal.get().absolute_url().startswith("https://"),
        max_age=int(PENDING_TTL.total_seconds()),
    )
    level = required_level()
    loa_claim = setting("loa_claim") or "acr"
    accepted = list(DIGID_LEVELS[DIGID_LEVELS.index(level) :])
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": setting("oidc_client_id") or "",
            "redirect_uri": callback_url(),
            "scope": setting("oidc_scope") or "openid",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            # The level the product needs (OIDC Core 3.1.2.1 and 5.5.1.1).
            "acr_values": level,
            "claims": json.dumps(
                {"id_token": {loa_claim: {"essential": True, "values": accepted}}}
            ),
        }
    )
    return f"{meta['authorization_endpoint']}?{query}"


def _fetch_keys(url):
    return _get_json(url, headers={"Accept": "application/json"})


def finish(request):
    """Check the answer of the broker; bind the identity. Returns (appointment, link token).

    Raises OtherBrowser, after which the caller must change nothing, or
    IdentificationFailed, after which the pending login is spent.
    """
    state = request.form.get("state")
    code = request.form.get("code")
    pending = _pending()
    record = pending.get(state) if isinstance(state, str) else None
    if record is None or record["created"] < datetime.now(UTC) - PENDING_TTL:
        logger.warning("DigiD answer refused: unknown, used or expired state")
        raise IdentificationFailed(
            _(
                "This DigiD login does not work any more. Please start again on the page of your appointment."
            )
        )
    binding = request.cookies.get(COOKIE)
    if not (
        isinstance(binding, str)
        and isinstance(record.get("binding"), str)
        and hmac.compare_digest(_hash(binding).encode(), record["binding"].encode())
    ):
        # Not spent: the browser that started the login may still finish it.
        logger.warning("DigiD answer refused: not the browser that started the login")
        raise OtherBrowser(
            _(
                "This DigiD login was started in another browser. Please start "
                "again on the page of your appointment, and finish the login in "
                "the same browser."
            )
        )
    del pending[state]  # used once, whatever comes next
    request.response.expireCookie(COOKIE, path=_cookie_path())
    if not isinstance(code, str) or not code:
        raise IdentificationFailed(_("The DigiD login was stopped. Please try again."))
    meta = metadata()
    client_id = setting("oidc_client_id") or ""
    answer = _get_json(
        meta["token_endpoint"],
        data=urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": callback_url(),
                "client_id": client_id,
                "client_secret": credentials.get_secret("oidc_client_secret"),
                "code_verifier": record["verifier"],
            }
        ).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    try:
        claims = oidc.decode(
            answer["id_token"],
            meta,
            _fetch_keys,
            audience=client_id,
            issuer=meta["issuer"],
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, KeyError, TypeError) as error:
        logger.warning("DigiD answer refused: the ID token is not valid: %s", error)
        raise IdentificationFailed(
            _("We could not check the answer from DigiD. Please try again.")
        ) from None
    if not (
        isinstance(claims.get("nonce"), str)
        and hmac.compare_digest(claims["nonce"].encode(), record["nonce"].encode())
    ):
        logger.warning("DigiD answer refused: nonce does not match")
        raise IdentificationFailed(
            _("We could not check the answer from DigiD. Please try again.")
        )
    level = required_level()
    got = claims.get(setting("loa_claim") or "acr")
    rank = level_rank(got)
    if rank is None or rank < DIGID_LEVELS.index(level):
        logger.warning(
            "DigiD answer refused: level of assurance %r, %r needed",
            str(got)[:100],
            level,
        )
        raise IdentificationFailed(
            _(
                "This service needs a safer DigiD login (level ${level} or "
                "higher). Please start again on the page of your appointment "
                "and log in with the DigiD app, or with DigiD and an SMS check.",
                mapping={"level": LEVEL_NAMES[DIGID_LEVELS.index(level)].capitalize()},
            )
        )
    bsn = str(claims.get(setting("bsn_claim") or "bsn") or "")
    if not valid_bsn(bsn):
        logger.warning("DigiD answer refused: no valid BSN in the claims")
        raise IdentificationFailed(
            _("DigiD did not give a valid citizen service number.")
        )
    identity = {
        "bsn": bsn,
        "name": str(claims.get(setting("name_claim") or "name") or ""),
        "loa": str(claims.get(setting("loa_claim") or "acr") or ""),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    folder = store.appointments_folder()
    appointment = folder._getOb(record["appointment"], None)
    if appointment is None:
        raise IdentificationFailed(_("This appointment no longer exists."))
    appointment.identity = encrypt(identity)
    dossier = dossiers.of(appointment)
    if dossier is not None:
        dossier.identity = appointment.identity
        audit.log(
            dossier, "identified with DigiD", f"level {identity['loa']}", who="citizen"
        )
    notices.changed(appointment, "identification")
    notify(AppointmentChanged(appointment, "identification"))
    link = decrypt(record["link"]) or {}
    return appointment, link.get("token", "")


def valid_bsn(bsn):
    """9 digits passing the eleven test (11-proef)."""
    if not (bsn.isdigit() and len(bsn) == 9):
        return False
    total = sum(int(d) * w for d, w in zip(bsn[:8], range(9, 1, -1), strict=True))
    return (total - int(bsn[8])) % 11 == 0


def identity_of(appointment):
    value = getattr(appointment, "identity", None)
    return decrypt(value) if value else None


def masked(bsn):
    return "*****" + bsn[-4:] if bsn else ""


def required(appointment, product):
    return bool(getattr(product, "requires_identification", False)) or bool(
        getattr(appointment, "identification_requested", False)
    )


def request_identification(appointment):
    """Counter staff ask the citizen to log in with DigiD on their appointment page."""
    if identity_of(appointment) is not None:
        raise WrongState(_("The citizen has already logged in with DigiD."))
    if api.content.get_state(appointment) not in ("booked", "in_progress"):
        raise WrongState(
            _(
                "This appointment is over. You can no longer ask the citizen to log in "
                "with DigiD."
            )
        )
    if not getattr(appointment, "identification_requested", False):
        appointment.identification_requested = True
        notices.changed(appointment, "identification")


def reveal_bsn(appointment):
    """The whole BSN of the citizen, for the employee who asks; written to the audit trail."""
    identity = identity_of(appointment)
    if identity is None:
        raise WrongState(_("The citizen has not logged in with DigiD."))
    dossier = dossiers.of(appointment)
    if dossier is not None:
        audit.log(dossier, "BSN revealed", f"appointment {appointment.getId()}")
    return identity["bsn"]
