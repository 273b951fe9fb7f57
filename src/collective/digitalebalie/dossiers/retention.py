"""Retention: archived dossiers are destroyed after their retention period,
once a manager approved it; personal data of appointments without a dossier
is removed a set number of days after the appointment.

Run by the retention job (``digitalebalie-retention``, hourly in ``make start``).
What is destroyed is gone from the ZODB (and its blobs at the next pack); the
log keeps only the dossier's id, never personal data.
"""

from collective.digitalebalie import logger
from collective.digitalebalie.booking import earlier
from collective.digitalebalie.booking import links
from collective.digitalebalie.booking import store
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.integrations import outbox
from collective.digitalebalie.integrations import payments
from collective.digitalebalie.settings import setting
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api


REMOVED = "(verwijderd)"


def due(today=None):
    """Archived dossiers whose destruction date has come."""
    today = today or datetime.now(UTC).date()
    with api.env.adopt_roles(["Manager"]):
        return [
            d
            for d in dossiers.dossiers_folder().objectValues()
            if api.content.get_state(d) == "dossier-state-archived"
            and d.destroy_after is not None
            and d.destroy_after <= today
        ]


def approve(dossier, user_id):
    dossier.destruction_approved = (datetime.now(UTC), user_id)
    audit.log(dossier, "destruction approved", who=user_id)


def anonymize(appointment):
    """Remove the citizen's personal data; keep time, product and state (statistics)."""
    links.revoke_citizen_links(appointment)
    earlier.stop(appointment)  # and the links of its earlier-time messages
    appointment.fullname = REMOVED
    appointment.email = ""
    appointment.phone = ""
    appointment.notes = ""
    appointment.cancel_message = ""
    appointment.outcome_note = ""  # what the employee promised may name the person
    appointment.anonymized = datetime.now(UTC)


def destroy(dossier):
    """Remove the dossier with its documents and its appointments' personal data."""
    dossier_id = dossier.getId()
    with api.env.adopt_roles(["Manager"]):
        for appointment in dossiers.appointments_of(dossier):
            anonymize(appointment)
        payments.forget(dossier)
        folder = dossiers.dossiers_folder()
        folder._delObject(dossier_id, suppress_events=False)
    logger.info("dossier %s destroyed after its retention period", dossier_id)


def personal_data_days():
    return setting("appointment_data_days", 30)


def stale_appointments(now):
    """Appointments without a dossier whose end is longer ago than the setting."""
    limit = now - timedelta(days=personal_data_days())
    with api.env.adopt_roles(["Manager"]):
        for appointment in store.appointments_folder().objectValues():
            if (
                appointment.end < limit
                and getattr(appointment, "anonymized", None) is None
                and dossiers.of(appointment) is None
            ):
                yield appointment


def untouched_dossiers(now):
    """Dossiers nobody worked on (still open, no documents) whose appointments
    are all long over: they hold nothing but the appointments' personal data."""
    limit = now - timedelta(days=personal_data_days())
    with api.env.adopt_roles(["Manager"]):
        for dossier in dossiers.dossiers_folder().objectValues():
            if (
                api.content.get_state(dossier) != "dossier-state-open"
                or dossier.objectIds()
                or payments.all_of(dossier)
            ):
                continue
            booked = dossiers.appointments_of(dossier)
            if all(a.end < limit for a in booked):
                yield dossier


def old_messages(now):
    """Sent (or given up) mail and text messages: they hold addresses and names."""
    limit = now - timedelta(days=personal_data_days())
    box = outbox.outbox()
    return [
        key
        for key, item in box.items()
        if (item.sent is not None or item.gave_up) and item.created < limit
    ]


def run(now=None):
    """One run of the job; returns what it did."""
    now = now or datetime.now(UTC)
    waiting = due(now.date())
    destroyed = 0
    for dossier in waiting:
        if getattr(dossier, "destruction_approved", None):
            destroy(dossier)
            destroyed += 1
    for dossier in list(untouched_dossiers(now)):
        destroy(dossier)
        destroyed += 1
    anonymized = 0
    for appointment in list(stale_appointments(now)):
        anonymize(appointment)
        anonymized += 1
    box = outbox.outbox()
    removed = old_messages(now)
    for key in removed:
        del box[key]
    return {
        "due": len(waiting)
        - sum(1 for d in waiting if getattr(d, "destruction_approved", None)),
        "destroyed": destroyed,
        "anonymized": anonymized,
        "messages_removed": len(removed),
    }
