"""An append-only audit trail per dossier: who viewed, downloaded, uploaded,
changed state or exported, and when.

Entries are immutable tuples in a BTree keyed by time; there is no function
to change or remove one, and no view or service that writes them other than
by doing the action. Managers read them on the dossier's audit page. Views
that log a read (a GET) allow that one write explicitly.
"""

from BTrees.OOBTree import OOBTree
from datetime import UTC
from datetime import datetime
from plone import api
from zope.annotation.interfaces import IAnnotations
import secrets


AUDIT_KEY = "collective.digitalebalie.audit"


def _trail(dossier, create=True):
    annotations = IAnnotations(dossier)
    trail = annotations.get(AUDIT_KEY)
    if trail is None and create:
        trail = annotations[AUDIT_KEY] = OOBTree()
    return trail


def log(dossier, action, detail="", who=None):
    """Add an entry. ``who`` defaults to the current user; without a login
    only citizens act (through their appointment link)."""
    if who is None:
        who = "citizen" if api.user.is_anonymous() else api.user.get_current().getId()
    now = datetime.now(UTC)
    key = f"{now.isoformat()}-{secrets.token_hex(3)}"
    trail = _trail(dossier)
    trail[key] = (now.isoformat(timespec="seconds"), who, action, str(detail)[:500])


def entries(dossier):
    """All entries, oldest first: (when, who, action, detail)."""
    trail = _trail(dossier, create=False)
    return list(trail.values()) if trail is not None else []
