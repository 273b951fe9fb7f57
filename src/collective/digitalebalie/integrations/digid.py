"""Identification with DigiD through an OIDC broker, bound to an appointment.

The login itself (state, nonce, PKCE, bound to the browser that started it,
the ID token checked against the broker's keys) is ``broker.py``'s, shared
with eHerkenning. Here: DigiD's settings and words, the level of assurance
the settings ask for, and the BSN (eleven test). The verified identity (BSN,
name, level of assurance) is stored encrypted on the appointment and its
dossier; employees see the BSN masked and reveal it explicitly (audited).
"""

from collective.digitalebalie import _
from collective.digitalebalie import logger
from collective.digitalebalie.errors import WrongState
from collective.digitalebalie.integrations import broker as flow
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.integrations.broker import IdentificationFailed
from collective.digitalebalie.integrations.broker import OtherBrowser
from collective.digitalebalie.integrations.broker import decrypt
from collective.digitalebalie.integrations.broker import encrypt
from collective.digitalebalie.integrations.levels import DIGID_LEVELS
from collective.digitalebalie.settings import setting
from datetime import UTC
from datetime import datetime
import json


__all__ = ("IdentificationFailed", "OtherBrowser", "decrypt", "encrypt")

PENDING_KEY = flow.PENDING_KEY
PENDING_TTL = flow.PENDING_TTL
COOKIE = "__digitalebalie_digid"  # the browser's half of a pending login
DEFAULT_LEVEL = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"
# DigiD's own names of its levels, which some brokers answer with.
LEVEL_NAMES = ("basis", "midden", "substantieel", "hoog")
_metadata_cache = flow._metadata_cache

BROKER = flow.Broker(
    scheme="digid",
    title="DigiD",
    issuer_setting="oidc_issuer",
    client_id_setting="oidc_client_id",
    scope_setting="oidc_scope",
    secret="oidc_client_secret",  # noqa: S106 - the secret's name
    cookie=COOKIE,
    callback="digid-callback",
    messages={
        "not_set_up": _("DigiD is not set up correctly."),
        "unreachable": _(
            "DigiD cannot be reached at the moment. Please try again later."
        ),
        "expired": _(
            "This DigiD login does not work any more. Please start again on the page of your appointment."
        ),
        "other_browser": _(
            "This DigiD login was started in another browser. Please start "
            "again on the page of your appointment, and finish the login in "
            "the same browser."
        ),
        "stopped": _("The DigiD login was stopped. Please try again."),
        "unchecked": _("We could not check the answer from DigiD. Please try again."),
    },
)

# The old private name, still read by tests.
_setting = setting


def metadata():
    """The broker's OpenID configuration, cached for an hour."""
    return flow.metadata(BROKER)


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


def callback_url():
    return BROKER.callback_url()


def start(appointment, token, request):
    """The address of the broker's login page for this appointment.

    Gives the browser the cookie that binds the login to it.
    """
    level = required_level()
    loa_claim = setting("loa_claim") or "acr"
    accepted = list(DIGID_LEVELS[DIGID_LEVELS.index(level) :])
    return flow.start(
        BROKER,
        appointment,
        token,
        request,
        # The level the product needs (OIDC Core 3.1.2.1 and 5.5.1.1).
        acr_values=level,
        claims=json.dumps(
            {"id_token": {loa_claim: {"essential": True, "values": accepted}}}
        ),
    )


def finish(request):
    """Check the answer of the broker; bind the identity. Returns (appointment, link token).

    Raises OtherBrowser, after which the caller must change nothing, or
    IdentificationFailed, after which the pending login is spent.
    """
    record, claims = flow.finish(BROKER, request)
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
        "scheme": "digid",
        "bsn": bsn,
        "name": str(claims.get(setting("name_claim") or "name") or ""),
        "loa": str(got or ""),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return flow.bind(
        record,
        identity,
        "identified with DigiD",
        f"level {identity['loa']}",
        _("This appointment no longer exists."),
    )


def valid_bsn(bsn):
    """9 digits passing the eleven test (11-proef)."""
    if not (bsn.isdigit() and len(bsn) == 9):
        return False
    total = sum(int(d) * w for d, w in zip(bsn[:8], range(9, 1, -1), strict=True))
    return (total - int(bsn[8])) % 11 == 0


# Where these lived before eHerkenning (identification.py has them now).
identity_of = identification.identity_of
masked = identification.masked
required = identification.required
request_identification = identification.request_identification


def reveal_bsn(appointment):
    """The whole BSN of the citizen, for the employee who asks; written to the audit trail."""
    identity = identity_of(appointment)
    if identity is None or identity["scheme"] != "digid":
        raise WrongState(_("The citizen has not logged in with DigiD."))
    return identification.reveal(appointment)["bsn"]
