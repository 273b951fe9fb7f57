"""Identification with DigiD through an OIDC broker, bound to an appointment.

Citizens do not become Plone members. The authorization code flow runs
with state, nonce and PKCE (S256); the pending login is kept server-side for
ten minutes and used once. The ID token is checked against the broker's keys
(JWKS), issuer, audience, expiry and nonce. The verified identity (BSN, name,
level of assurance) is stored encrypted on the appointment and its dossier;
employees see the BSN masked and reveal it explicitly (audited).
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import logger
from collective.digitalebalie import secrets
from collective.digitalebalie.appointments import BookingError
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.storage import annotation
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api
import base64
import hashlib
import json
import jwt
import secrets as random
import time
import urllib.error
import urllib.parse
import urllib.request


PENDING_KEY = "collective.digitalebalie.digid-pending"
PENDING_TTL = timedelta(minutes=10)
METADATA_TTL = 3600
_metadata_cache = {}  # issuer -> (fetched at, metadata)
_jwks_clients = {}


class IdentificationFailed(BookingError):
    type = "IdentificationFailed"
    status = 400


def _setting(name, default=None):
    return api.portal.get_registry_record(
        name, interface=IDigitaleBalieSettings, default=default
    )


def _fernet():
    key = hashlib.sha256(secrets.get_secret("identity_key").encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(data):
    return _fernet().encrypt(json.dumps(data).encode()).decode("ascii")


def decrypt(token):
    try:
        return json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError):
        return None


def _get_json(url, data=None, headers=None):
    if not url.startswith(("https://", "http://")):
        raise IdentificationFailed(_("DigiD is not set up correctly."))
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
    issuer = (_setting("oidc_issuer") or "").rstrip("/")
    if not issuer:
        raise IdentificationFailed(_("DigiD is not set up correctly."))
    cached = _metadata_cache.get(issuer)
    if cached and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    data = _get_json(f"{issuer}/.well-known/openid-configuration")
    if data.get("issuer", "").rstrip("/") != issuer:
        raise IdentificationFailed(_("DigiD is not set up correctly."))
    _metadata_cache[issuer] = (time.monotonic(), data)
    return data


def callback_url():
    return f"{api.portal.get().absolute_url()}/@@digid-callback"


def _pending():
    return annotation(api.portal.get(), PENDING_KEY, OOBTree)


def start(appointment, token):
    """The address of the broker's login page for this appointment."""
    meta = metadata()
    state = random.token_urlsafe(24)
    nonce = random.token_urlsafe(24)
    verifier = random.token_urlsafe(48)
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
        "created": now,
    }
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": _setting("oidc_client_id") or "",
            "redirect_uri": callback_url(),
            "scope": _setting("oidc_scope") or "openid",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
    )
    return f"{meta['authorization_endpoint']}?{query}"


def finish(state, code):
    """Check the answer of the broker; bind the identity. Returns (appointment, link token)."""
    from collective.digitalebalie import appointments as appointments_module
    from collective.digitalebalie.dossiers import audit
    from collective.digitalebalie.dossiers import dossiers

    record = _pending().pop(state, None) if isinstance(state, str) else None
    if record is None or record["created"] < datetime.now(UTC) - PENDING_TTL:
        logger.warning("DigiD answer refused: unknown, used or expired state")
        raise IdentificationFailed(
            _(
                "This DigiD login does not work any more. Please start again on the page of your appointment."
            )
        )
    if not code:
        raise IdentificationFailed(_("The DigiD login was stopped. Please try again."))
    meta = metadata()
    client_id = _setting("oidc_client_id") or ""
    answer = _get_json(
        meta["token_endpoint"],
        data=urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": callback_url(),
                "client_id": client_id,
                "client_secret": secrets.get_secret("oidc_client_secret"),
                "code_verifier": record["verifier"],
            }
        ).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    try:
        jwks = _jwks_clients.setdefault(
            meta["jwks_uri"], jwt.PyJWKClient(meta["jwks_uri"])
        )
        if jwt.get_unverified_header(answer.get("id_token", "")).get("kid"):
            key = jwks.get_signing_key_from_jwt(answer["id_token"])
        else:
            # A broker with one key may leave out its id.
            keys = jwks.get_signing_keys()
            if len(keys) != 1:
                raise jwt.PyJWTError("the ID token names no key")
            key = keys[0]
        claims = jwt.decode(
            answer["id_token"],
            key.key,
            algorithms=["RS256", "ES256", "PS256"],
            audience=client_id,
            issuer=meta["issuer"],
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, KeyError) as error:
        logger.warning("DigiD answer refused: the ID token is not valid: %s", error)
        raise IdentificationFailed(
            _("We could not check the answer from DigiD. Please try again.")
        ) from None
    if claims.get("nonce") != record["nonce"]:
        logger.warning("DigiD answer refused: nonce does not match")
        raise IdentificationFailed(
            _("We could not check the answer from DigiD. Please try again.")
        )
    bsn = str(claims.get(_setting("bsn_claim") or "bsn") or "")
    if not valid_bsn(bsn):
        logger.warning("DigiD answer refused: no valid BSN in the claims")
        raise IdentificationFailed(
            _("DigiD did not give a valid citizen service number.")
        )
    identity = {
        "bsn": bsn,
        "name": str(claims.get(_setting("name_claim") or "name") or ""),
        "loa": str(claims.get(_setting("loa_claim") or "acr") or ""),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    folder = appointments_module.appointments_folder()
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
