"""A citizen's login at an OIDC broker, bound to an appointment (DigiD, eHerkenning).

Citizens and entrepreneurs do not become Plone members. The authorization
code flow runs with state, nonce and PKCE (S256); the pending login is kept
server-side for ten minutes and used once. It is bound to the browser that
started it: that browser gets a random secret in an HttpOnly, SameSite=Lax
cookie (one per broker), the pending login keeps its hash, and the broker's
answer completes the login only with that cookie (OIDC Core 3.1.2.1, RFC 9700
4.7). Without it nothing changes, so a leaked or planted answer URL is useless
in another browser.

The broker's addresses are https (http only on this machine). The ID token
is checked against the broker's keys (JWKS; a token that names no key after a
rotation fetches them once more), with an algorithm from the broker's
metadata, issuer, audience, expiry and nonce. What the claims mean (BSN, KVK
number, level of assurance) is for ``digid.py`` and ``eherkenning.py``; the
identity they make is stored encrypted on the appointment and its dossier.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import credentials
from collective.digitalebalie import logger
from collective.digitalebalie.booking import store
from collective.digitalebalie.booking.events import AppointmentChanged
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.errors import UserError
from collective.digitalebalie.integrations import oidc
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from collective.digitalebalie.video import notices
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from dataclasses import dataclass
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


PENDING_KEY = (
    "collective.digitalebalie.digid-pending"  # the name from before eHerkenning
)
PENDING_TTL = timedelta(minutes=10)
METADATA_TTL = 3600
_metadata_cache = {}  # issuer -> (fetched at, metadata)


class IdentificationFailed(UserError):
    type = "IdentificationFailed"
    status = 400


class OtherBrowser(IdentificationFailed):
    """The answer came to a browser that did not start this login: nothing changes."""

    type = "OtherBrowser"


@dataclass(frozen=True)
class Broker:
    """One kind of login: its settings, its cookie, its callback and its words.

    ``messages`` maps not_set_up, unreachable, expired, other_browser, stopped
    and unchecked to the message the citizen reads (each names the scheme).
    """

    scheme: str  # "digid", "eherkenning": also the identity's "scheme"
    title: str  # for the log
    issuer_setting: str
    client_id_setting: str
    scope_setting: str
    secret: str  # the name of the client secret (secrets page)
    cookie: str
    callback: str  # the view the broker sends the browser back to
    messages: dict

    @property
    def client_id(self):
        return setting(self.client_id_setting) or ""

    def callback_url(self):
        return f"{api.portal.get().absolute_url()}/@@{self.callback}"

    def not_set_up(self, reason):
        logger.error("%s is not set up correctly: %s", self.title, reason)
        return IdentificationFailed(self.messages["not_set_up"])


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


def get_json(broker, url, data=None, headers=None):
    if not oidc.address_ok(url):
        raise broker.not_set_up(f"not https: {str(url)[:200]}")
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - http(s) checked
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        logger.error("%s broker: %s: %s", broker.title, url, error)
        raise IdentificationFailed(broker.messages["unreachable"]) from None


def metadata(broker):
    """The broker's OpenID configuration, cached for an hour."""
    issuer = (setting(broker.issuer_setting) or "").rstrip("/")
    if not issuer:
        raise broker.not_set_up("no issuer")
    if not oidc.address_ok(issuer):
        raise broker.not_set_up("the issuer is not https")
    cached = _metadata_cache.get(issuer)
    if cached and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    data = get_json(broker, f"{issuer}/.well-known/openid-configuration")
    if not isinstance(data, dict) or str(data.get("issuer", "")).rstrip("/") != issuer:
        raise broker.not_set_up("the metadata names another issuer")
    bad = oidc.bad_address(data)
    if bad or not all(
        isinstance(data.get(name), str)
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    ):
        raise broker.not_set_up(
            f"{bad or 'an endpoint'} in the metadata is missing or not https"
        )
    _metadata_cache[issuer] = (time.monotonic(), data)
    return data


def _hash(binding):
    return hashlib.sha256(binding.encode()).hexdigest()


def _cookie_path():
    return "/" + api.portal.get().absolute_url_path().strip("/")


