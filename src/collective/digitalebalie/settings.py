"""The add-on's settings (registry records of IDigitaleBalieSettings) and the clock."""

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
