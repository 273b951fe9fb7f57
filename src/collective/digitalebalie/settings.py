"""The add-on's settings (registry records of IDigitaleBalieSettings), the clock and
the site's dates in words."""

from babel.dates import format_date
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from datetime import UTC
from datetime import datetime
from plone import api
from plone.registry.interfaces import IRegistry
from zoneinfo import ZoneInfo
from zope.component import getUtility


PREFIX = IDigitaleBalieSettings.__identifier__


def setting(name, default=None):
    """The value of the Digitale Balie setting ``name``, or ``default`` when unset.

    Read from the registry directly: plone.api's get_registry_record builds
    a proxy of the whole interface for every value (a booking reads a dozen).
    """
    return getUtility(IRegistry).get(f"{PREFIX}.{name}", default)


def site_timezone():
    return ZoneInfo(setting("timezone", "Europe/Amsterdam"))


def now_utc():
    return datetime.now(UTC)


def link_days():
    """How long after an appointment its links keep working (days)."""
    return setting("appointment_data_days", 30)


def date_in_words(day):
    """'zaterdag 5 december' / 'Saturday 5 December', in the page's language."""
    language = (api.portal.get_current_language() or "nl")[:2]
    return format_date(
        day, "EEEE d MMMM", locale=language if language == "en" else "nl"
    )
