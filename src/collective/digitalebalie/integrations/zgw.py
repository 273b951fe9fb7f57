"""Archiving closed dossiers in the municipality's case system through the ZGW APIs.

Nothing lost, nothing twice: closing a dossier records the intent in the same
transaction; the delivery job (every minute) does the work step by step and
commits after each one. Zaak and documents carry an ``identificatie`` made
from our own ids, so a run that was stopped after the case system created
something, but before we recorded it, finds it again instead of making a
second one. Errors a retry can help (unreachable, 5xx, 429) are retried with
growing pauses; others (a wrong zaaktype, a refused JWT, a document too large)
stop and are shown on the dossier until an employee sends it again.

Followed: Zaken API 1.5.x, Documenten API 1.5.x and the Catalogi API they
refer to. A conforming Zaken API refuses an eindstatus while an
informatieobject of the zaak has no ``indicatieGebruiksrecht`` (rule zrc-008)
or the zaak has no resultaat, so both come first.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import logger
from collective.digitalebalie import teams
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import digid
from collective.digitalebalie.integrations import identification
from collective.digitalebalie.integrations.retries import CLAIM
from collective.digitalebalie.integrations.retries import pause_after
from collective.digitalebalie.integrations.zgw_client import Client
from collective.digitalebalie.integrations.zgw_client import ZgwError
from collective.digitalebalie.settings import setting
from collective.digitalebalie.storage import annotation
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from persistent.mapping import PersistentMapping
from plone import api
from ZODB.POSException import ConflictError
import base64
import transaction


QUEUE_KEY = "collective.digitalebalie.zgw-queue"  # dossier id -> next try


def enabled():
    return bool(setting("zgw_enabled", False))


def _queue():
    return annotation(api.portal.get(), QUEUE_KEY, OOBTree)


def state(dossier):
    return getattr(dossier, "zgw", None)


def request_archive(dossier, user_id=None):
    """Record that the dossier must go to the case system (this transaction)."""
    current = state(dossier)
    if current is None:
        current = dossier.zgw = PersistentMapping(
            zaak=None, zaak_identificatie="", documents=PersistentMapping()
        )
    sending = current.get("state") == "sending"
    current.update(
        state="sending" if sending else "waiting",
        attempts=0,
        error="",
        requested_by=user_id or api.user.get_current().getId() or "",
        requested=datetime.now(UTC),
        # A run that is sending now sees the new generation and leaves it queued.
        generation=current.get("generation", 0) + 1,
    )
    _queue()[dossier.getId()] = datetime.now(UTC)


def request_final_status(dossier):
    current = state(dossier)
    if current is None:
        return
    current["final_status"] = "waiting"
    if current.get("state") == "done":
        current["state"] = "waiting"
    _queue()[dossier.getId()] = datetime.now(UTC)


# --- delivery ---------------------------------------------------------------------


def _dossiers_folder():
    return dossiers.dossiers_folder()


def _product(dossier):
    with api.env.adopt_roles(["Manager"]):
        return api.content.get(UID=dossier.product_uid)


def _zaak(client, dossier, product):
    current = state(dossier)
    if current["zaak"]:
        return current["zaak"]
    identificatie = f"DB-{dossier.getId()}"
    zaken = f"{client.zaken}/zaken"
    url = client.find(
        zaken, crs=True, identificatie=identificatie, bronorganisatie=client.rsin
    )
    if url is None:
        opened = dossier.opened or datetime.now(UTC)
        zaak = client.call(
            "POST",
            zaken,
            {
                "identificatie": identificatie,
                "bronorganisatie": client.rsin,
                "verantwoordelijkeOrganisatie": client.rsin,
                "zaaktype": getattr(product, "case_type", "") or "",
                "omschrijving": (dossier.subject or "")[:80],
                "startdatum": opened.date().isoformat(),
                "registratiedatum": datetime.now(UTC).date().isoformat(),
                "vertrouwelijkheidaanduiding": "vertrouwelijk",
            },
            crs=True,
        )
        url = zaak["url"]
    current.update(zaak=url, zaak_identificatie=identificatie)
    return url


def _document(client, dossier, product, document, zaak):
    records = state(dossier)["documents"]
    record = records.get(document.getId())
    if record is None:
        record = records[document.getId()] = PersistentMapping(eio=None, zio=None)
    if not record["eio"]:
        identificatie = f"DB-{document.getId()}"
        eios = f"{client.documenten}/enkelvoudiginformatieobjecten"
        url = client.find(
            eios, identificatie=identificatie, bronorganisatie=client.rsin
        )
        if url is None:
            with document.file.open() as blob:
                content = blob.read()
            eio = client.call(
                "POST",
                eios,
                {
                    "identificatie": identificatie,
                    "bronorganisatie": client.rsin,
                    "creatiedatum": document.created().asdatetime().date().isoformat(),
                    "titel": document.Title()[:200],
                    "auteur": "inwoner"
                    if document.uploaded_by == "citizen"
                    else document.uploaded_by,
                    "taal": "nld",
                    "formaat": document.file.contentType,
                    "bestandsnaam": document.file.filename or document.Title(),
                    "bestandsomvang": len(content),
                    "inhoud": base64.b64encode(content).decode("ascii"),
                    "informatieobjecttype": getattr(product, "document_type", "") or "",
                    "vertrouwelijkheidaanduiding": "vertrouwelijk",
                    # Only gebruiksrechten can make it true (see _usage_rights).
                    "indicatieGebruiksrecht": False,
                },
            )
            url = eio["url"]
            # Made with the indication set; one found again is checked later.
            record["usage"] = not _usage_conditions(product)
        record["eio"] = url
        _keep_claim(dossier)
        transaction.commit()
    if not record["zio"]:
        zios = f"{client.zaken}/zaakinformatieobjecten"
        url = client.find(zios, zaak=zaak, informatieobject=record["eio"])
        if url is None:
            url = client.call(
                "POST", zios, {"zaak": zaak, "informatieobject": record["eio"]}
            )["url"]
        record["zio"] = url
        _keep_claim(dossier)
        transaction.commit()


def _usage_conditions(product):
    return (getattr(product, "usage_conditions", "") or "").strip()


def _usage_rights(client, dossier, product, record):
    """Make sure the document's ``indicatieGebruiksrecht`` is set (zrc-008).

    With the product's conditions of use: gebruiksrechten (the Documenten API
    then sets it to true); without: false, changed under the document's lock
    when the document was made without it.
    """
    if record.get("usage"):
        return
    eio = record["eio"]
    conditions = _usage_conditions(product)
    if conditions:
        rights = f"{client.documenten}/gebruiksrechten"
        if client.find(rights, informatieobject=eio) is None:
            client.call(
                "POST",
                rights,
                {
                    "informatieobject": eio,
                    "startdatum": datetime.now(UTC).isoformat(timespec="seconds"),
                    "omschrijvingVoorwaarden": conditions,
                },
            )
    else:
        unset = client.call("GET", eio).get("indicatieGebruiksrecht") is None
        lock = record.get("lock")
        if unset or lock:
            if not lock:
                lock = client.call("POST", f"{eio}/lock", {})["lock"]
                # Kept, so that a run stopped halfway still unlocks it.
                record["lock"] = lock
                _keep_claim(dossier)
                transaction.commit()
            if unset:
                client.call(
                    "PATCH", eio, {"indicatieGebruiksrecht": False, "lock": lock}
                )
            client.call("POST", f"{eio}/unlock", {"lock": lock})
            record.pop("lock", None)
    record["usage"] = True
    _keep_claim(dossier)
    transaction.commit()


def _result(client, dossier, product, zaak):
    """The zaak's resultaat, needed before its eindstatus; made once."""
    current = state(dossier)
    if current.get("resultaat"):
        return
    resultaattype = getattr(product, "result_type", "") or ""
    if not resultaattype:
        raise ZgwError("the product has no result type", retry=False)
    resultaten = f"{client.zaken}/resultaten"
    url = client.find(resultaten, zaak=zaak)  # a zaak has one resultaat
    if url is None:
        url = client.call(
            "POST",
            resultaten,
            {
                "zaak": zaak,
                "resultaattype": resultaattype,
                "toelichting": (
                    getattr(product, "result_explanation", "")
                    or "Afgehandeld via de digitale balie"
                )[:1000],
            },
        )["url"]
    current["resultaat"] = url
    _keep_claim(dossier)
    transaction.commit()


