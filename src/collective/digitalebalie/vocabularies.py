"""Vocabularies."""

from functools import cache
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary
import zoneinfo


@cache
def _timezones():
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        # Leave out legacy aliases such as "US/Pacific" and "posixrules".
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
    )
    return SimpleVocabulary([SimpleTerm(name, name, name) for name in names])


@provider(IVocabularyFactory)
def timezones(context=None):
    """IANA time zones, such as Europe/Amsterdam."""
    return _timezones()
