"""Dossiers are made with a citizen's first appointment for a product; later
appointments of the same citizen for the same product that counter staff make
join it while it is open.

Like appointments, dossiers are kept out of portal_catalog. The folder keeps an
index (product, hash of the e-mail address) -> open dossier.
"""

from BTrees.OOBTree import OOBTree
from collective.digitalebalie import _
from collective.digitalebalie import errors
from collective.digitalebalie import multilingual
from collective.digitalebalie import teams
from collective.digitalebalie.booking import store
from collective.digitalebalie.content.private import add_private
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.storage import annotation
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api
from plone.dexterity.utils import createContentInContainer
import hashlib
import secrets


FOLDER_ID = "dossiers"
INDEX_KEY = "collective.digitalebalie.open-dossiers"
ACTIVE = (
    "dossier-state-open",
    "dossier-state-in-progress",
    "dossier-state-waiting-for-citizen",
)


def dossiers_folder():
    folder = api.portal.get().get(FOLDER_ID)
    if folder is None:
        raise RuntimeError("The dossiers folder is missing; reinstall the add-on.")
    return folder


def ensure_dossiers_folder(portal):
    if FOLDER_ID in portal.objectIds():
        return portal[FOLDER_ID]
    return createContentInContainer(
        portal,
        "DossierFolder",
        checkConstraints=False,
        id=FOLDER_ID,
        title="Dossiers",
        exclude_from_nav=True,
    )


def _index(folder):
    return annotation(folder, INDEX_KEY, OOBTree)


def _key(product_uid, email):
    return (product_uid, hashlib.sha256(email.strip().lower().encode()).hexdigest())


def of(appointment):
    """The appointment's dossier, or None."""
    dossier_id = getattr(appointment, "dossier_id", None)
    if not dossier_id:
        return None
    return dossiers_folder()._getOb(dossier_id, None)


def existing(appointment):
    """The appointment's dossier; NotFound when it has none."""
    dossier = of(appointment)
    if dossier is None:
        raise errors.NotFound(_("This appointment has no dossier."))
    return dossier


def open_dossier(product, email):
    """The citizen's open dossier for this product (the one staff bookings
    join), or None."""
    folder = dossiers_folder()
    dossier_id = _index(folder).get(_key(api.content.get_uuid(product), email))
    dossier = folder._getOb(dossier_id, None) if dossier_id else None
    if dossier is None or api.content.get_state(dossier) not in ACTIVE:
        return None
    return dossier


def for_new_appointment(appointment, product, join=False):
    """Open a new dossier, or (``join``) join the citizen's open one for this product.

    Only counter staff join: an e-mail address typed in an anonymous booking
    proves nothing, and joining would open the dossier to whoever typed it.
    """
    folder = dossiers_folder()
    index = _index(folder)
    # All translations of a product are one service: one dossier (multilingual.py).
    product_uid = api.content.get_uuid(multilingual.canonical(product))
    key = _key(product_uid, appointment.email)
    dossier = folder._getOb(index[key], None) if join and key in index else None
    if dossier is None or api.content.get_state(dossier) not in ACTIVE:
        dossier_id = secrets.token_hex(8)
        dossier = add_private(
            folder,
            "Dossier",
            item_id=dossier_id,
            title=f"{product.Title()} {dossier_id[:6]}",
            subject=product.Title(),
            case_type=getattr(product, "case_type", None) or "",
            product_uid=product_uid,
            appointment_ids=[],
            opened=datetime.now(UTC),
            email_key=key[1],
        )
        teams.set_team_roles(dossier, teams.product_teams(product))
        current = folder._getOb(index[key], None) if key in index else None
        if current is None or api.content.get_state(current) not in ACTIVE:
            # The first open dossier stays the one staff bookings join.
            index[key] = dossier_id
        audit.log(dossier, "opened", f"appointment {appointment.getId()}")
    dossier.appointment_ids = [*dossier.appointment_ids, appointment.getId()]
    appointment.dossier_id = dossier.getId()
    return dossier


def closed(dossier):
    """No longer open: later appointments start a new dossier."""
    dossier.closed = datetime.now(UTC)
    index = _index(dossiers_folder())
    key = (dossier.product_uid, getattr(dossier, "email_key", ""))
    if index.get(key) == dossier.getId():
        del index[key]


def reopened(dossier):
    dossier.closed = None
    index = _index(dossiers_folder())
    key = (dossier.product_uid, getattr(dossier, "email_key", ""))
    index.setdefault(key, dossier.getId())


def archived(dossier):
    now = datetime.now(UTC)
    dossier.archived = now
    years = dossier.retention_years or 0
    dossier.destroy_after = now.date() + timedelta(days=round(365.25 * years))


def appointments_of(dossier):
    folder = store.appointments_folder()
    return [
        a
        for a in (folder._getOb(i, None) for i in dossier.appointment_ids or ())
        if a is not None
    ]


def follow_product_teams(product, event=None):
    """Open dossiers of the product follow its teams; closed ones keep theirs."""
    folder = api.portal.get().get(FOLDER_ID)
    if folder is None:
        return
    product_teams = teams.product_teams(product)
    uid = api.content.get_uuid(multilingual.canonical(product))
    for dossier in folder.objectValues():
        if dossier.product_uid == uid and api.content.get_state(dossier) in ACTIVE:
            teams.set_team_roles(dossier, product_teams)


def appointment_booked(appointment, event):
    """A new appointment opens a dossier (counter staff's joins the open one,
    unless the employee chose a new one)."""
    join = getattr(event, "join_dossier", None)
    for_new_appointment(
        appointment, event.product, join=event.staff if join is None else join
    )
