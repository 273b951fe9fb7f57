"""How a citizen or an entrepreneur identifies for an appointment, and what staff see of it.

A product's *Identification* is none, DigiD, eHerkenning or either (the
citizen chooses on the appointment page). Products from before that setting
have only *requires_identification*: true there means DigiD.

An identity, stored encrypted on the appointment and its dossier, is one of
(``when`` ISO 8601 with offset):

- ``{"scheme": "digid", "bsn", "name", "loa", "when"}`` (identities from
  before eHerkenning have no ``scheme``: they are DigiD's);
- ``{"scheme": "eherkenning", "legal_subject": {"kind": "kvk" | "rsin",
  "number"}, "branch": "<12 digits>" or "", "acting", "loa", "name", "when"}``.
"""

from collective.digitalebalie import _
from collective.digitalebalie.content.counter_product import identification_method
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.errors import WrongState
from collective.digitalebalie.integrations.broker import decrypt
from collective.digitalebalie.video import notices
from plone import api
from zope.i18n import translate
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


SCHEMES = ("digid", "eherkenning")
_SCHEMES_OF = {
    "none": (),
    "digid": ("digid",),
    "eherkenning": ("eherkenning",),
    "either": SCHEMES,
}

METHOD_TITLES = {
    "none": _("No identification"),
    "digid": _("DigiD (citizens)"),
    "eherkenning": _("eHerkenning (entrepreneurs)"),
    "either": _("DigiD or eHerkenning: the citizen chooses"),
}
METHODS_VOCABULARY = SimpleVocabulary(
    [SimpleTerm(value=name, title=title) for name, title in METHOD_TITLES.items()]
)


@provider(IVocabularyFactory)
def methods_vocabulary(context=None):
    return METHODS_VOCABULARY


# none, digid, eherkenning or either (products from before: requires_identification).
method_of = identification_method


def schemes(appointment, product):
    """The ways this citizen may identify for this appointment; () when not needed."""
    method = method_of(product)
    if method == "none" and getattr(appointment, "identification_requested", False):
        method = "digid"  # staff asked during the call
    return _SCHEMES_OF[method]


def required(appointment, product):
    return bool(schemes(appointment, product))


def identity_of(appointment):
    value = getattr(appointment, "identity", None)
    identity = decrypt(value) if value else None
    if isinstance(identity, dict):
        identity.setdefault("scheme", "digid")
    return identity


def masked(number):
    return "*****" + number[-4:] if number else ""


def company(identity, hide=True):
    """ "KVK 12345678 (branch 000012345678)" / "RSIN …" of an eHerkenning identity."""
    shown = masked if hide else str
    subject = identity.get("legal_subject") or {}
    number = shown(subject.get("number", ""))
    branch = identity.get("branch") or ""
    if subject.get("kind") == "rsin":
        if branch:
            return _(
                "RSIN ${number} (branch ${branch})",
                mapping={"number": number, "branch": shown(branch)},
            )
        return _("RSIN ${number}", mapping={"number": number})
    if branch:
        return _(
            "KVK ${number} (branch ${branch})",
            mapping={"number": number, "branch": shown(branch)},
        )
    return _("KVK ${number}", mapping={"number": number})


def request_identification(appointment):
    """Counter staff ask the citizen to log in with DigiD on their appointment page."""
    identity = identity_of(appointment)
    if identity is not None and identity["scheme"] == "eherkenning":
        raise WrongState(_("The entrepreneur has already logged in with eHerkenning."))
    if identity is not None:
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


def reveal(appointment):
    """The whole identity, for the employee who asks; written to the audit trail."""
    identity = identity_of(appointment)
    if identity is None:
        raise WrongState(_("The citizen has not identified yet."))
    if identity["scheme"] == "eherkenning":
        kind = (identity.get("legal_subject") or {}).get("kind")
        what = "RSIN revealed" if kind == "rsin" else "KVK number revealed"
    else:
        what = "BSN revealed"
    dossier = dossiers.of(appointment)
    if dossier is not None:
        audit.log(dossier, what, f"appointment {appointment.getId()}")
    return identity


def revealed_json(identity, request):
    """What @reveal-bsn answers: {"bsn"} for DigiD, {"company", ...} for eHerkenning."""
    if identity["scheme"] == "eherkenning":
        return {
            "company": translate(company(identity, hide=False), context=request),
            "legal_subject": identity["legal_subject"],
            "branch": identity.get("branch", ""),
        }
    return {"bsn": identity["bsn"]}


def betrokkene(identity):
    """betrokkeneType, betrokkeneIdentificatie and roltoelichting of a verified identity.

    DigiD gives a BSN (natuurlijk_persoon); eHerkenning a KVK number, with a
    branch when the company chose one (vestiging), or an RSIN
    (niet_natuurlijk_persoon), as Zaken API 1.5 defines them.
    """
    if identity.get("scheme") == "eherkenning":
        subject = identity.get("legal_subject") or {}
        number = str(subject.get("number") or "")
        if subject.get("kind") == "kvk" and number:
            numbers = {"kvkNummer": number}
            if identity.get("branch"):
                numbers["vestigingsNummer"] = str(identity["branch"])
            return "vestiging", numbers, "Ondernemer, ingelogd met eHerkenning"
        if subject.get("kind") == "rsin" and number:
            return (
                "niet_natuurlijk_persoon",
                {"innNnpId": number},
                "Ondernemer, ingelogd met eHerkenning",
            )
        return None
    if identity.get("bsn"):
        return (
            "natuurlijk_persoon",
            {"inpBsn": str(identity["bsn"])},
            "Inwoner, ingelogd met DigiD",
        )
    return None