def _initiator(client, dossier, product, zaak):
    """The identified citizen or entrepreneur as the zaak's initiator; once."""
    current = state(dossier)
    if current.get("initiator"):
        return
    roltype = getattr(product, "initiator_role_type", "") or ""
    identity = digid.identity_of(dossier)
    if not roltype or identity is None:
        return
    found = identification.betrokkene(identity)
    if found is None:
        # Never the identity itself in the message: it is shown and logged.
        raise ZgwError("the identity of the dossier cannot be sent", retry=False)
    kind, numbers, explanation = found
    rollen = f"{client.zaken}/rollen"
    # A zaak has at most one initiator: one found is ours (or was set there).
    url = client.find(rollen, zaak=zaak, omschrijvingGeneriek="initiator")
    if url is None:
        url = client.call(
            "POST",
            rollen,
            {
                "zaak": zaak,
                "betrokkeneType": kind,
                "roltype": roltype,
                "roltoelichting": explanation,
                "betrokkeneIdentificatie": numbers,
            },
        )["url"]
    current["initiator"] = url
    _keep_claim(dossier)
    transaction.commit()


def _final_status(client, dossier, product, zaak):
    current = state(dossier)
    if current.get("final_status") != "waiting":
        return
    statustype = getattr(product, "final_status_type", "") or ""
    if not statustype:
        raise ZgwError("the product has no final status type", retry=False)
    for record in current["documents"].values():
        if record.get("eio"):
            _usage_rights(client, dossier, product, record)
    _result(client, dossier, product, zaak)
    statussen = f"{client.zaken}/statussen"
    # Set by an earlier run whose answer was lost: the zaak is closed now,
    # and a second eindstatus would be refused (it would reopen the zaak).
    if client.find(statussen, crs=True, zaak=zaak, statustype=statustype) is None:
        client.call(
            "POST",
            statussen,
            {
                "zaak": zaak,
                "statustype": statustype,
                "datumStatusGezet": datetime.now(UTC).isoformat(timespec="seconds"),
                "statustoelichting": "Dossier gearchiveerd",
            },
            crs=True,
        )
    current["final_status"] = "done"


