"""Reminders: an e-mail and a text message a set time before the appointment,
and a text message shortly before a video appointment; each exactly once.

Run by the job every minute. Each reminder is decided in its own transaction
that marks the appointment, so two runs at the same time conflict in ZODB and
only one of them queues the reminder; a run stopped halfway leaves either
both (mark and messages) or neither.
"""

from collective.digitalebalie import multilingual
from collective.digitalebalie import settings
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.integrations import notifications
from collective.digitalebalie.settings import setting
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api
from ZODB.POSException import ConflictError
import transaction


def lead_time():
    return timedelta(hours=setting("reminder_hours", 24) or 0)


def video_lead_time():
    return timedelta(minutes=setting("video_sms_minutes", 10) or 0)


def _candidates(now, lead, mark, video_only=False):
    """Booked appointments that start within the lead time and are not marked."""
    tz = settings.site_timezone()
    first = now.astimezone(tz).date()
    last = (now + lead).astimezone(tz).date()
    with api.env.adopt_roles(["Manager"]):
        # A translated product once: its translations share one ledger.
        products = multilingual.canonical_products(
            [
                brain.getObject()
                for brain in api.content.find(portal_type="CounterProduct")
            ]
        )
    for product in products:
        for appointment in store.listing(product, first, last):
            if (
                now < appointment.start <= now + lead
                and getattr(appointment, mark, None) is None
                and (not video_only or appointment.channel == "video")
                and api.content.get_state(appointment) == "booked"
            ):
                yield appointment.getId()


def _each_once(now, lead, mark, send, video_only=False):
    """Call send(appointment, token) once per due appointment; return how many."""
    transaction.commit()
    folder = store.appointments_folder()
    done = 0
    for appointment_id in list(_candidates(now, lead, mark, video_only)):
        appointment = folder._getOb(appointment_id, None)
        try:
            if appointment is None or getattr(appointment, mark, None) is not None:
                raise ConflictError  # another run was first
            setattr(appointment, mark, now)
            send(appointment, links.fresh_link(appointment))
            transaction.commit()
            done += 1
        except ConflictError:
            transaction.abort()
    return done


def send_due(now=None):
    """Queue the reminders that are due; return how many appointments got one."""
    now = now or datetime.now(UTC)
    done = 0
    if lead_time():
        done += _each_once(now, lead_time(), "reminded", notifications.reminder)
    if video_lead_time():
        done += _each_once(
            now,
            video_lead_time(),
            "video_sms_sent",
            notifications.video_soon,
            video_only=True,
        )
    return done
