"""Identification of entrepreneurs with eHerkenning through an OIDC broker.

The login is ``broker.py``'s, the same as DigiD's (state, nonce, PKCE, bound
to the browser that started it), with eHerkenning's own settings, client
secret, cookie and callback. The claims follow the eHerkenning attribute set
of the Afsprakenstelsel eToegang (1.9 and later) as the Dutch OIDC brokers
pass it on; each claim name is a setting:

- ``urn:etoegang:core:LegalSubjectID``: the company, a KVK number (8 digits)
  or an RSIN (9 digits, eleven test). Which one says its NameQualifier,
  ``urn:etoegang:1.9:EntityConcernedID:KvKnr`` or
  ``urn:etoegang:1.9:EntityConcernedID:RSIN``. A broker sends it either as an
  object ``{"value": "12345678", "namequalifier": "urn:…:KvKnr"}`` (the SAML
  NameID with its attribute; key case does not matter) or as a plain string
  with the qualifier in the claim ``namequalifier`` next to it. Without a
  qualifier, 8 digits are a KVK number and 9 an RSIN; any other qualifier
  (a BSN, a pseudonym) is refused.
- ``urn:etoegang:core:ActingSubjectID``: the person acting for the company,
  a pseudonym (never a BSN).
- ``urn:etoegang:1.9:ServiceRestriction:Vestigingsnr``: the branch, when the
  authorization is limited to one (12 digits); optional.
- the level of assurance (default claim ``acr``):
  ``urn:etoegang:core:assurance-class:loa2`` < ``loa2plus`` < ``loa3`` <
  ``loa4``; the product says which it needs (default loa3).

A bad answer is refused with a clear page and nothing is stored.
"""

from collective.digitalebalie import _
from collective.digitalebalie import logger
from collective.digitalebalie.booking import store
from collective.digitalebalie.integrations import broker as flow
from collective.digitalebalie.integrations.digid import valid_bsn
from collective.digitalebalie.integrations.levels import EHERKENNING_DEFAULT_LEVEL
from collective.digitalebalie.integrations.levels import EHERKENNING_LEVELS
from collective.digitalebalie.settings import setting
from datetime import UTC
from datetime import datetime
import json


COOKIE = "__digitalebalie_eherkenning"
KVK = "urn:etoegang:1.9:EntityConcernedID:KvKnr"
RSIN = "urn:etoegang:1.9:EntityConcernedID:RSIN"
QUALIFIER_CLAIM = "namequalifier"  # next to a plain-string LegalSubjectID
# Short names of the levels, which some brokers answer with, and the names
# entrepreneurs know (EH3).
LEVEL_NAMES = ("loa2", "loa2plus", "loa3", "loa4")
LEVEL_TITLES = ("EH2", "EH2+", "EH3", "EH4")

DEFAULT_CLAIMS = {
    "eherkenning_legal_subject_claim": "urn:etoegang:core:LegalSubjectID",
    "eherkenning_acting_subject_claim": "urn:etoegang:core:ActingSubjectID",
    "eherkenning_branch_claim": "urn:etoegang:1.9:ServiceRestriction:Vestigingsnr",
    "eherkenning_name_claim": "urn:etoegang:1.11:attribute-represented:CompanyName",
    "eherkenning_loa_claim": "acr",
}

BROKER = flow.Broker(
    scheme="eherkenning",
    title="eHerkenning",
    issuer_setting="eherkenning_issuer",
    client_id_setting="eherkenning_client_id",
    scope_setting="eherkenning_scope",
    secret="eherkenning_client_secret",  # noqa: S106 - the secret's name
    cookie=COOKIE,
    callback="eherkenning-callback",
    messages={
        "not_set_up": _("eHerkenning is not set up correctly."),
        "unreachable": _(
            "eHerkenning cannot be reached at the moment. Please try again later."
        ),
        "expired": _(
            "This eHerkenning login does not work any more. Please start again "
            "on the page of your appointment."
        ),
        "other_browser": _(
            "This eHerkenning login was started in another browser. Please "
            "start again on the page of your appointment, and finish the login "
            "in the same browser."
        ),
        "stopped": _("The eHerkenning login was stopped. Please try again."),
        "unchecked": _(
            "We could not check the answer from eHerkenning. Please try again."
        ),
    },
)


def claim(name):
    return setting(name) or DEFAULT_CLAIMS[name]


def required_level(product):
    level = getattr(product, "eherkenning_loa", None) or EHERKENNING_DEFAULT_LEVEL
    return level if level in EHERKENNING_LEVELS else EHERKENNING_DEFAULT_LEVEL


def level_rank(value):
    """0 (EH2) to 3 (EH4); None for a level eHerkenning does not have."""
    if not isinstance(value, str):
        return None
    if value in EHERKENNING_LEVELS:
        return EHERKENNING_LEVELS.index(value)
    if value.strip().lower() in LEVEL_NAMES:
        return LEVEL_NAMES.index(value.strip().lower())
    return None


