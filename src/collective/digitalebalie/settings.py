"""The add-on's settings (registry records of IDigitaleBalieSettings), the clock and
the site's dates in words."""

from babel.dates import format_date
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from datetime import UTC
from datetime import datetime
from plone import api
from zoneinfo import ZoneInfo


def setting(name, default=None):
    """The value of the Digitale Balie setting ``name``, or ``default`` when unset."""
    return api.portal.get_registry_record(
        name, interface=IDigitaleBalieSettings, default=default
    )


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
