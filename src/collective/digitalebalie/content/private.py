"""Content that is never catalogued: citizens' data stays out of every search.

A class decorator rather than a mixin: a mixin placed before the Dexterity
base class would hide Dexterity's behaviour-aware ``__providedBy__``.

Appointments and dossiers are never the target of a relation or a link
either (no page can find them to link to), so they get no intid: an intid,
the relation scan it sets off and the two B-tree buckets it writes were a
quarter of a booking (``unreferenced``).
"""

from five.intid.keyreference import KeyReferenceToPersistent
from OFS.event import ObjectWillBeAddedEvent
from plone.dexterity.utils import createContent
from zope.component import getAllUtilitiesRegisteredFor
from zope.event import notify
from zope.intid.interfaces import IIntIds
from zope.keyreference.interfaces import NotYet
from zope.lifecycleevent import ObjectAddedEvent


def _no_op(self, *args, **kwargs):
    pass


def not_catalogued(cls):
    """No query of any user, anonymous or not, reaches objects of ``cls``
    through search, listings, feeds or sitemaps; lists come from the add-on's
    own indexes (booking ledgers, dossier index)."""
    for name in (
        "indexObject",
        "reindexObject",
        "reindexObjectSecurity",
        "unindexObject",
    ):
        setattr(cls, name, _no_op)
    return cls


def unstamped(cls):
    """The folder's modification date stays as it is when content comes and goes.

    Adding an item to a Dexterity container reindexes the container, which
    stamps a new modification date on it. For the folders that receive every
    booking that meant one object written by every booking, of any product:
    concurrent bookings conflicted on it, and Zope retried them with growing
    pauses (found by bench/bench_cluster.py: up to 80 seconds for a booking).
    """
    cls.notifyModified = _no_op
    return cls


def unreferenced(obj):
    """The IKeyReference adapter of appointments and dossiers: none, ever.

    ``NotYet`` is the answer every user of intids expects for an object
    without one: five.intid then registers nothing (and tells no relation
    catalog), link integrity finds no intid and does nothing.
    """
    raise NotYet(obj)


def forget_intid(obj, event):
    """Removed: an appointment or dossier made before ``unreferenced`` has an
    intid, whose key holds the object; it goes, or the object would stay in
    the database after its deletion."""
    key = None
    for utility in getAllUtilitiesRegisteredFor(IIntIds):
        key = key or KeyReferenceToPersistent(obj)
        uid = utility.ids.get(key)
        if uid is not None:
            del utility.refs[uid]
            del utility.ids[key]


def add_private(container, portal_type, item_id, **fields):
    """Add a new item to one of the private folders (appointments, dossiers).

    As ``createContentInContainer``, with the item's own events (workflow,
    ownership, the add-on's listeners), but without the container's
    "modified" event: for these folders that event only made the catalog
    index the folder again, a full reindex of an unchanged entry in every
    booking (measured: a fifth of a booking's time, bench/bench_booking.py).
    The id is the caller's random one; it must be free.
    """
    if container._getOb(item_id, None) is not None:
        raise ValueError(f"{item_id} exists")
    content = createContent(portal_type, id=item_id, **fields)
    notify(ObjectWillBeAddedEvent(content, container, item_id))
    container._setObject(item_id, content, suppress_events=True)
    content = container._getOb(item_id)
    notify(ObjectAddedEvent(content, container, item_id))
    return content