def start(appointment, token, request):
    """The address of the broker's login page for this appointment."""
    level = required_level(store.product_of(appointment))
    accepted = list(EHERKENNING_LEVELS[EHERKENNING_LEVELS.index(level) :])
    return flow.start(
        BROKER,
        appointment,
        token,
        request,
        acr_values=level,
        claims=json.dumps(
            {
                "id_token": {
                    claim("eherkenning_loa_claim"): {
                        "essential": True,
                        "values": accepted,
                    },
                    claim("eherkenning_legal_subject_claim"): {"essential": True},
                    claim("eherkenning_acting_subject_claim"): {"essential": True},
                    claim("eherkenning_branch_claim"): None,
                    claim("eherkenning_name_claim"): None,
                }
            }
        ),
    )


def _value(value):
    """(text, name qualifier or None) of a claim in the plain or the object form."""
    if isinstance(value, list) and len(value) == 1:  # a SAML attribute's one value
        value = value[0]
    if isinstance(value, str):
        return value.strip(), None
    if isinstance(value, dict):
        lowered = {str(key).lower(): item for key, item in value.items()}
        text = lowered.get("value")
        qualifier = lowered.get("namequalifier")
        if isinstance(text, str):
            return text.strip(), qualifier if isinstance(qualifier, str) else None
    return "", None


def valid_kvk(number):
    """A KVK number: 8 digits (the KVK gives them no check digit)."""
    return (
        isinstance(number, str)
        and number.isascii()
        and number.isdigit()
        and len(number) == 8
    )


def valid_rsin(number):
    """An RSIN: 9 digits passing the same eleven test as a BSN."""
    return isinstance(number, str) and number.isascii() and valid_bsn(number)


def valid_branch(number):
    """A branch number (vestigingsnummer): 12 digits."""
    return (
        isinstance(number, str)
        and number.isascii()
        and number.isdigit()
        and len(number) == 12
    )


def refused(reason, message):
    logger.warning("eHerkenning answer refused: %s", reason)
    return flow.IdentificationFailed(message)


def legal_subject(claims):
    """{"kind": "kvk" | "rsin", "number"} of the company in the claims; raises when not valid."""
    number, qualifier = _value(claims.get(claim("eherkenning_legal_subject_claim")))
    if qualifier is None and isinstance(claims.get(QUALIFIER_CLAIM), str):
        qualifier = claims[QUALIFIER_CLAIM]
    if qualifier is None:
        kind = {8: "kvk", 9: "rsin"}.get(len(number))
    else:
        kind = {KVK: "kvk", RSIN: "rsin"}.get(qualifier.strip())
    if kind is None or not number:
        raise refused(
            f"no KVK number or RSIN (qualifier {str(qualifier)[:80]!r})",
            _("eHerkenning did not give a KVK number or RSIN of your company."),
        )
    if kind == "kvk" and not valid_kvk(number):
        raise refused(
            "not a valid KVK number",
            _("eHerkenning did not give a valid KVK number (8 digits)."),
        )
    if kind == "rsin" and not valid_rsin(number):
        raise refused("not a valid RSIN", _("eHerkenning did not give a valid RSIN."))
    return {"kind": kind, "number": number}


def finish(request):
    """Check the answer of the broker; bind the identity. Returns (appointment, link token)."""
    record, claims = flow.finish(BROKER, request)
    appointment = store.appointments_folder()._getOb(record["appointment"], None)
    product = store.product_of(appointment) if appointment is not None else None
    level = required_level(product)
    got = claims.get(claim("eherkenning_loa_claim"))
    rank = level_rank(got)
    if rank is None or rank < EHERKENNING_LEVELS.index(level):
        title = LEVEL_TITLES[EHERKENNING_LEVELS.index(level)]
        raise refused(
            f"level of assurance {str(got)[:100]!r}, {level!r} needed",
            _(
                "This service needs a safer eHerkenning login (level ${level} or "
                "higher). Please start again on the page of your appointment and "
                "log in with an eHerkenning means of level ${level} or higher.",
                mapping={"level": title},
            ),
        )
    subject = legal_subject(claims)
    branch, _qualifier = _value(claims.get(claim("eherkenning_branch_claim")))
    if branch and not valid_branch(branch):
        raise refused(
            "not a valid branch number",
            _("eHerkenning did not give a valid branch number (12 digits)."),
        )
    acting, _qualifier = _value(claims.get(claim("eherkenning_acting_subject_claim")))
    name, _qualifier = _value(claims.get(claim("eherkenning_name_claim")))
    identity = {
        "scheme": "eherkenning",
        "legal_subject": subject,
        "branch": branch,
        "acting": acting,
        "loa": EHERKENNING_LEVELS[rank],
        "name": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return flow.bind(
        record,
        identity,
        "identified with eHerkenning",
        f"level {identity['loa']}",
        _("This appointment no longer exists."),
    )