def _pending():
    return annotation(api.portal.get(), PENDING_KEY, OOBTree)


def start(broker, appointment, token, request, **params):
    """The address of the broker's login page for this appointment.

    Gives the browser the cookie that binds the login to it; ``params``
    (acr_values, claims) go into the authorization request as they are.
    """
    meta = metadata(broker)
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
        "scheme": broker.scheme,
        "appointment": appointment.getId(),
        "link": encrypt({"token": token}),
        "nonce": nonce,
        "verifier": verifier,
        "binding": _hash(binding),
        "created": now,
    }
    request.response.setCookie(
        broker.cookie,
        binding,
        path=_cookie_path(),
        http_only=True,
        # Lax: the broker sends the browser back with a top-level GET.
        same_site="Lax",
        secure=api.portal.get().absolute_url().startswith("https://"),
        max_age=int(PENDING_TTL.total_seconds()),
    )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": broker.client_id,
            "redirect_uri": broker.callback_url(),
            "scope": setting(broker.scope_setting) or "openid",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            **params,
        }
    )
    return f"{meta['authorization_endpoint']}?{query}"


def finish(broker, request):
    """Check the broker's answer; returns (pending login, verified claims).

    Raises OtherBrowser, after which the caller must change nothing, or
    IdentificationFailed, after which the pending login is spent.
    """
    state = request.form.get("state")
    code = request.form.get("code")
    pending = _pending()
    record = pending.get(state) if isinstance(state, str) else None
    if (
        record is None
        or record.get("scheme", "digid") != broker.scheme
        or record["created"] < datetime.now(UTC) - PENDING_TTL
    ):
        logger.warning(
            "%s answer refused: unknown, used or expired state", broker.title
        )
        raise IdentificationFailed(broker.messages["expired"])
    binding = request.cookies.get(broker.cookie)
    if not (
        isinstance(binding, str)
        and isinstance(record.get("binding"), str)
        and hmac.compare_digest(_hash(binding).encode(), record["binding"].encode())
    ):
        # Not spent: the browser that started the login may still finish it.
        logger.warning(
            "%s answer refused: not the browser that started the login", broker.title
        )
        raise OtherBrowser(broker.messages["other_browser"])
    del pending[state]  # used once, whatever comes next
    request.response.expireCookie(broker.cookie, path=_cookie_path())
    if not isinstance(code, str) or not code:
        raise IdentificationFailed(broker.messages["stopped"])
    meta = metadata(broker)
    answer = get_json(
        broker,
        meta["token_endpoint"],
        data=urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": broker.callback_url(),
                "client_id": broker.client_id,
                "client_secret": credentials.get_secret(broker.secret),
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
            lambda url: get_json(broker, url, headers={"Accept": "application/json"}),
            audience=broker.client_id,
            issuer=meta["issuer"],
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, KeyError, TypeError) as error:
        logger.warning(
            "%s answer refused: the ID token is not valid: %s", broker.title, error
        )
        raise IdentificationFailed(broker.messages["unchecked"]) from None
    if not (
        isinstance(claims.get("nonce"), str)
        and hmac.compare_digest(claims["nonce"].encode(), record["nonce"].encode())
    ):
        logger.warning("%s answer refused: nonce does not match", broker.title)
        raise IdentificationFailed(broker.messages["unchecked"])
    return record, claims


def bind(record, identity, what, detail, gone):
    """Store the verified identity on the appointment and its dossier (encrypted).

    Returns (appointment, link token); ``what`` and ``detail`` go to the
    dossier's audit trail, ``gone`` is the message when the appointment is gone.
    """
    folder = store.appointments_folder()
    appointment = folder._getOb(record["appointment"], None)
    if appointment is None:
        raise IdentificationFailed(gone)
    appointment.identity = encrypt(identity)
    dossier = dossiers.of(appointment)
    if dossier is not None:
        dossier.identity = appointment.identity
        audit.log(dossier, what, detail, who="citizen")
    notices.changed(appointment, "identification")
    notify(AppointmentChanged(appointment, "identification"))
    link = decrypt(record["link"]) or {}
    return appointment, link.get("token", "")
