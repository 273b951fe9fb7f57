"""Vocabularies."""

from collective.digitalebalie import _
from collective.digitalebalie import teams as team_module
from functools import cache
from plone.app.content.browser.vocabulary import PERMISSIONS
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


SMS_GATEWAYS = SimpleVocabulary(
    [
        SimpleTerm("none", "none", _("No text messages")),
        SimpleTerm("cm", "cm", "CM.com"),
        SimpleTerm("generic", "generic", _("Generic JSON gateway")),
    ]
)


@provider(IVocabularyFactory)
def sms_gateways(context=None):
    return SMS_GATEWAYS


VIDEO_PROVIDERS = SimpleVocabulary(
    [
        SimpleTerm("builtin", "builtin", _("Built-in rooms (peer to peer)")),
        SimpleTerm("jitsi", "jitsi", "Jitsi Meet"),
        SimpleTerm("livekit", "livekit", "LiveKit"),
    ]
)


@provider(IVocabularyFactory)
def video_providers(context=None):
    return VIDEO_PROVIDERS


UPLOAD_TYPES = SimpleVocabulary(
    [
        SimpleTerm("pdf", "pdf", "PDF"),
        SimpleTerm("jpeg", "jpeg", "JPEG"),
        SimpleTerm("png", "png", "PNG"),
        SimpleTerm("heic", "heic", "HEIC"),
        SimpleTerm("docx", "docx", "Word (DOCX)"),
        SimpleTerm("odt", "odt", "OpenDocument (ODT)"),
    ]
)


@provider(IVocabularyFactory)
def upload_types(context=None):
    return UPLOAD_TYPES


# Who may list the teams through @vocabularies (REST) and @@getVocabulary
# (classic): those who edit a product, not anonymous visitors (plone.restapi and
# plone.app.content look vocabularies up in this mapping; the default is View).
PERMISSIONS["collective.digitalebalie.Teams"] = "Modify portal content"


@provider(IVocabularyFactory)
def teams(context=None):
    """Teams: groups with the role Counter employee."""
    return SimpleVocabulary(
        [
            SimpleTerm(group_id, group_id, team_module.team_title(group_id))
            for group_id in team_module.team_ids()
        ]
    )