def _keep_claim(dossier):
    """Renew the claim with every step, so that a long run keeps its dossier."""
    state(dossier)["claimed_until"] = datetime.now(UTC) + CLAIM


def _send(dossier):
    """Do what is still to be done for this dossier (commits after each step)."""
    current = state(dossier)
    product = _product(dossier)
    if product is None:
        raise ZgwError(
            "the counter product of this dossier no longer exists", retry=False
        )
    user_id = current.get("requested_by") or ""
    client = Client(user_id, teams.fullname(user_id) if user_id else "")
    zaak = _zaak(client, dossier, product)
    _keep_claim(dossier)
    transaction.commit()
    _initiator(client, dossier, product, zaak)
    for document in sorted(dossier.objectValues(), key=lambda d: d.created()):
        _document(client, dossier, product, document, zaak)
    _final_status(client, dossier, product, zaak)


def _failed(current, dossier_id, error, now):
    """Record a failed attempt: retried later, or stopped and shown."""
    current["attempts"] = current.get("attempts", 0) + 1
    current["error"] = str(error)[:500]
    current["claimed_until"] = None
    if error.retry:
        pause = pause_after(current["attempts"])
        current["state"] = "retrying"
        _queue()[dossier_id] = now + timedelta(seconds=pause)
        logger.warning(
            "dossier %s: case system: %s; again in %s s", dossier_id, error, pause
        )
    else:
        current["state"] = "failed"
        _queue().pop(dossier_id, None)
        logger.error("dossier %s: case system refused: %s", dossier_id, error)


def deliver(now=None, limit=20, force=False):
    """Send the waiting dossiers (with ``force``: also those waiting for a retry).

    Returns counts. Commits as it goes.
    """
    now = now or datetime.now(UTC)
    result = {"archived": 0, "failed": 0, "skipped": 0}
    if not enabled():
        return result
    transaction.commit()
    folder = _dossiers_folder()
    due = [key for key, next_try in _queue().items() if force or next_try <= now][
        :limit
    ]
    for dossier_id in due:
        dossier = folder._getOb(dossier_id, None)
        current = state(dossier) if dossier is not None else None
        try:
            if current is None:
                _queue().pop(dossier_id, None)
                transaction.commit()
                continue
            claimed = current.get("claimed_until")
            if claimed is not None and claimed > datetime.now(UTC):
                raise ConflictError
            current["claimed_until"] = datetime.now(UTC) + CLAIM
            current["state"] = "sending"
            generation = current.get("generation", 0)
            transaction.commit()
        except ConflictError:
            transaction.abort()
            result["skipped"] += 1
            continue
        try:
            with api.env.adopt_roles(["Manager"]):
                _send(dossier)
        except ZgwError as error:
            transaction.abort()
            _failed(current, dossier_id, error, now)
            result["failed"] += 1
        except ConflictError:
            transaction.abort()
            error = ZgwError("another change came in between; trying again", retry=True)
            _failed(current, dossier_id, error, now)
            result["failed"] += 1
        except Exception as unexpected:  # noqa: BLE001 - shown on the dossier, retried
            transaction.abort()
            logger.exception(
                "dossier %s: sending to the case system failed", dossier_id
            )
            _failed(
                current,
                dossier_id,
                ZgwError(f"{type(unexpected).__name__}: {unexpected}", retry=True),
                now,
            )
            result["failed"] += 1
        else:
            if current.get("generation", 0) != generation:
                # Asked again while this run was sending: the next run goes on.
                current.update(state="waiting", claimed_until=None)
                _queue()[dossier_id] = datetime.now(UTC)
            else:
                current.update(
                    state="done", error="", claimed_until=None, sent=datetime.now(UTC)
                )
                _queue().pop(dossier_id, None)
            result["archived"] += 1
        try:
            transaction.commit()
        except ConflictError:
            transaction.abort()
    return result
