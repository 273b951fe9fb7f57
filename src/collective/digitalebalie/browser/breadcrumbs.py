"""An appointment in the breadcrumbs: the citizen's name and the local time.

The appointment's own title carries no personal data (content/appointment.py);
the breadcrumbs show the name only to someone who may work the appointment.
Nobody else can open an appointment: it is private (appointment_workflow).
"""

from collective.digitalebalie import settings
from collective.digitalebalie.browser import formatting
from plone import api
from Products.CMFPlone.browser.navigation import PhysicalNavigationBreadcrumbs


MANAGE = "collective.digitalebalie: Manage appointments"


def staff_title(appointment):
    """'Jan de Vries, 2 dec. 2026 10:00' in the site's time zone."""
    start = appointment.start.astimezone(settings.site_timezone())
    when = f"{formatting.short_date(start.date())} {formatting.clock(start)}"
    name = getattr(appointment, "fullname", "") or ""
    return f"{name}, {when}" if name else when


class AppointmentBreadcrumbs(PhysicalNavigationBreadcrumbs):
    def customize_entry(self, entry, context=None):
        if context is not None and api.user.has_permission(MANAGE, obj=context):
            entry["Title"] = staff_title(context)
