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
