"""Reminders: an e-mail a set time before the appointment, exactly once.

Run by the job every minute. Each reminder is decided in its own transaction
that marks the appointment, so two runs at the same time conflict in ZODB and
only one of them queues the reminder; a run stopped halfway leaves either
both (mark and message) or neither.
"""

from collective.digitalebalie import appointments
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api
from ZODB.POSException import ConflictError
import secrets
import transaction


def lead_time():
    hours = api.portal.get_registry_record(
        "reminder_hours", interface=IDigitaleBalieSettings, default=24
    )
    return timedelta(hours=hours or 0)


def _candidates(now, lead):
    """Booked appointments that start within the lead time and had no reminder."""
    tz = appointments.site_timezone()
    first = now.astimezone(tz).date()
    last = (now + lead).astimezone(tz).date()
    with api.env.adopt_roles(["Manager"]):
        products = [
            brain.getObject()
            for brain in api.content.find(portal_type="CounterProduct")
        ]
    for product in products:
        for appointment in appointments.listing(product, first, last):
            if (
                now < appointment.start <= now + lead
                and getattr(appointment, "reminded", None) is None
                and api.content.get_state(appointment) == "booked"
            ):
                yield appointment.getId()


def send_due(now=None):
    """Queue the reminders that are due; return how many."""
    from collective.digitalebalie.integrations import notifications

    now = now or datetime.now(UTC)
    lead = lead_time()
    if not lead:
        return 0
    transaction.commit()
    folder = appointments.appointments_folder()
    queued = 0
    for appointment_id in list(_candidates(now, lead)):
        appointment = folder._getOb(appointment_id, None)
        try:
            if (
                appointment is None
                or getattr(appointment, "reminded", None) is not None
            ):
                raise ConflictError  # another run was first
            appointment.reminded = now
            # A new link: only hashes of links are stored, so the first cannot be repeated.
            token = secrets.token_urlsafe(appointments.TOKEN_BYTES)
            appointments.token_index(folder)[appointments.hash_token(token)] = (
                appointment_id
            )
            notifications.reminder(appointment, token)
            transaction.commit()
            queued += 1
        except ConflictError:
            transaction.abort()
    return queued
