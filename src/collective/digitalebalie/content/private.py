"""Content that is never catalogued: citizens' data stays out of every search.

A class decorator rather than a mixin: a mixin placed before the Dexterity
base class would hide Dexterity's behaviour-aware ``__providedBy__``.
"""


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
